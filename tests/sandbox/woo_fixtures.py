"""The WooCommerce fake on a loopback port, in-process (used by tests/sandbox/conftest.py)."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server
from woocommerce import API

from connectors.woocommerce.fake.app import create_app
from connectors.woocommerce.fake.store import WooStore
from sandbox.credentials import WOOCOMMERCE_CONSUMER_KEY, WOOCOMMERCE_CONSUMER_SECRET
from sandbox.data import Shop


class _Quiet(WSGIRequestHandler):
    """No request lines: they carry query strings with e-mail addresses."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def _starting(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"starting"]


@dataclass
class RunningWoo:
    """A WooCommerce fake serving `store` for a site installed at `url`."""

    shop: Shop
    store: WooStore
    url: str
    port: int

    def api(self, url: str | None = None, secret: str = WOOCOMMERCE_CONSUMER_SECRET) -> API:
        """The official client (unmodified), by default for the site's own URL."""
        return API(
            url=url or self.url,
            consumer_key=WOOCOMMERCE_CONSUMER_KEY,
            consumer_secret=secret,
            version="wc/v3",
            timeout=10,
        )


def serve_woo(shop: Shop) -> Iterator[RunningWoo]:
    store = copy.deepcopy(shop.woocommerce)
    server = make_server("127.0.0.1", 0, _starting, threaded=True, request_handler=_Quiet)
    url = f"http://127.0.0.1:{server.port}"
    server.app = create_app(store, url)
    thread = threading.Thread(target=server.serve_forever, name="woo-fake", daemon=True)
    thread.start()
    try:
        yield RunningWoo(shop, store, url, server.port)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
