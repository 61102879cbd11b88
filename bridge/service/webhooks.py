"""Signing webhooks, and the verification a receiver must do (Stripe's scheme).

Every POST carries

    Privacy-Bridge-Signature: t=1767225600,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd

where `t` is the Unix time of sending and `v1` the hex HMAC-SHA256, keyed with the client's
webhook secret (`whsec_…`, shown once by `clients add`), of the bytes `t + "." + body`. A
receiver:

1. splits the header on `,` into `t` and one or more `v1` values;
2. computes HMAC-SHA256(secret, f"{t}.{raw body}") over the body exactly as received;
3. compares it with each `v1` in constant time; no match: reject (400);
4. rejects a `t` more than 5 minutes from its own clock (`TOLERANCE`): a captured request
   cannot be replayed later;
5. within those 5 minutes, rejects an event `id` it has already processed (`Verifier` keeps
   them): a captured request cannot be replayed at once either. A retry of a failed delivery
   carries the same `id` with a new `t`, so answering 2xx for an id already seen is right.

`verify` does 1-4; `Verifier` does all five, for a receiver written in Python and for the tests.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections import OrderedDict
from typing import Any

import requests

HEADER = "Privacy-Bridge-Signature"
TOLERANCE = 300  # seconds: older (or further in the future) is refused as a replay
TIMEOUT = 10.0  # seconds for the receiver to answer
USER_AGENT = "privacy-bridge-webhooks/1"


class InvalidSignature(ValueError):
    """The header is missing or malformed, the signature does not match, or it is too old."""


def signature(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify(
    secret: str,
    value: str | None,
    body: bytes,
    *,
    now: float | None = None,
    tolerance: int = TOLERANCE,
) -> int:
    """Check a signature header against the raw body; its timestamp, or InvalidSignature."""
    if not value:
        raise InvalidSignature(f"no {HEADER} header")
    stamp: int | None = None
    given: list[str] = []
    for part in value.split(","):
        key, _, item = part.strip().partition("=")
        if key == "t" and item.isdigit():
            stamp = int(item)
        elif key == "v1":
            given.append(item)
    if stamp is None or not given:
        raise InvalidSignature(f"the {HEADER} header has no t= or no v1=")
    expected = signature(secret, stamp, body)
    if not any(hmac.compare_digest(expected, v) for v in given):
        raise InvalidSignature("the signature does not match")
    current = time.time() if now is None else now
    if abs(current - stamp) > tolerance:
        raise InvalidSignature("the signature's timestamp is outside the tolerance (a replay?)")
    return stamp


class Verifier:
    """A receiver's check: the signature (`verify`) and each event id once."""

    def __init__(self, secret: str, *, tolerance: int = TOLERANCE, remember: int = 10_000) -> None:
        self.secret = secret
        self.tolerance = tolerance
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._remember = remember
        self._lock = threading.Lock()

    def __call__(
        self, value: str | None, body: bytes, *, now: float | None = None
    ) -> dict[str, Any]:
        """The event, or InvalidSignature; `ValueError` for an event id already processed."""
        verify(self.secret, value, body, now=now, tolerance=self.tolerance)
        event = json.loads(body)
        event_id = str(event.get("id", ""))
        with self._lock:
            if event_id in self._seen:
                raise ValueError("event already processed")
            self._seen[event_id] = None
            while len(self._seen) > self._remember:
                self._seen.popitem(last=False)
        return dict(event)


def post(url: str, body: bytes, secret: str, timestamp: int) -> str | None:
    """POST one signed event; None when the receiver answered 2xx, else what went wrong in a few
    words (a status, or the kind of failure: never the URL, which may hold a key)."""
    try:
        answer = requests.post(
            url,
            data=body,
            headers={
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                HEADER: header(secret, timestamp, body),
            },
            timeout=TIMEOUT,
            allow_redirects=False,  # a redirect could carry the signed body somewhere else
        )
    except requests.Timeout:
        return "timeout"
    except requests.ConnectionError:
        return "connection failed"
    except requests.RequestException as exc:
        return type(exc).__name__
    with answer:
        if 200 <= answer.status_code < 300:
            return None
        return f"HTTP {answer.status_code}"
