"""A request budget per system: sliding windows, as vendors state their limits."""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass


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
