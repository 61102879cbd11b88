"""Concurrency within the vendors' limits (`bridge.core.parallel`, `bridge.core.rate_budget`).

The budget enforces a vendor's windows (on an injected clock: nothing sleeps) and its limit of
requests in flight; `each` keeps the order of its items and fails as the loop it replaces did;
the critical path counts a fan-out as its longest branch; and a collect with its independent
reads at once returns exactly what the one-at-a-time collect returns.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from bridge import api
from bridge.core import parallel
from bridge.core.config import Config
from bridge.core.parallel import capped, chain, each, outcomes, step
from bridge.core.rate_budget import Limits, RateBudget, Window
from sandbox.hostile import HOSTILE
from sandbox.server import start, unlimited


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_the_budget_waits_out_every_window_on_its_clock() -> None:
    clock = FakeClock()
    budget = RateBudget([Window(3, 300), Window(2, 1)], clock.sleep, clock=clock)
    for _ in range(2):
        with budget.slot():
            pass
    assert clock.slept == []
    with budget.slot():  # the per-second window is full: wait for its oldest to leave it
        pass
    assert clock.slept == [pytest.approx(1.0)]
    with budget.slot():  # three in 300 s: wait until the first is 300 s old
        pass
    assert sum(clock.slept) == pytest.approx(300.0)


def test_the_budget_keeps_at_most_its_limit_in_flight() -> None:
    budget = Limits(concurrent=3).budget()
    together = threading.Barrier(3, timeout=30)  # only passed when 3 are in flight at once

    def request(_: int) -> None:
        with budget.slot():
            together.wait()

    each(request, range(9), 9)
    assert budget.most_in_flight == 3
    assert budget.in_flight == 0


def test_each_keeps_the_order_of_its_items() -> None:
    items = list(range(40))
    assert each(lambda n: n * n, items, 8) == [n * n for n in items]
    assert each(lambda n: n * n, items, 1) == [n * n for n in items]
    assert each(lambda n: n, [], 4) == []


def test_each_raises_the_first_failure_and_outcomes_keep_them_all() -> None:
    def fail_on_even(n: int) -> int:
        if n % 2 == 0 and n > 0:
            raise ValueError(str(n))
        return n

    with pytest.raises(ValueError, match=r"^2$"):
        each(fail_on_even, range(10), 4)
    called: list[int] = []

    def noted(n: int) -> int:
        called.append(n)
        return fail_on_even(n)

    with pytest.raises(ValueError, match=r"^2$"), capped(1):
        each(noted, range(10), 4)
    assert called == [0, 1, 2]  # as the loop did: nothing after the failure
    got = outcomes(fail_on_even, range(5), 4)
    assert [type(g).__name__ for g in got] == ["int", "int", "ValueError", "int", "ValueError"]


def test_the_critical_path_counts_a_fan_out_as_its_longest_branch() -> None:
    def two(_: int) -> None:
        step()
        step()

    with chain() as path:
        step()
        each(two, range(5), 4)
        step()
    assert path.depth == 4
    with chain() as path, capped(1):  # the plan's path, however many run at once
        step()
        each(two, range(5), 4)
    assert path.depth == 3
    with chain() as path:  # a vendor that allows one at a time: a chain
        each(two, range(5), 1)
    assert path.depth == 10


@pytest.mark.parametrize("hostile", [False, True], ids=["friendly", "hostile"])
def test_a_collect_at_once_returns_what_the_sequential_one_returns(
    hostile: bool, tmp_path: Path
) -> None:
    with unlimited(start("woocommerce", hostile=HOSTILE if hostile else None)) as sbx:
        packages = []
        for limit in (1, None):
            config = Config({**sbx.env, "PRIVACY_BRIDGE_HOME": str(tmp_path / str(limit))})
            if limit:
                with capped(limit):
                    packages.append(api.collect(sbx.shop.subject_email, config))
            else:
                packages.append(api.collect(sbx.shop.subject_email, config))
    sequential, concurrent = packages
    assert parallel._cap is None
    for one, other in zip(sequential.sources, concurrent.sources, strict=True):
        assert one.system == other.system
        assert [r.model_dump() for r in one.records] == [r.model_dump() for r in other.records]
        assert (one.status, one.failed, one.requests, one.minimum, one.critical) == (
            other.status,
            other.failed,
            other.requests,
            other.minimum,
            other.critical,
        ), one.system
        assert 0 < one.critical <= one.requests, one.system
    fanned = {s.system: s for s in concurrent.sources}["woocommerce"]
    assert fanned.critical < fanned.requests  # the orders' notes and refunds, at once
