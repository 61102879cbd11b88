"""The WooCommerce fake on a loopback port, in-process (used by tests/sandbox/conftest.py)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from woocommerce import API

from connectors.woocommerce.fake.app import create_app
from connectors.woocommerce.fake.store import WooStore
from sandbox.credentials import WOOCOMMERCE_CONSUMER_KEY, WOOCOMMERCE_CONSUMER_SECRET
from sandbox.data import Shop
from sandbox.server import serve


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
    server, thread = serve(_starting)
    url = f"http://127.0.0.1:{server.port}"
    server.app = create_app(store, url)
    try:
        yield RunningWoo(shop, store, url, server.port)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
