"""An answer's body: read streamed, within the attempt's deadline and the size limit, then parsed
as JSON (HTML and truncated or broken JSON are `Malformed`).

Each network read takes what has arrived (at most CHUNK) and waits no longer than the read
timeout or what is left of the deadline, so that neither a huge body nor a server that trickles
can hold an export. `bridge.core.http.HttpClient` turns what goes wrong here into a retry (a
read), WriteUncertain (a write) or a failure.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import requests
import urllib3.exceptions

from bridge.core.errors import SystemFailure

CHUNK = 64 * 1024  # a body is read at most this much at a time
_PARSED = "_privacy_bridge_parsed"  # parse_json's result, kept on the response


class Malformed(SystemFailure):
    """A body that is not the JSON it should be (HTML, truncated); `detail` without the system."""

    def __init__(self, system: str, detail: str, status: int | None = None) -> None:
        super().__init__(system, detail, status)
        self.detail = detail


class Broken(Exception):
    """The body broke off (connection dropped, silence past the read timeout)."""


class Late(Exception):
    """The attempt's deadline passed before the answer was complete."""


class TooLarge(Exception):
    """The body is larger than the limit."""


def read_body(
    response: requests.Response,
    deadline: float,
    *,
    limit: int,
    read_timeout: float,
    counted: Callable[[int], None],
) -> None:
    """Read the body streamed, within `deadline` (a monotonic time) and at most `limit` bytes of
    it, into `response.content`; `counted(n)` is told every n bytes taken from the network.
    Raises Broken, Late or TooLarge, the connection then dropped, never reused half-read."""
    declared = response.headers.get("Content-Length", "")
    try:
        if declared.isdigit() and int(declared) > limit:
            raise TooLarge
        raw = response.raw
        read = getattr(raw, "read1", None) or raw.read
        chunks: list[bytes] = []
        held = 0
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Late
            _set_socket_timeout(raw, min(read_timeout, left))
            try:
                chunk = read(CHUNK, decode_content=True)
            except (urllib3.exceptions.HTTPError, OSError) as exc:
                if time.monotonic() >= deadline:
                    raise Late from None
                raise Broken(type(exc).__name__) from None
            if not chunk:
                break
            counted(len(chunk))
            held += len(chunk)
            if held > limit:
                raise TooLarge
            chunks.append(chunk)
    except BaseException:
        response.close()  # the connection is dropped, never reused half-read
        raise
    response._content = b"".join(chunks)
    setattr(response, "_content_consumed", True)  # noqa: B010 (requests' own flag)


def parse_json(response: requests.Response, system: str) -> Any:
    """The body as JSON; Malformed (a SystemFailure of `system`) for HTML and truncated or broken
    JSON. The result is kept on the response, so parsing again is free."""
    if hasattr(response, _PARSED):
        return getattr(response, _PARSED)
    if response.status_code == 204 or not response.content:
        return None
    status = response.status_code
    ctype = response.headers.get("Content-Type", "")
    if "html" in ctype or response.content.lstrip()[:1] == b"<":
        raise Malformed(system, f"answered HTML instead of JSON (HTTP {status})", status)
    try:
        value = json.loads(response.content)
    except ValueError:
        raise Malformed(
            system,
            f"answered malformed or truncated JSON (HTTP {status}, {len(response.content)} bytes)",
            status,
        ) from None
    setattr(response, _PARSED, value)
    return value


def _set_socket_timeout(raw: Any, seconds: float) -> None:
    """Bound the next network read of a streamed body (urllib3 sets it anew on reuse)."""
    sock = getattr(getattr(raw, "connection", None), "sock", None)
    if sock is not None:
        sock.settimeout(max(seconds, 0.001))
