"""Retention: who is past the 7-year term after a sync, and retained records whose term ends."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bridge import api
from bridge.app import App
from bridge.cli.main import app
from bridge.core.config import Config
from bridge.core.connector import normalise_email
from bridge.core.policy import Policy
from bridge.index.retention import Applied, apply, due
from bridge.index.sync import sync
from bridge.register.deadlines import RETENTION_DAYS
from bridge.store.db import Store
from sandbox.data import Shop
from sandbox.server import Sandbox, start

runner = CliRunner()


@pytest.fixture()
def synced(tmp_path: Path) -> Iterator[tuple[Sandbox, Config]]:
    with start("woocommerce") as sandbox:
        config = Config({**sandbox.env, "PRIVACY_BRIDGE_HOME": str(tmp_path / "state")})
        assert sync_all(config)
        yield sandbox, config


def sync_all(config: Config) -> bool:
    """One run of the sync, with the connectors of `config`: whether every stream synced."""
    with App(config) as opened:
        return sync(opened.store, opened.connectors).ok


def apply_all(config: Config, policy: Policy, today: date, operator: str | None = None) -> Applied:
    """`retention apply` as `operator`, with the connectors of `config`."""
    with App(config) as opened:
        return apply(opened.register(operator), opened.connectors, policy, today)


def last_activity(shop: Shop) -> dict[str, str]:
    """The oracle: per address, the newest date any system shows activity on."""
    latest: dict[str, str] = defaultdict(str)

    def seen(email: object, when: object) -> None:
        if isinstance(email, str) and "@" in email and isinstance(when, str):
            key = normalise_email(email)
            latest[key] = max(latest[key], when[:10])

    for c in shop.woocommerce.customers:
        seen(c["email"], c["date_created_gmt"])
    for o in shop.woocommerce.orders:
        seen(o["billing"]["email"], o["date_created_gmt"])
    for r in shop.woocommerce.reviews:
        if r["status"] in ("approved", "hold"):  # what status=all lists
            seen(r["reviewer_email"], r["date_created_gmt"])
    for c in shop.mollie.customers:
        seen(c["email"], c["createdAt"])
    for p in shop.mollie.payments:
        seen((p.get("billingAddress") or {}).get("email"), p["createdAt"])
    for t in shop.paypal.transactions:
        seen(
            (t.get("payer_info") or {}).get("email_address"),
            t["transaction_info"]["transaction_initiation_date"],
        )
    for s in shop.myparcel.shipments:
        seen((s.get("recipient") or {}).get("email"), s["created"])
    return latest


def test_due_finds_exactly_the_people_inactive_for_seven_years(
    synced: tuple[Sandbox, Config],
) -> None:
    sandbox, config = synced
    policy = api.policy_for(config)
    today = sandbox.shop.today
    cutoff = policy.term_start(today).isoformat()
    keys = Store(config.home).keys
    expected = {
        keys.pseudonym(e) for e, when in last_activity(sandbox.shop).items() if when < cutoff
    }
    found = due(Store(config.home), policy, today)
    assert expected and {p.subject for p in found.people} == expected
    assert keys.pseudonym(sandbox.shop.subject_email) not in expected  # an active customer
    assert all(p.last_activity < cutoff for p in found.people)


def test_apply_opens_verified_erasure_requests_once(synced: tuple[Sandbox, Config]) -> None:
    sandbox, config = synced
    policy, today = api.policy_for(config), sandbox.shop.today
    people = due(Store(config.home), policy, today).people
    done = apply_all(config, policy, today, operator="cron")
    assert len(done.opened) + len(done.unresolved) == len(people) and done.opened
    store = Store(config.home)
    rows = store.db.execute("SELECT * FROM requests WHERE channel = 'retention'").fetchall()
    assert {r["status"] for r in rows} == {"verified"} and len(rows) == len(done.opened)
    # The shop's own target, not a customer's month (bridge.register.deadlines).
    for r in rows:
        received = date.fromisoformat(r["received"])
        assert date.fromisoformat(r["due"]) == received + timedelta(days=RETENTION_DAYS)
    again = apply_all(config, policy, today)
    assert again.opened == []  # an open request is not opened twice


def test_retained_records_are_anonymised_when_their_term_ends(tmp_path: Path) -> None:
    with start("woocommerce") as sandbox:
        config = Config({**sandbox.env, "PRIVACY_BRIDGE_HOME": str(tmp_path / "state")})
        erased = api.erase(sandbox.shop.subject_email, config, dry_run=False)
        assert erased.complete
        kept = [e for e in erased.result.steps if e.step.record_type == "order" and e.step.until]
        assert kept
        later = date(2045, 1, 1)
        found = due(Store(config.home), api.policy_for(config), later)
        assert {e.step.key for e in found.expired} >= {e.step.key for e in kept}
        env = tmp_path / "x.env"
        env.write_text("".join(f"{k}={v}\n" for k, v in config.values.items()))
        result = runner.invoke(
            app,
            [
                "retention",
                "apply",
                "--yes",
                "--json",
                "--today",
                "2045-01-01",
                "--env-file",
                str(env),
            ],
        )
        assert result.exit_code == 0, result.output
        ended = {e["record"]: e["state"] for e in json.loads(result.stdout)["ended"]}
        for entry in kept:
            assert ended[entry.step.key] == "done"
            order = next(
                o for o in sandbox.shop.woocommerce.orders if str(o["id"]) == entry.step.record_id
            )
            assert not any(v for k, v in order["billing"].items() if k != "email")
            assert not [
                m for m in order["meta_data"] if m["key"] == "_privacy_bridge_restricted_until"
            ]
