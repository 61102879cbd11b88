"""Lightspeed with the sync index (issue 13): the same records as the live search, no more requests.

The index holds Lightspeed's customers and orders, but Lightspeed reads a record by id one request
at a time (`GET /orders/{id}.json`, no list of ids), while its person filters answer 250 records
a request: the subject's 14 orders are 2 queries live and 14 reads by id, the bulk customer's 260
are 4 pages live and 260 reads. So the collect stays live when an index exists, and says so
(`lookup`). Checked here: synced first, the collect equals the unindexed one (records, their data,
status) for the subject and the bulk customer, friendly and hostile, with no more requests; and
a record made after the sync is found.
"""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path

import pytest

from bridge import api
from bridge.app import App
from bridge.core.config import Config
from bridge.core.models import SourceResult
from bridge.index.sync import sync
from connectors.lightspeed.connector import INDEX_UNUSED
from sandbox.data import Shop, build_shop
from sandbox.hostile import HOSTILE
from sandbox.server import start, unlimited

NAMES = {"LIGHTSPEED_API_URL", "LIGHTSPEED_API_KEY", "LIGHTSPEED_API_SECRET"}


@pytest.fixture(scope="module")
def shop() -> Shop:
    return build_shop("lightspeed", seed=7, today=date.today())


def _collect(
    shop: Shop, homes: tuple[Path, ...], hostile: bool, people: tuple[str, ...]
) -> list[list[tuple[SourceResult, int]]]:
    """Per home, each person's Lightspeed result and the requests it made, in one sandbox; the
    homes after the first are synced first (the first stays without an index)."""
    knobs = {"lightspeed": HOSTILE["lightspeed"]} if hostile else None
    with start("lightspeed", shop=shop, hostile=knobs) as running:
        sandbox = unlimited(running)
        env = {k: v for k, v in sandbox.env.items() if k in NAMES}
        runs = []
        for n, home in enumerate(homes):
            config = Config({**env, "PRIVACY_BRIDGE_HOME": str(home)})
            if n:
                with App(config) as syncing:
                    sync(syncing.store, syncing.connectors)
            out = []
            for email in people:
                before = sandbox.requests("lightspeed")
                package = api.collect(email, config)
                (result,) = (s for s in package.sources if s.system == "lightspeed")
                out.append((result, sandbox.requests("lightspeed") - before))
            runs.append(out)
        return runs


def _seen(result: SourceResult) -> tuple[str, list[tuple[str, str, str, str]], list[str]]:
    records = sorted((r.type, r.id, r.matched_by, repr(r.data)) for r in result.records)
    return result.status, records, sorted(result.failed)


def test_the_indexed_collect_equals_the_live_one(shop: Shop, tmp_path: Path) -> None:
    # Friendly fakes only: how the live search meets hostile ones is tests/test_lightspeed_requests.
    people = (shop.subject_email, shop.bulk_email)
    live, indexed = _collect(shop, (tmp_path / "live", tmp_path / "indexed"), False, people)
    for (was, made), (now, making) in zip(live, indexed, strict=True):
        assert _seen(now) == _seen(was)
        assert now.records
        assert making <= made, f"{making} requests with the index, {made} without"
        assert INDEX_UNUSED in now.lookup and INDEX_UNUSED not in was.lookup


def test_a_record_made_after_the_sync_is_found(tmp_path: Path) -> None:
    shop = build_shop("lightspeed", seed=7, today=date.today())
    _collect(shop, (tmp_path / "none", tmp_path / "state"), False, ())  # the sync
    subscriptions = shop.stores["lightspeed"].resources["subscriptions"]
    new = copy.deepcopy(subscriptions[-1])
    new.update(id=max(s["id"] for s in subscriptions) + 1, email=shop.subject_email)
    subscriptions.append(new)
    [[(result, _)]] = _collect(shop, (tmp_path / "state",), False, (shop.subject_email,))
    assert ("newsletter_subscription", str(new["id"])) in {(r.type, r.id) for r in result.records}
    assert INDEX_UNUSED in result.lookup
