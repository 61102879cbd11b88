"""Requests made against the computed minimum: shown per system, and kept within 1.2x of it.

Each connector computes the fewest requests a plan could have made given what it learned
(`Collected.minimum`): the `--json` summary and the manifest show it next to the requests made.
For both sandbox shops, friendly and hostile (filters ignored), without and with the sync index,
every system stays within 1.2x of its minimum (which records: tests/contract, tests/sandbox).
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from bridge import api
from bridge.app import App
from bridge.core.config import Config
from bridge.core.models import DataPackage
from bridge.index.sync import sync
from sandbox.hostile import HOSTILE
from sandbox.server import SHOPS, Sandbox, start, unlimited

RATIO = 1.2


def test_the_summary_and_the_manifest_carry_the_minimum_per_system(
    sbx: Sandbox, tmp_path: Path
) -> None:
    config = Config({**sbx.env, "PRIVACY_BRIDGE_HOME": str(tmp_path / "state")})
    result = api.export(sbx.shop.subject_email, tmp_path / "out", config)
    summary = api.summary(result)
    systems = {s["system"]: s for s in summary["systems"]}  # type: ignore[attr-defined]
    assert set(systems) == set(sbx.servers)
    with zipfile.ZipFile(result.package) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    listed = {s["system"]: s for s in manifest["systems"]}
    for name, shown in systems.items():
        assert isinstance(shown["minimum"], int) and shown["minimum"] >= 1, name
        assert shown["requests"] >= shown["minimum"], name
        assert (listed[name]["requests"], listed[name]["minimum"]) == (
            shown["requests"],
            shown["minimum"],
        )


# Friendly and hostile live, and friendly with the index (benchmarks/request_counts.py runs the
# hostile fakes with the index too).
RUNS = [(shop, hostile, indexed) for shop in SHOPS for hostile, indexed in
        ((False, False), (True, False), (False, True))]  # fmt: skip


@pytest.fixture(params=RUNS, ids=lambda p: "-".join(
    (p[0], "hostile" if p[1] else "friendly", "indexed" if p[2] else "live")))  # fmt: skip
def run(request: pytest.FixtureRequest) -> Iterator[tuple[Sandbox, bool, bool]]:
    kind, hostile, indexed = request.param
    with start(kind, hostile=HOSTILE if hostile else None) as running:
        yield unlimited(running), hostile, indexed


def test_every_system_stays_within_its_minimum(
    run: tuple[Sandbox, bool, bool], tmp_path: Path
) -> None:
    sandbox, hostile, indexed = run
    config = Config({**sandbox.env, "PRIVACY_BRIDGE_HOME": str(tmp_path / "state")})
    if indexed:
        with App(config) as syncing:
            sync(syncing.store, syncing.connectors)
    package = api.collect(sandbox.shop.subject_email, config)
    over = _check(package)
    assert not over, over
    if not hostile:  # every record found: none of the systems failed, wholly or in part
        assert package.complete, [s.error for s in package.sources if s.error]


def _check(package: DataPackage) -> dict[str, str]:
    over: dict[str, str] = {}
    for source in package.sources:
        if source.minimum is None:
            over[source.system] = "computes no minimum"
        elif source.requests > RATIO * max(source.minimum, 1):
            over[source.system] = f"{source.requests} requests, minimum {source.minimum}"
    return over


def test_many_order_numbers_read_the_shipment_listing_once_not_one_lookup_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Lightspeed shop's bulk customer has hundreds of orders: MyParcel's listing (a few pages)
    is read once instead of a lookup per order number, and finds exactly the same shipments."""
    from connectors.myparcel import connector as myparcel

    with start("lightspeed") as running:
        sandbox = unlimited(running)
        config = Config({**sandbox.env, "PRIVACY_BRIDGE_HOME": str(tmp_path / "state")})
        package = api.collect(sandbox.shop.bulk_email, config)
        monkeypatch.setattr(myparcel, "LISTING_AFTER", 10_000)
        looked_up = api.collect(sandbox.shop.bulk_email, config)

    def shipments(p: DataPackage) -> tuple[int, set[str]]:
        source = next(s for s in p.sources if s.system == "myparcel")
        assert source.error is None
        return source.requests, {r.id for r in source.records}

    (listed, ids), (lookups, same) = shipments(package), shipments(looked_up)
    shop = next(s for s in package.sources if s.system == "lightspeed")
    orders = sum(1 for r in shop.records if r.type == "order")
    assert orders > 100 and len(ids) > 100
    assert ids == same
    assert lookups > orders and listed < orders / 10
