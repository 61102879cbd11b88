"""The one HTTP layer every connector uses.

Timeouts on every call; retries with tenacity on 429, 5xx and connection errors that honour
`Retry-After`; a request budget (sliding windows, as vendors state their limits); an honest
User-Agent; and every error message passed through the system's redactor, so that a signed URL,
a key or an e-mail address never reaches a log line, an error or a traceback.
"""

from __future__ import annotations

import collections
import email.utils
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from bridge import __version__
from bridge.errors import AuthFailure, NotFound, SystemFailure
from bridge.redact import Redactor, install_log_filters

USER_AGENT = f"privacy-bridge/{__version__} (+https://github.com/privacy-bridge/privacy-bridge)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
TIMEOUT = (5.0, 30.0)  # connect, read
log = logging.getLogger("privacy_bridge.http")
install_log_filters()


@dataclass(frozen=True)
class Window:
    """At most `calls` requests in any `seconds`-long sliding window."""

    calls: int
    seconds: float


class RateBudget:
    """Blocks before a request that would exceed any of the vendor's windows.

    Vendors state limits such as "500 per 5 minutes"; staying under them is cheaper than a 429.
    """

    def __init__(self, windows: Iterable[Window] = (), sleep: Callable[[float], None] = time.sleep):
        self.windows = tuple(windows)
        self._sent: collections.deque[float] = collections.deque()
        self._lock = threading.Lock()
        self._sleep = sleep

    def acquire(self) -> None:
        if not self.windows:
            return
        longest = max(w.seconds for w in self.windows)
        while True:
            with self._lock:
                now = time.monotonic()
                while self._sent and now - self._sent[0] > longest:
                    self._sent.popleft()
                wait = 0.0
                for w in self.windows:
                    inside = [t for t in self._sent if now - t < w.seconds]
                    if len(inside) >= w.calls:
                        wait = max(wait, w.seconds - (now - inside[-w.calls]))
                if wait <= 0:
                    self._sent.append(now)
                    return
            self._sleep(wait)


class _Retryable(Exception):
    def __init__(self, response: requests.Response | None, reason: str) -> None:
        super().__init__(reason)
        self.response = response


def retry_after_seconds(response: requests.Response) -> float | None:
    """Seconds the server asked us to wait, from `Retry-After` as delta-seconds or HTTP-date."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value)
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


class HttpClient:
    """A pooled session for one system with retries, a budget and redaction.

    `error_message` turns the vendor's error body into a short text; it should not echo values.
    """

    def __init__(
        self,
        system: str,
        base_url: str,
        *,
        secrets: Iterable[str] = (),
        headers: Mapping[str, str] | None = None,
        auth: requests.auth.AuthBase | tuple[str, str] | None = None,
        timeout: tuple[float, float] | None = None,
        attempts: int = 5,
        backoff: float = 0.5,
        max_wait: float = 60.0,
        budget: RateBudget | None = None,
        error_message: Callable[[requests.Response], str] | None = None,
        wait_hint: Callable[[requests.Response], float | None] | None = None,
    ) -> None:
        self.system = system
        self.base_url = base_url.rstrip("/")
        self.redact = Redactor(secrets)
        self.timeout = timeout or TIMEOUT
        self.attempts = attempts
        self.backoff = backoff
        self.max_wait = max_wait
        self.budget = budget or RateBudget()
        self.error_message = error_message or default_error_message
        # How long a 429/503 asks us to wait, for vendors that say it other than in Retry-After.
        self.wait_hint = wait_hint or retry_after_seconds
        self.session = requests.Session()
        self.session.mount("http://", HTTPAdapter(pool_maxsize=8))
        self.session.mount("https://", HTTPAdapter(pool_maxsize=8))
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
        self.session.headers.update(headers or {})
        self.session.auth = auth
        self.requests_made = 0
        self._count_lock = threading.Lock()

    def url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return urljoin(self.base_url + "/", path.lstrip("/"))

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        data: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        auth: requests.auth.AuthBase | tuple[str, str] | None = None,
        sign: Callable[[str, str], str] | None = None,
        allow: Iterable[int] = (),
    ) -> requests.Response:
        """Send one request, retrying what is worth retrying; raise SystemFailure for the rest.

        `sign(method, url)` is called anew on every attempt (OAuth 1.0a nonces must not repeat).
        Statuses in `allow` are returned instead of raised (e.g. 404 where "gone" is an answer).
        """
        allowed = set(allow)

        def attempt() -> requests.Response:
            self.budget.acquire()
            url = self.url(path)
            send_params = params
            if sign is not None:
                url = sign(method, _with_query(url, params))
                send_params = None
            started = time.monotonic()
            with self._count_lock:
                self.requests_made += 1
            try:
                response = self.session.request(
                    method,
                    url,
                    params=send_params,
                    json=json_body,
                    data=data,
                    headers=headers,
                    auth=auth,
                    timeout=self.timeout,
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                kind = "timed out" if isinstance(exc, requests.Timeout) else "unreachable"
                raise _Retryable(None, f"{kind} ({type(exc).__name__})") from None
            log.debug(
                "%s %s %s %s -> %s in %.0f ms",
                self.system,
                method,
                urlsplit(url).path,
                ",".join(sorted(params or {})),
                response.status_code,
                (time.monotonic() - started) * 1000,
            )
            if response.status_code in RETRY_STATUSES and response.status_code not in allowed:
                raise _Retryable(response, f"HTTP {response.status_code}")
            return response

        retrying = Retrying(
            stop=stop_after_attempt(self.attempts),
            wait=self._wait,
            retry=retry_if_exception(lambda e: isinstance(e, _Retryable)),
            reraise=True,
        )
        try:
            response = retrying(attempt)
        except _Retryable as exc:
            raise self._failure(exc.response, f"{exc} after {self.attempts} attempts") from None
        if response.status_code >= 400 and response.status_code not in allowed:
            raise self._failure(response, self.error_message(response))
        return response

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """`request` and parse the body as JSON, refusing HTML and truncated bodies."""
        return self.parse(self.request(method, path, **kwargs))

    def parse(self, response: requests.Response) -> Any:
        if response.status_code == 204 or not response.content:
            return None
        ctype = response.headers.get("Content-Type", "")
        if "html" in ctype or response.content.lstrip()[:1] == b"<":
            raise SystemFailure(
                self.system, f"answered HTML instead of JSON (HTTP {response.status_code})"
            )
        try:
            return json.loads(response.content)
        except ValueError:
            raise SystemFailure(
                self.system,
                f"answered malformed or truncated JSON (HTTP {response.status_code}, "
                f"{len(response.content)} bytes)",
            ) from None

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        response = exc.response if isinstance(exc, _Retryable) else None
        asked = self.wait_hint(response) if response is not None else None
        if asked is not None:
            return min(asked, self.max_wait)
        return min(self.backoff * 2 ** (state.attempt_number - 1), self.max_wait)

    def _failure(self, response: requests.Response | None, message: str) -> SystemFailure:
        status = response.status_code if response is not None else None
        text = self.redact(message)
        if status in (401, 403):
            return AuthFailure(self.system, f"credentials refused (HTTP {status}): {text}", status)
        if status in (404, 410):
            return NotFound(self.system, text, status)
        return SystemFailure(self.system, text, status)

    def close(self) -> None:
        self.session.close()


def default_error_message(response: requests.Response) -> str:
    """A short text from a JSON error body's usual keys, else the status line."""
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    if isinstance(body, dict):
        for key in ("message", "detail", "error_description", "title", "error"):
            value = body.get(key)
            if isinstance(value, dict):
                value = value.get("message")
            if isinstance(value, str) and value:
                return f"HTTP {response.status_code}: {value[:200]}"
    return f"HTTP {response.status_code}"


def _with_query(url: str, params: Mapping[str, Any] | None) -> str:
    if not params:
        return url
    prepared = requests.Request("GET", url, params=params).prepare()
    return prepared.url or url
