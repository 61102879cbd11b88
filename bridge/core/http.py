"""The one HTTP layer every connector uses.

Timeouts on every call; retries with tenacity on 429, 5xx and connection errors that honour
`Retry-After`; a request budget (sliding windows, as vendors state their limits); an honest
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
`configure(config.values)` sets both for the clients built afterwards (`bridge.api`).
"""

from __future__ import annotations

import collections
import email.utils
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from bridge import __version__
from bridge.core.config import positive_number
from bridge.core.errors import AuthFailure, NotFound, SystemFailure
from bridge.core.redact import Redactor, install_log_filters

USER_AGENT = f"privacy-bridge/{__version__} (+https://github.com/privacy-bridge/privacy-bridge)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TIMEOUT = (5.0, 30.0)  # connect, read: the longest silence before an answer counts as lost
MAX_RESPONSE_SETTING = "PRIVACY_BRIDGE_MAX_RESPONSE_MB"
DEADLINE_SETTING = "PRIVACY_BRIDGE_REQUEST_TIMEOUT_S"
MB = 1024 * 1024
# What `configure` sets from the settings; a client takes them when it is built.
MAX_RESPONSE_BYTES = 50 * MB
DEADLINE_S = 60.0  # per attempt: connect, send, and the whole answer
SYSTEM_DEADLINE_SETTING = "PRIVACY_BRIDGE_SYSTEM_TIMEOUT_S"
SYSTEM_DEADLINE_S = 900.0  # per system, for one person's lookup (see HttpClient.collecting)
CHUNK = 64 * 1024  # a body is read at most this much at a time
_PARSED = "_privacy_bridge_parsed"  # parse's result, kept on the response
log = logging.getLogger("privacy_bridge.http")
install_log_filters()


class WriteUncertain(SystemFailure):
    """A write was sent, but whether it landed is unknown: its answer was lost or broken, a 5xx,
    or a 2xx body that is not JSON. It is not repeated blindly: read the record back first."""


class Malformed(SystemFailure):
    """A body that is not the JSON it should be (HTML, truncated); `detail` without the system."""

    def __init__(self, system: str, detail: str, status: int | None = None) -> None:
        super().__init__(system, detail, status)
        self.detail = detail


def configure(values: Mapping[str, str]) -> None:
    """The response size limit and the deadlines from the settings, for clients built after."""
    global MAX_RESPONSE_BYTES, DEADLINE_S, SYSTEM_DEADLINE_S
    MAX_RESPONSE_BYTES = int(positive_number(values, MAX_RESPONSE_SETTING, 50) * MB)
    DEADLINE_S = positive_number(values, DEADLINE_SETTING, 60)
    SYSTEM_DEADLINE_S = positive_number(values, SYSTEM_DEADLINE_SETTING, 900)


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


class _Broken(Exception):
    """The body broke off (connection dropped, silence past the read timeout)."""


class _Late(Exception):
    """The attempt's deadline passed before the answer was complete."""


class _TooLarge(Exception):
    """The body is larger than the limit."""


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
        max_response_bytes: int | None = None,
        deadline_s: float | None = None,
    ) -> None:
        self.system = system
        self.base_url = base_url.rstrip("/")
        self.redact = Redactor(secrets)
        self.timeout = timeout or TIMEOUT
        self.max_response_bytes = max_response_bytes or MAX_RESPONSE_BYTES
        self.deadline_s = deadline_s or DEADLINE_S
        self._ends_at: float | None = None  # see `collecting`
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
            self.budget.acquire()
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
                if is_read or not _maybe_sent(exc):
                    raise _Retryable(None, reason) from None
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
            except _Broken as exc:
                raise self._doubt(None, f"its answer broke off: {exc}", is_read) from None
            except _Late:
                raise self._doubt(response, self._late_message(), is_read, retry=False) from None
            except _TooLarge:
                message = (
                    f"answered more than {self.max_response_bytes / MB:g} MB, the size limit "
                    f"({MAX_RESPONSE_SETTING}); the rest was not read"
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

    @contextmanager
    def collecting(self) -> Iterator[None]:
        """One person's lookup in this system, under the deadline per system: a request that
        would start after it fails instead (the sync, which reads a whole shop, has none)."""
        self._ends_at = time.monotonic() + SYSTEM_DEADLINE_S
        try:
            yield
        finally:
            self._ends_at = None

    def _within_system_deadline(self) -> None:
        if self._ends_at is not None and time.monotonic() > self._ends_at:
            raise SystemFailure(
                self.system,
                f"took longer than {SYSTEM_DEADLINE_S:g} s, the deadline per system "
                f"({SYSTEM_DEADLINE_SETTING})",
            )

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """`request` and parse the body as JSON, refusing HTML and truncated bodies."""
        return self.parse(self.request(method, path, **kwargs))

    def parse(self, response: requests.Response) -> Any:
        """The body as JSON; Malformed (a SystemFailure) for HTML and truncated or broken JSON.

        The one place that decides what is malformed: `request` asks it of every 2xx answer
        (a read is then repeated); the result is kept on the response, so parsing again is free.
        """
        if hasattr(response, _PARSED):
            return getattr(response, _PARSED)
        if response.status_code == 204 or not response.content:
            return None
        status = response.status_code
        ctype = response.headers.get("Content-Type", "")
        if "html" in ctype or response.content.lstrip()[:1] == b"<":
            raise Malformed(self.system, f"answered HTML instead of JSON (HTTP {status})", status)
        try:
            value = json.loads(response.content)
        except ValueError:
            raise Malformed(
                self.system,
                f"answered malformed or truncated JSON (HTTP {status}, "
                f"{len(response.content)} bytes)",
                status,
            ) from None
        setattr(response, _PARSED, value)
        return value

    def _read_body(self, response: requests.Response, deadline: float) -> None:
        """Read the body streamed, within the deadline and at most `max_response_bytes` of it.

        Each network read takes what has arrived (at most CHUNK) and waits no longer than the
        read timeout or what is left of the deadline, so a trickle is cut off at the deadline.
        """
        limit = self.max_response_bytes
        declared = response.headers.get("Content-Length", "")
        try:
            if declared.isdigit() and int(declared) > limit:
                raise _TooLarge
            raw = response.raw
            read = getattr(raw, "read1", None) or raw.read
            chunks: list[bytes] = []
            held = 0
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise _Late
                _set_socket_timeout(raw, min(self.timeout[1], left))
                try:
                    chunk = read(CHUNK, decode_content=True)
                except (urllib3.exceptions.HTTPError, OSError) as exc:
                    if time.monotonic() >= deadline:
                        raise _Late from None
                    raise _Broken(type(exc).__name__) from None
                if not chunk:
                    break
                with self._count_lock:
                    self.bytes_read += len(chunk)
                held += len(chunk)
                if held > limit:
                    raise _TooLarge
                chunks.append(chunk)
        except BaseException:
            response.close()  # the connection is dropped, never reused half-read
            raise
        response._content = b"".join(chunks)
        setattr(response, "_content_consumed", True)  # noqa: B010 (requests' own flag)

    def _doubt(
        self, response: requests.Response | None, reason: str, is_read: bool, retry: bool = True
    ) -> Exception:
        """What a doubtful answer becomes: a retry (reads), a failure, or WriteUncertain."""
        if not is_read:
            if retry and response is not None and response.status_code == 429:
                return _Retryable(response, reason)
            status = response.status_code if response is not None else None
            return WriteUncertain(
                self.system,
                self.redact(f"{reason}; the write may or may not have been applied"),
                status,
            )
        return _Retryable(response, reason) if retry else self._failure(response, reason)

    def _late_message(self) -> str:
        return (
            f"gave no complete answer within {self.deadline_s:g} s, the deadline per request "
            f"({DEADLINE_SETTING})"
        )

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


def _maybe_sent(exc: requests.RequestException) -> bool:
    """False when the request certainly never left: no connection could be made."""
    if isinstance(exc, requests.ConnectTimeout):
        return False
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)  # urllib3's MaxRetryError wraps the cause
    return not isinstance(reason, urllib3.exceptions.NewConnectionError)


def _set_socket_timeout(raw: Any, seconds: float) -> None:
    """Bound the next network read of a streamed body (urllib3 sets it anew on reuse)."""
    sock = getattr(getattr(raw, "connection", None), "sock", None)
    if sock is not None:
        sock.settimeout(max(seconds, 0.001))


def _with_query(url: str, params: Mapping[str, Any] | None) -> str:
    if not params:
        return url
    prepared = requests.Request("GET", url, params=params).prepare()
    return prepared.url or url
