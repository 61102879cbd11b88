"""The scheduled sync: cursors, a quiet second run, crash safety, the lock, lookups via the index."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from bridge import api
from bridge.app import App
from bridge.core.config import Config
from bridge.core.errors import BridgeError
from bridge.index.sync import SyncResult, sync, sync_lock
from bridge.store.db import Store
from connectors.woocommerce.connector import WooCommerceConnector
from sandbox.faults import NO_WAIT, Fault
from sandbox.server import Sandbox, start


@pytest.fixture()
def fresh(tmp_path: Path) -> Iterator[tuple[Sandbox, Config]]:
    with start("woocommerce") as sandbox:
        yield sandbox, Config({**sandbox.env, "PRIVACY_BRIDGE_HOME": str(tmp_path / "state")})


def requests_by_system(sandbox: Sandbox) -> dict[str, int]:
    return {name: len(f.requests) for name, f in sandbox.faults.items()}


def clear(sandbox: Sandbox) -> None:
    for faults in sandbox.faults.values():
        faults.clear()


def sync_all(config: Config) -> SyncResult:
    """One run of the sync, with the connectors of `config`."""
    with App(config) as opened:
        return sync(opened.store, opened.connectors)


def index_rows(config: Config) -> set[tuple[str, str, str]]:
    with sqlite3.connect(Path(config.home) / Store.FILE) as db:
        return set(db.execute("SELECT system, record_type, record_id FROM index_entries"))


def test_a_full_sync_indexes_every_record_without_an_address(fresh: tuple[Sandbox, Config]) -> None:
    sandbox, config = fresh
    result = sync_all(config)
    assert result.ok
    shop = sandbox.shop
    rows = index_rows(config)
    assert {("woocommerce", "order", str(o["id"])) for o in shop.woocommerce.orders} <= rows
    assert {("woocommerce", "customer", str(c["id"])) for c in shop.woocommerce.customers} <= rows
    assert {("mollie", "payment", p["id"]) for p in shop.mollie.payments} <= rows
    assert {("myparcel", "shipment", str(s["id"])) for s in shop.myparcel.shipments} <= rows
    database = (Path(config.home) / Store.FILE).read_bytes().lower()
    assert shop.subject_email.encode() not in database
    assert shop.woocommerce.customers[0]["email"].lower().encode() not in database


def test_a_second_sync_only_asks_whether_anything_changed(fresh: tuple[Sandbox, Config]) -> None:
    sandbox, config = fresh
    sync_all(config)
    clear(sandbox)
    second = sync_all(config)
    assert second.ok
    made = requests_by_system(sandbox)
    # one page per stream (customers are re-read at most daily), plus PayPal's token; Mailchimp
    # declares no stream
    expected = {"woocommerce": 2, "mollie": 2, "paypal": 2, "myparcel": 1, "mailchimp": 0}
    assert made == expected, made


def test_a_change_is_picked_up_by_the_next_sync(fresh: tuple[Sandbox, Config]) -> None:
    sandbox, config = fresh
    sync_all(config)
    order = sandbox.shop.woocommerce.orders[0]
    shop = WooCommerceConnector.from_config(config)  # the change comes in through the shop's API
    shop.api.put(f"orders/{order['id']}", {"billing": {"email": "someone.new@example.nl"}})
    sync_all(config)
    store = Store(config.home)
    row = store.db.execute(
        "SELECT subject FROM index_entries WHERE system = 'woocommerce' AND record_type = 'order' "
        "AND record_id = ?",
        (str(order["id"]),),
    ).fetchone()
    assert row["subject"] == store.keys.pseudonym("someone.new@example.nl")


def test_a_failed_sync_keeps_the_cursor_and_the_next_run_fills_the_gap(
    fresh: tuple[Sandbox, Config],
) -> None:
    sandbox, config = fresh
    sandbox.faults["woocommerce"].add(
        Fault(status=500, path="/orders", times=10_000, headers=NO_WAIT)
    )
    first = sync_all(config)
    failed = [s for s in first.streams if s.error]
    assert [(s.system, s.stream) for s in failed] == [("woocommerce", "orders")]
    store = Store(config.home)
    assert (
        store.db.execute(
            "SELECT COUNT(*) FROM cursors WHERE system = 'woocommerce' AND stream = 'orders'"
        ).fetchone()[0]
        == 0
    )
    clear(sandbox)
    assert sync_all(config).ok
    orders = {r for r in index_rows(config) if r[:2] == ("woocommerce", "order")}
    assert len(orders) == len(sandbox.shop.woocommerce.orders)


def test_two_syncs_do_not_overlap(fresh: tuple[Sandbox, Config]) -> None:
    _, config = fresh
    home = Store(config.home).home
    with sync_lock(home), pytest.raises(BridgeError, match="another sync is running"):
        sync_all(config)


def test_an_indexed_person_is_exported_without_a_full_scan(fresh: tuple[Sandbox, Config]) -> None:
    sandbox, config = fresh
    live = api.collect(sandbox.shop.subject_email, config)
    sync_all(config)
    clear(sandbox)
    indexed = api.collect(sandbox.shop.subject_email, config)
    paths = [p for _, p in sandbox.faults["mollie"].requests]
    assert paths.count("/v2/customers") <= 1  # one page of the newest, not all pages
    paypal_windows = [
        p for _, p in sandbox.faults["paypal"].requests if p == "/v1/reporting/transactions"
    ]
    assert len(paypal_windows) < 10  # not 36 windows
    for before, after in zip(live.sources, indexed.sources, strict=True):
        assert {(r.type, r.id) for r in before.records} == {
            (r.type, r.id) for r in after.records
        }, before.system
    by_system = {s.system: s for s in indexed.sources}
    assert any("index" in line for line in by_system["mollie"].lookup)
    assert any("index" in line for line in by_system["paypal"].lookup)
