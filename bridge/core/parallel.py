"""Independent requests at once, up to the vendor's limit; and the critical path they leave.

`each(fn, items, limit)` calls `fn` on every item, at most `limit` at a time, and returns the
results in the order of `items`. It fails as the loop it replaces did: the first failure, in the
order of `items`, is raised once the calls begun have ended (items not yet begun are then not
called). `outcomes` gives every item's result or exception instead, for loops whose items each
cost their own resource (`Collected.reading`).

The critical path: the longest chain of dependent requests. Inside `chain()` (one connector's
`collect`, `bridge.collect.identity`) every request the HTTP layer sends is a step after the one
before it (`step`), except that the items of one `each` run side by side: a fan-out counts as its
longest branch (where the vendor allows more than one request at a time). Requests a connector sends one after another count as dependent, whether or not
they are: the path measured is that of the plan as it runs, the floor of its wall time
(`critical` × latency).

`capped(1)` runs every fan-out one item at a time (the sequential baseline of
`benchmarks/request_counts.py`, and the tests that compare a collect with its sequential self).
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")
I = TypeVar("I")  # noqa: E741

_cap: int | None = None  # see `capped`


class Chain:
    """The steps of the longest chain of dependent requests so far."""

    def __init__(self, depth: int = 0) -> None:
        self.depth = depth
        self._lock = threading.Lock()

    def step(self) -> None:
        with self._lock:
            self.depth += 1

    def reach(self, depth: int) -> None:
        with self._lock:
            self.depth = max(self.depth, depth)


_CHAIN: contextvars.ContextVar[Chain | None] = contextvars.ContextVar("chain", default=None)


@contextmanager
def chain() -> Iterator[Chain]:
    """Count the critical path of the requests sent inside (in this thread and its `each`)."""
    current = Chain()
    token = _CHAIN.set(current)
    try:
        yield current
    finally:
        _CHAIN.reset(token)


def step() -> None:
    """One request sent (by the HTTP layer): a step of the current chain, if one is counted."""
    current = _CHAIN.get()
    if current is not None:
        current.step()


@contextmanager
def capped(limit: int) -> Iterator[None]:
    """Every `each` inside (in any thread) runs at most `limit` items at a time."""
    global _cap
    saved, _cap = _cap, limit
    try:
        yield
    finally:
        _cap = saved


def outcomes(fn: Callable[[I], T], items: Iterable[I], limit: int) -> list[T | Exception]:
    """`fn` of every item, at most `limit` at a time: each result, or the exception it raised,
    in the order of `items`."""
    return _run(fn, list(items), limit, stop_on_failure=False)


def each(fn: Callable[[I], T], items: Iterable[I], limit: int) -> list[T]:
    """`fn` of every item, at most `limit` at a time, the results in the order of `items`; the
    first failure (in that order) raised, as a loop would have."""
    results = _run(fn, list(items), limit, stop_on_failure=True)
    for result in results:
        if isinstance(result, Exception):
            raise result
    return results  # type: ignore[return-value]  # no exception among them


class _Skipped(Exception):
    """An item not begun because an earlier one failed (never raised: an earlier failure is)."""


def _run(
    fn: Callable[[I], T], items: list[I], limit: int, *, stop_on_failure: bool
) -> list[T | Exception]:
    workers = max(1, min(limit, _cap or limit, len(items)))
    parent = _CHAIN.get()
    base = parent.depth if parent is not None else 0
    failed = threading.Event()

    def one(item: I) -> T | Exception:
        if stop_on_failure and failed.is_set():
            return _Skipped()
        branch = Chain(base)
        _CHAIN.set(branch)
        try:
            return fn(item)
        except Exception as exc:
            failed.set()
            return exc
        finally:
            if parent is not None:
                parent.reach(branch.depth)

    if limit <= 1:  # the vendor allows one at a time: each item's chain follows the last
        results: list[T | Exception] = []
        for item in items:
            if stop_on_failure and failed.is_set():
                break
            try:
                results.append(fn(item))
            except Exception as exc:
                failed.set()
                results.append(exc)
        return results
    # Each item in its own copy of this thread's context, counting its own branch of the chain
    # (also when `capped` runs them one at a time: the critical path is the plan's).
    contexts = [contextvars.copy_context() for _ in items]
    if workers == 1:
        return [ctx.run(one, item) for ctx, item in zip(contexts, items, strict=True)]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="each") as pool:
        futures = [
            pool.submit(ctx.run, one, item) for ctx, item in zip(contexts, items, strict=True)
        ]
        return [f.result() for f in futures]
