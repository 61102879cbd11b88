"""Fixtures of the contract suite: one sandbox per shop for the checks that only read (its faults
and logs emptied around every test), and a fresh one for the checks that change a store."""

from __future__ import annotations

import copy
import dataclasses
import functools
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from harness import Bench, Case, quiet, stop

from sandbox.contract import Contract, contracts
from sandbox.data import Shop, build_shop
from sandbox.server import Sandbox, start, unlimited

Sandboxes = Callable[[str], Sandbox]


def contract_for(system: str) -> Contract:
    contract = contracts().get(system)
    if contract is None:
        pytest.fail(
            f"connector {system!r} is registered but has no contract entry: "
            "add connectors/<system>/contract.py and name it in its SYSTEM.contract"
        )
    return contract


@pytest.fixture(scope="module")
def sandboxes() -> Iterator[Sandboxes]:
    """Started on first use: the seeded shop with every system's planted identity traps."""
    running: dict[str, Sandbox] = {}

    def get(kind: str) -> Sandbox:
        if kind not in running:
            shop = build_shop(kind)
            for contract in contracts().values():
                if kind in contract.shops and contract.plant is not None:
                    contract.plant(shop)
            running[kind] = unlimited(start(kind, shop=shop))
        return running[kind]

    yield get
    for sandbox in running.values():
        stop(sandbox)


@pytest.fixture(scope="module")
def memo() -> dict[Any, Any]:
    """Results computed once per module: the shops' revealed identifiers, baselines."""
    return {}


@pytest.fixture()
def bench(
    case: Case, sandboxes: Sandboxes, memo: dict[Any, Any], tmp_path: Path
) -> Iterator[Bench]:
    """The case's connector on the shared sandbox of its shop (read-only checks)."""
    contract = contract_for(case.system)
    sandbox = sandboxes(case.shop)
    quiet(sandbox)
    yield Bench(contract, case.shop, sandbox, tmp_path, memo)
    quiet(sandbox)


@pytest.fixture(scope="module")
def seeded() -> Callable[[str], Shop]:
    """The seeded shop of each kind, built once and never served: fresh sandboxes copy it."""
    return functools.cache(build_shop)


@pytest.fixture(scope="module")
def reaper() -> Iterator[ThreadPoolExecutor]:
    """Stops fresh sandboxes in the background (a server takes up to 0.5 s to notice)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        yield pool


@pytest.fixture()
def fresh_bench(
    case: Case, seeded: Callable[[str], Shop], reaper: ThreadPoolExecutor, tmp_path: Path
) -> Iterator[Bench]:
    """The case's connector on a sandbox of its own, with its own copy of the system's store
    (`shop.stores[system]`), which the test may change; the other stores are the
    seeded ones, which nothing here writes to."""
    contract = contract_for(case.system)
    shop = seeded(case.shop)
    own = {**shop.stores, case.system: copy.deepcopy(shop.stores[case.system])}
    mine = dataclasses.replace(shop, stores=own, traps=dict(shop.traps))
    sandbox = unlimited(start(case.shop, shop=mine))
    try:
        yield Bench(contract, case.shop, sandbox, tmp_path, {})
    finally:
        reaper.submit(stop, sandbox)
