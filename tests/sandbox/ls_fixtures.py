"""The Lightspeed fake on a loopback port, in-process (used by test_lightspeed_fake.py)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import requests

from connectors.lightspeed.fake.app import LightspeedFake, create_app
from connectors.lightspeed.fake.store import LightspeedStore
from sandbox.credentials import LIGHTSPEED_API_KEY, LIGHTSPEED_API_SECRET
from sandbox.data import Shop
from sandbox.server import serve

AUTH = (LIGHTSPEED_API_KEY, LIGHTSPEED_API_SECRET)


def _starting(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"starting"]


@dataclass
class RunningLs:
    """A Lightspeed fake serving a copy of `shop.lightspeed` at `url` (no language segment)."""

    shop: Shop
    store: LightspeedStore
    url: str
    app: LightspeedFake

    def call(self, method: str, path: str, *, auth: Any = AUTH, **kwargs: Any) -> requests.Response:
        return requests.request(
            method, f"{self.url}/nl/{path}.json", auth=auth, timeout=10, **kwargs
        )

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.call("GET", path, params=params)

    def ok(self, path: str, **params: Any) -> Any:
        response = self.get(path, **params)
        assert response.status_code == 200, response.text
        return response.json()

    def customer_id(self, email: str) -> int:
        """The id of the customer whose e-mail is exactly `email` (the filter is a substring)."""
        rows = self.ok("customers", email=email)["customers"]
        (row,) = [c for c in rows if c["email"] == email]
        return int(row["id"])


@contextmanager
def serve_lightspeed(shop: Shop, **options: Any) -> Iterator[RunningLs]:
    store = copy.deepcopy(shop.lightspeed)
    server, thread = serve(_starting)
    url = f"http://127.0.0.1:{server.server_port}"
    app = create_app(store, url, **options)
    server.app = app
    try:
        yield RunningLs(shop, store, url, app)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
