"""Lightspeed eCom's rate limits for the fake (vendor-apis.md §2 "Rate limits").

Per API key: a maximum per 5 minutes, per hour and per day (default 300 / 3000 / 12000,
CONFIRMED by Lightspeed staff) plus 20 requests per second (CONFIRMED, from November 2021).
Every authenticated answer carries `X-RateLimit-Limit`, `X-RateLimit-Remaining` and
`X-RateLimit-Reset` as slash triples for the three windows (SECONDARY: three clients agree),
reset = whole seconds until that window ends.

Choices where the sources are silent:
- the three windows are fixed and aligned to the clock in UTC (5-minute marks, the hour,
  midnight), as the `resetTime` values of the documentation's `account/ratelimit` example
  suggest ("18:10:00", "19:00:00", "00:00:00"); the per-second limit is a sliding second;
- a refused request (429) is not counted; the 429 carries the same three headers and no
  `Retry-After` (UNCONFIRMED that Lightspeed sends one). When only the per-second limit is hit,
  every window still shows requests remaining: back off about a second;
- unauthenticated requests (401) are not counted and get no rate-limit headers.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

WINDOWS = (300, 3600, 86400)
NAMES = ("limit5Min", "limitHour", "limitDay")


@dataclass
class _Usage:
    starts: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])
    counts: list[int] = field(default_factory=lambda: [0, 0, 0])
    recent: deque[float] = field(default_factory=deque)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    headers: list[tuple[str, str]]
    state: list[tuple[int, int, int, float]]  # per window: limit, remaining, reset, window end


class RateLimiter:
    """Counts requests per API key; thread-safe."""

    def __init__(
        self,
        limits: tuple[int, int, int] = (300, 3000, 12000),
        per_second: int | None = 20,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.limits, self.per_second, self.clock = tuple(limits), per_second, clock
        self._usage: dict[str, _Usage] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> Verdict:
        """Count one request of `key` unless a limit is reached; the headers to send either way."""
        with self._lock:
            now = self.clock()
            usage = self._usage.setdefault(key, _Usage())
            for i, size in enumerate(WINDOWS):
                start = math.floor(now / size) * size
                if usage.starts[i] != start:
                    usage.starts[i], usage.counts[i] = start, 0
            while usage.recent and usage.recent[0] <= now - 1.0:
                usage.recent.popleft()
            full = any(c >= limit for c, limit in zip(usage.counts, self.limits, strict=True))
            burst = self.per_second is not None and len(usage.recent) >= self.per_second
            allowed = not full and not burst
            if allowed:
                usage.recent.append(now)
                usage.counts = [c + 1 for c in usage.counts]
            state = [
                (
                    limit,
                    max(0, limit - count),
                    max(1, math.ceil(start + size - now)),
                    start + size,
                )
                for limit, count, start, size in zip(
                    self.limits, usage.counts, usage.starts, WINDOWS, strict=True
                )
            ]
        return Verdict(allowed, self.headers(state), state)

    @staticmethod
    def headers(state: list[tuple[int, int, int, float]]) -> list[tuple[str, str]]:
        def triple(k: int) -> str:
            return "/".join(str(s[k]) for s in state)

        return [
            ("X-RateLimit-Limit", triple(0)),
            ("X-RateLimit-Remaining", triple(1)),
            ("X-RateLimit-Reset", triple(2)),
        ]

    @staticmethod
    def account_ratelimit(state: list[tuple[int, int, int, float]]) -> dict[str, object]:
        """The body of `GET account/ratelimit.json` (shape of the documentation's example)."""
        out: dict[str, object] = {}
        for name, (limit, remaining, reset, end) in zip(NAMES, state, strict=True):
            when = datetime.fromtimestamp(end, UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
            out[name] = {"limit": limit, "remaining": remaining, "reset": reset, "resetTime": when}
        return {"accountRatelimit": out}
