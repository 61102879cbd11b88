"""Fault injection for the fakes: the failures real vendors and the networks in between produce.

A `Faults` object wraps a fake's WSGI app. Tests queue faults on it; each fault applies to the next
`times` requests whose method and path match, then is used up.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

HTML_ERROR_PAGE = (
    b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
    b"<body><h1>Bad Gateway</h1><p>The proxy server received an invalid response.</p></body></html>"
)

# Headers for a failing answer that the client may retry at once: the retries and their
# exhaustion are exercised without sleeping through real backoff.
NO_WAIT = {"Retry-After": "0"}


@dataclass
class Fault:
    """One kind of failure, for the next `times` matching requests.

    - `status` with `body`: answer this instead of the app (e.g. 429 with Retry-After, 500, HTML);
    - `truncate=True`: let the app answer, then cut its body in half;
    - `delay_s` with `status=0`: let the app answer (its effect lands) but only after a delay,
      so a client with a shorter timeout gives up on a request that did succeed.
    """

    status: int = 500
    body: bytes = b'{"error": "injected"}'
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    method: str | None = None
    path: str = ""
    times: int = 1
    truncate: bool = False
    delay_s: float = 0.0

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and self.path in path


def rate_limited(retry_after: int | None = 1, **kwargs: Any) -> Fault:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    return Fault(status=429, body=b'{"message": "Too many requests"}', headers=headers, **kwargs)


def html_error(status: int = 502, **kwargs: Any) -> Fault:
    return Fault(status=status, body=HTML_ERROR_PAGE, content_type="text/html", **kwargs)


class Faults:
    """WSGI middleware holding the queue of faults for one fake, plus a request log."""

    def __init__(self, app: WSGIApp, latency_s: float = 0.0) -> None:
        self.app = app
        self.latency_s = latency_s
        self.queue: list[Fault] = []
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self.queue.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self.queue.clear()
            self.requests.clear()

    def _take(self, method: str, path: str) -> Fault | None:
        with self._lock:
            self.requests.append((method, path))
            for fault in self.queue:
                if fault.times > 0 and fault.matches(method, path):
                    fault.times -= 1
                    return fault
        return None

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if self.latency_s:
            time.sleep(self.latency_s)
        fault = self._take(environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""))
        if fault is None:
            return self.app(environ, start_response)
        if fault.truncate or fault.status == 0:
            return self._through(fault, environ, start_response)
        headers = [("Content-Type", fault.content_type), ("Content-Length", str(len(fault.body)))]
        start_response(f"{fault.status} Injected", headers + list(fault.headers.items()))
        return [fault.body]

    def _through(
        self, fault: Fault, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            captured["status"], captured["headers"] = status, headers

        body = b"".join(self.app(environ, capture))
        if fault.delay_s:
            time.sleep(fault.delay_s)
        if fault.truncate:
            body = body[: len(body) // 2]
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        start_response(captured["status"], [*headers, ("Content-Length", str(len(body)))])
        return [body]
