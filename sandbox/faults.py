"""Fault injection for the fakes: the failures real vendors and the networks in between produce.

A `Faults` object wraps a fake's WSGI app. Tests queue faults on it; each fault applies to the next
`times` requests whose method and path match, then is used up. `random_faults` draws them at
random instead, from a seed (`benchmarks/faults.py`).
"""

from __future__ import annotations

import collections
import random
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


# The mixed faults of `random_faults`: what vendors, proxies and networks answer now and then.
MIXED = ("429", "500", "502", "503", "html", "truncated", "lost")


class RandomFaults(Faults):
    """Faults drawn at random instead of queued: each request meets one with probability `rate`,
    its kind drawn from `kinds` (see `MIXED`). A draw is seeded by the seed, the request (method,
    path and query) and how many times that request came before, so a run meets the same faults
    in whatever order concurrent requests arrive. `reached` lists the requests the app itself
    answered (a truncated or lost answer reached it; an injected status did not); `injected`
    counts the faults by kind."""

    def __init__(
        self,
        app: WSGIApp,
        rate: float,
        seed: int,
        *,
        kinds: Iterable[str] = MIXED,
        lost_delay_s: float = 1.0,
        latency_s: float = 0.0,
    ) -> None:
        super().__init__(app, latency_s)
        self.rate, self.seed, self.kinds = rate, seed, tuple(kinds)
        self.lost_delay_s = lost_delay_s
        self.reached: list[tuple[str, str]] = []
        self.injected: collections.Counter[str] = collections.Counter()
        self._seen: collections.Counter[tuple[str, str, str]] = collections.Counter()
        self._query = threading.local()

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        # OAuth 1.0a nonces and timestamps differ on every send: not part of the request's key
        params = environ.get("QUERY_STRING", "").split("&")
        self._query.value = "&".join(p for p in params if not p.startswith("oauth_"))
        return super().__call__(environ, start_response)

    def _take(self, method: str, path: str) -> Fault | None:
        query = getattr(self._query, "value", "")
        with self._lock:
            self.requests.append((method, path))
            nth = self._seen[(method, path, query)]
            self._seen[(method, path, query)] += 1
        draw = random.Random(f"{self.seed}|{method}|{path}?{query}|{nth}")
        kind = draw.choice(self.kinds) if draw.random() < self.rate else None
        fault = self._fault(kind) if kind else None
        with self._lock:
            if kind:
                self.injected[kind] += 1
            if fault is None or fault.truncate or fault.status == 0:
                self.reached.append((method, path))
        return fault

    def _fault(self, kind: str) -> Fault:
        if kind == "429":
            return rate_limited(retry_after=0)
        if kind == "html":
            return html_error(status=200)
        if kind == "truncated":
            return Fault(truncate=True)
        if kind == "lost":  # lands, but answers after the client gave up
            return Fault(status=0, delay_s=self.lost_delay_s)
        return Fault(status=int(kind), headers=dict(NO_WAIT))


def random_faults(app: WSGIApp, rate: float, seed: int, **kwargs: Any) -> RandomFaults:
    """`app` meeting mixed faults at `rate` (e.g. 0.1), drawn from `seed`: see RandomFaults."""
    return RandomFaults(app, rate, seed, **kwargs)
