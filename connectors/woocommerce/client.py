"""The shop's REST API through our HTTP layer, signed by the official `woocommerce` package;
how its error bodies and listings read.

Each `Rest` is one namespace of the site (`wc/v3`, `wc-analytics`) under `<home URL>/wp-json/`.
Over https the keys go as HTTP Basic auth; over plain http every attempt is signed anew with OAuth
1.0a (a nonce must not repeat) by the package's public `woocommerce.oauth.OAuth`, against the
site's exact home URL. `woocommerce.API` itself is not used: it sends each call with
`requests.request()` (a new connection per call) and has no public way to send through another
session, so our retries, budget, deadlines, size limit, redaction and request count would not
apply (README, "Why each dependency is there").
"""

from __future__ import annotations

from typing import Any

import requests
from woocommerce.oauth import OAuth

from bridge.core.connector import records_in
from bridge.core.http import HttpClient
from bridge.core.http_errors import ErrorShape

# WordPress's error body: `{"code": "...", "message": "...", "data": {"status": N}}`.
ERRORS = ErrorShape(code=("code",), message=("message",))


def records(body: Any, endpoint: str) -> list[dict[str, Any]]:
    """A listing's records: a JSON array of objects with an id (downloads carry
    `download_id`); anything else is a failure of that listing, never an empty one."""
    what = endpoint.split("?")[0]
    if isinstance(body, list) and all(isinstance(i, dict) and "download_id" in i for i in body):
        return body
    return records_in(body, "woocommerce", what)


class Rest:
    """`get`, `post`, `put` and `delete` of an endpoint (`customers`, `orders/12/notes`) of a namespace."""

    def __init__(
        self, http: HttpClient, url: str, key: str, secret: str, namespace: str = "wc/v3"
    ) -> None:
        self.http = http
        self.namespace = namespace
        self.base = f"{url.rstrip('/')}/wp-json/{namespace}/"
        self._keys = (key, secret)
        self.signed = not url.startswith("https")  # as the official client decides

    def get(self, endpoint: str, params: dict[str, Any] | None = None) -> requests.Response:
        return self._send("GET", endpoint, params=params)

    def post(self, endpoint: str, data: Any) -> requests.Response:
        return self._send("POST", endpoint, json_body=data)

    def put(self, endpoint: str, data: Any) -> requests.Response:
        return self._send("PUT", endpoint, json_body=data)

    def delete(self, endpoint: str, params: dict[str, Any] | None = None) -> requests.Response:
        return self._send("DELETE", endpoint, params=params)

    def _send(self, method: str, endpoint: str, **kwargs: Any) -> requests.Response:
        url = self.base + endpoint
        if self.signed:
            return self.http.request(method, url, sign=self._sign, **kwargs)
        return self.http.request(method, url, auth=self._keys, **kwargs)

    def _sign(self, method: str, url: str) -> str:
        """`url` (with its query) signed for `method`: the OAuth parameters added to its query."""
        key, secret = self._keys
        oauth = OAuth(url, key, secret, version=self.namespace, method=method)
        return str(oauth.get_oauth_url())
