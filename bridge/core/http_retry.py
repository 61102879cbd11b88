"""What a request repeats, and when: a read whenever its answer is doubtful; a write only when it
certainly did not land (a 429, or no connection made), else `WriteUncertain`, so that the caller
reads the record back before it writes again (`bridge.erasure.writes`).
"""

from __future__ import annotations

import email.utils
import time

import requests
import urllib3.exceptions

from bridge.core.errors import SystemFailure

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class WriteUncertain(SystemFailure):
    """A write was sent, but whether it landed is unknown: its answer was lost or broken, a 5xx,
    or a 2xx body that is not JSON. It is not repeated blindly: read the record back first."""


class Retryable(Exception):
    """An attempt worth repeating; `response` is the answer that said so, if there was one."""

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


def maybe_sent(exc: requests.RequestException) -> bool:
    """False when the request certainly never left: no connection could be made."""
    if isinstance(exc, requests.ConnectTimeout):
        return False
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)  # urllib3's MaxRetryError wraps the cause
    return not isinstance(reason, urllib3.exceptions.NewConnectionError)
