"""Waiting for a subprocess to reach a state: polled a bounded number of times.

A guard against a hang, not a measure of speed: it counts polls and asserts nothing about the
time they took, so a loaded machine only makes it wait longer per poll.
"""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_until(
    reached: Callable[[], bool],
    what: str,
    *,
    still: Callable[[], str | None] = lambda: None,
    every: float = 0.02,
    polls: int = 3000,
) -> None:
    """Return once `reached()` holds; fail with `what` after `polls` polls `every` seconds apart,
    or at once with the message `still()` gives when the awaited process can no longer get there."""
    for _ in range(polls):
        if reached():
            return
        if (gone := still()) is not None:
            raise AssertionError(gone)
        time.sleep(every)
    raise AssertionError(f"{what}: not reached after {polls} polls")
