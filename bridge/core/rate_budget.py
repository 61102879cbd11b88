"""A request budget per system: the vendor's limits, enforced where every request passes.

Each connector declares its vendor's documented limits once (`Connector.limits`, a `Limits`):
sliding windows ("300 per 5 minutes", "20 per second") and the most requests in flight at once.
The HTTP layer takes a slot of the budget for every attempt (`RateBudget.slot`); the connectors'
independent reads fan out up to `Limits.concurrent` (`bridge.core.parallel.each`).
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Window:
    """At most `calls` requests in any `seconds`-long sliding window."""

    calls: int
    seconds: float


@dataclass(frozen=True)
class Limits:
    """A vendor's limits: its windows, and the most requests we keep in flight at once."""

    windows: tuple[Window, ...] = ()
    concurrent: int = 1

    def budget(self) -> RateBudget:
        return RateBudget(self.windows, concurrent=self.concurrent)


class RateBudget:
    """Blocks before a request that would exceed any of the vendor's windows, or its limit of
    requests in flight (`concurrent`, None: no limit). Thread-safe.

    Vendors state limits such as "500 per 5 minutes"; staying under them is cheaper than a 429.
    `clock` and `sleep` are injectable (tests run on a fake clock).
    """

    def __init__(
        self,
        windows: Iterable[Window] = (),
        sleep: Callable[[float], None] = time.sleep,
        *,
        concurrent: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.windows = tuple(windows)
        self.concurrent = concurrent
        self._sent: collections.deque[float] = collections.deque()
        self._lock = threading.Lock()
        self._sleep = sleep
        self._clock = clock
        self._slots = threading.BoundedSemaphore(concurrent) if concurrent else None
        self.in_flight = 0  # requests between `slot`'s entry and exit
        self.most_in_flight = 0  # the most seen at once

    @contextmanager
    def slot(self) -> Iterator[None]:
        """One request: waits for a free slot of `concurrent`, then for room in every window."""
        if self._slots is not None:
            self._slots.acquire()
        try:
            self.acquire()
            with self._lock:
                self.in_flight += 1
                self.most_in_flight = max(self.most_in_flight, self.in_flight)
            try:
                yield
            finally:
                with self._lock:
                    self.in_flight -= 1
        finally:
            if self._slots is not None:
                self._slots.release()

    def acquire(self) -> None:
        """Room in every window for one more request (it is counted as sent now)."""
        if not self.windows:
            return
        longest = max(w.seconds for w in self.windows)
        while True:
            with self._lock:
                now = self._clock()
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
