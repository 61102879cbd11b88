"""The one HTTP layer every connector uses.

Timeouts on every call; retries with tenacity on 429, 5xx and connection errors that honour
`Retry-After`; a request budget (the vendor's limits: sliding windows as vendors state them, and
the most requests in flight at once, `rate_budget`); an honest
User-Agent; and every error message passed through the system's redactor, so that a signed URL,
a key or an e-mail address never reaches a log line, an error or a traceback.

Reads and writes are told apart (`request(read=...)`, by default GET, HEAD and OPTIONS read):
- a read is repeated whenever its answer is doubtful: 429, 5xx, no connection, no answer in
  time, a broken body, or a 2xx body that `parse` calls malformed (HTML, truncated JSON);
- a write is repeated only when it certainly did not land (429, or no connection made). After a
  5xx, a lost or broken answer, or a malformed 2xx body it raises `WriteUncertain`: the caller
  reads the record back before it writes again (`bridge.erasure.writes`).
Every body is read streamed, at most `max_response_bytes` of it (PRIVACY_BRIDGE_MAX_RESPONSE_MB),
and every attempt has a total deadline, connect and whole body (PRIVACY_BRIDGE_REQUEST_TIMEOUT_S),
so that neither a huge body nor a server that trickles can hold an export; neither is repeated.
`http_limits.configure(config.values)` sets both for the clients built afterwards (`bridge.app`).

Beside this module: the limits and deadlines (`http_limits`), reading and parsing a body
(`http_body`), what is repeated and when (`http_retry`), the request budget (`rate_budget`) and
the reading of error bodies (`http_errors`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from bridge import __version__
from bridge.core import http_limits as limits
from bridge.core import parallel
from bridge.core.errors import AuthFailure, NotFound, SystemFailure
from bridge.core.http_body import Broken, Late, Malformed, TooLarge, parse_json, read_body
from bridge.core.http_errors import COMMON, ErrorShape, error_message
from bridge.core.http_retry import (
    READ_METHODS,
    RETRY_STATUSES,
    Retryable,
    WriteUncertain,
    maybe_sent,
    retry_after_seconds,
)
from bridge.core.rate_budget import Limits, RateBudget, Window
from bridge.core.redact import Redactor, install_log_filters

# What the connectors build their clients with, importable from here as before.
__all__ = ["HttpClient", "Limits", "Malformed", "RateBudget", "Window", "WriteUncertain"]

USER_AGENT = f"privacy-bridge/{__version__} (+https://github.com/privacy-bridge/privacy-bridge)"
log = logging.getLogger("privacy_bridge.http")
install_log_filters()


class HttpClient:
    """A pooled session for one system with retries, a budget and redaction.

    `errors` says where the vendor's error bodies name the error (`bridge.core.http_errors`).
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
        errors: ErrorShape = COMMON,
        wait_hint: Callable[[requests.Response], float | None] | None = None,
        max_response_bytes: int | None = None,
        deadline_s: float | None = None,
    ) -> None:
        self.system = system
        self.base_url = base_url.rstrip("/")
        self.redact = Redactor(secrets)
        self.timeout = timeout or limits.TIMEOUT
        self.max_response_bytes = max_response_bytes or limits.MAX_RESPONSE_BYTES
        self.deadline_s = deadline_s or limits.DEADLINE_S
        self._ends_at: float | None = None  # see `collecting`
        self.attempts = attempts
        self.backoff = backoff
        self.max_wait = max_wait
        self.budget = budget or RateBudget()
        self.errors = errors
        # How long a 429/503 asks us to wait, for vendors that say it other than in Retry-After.
        self.wait_hint = wait_hint or retry_after_seconds
        # What waits between attempts and what tells the time for the per-system deadline:
        # replaceable, so that a test neither sleeps on a real backoff nor asserts on a clock.
        self.sleep: Callable[[float], None] = time.sleep
        self.clock: Callable[[], float] = time.monotonic
        self.session = requests.Session()
        pool = max(8, self.budget.concurrent or 0)  # a connection for each request in flight
        self.session.mount("http://", HTTPAdapter(pool_maxsize=pool))
        self.session.mount("https://", HTTPAdapter(pool_maxsize=pool))
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
        self.session.headers.update(headers or {})
        self.session.auth = auth
        self.requests_made = 0
        self.bytes_read = 0  # body bytes taken from the network, over all requests
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
        read: bool | None = None,
    ) -> requests.Response:
        """Send one request, retrying what is worth retrying; raise SystemFailure for the rest.

        `sign(method, url)` is called anew on every attempt (OAuth 1.0a nonces must not repeat).
        Statuses in `allow` are returned instead of raised (e.g. 404 where "gone" is an answer).
        `read`: the request changes nothing, so it may be repeated whenever its answer is
        doubtful (default: GET, HEAD, OPTIONS; say `read=True` for a search or token POST).
        A write that may have landed raises WriteUncertain instead of being repeated.
        """
        allowed = set(allow)
        is_read = method.upper() in READ_METHODS if read is None else read

        def attempt() -> requests.Response:
            self._within_system_deadline()
            with self.budget.slot():  # the vendor's windows and its requests in flight
                parallel.step()  # a step of the critical path (`bridge.core.parallel`)
                return send()

        def send() -> requests.Response:
            url = self.url(path)
            send_params = params
            if sign is not None:
                url = sign(method, _with_query(url, params))
                send_params = None
            started = time.monotonic()
            deadline = started + self.deadline_s
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
                    timeout=(
                        min(self.timeout[0], self.deadline_s),
                        min(self.timeout[1], self.deadline_s),
                    ),
                    stream=True,
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                kind = "timed out" if isinstance(exc, requests.Timeout) else "unreachable"
                reason = f"{kind} ({type(exc).__name__})"
                if time.monotonic() >= deadline:
                    raise self._doubt(None, self._late_message(), is_read, retry=False) from None
                if is_read or not maybe_sent(exc):
                    raise Retryable(None, reason) from None
                raise self._doubt(None, f"its answer was lost: {reason}", is_read) from None
            except (
                requests.exceptions.InvalidURL,
                requests.exceptions.MissingSchema,
                requests.exceptions.InvalidSchema,
                requests.exceptions.InvalidHeader,
            ) as exc:  # settings are checked before: a link the system gave, e.g.; never repeated
                raise SystemFailure(
                    self.system, f"the request could not be made ({type(exc).__name__})"
                ) from None
            try:
                self._read_body(response, deadline)
            except Broken as exc:
                raise self._doubt(None, f"its answer broke off: {exc}", is_read) from None
            except Late:
                raise self._doubt(response, self._late_message(), is_read, retry=False) from None
            except TooLarge:
                message = (
                    f"answered more than {self.max_response_bytes / limits.MB:g} MB, the size "
                    f"limit ({limits.MAX_RESPONSE_SETTING}); the rest was not read"
                )
                raise self._doubt(response, message, is_read, retry=False) from None
            log.debug(
                "%s %s %s %s -> %s in %.0f ms",
                self.system,
                method,
                urlsplit(url).path,
                ",".join(sorted(params or {})),
                response.status_code,
                (time.monotonic() - started) * 1000,
            )
            status = response.status_code
            if status in RETRY_STATUSES and status not in allowed:
                # a 429 is a refusal before any work: a write may be sent again
                raise self._doubt(response, f"HTTP {status}", is_read or status == 429)
            if 200 <= status < 300:
                try:
                    self.parse(response)
                except Malformed as exc:
                    raise self._doubt(response, exc.detail, is_read) from None
            return response

        retrying = Retrying(
            stop=stop_after_attempt(self.attempts),
            wait=self._wait,
            retry=retry_if_exception(lambda e: isinstance(e, Retryable)),
            sleep=self.sleep,
            reraise=True,
        )
        try:
            response = retrying(attempt)
        except Retryable as exc:
            raise self._failure(exc.response, f"{exc} after {self.attempts} attempts") from None
        if response.status_code >= 400 and response.status_code not in allowed:
            raise self.refusal(response)
        return response

    @contextmanager
    def collecting(self) -> Iterator[None]:
        """One person's lookup in this system, under the deadline per system: a request that
        would start after it fails instead (the sync, which reads a whole shop, has none)."""
        self._ends_at = self.clock() + limits.SYSTEM_DEADLINE_S
        try:
            yield
        finally:
            self._ends_at = None

    def _within_system_deadline(self) -> None:
        if self._ends_at is not None and self.clock() > self._ends_at:
            raise SystemFailure(
                self.system,
                f"took longer than {limits.SYSTEM_DEADLINE_S:g} s, the deadline per system "
                f"({limits.SYSTEM_DEADLINE_SETTING})",
            )

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """`request` and parse the body as JSON, refusing HTML and truncated bodies."""
        return self.parse(self.request(method, path, **kwargs))

    def parse(self, response: requests.Response) -> Any:
        """The body as JSON; Malformed (a SystemFailure) for HTML and truncated or broken JSON.

        The one place that decides what is malformed (`bridge.core.http_body.parse_json`):
        `request` asks it of every 2xx answer (a read is then repeated); the result is kept on
        the response, so parsing again is free.
        """
        return parse_json(response, self.system)

    def _read_body(self, response: requests.Response, deadline: float) -> None:
        """Read the body streamed, within the deadline and at most `max_response_bytes` of it."""
        read_body(
            response,
            deadline,
            limit=self.max_response_bytes,
            read_timeout=self.timeout[1],
            counted=self._count_bytes,
        )

    def _count_bytes(self, size: int) -> None:
        with self._count_lock:
            self.bytes_read += size

    def _doubt(
        self, response: requests.Response | None, reason: str, is_read: bool, retry: bool = True
    ) -> Exception:
        """What a doubtful answer becomes: a retry (reads), a failure, or WriteUncertain."""
        if not is_read:
            if retry and response is not None and response.status_code == 429:
                return Retryable(response, reason)
            status = response.status_code if response is not None else None
            return WriteUncertain(
                self.system,
                self.redact(f"{reason}; the write may or may not have been applied"),
                status,
            )
        return Retryable(response, reason) if retry else self._failure(response, reason)

    def _late_message(self) -> str:
        return (
            f"gave no complete answer within {self.deadline_s:g} s, the deadline per request "
            f"({limits.DEADLINE_SETTING})"
        )

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        response = exc.response if isinstance(exc, Retryable) else None
        asked = self.wait_hint(response) if response is not None else None
        if asked is not None:
            return min(asked, self.max_wait)
        return min(self.backoff * 2 ** (state.attempt_number - 1), self.max_wait)

    def refusal(self, response: requests.Response) -> SystemFailure:
        """The failure an error answer is: its body read as `errors` declares, redacted;
        AuthFailure for 401/403, NotFound for 404/410."""
        return self._failure(response, error_message(response, self.errors))

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


def _with_query(url: str, params: Mapping[str, Any] | None) -> str:
    if not params:
        return url
    prepared = requests.Request("GET", url, params=params).prepare()
    return prepared.url or url
