"""What bounds a caller: body and header sizes, and a token bucket per client.

A bucket holds `per_minute` calls and refills continuously at `per_minute / 60` a second; a call
finding it empty is refused with the seconds until the next call is allowed (Retry-After).
Time comes from the caller (seconds, e.g. a clock's timestamp), so tests need no sleeps.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from bridge.core.config import Config, positive_number

RATE_SETTING = "PRIVACY_BRIDGE_API_RATE"
DEFAULT_PER_MINUTE = 60.0
BODY_BYTES = 16 * 1024  # a request's JSON is a few hundred bytes; 16 KiB leaves room
HEADER_BYTES = 8 * 1024  # all headers together, names and values
# Buckets kept for callers without a valid token (per address): bounded so a flood of
# addresses cannot grow the process without end; the oldest is forgotten first.
MAX_BUCKETS = 10_000


@dataclass(frozen=True)
class Limits:
    per_minute: float = DEFAULT_PER_MINUTE
    body_bytes: int = BODY_BYTES
    header_bytes: int = HEADER_BYTES

    @classmethod
    def from_config(cls, config: Config) -> Limits:
        return cls(per_minute=positive_number(config.values, RATE_SETTING, DEFAULT_PER_MINUTE))


class RateLimiter:
    """Token buckets by key (a client's name, or an anonymous caller's address)."""

    def __init__(self, per_minute: float) -> None:
        self.capacity = max(1.0, per_minute)
        self.rate = per_minute / 60.0
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()  # endpoints run in a thread pool

    def take(self, key: str, now: float) -> float:
        """Spend one call for `key`: 0 when allowed, else the seconds to wait."""
        with self._lock:
            tokens, last = self._buckets.pop(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + max(0.0, now - last) * self.rate)
            if tokens >= 1.0:
                tokens -= 1.0
                wait = 0.0
            else:
                wait = (1.0 - tokens) / self.rate
            self._buckets[key] = (tokens, now)
            while len(self._buckets) > MAX_BUCKETS:
                self._buckets.popitem(last=False)
            return wait
