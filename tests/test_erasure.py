"""Erasure on the sandbox: the plan, the end state per record, never anyone else, faults, resume."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bridge.app import App
from bridge.core import http_limits
from bridge.core.config import Config
from bridge.core.connector import normalise_email
from bridge.erasure.process import ErasureResult
from connectors.woocommerce.connector import WooCommerceConnector
from connectors.woocommerce.fake.analytics import lookup_rows, run_pending_imports
from sandbox.data import Shop
from sandbox.faults import Fault
from sandbox.server import Sandbox, start
from tests.conftest import quick

PLACEHOLDER = "deleted@site.invalid"


@pytest.fixture()
def fresh(tmp_path: Path) -> Iterator[tuple[Sandbox, Config]]:
    """A sandbox of its own: erasure changes the shop."""
    with start("woocommerce") as sandbox:
        yield sandbox, Config({**sandbox.env, "PRIVACY_BRIDGE_HOME": str(tmp_path / "state")})


@pytest.fixture(params=["batched", "one at a time"])
def writes_by(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """WooCommerce's order updates as a batch (`POST orders/batch`), or each on its own (`PUT`)."""
    if request.param != "batched":
        monkeypatch.setattr(WooCommerceConnector, "batch_operations", {})
    return "POST" if request.param == "batched" else "PUT"


def run(sandbox: Sandbox, config: Config, *, dry_run: bool = False, **kwargs: Any) -> ErasureResult:
    with App(config, factory=quick) as app:
        return app.erase(sandbox.shop.subject_email, dry_run=dry_run, **kwargs).result


def stores(shop: Shop) -> str:
    return json.dumps(
        [shop.woocommerce.__dict__, shop.mollie.__dict__, shop.paypal.__dict__],
        sort_keys=True,
        default=str,
    )


def of_person(shop: Shop, email: str) -> dict[str, Any]:
    """Every stored record of one person, in every system, by exact address."""
    wanted = normalise_email(email)
    woo = shop.woocommerce
    accounts = [c for c in woo.customers if normalise_email(c["email"]) == wanted]
    ids = {c["id"] for c in accounts}
    orders = [
        o
        for o in woo.orders
        if normalise_email(o["billing"]["email"]) == wanted or o["customer_id"] in ids
    ]
    return copy.deepcopy(
        {
            "customers": accounts,
            "orders": orders,
            "notes": [woo.order_notes.get(o["id"]) for o in orders],
            "reviews": [r for r in woo.reviews if normalise_email(r["reviewer_email"]) == wanted],
            "mollie": [c for c in shop.mollie.customers if normalise_email(c["email"]) == wanted],
            "paypal": [
                t
                for t in shop.paypal.transactions
                if normalise_email((t.get("payer_info") or {}).get("email_address", "")) == wanted
            ],
        }
    )


def test_the_dry_run_changes_nothing(fresh: tuple[Sandbox, Config]) -> None:
    sandbox, config = fresh
    before = stores(sandbox.shop)
    result = run(sandbox, config, dry_run=True)
    assert stores(sandbox.shop) == before
    methods = {m for faults in sandbox.faults.values() for m, _ in faults.requests}
    assert methods <= {"GET", "POST"}  # POST: PayPal's token and invoice search only
    posts = {p for faults in sandbox.faults.values() for m, p in faults.requests if m == "POST"}
    assert posts <= {"/v1/oauth2/token", "/v2/invoicing/search-invoices"}
    assert result.steps and {e.state for e in result.steps} == {"planned"}
    assert not (Path(config.home) / "privacy-bridge.sqlite3").exists()


def test_erasure_leaves_only_the_retained_invoice_fields(fresh: tuple[Sandbox, Config]) -> None:
    sandbox, config = fresh
    shop = sandbox.shop
    subject = shop.subject_email
    mine = of_person(shop, subject)
    result = run(sandbox, config)
    assert result.complete, result.problems
    woo = shop.woocommerce
    assert not [c for c in woo.customers if normalise_email(c["email"]) == subject]
    term_end = {
        e.step.record_id: e.step.until for e in result.steps if e.step.record_type == "order"
    }
    for before in mine["orders"]:
        after = next(o for o in woo.orders if o["id"] == before["id"])
        assert after["billing"]["email"] == PLACEHOLDER
        assert after["billing"]["phone"] == "" and not any(after["shipping"].values())
        assert after["customer_note"] == ""
        assert subject not in json.dumps(after).lower()
        until = term_end[str(before["id"])]
        meta = {m["key"]: m["value"] for m in after["meta_data"]}
        if until:  # retained: the invoice name and address stay, flagged with the end of the term
            assert until > date.today()
            assert after["billing"]["last_name"] == before["billing"]["last_name"]
            assert after["billing"]["address_1"] == before["billing"]["address_1"]
            assert meta == {"_privacy_bridge_restricted_until": str(until)}
            assert after["line_items"] == before["line_items"] and after["total"] == before["total"]
        else:  # past the term: anonymised
            assert not any(v for k, v in after["billing"].items() if k != "email")
            assert meta == {}
        assert woo.order_notes.get(before["id"], []) == []
    assert any(term_end.values()) and not all(term_end.values())
    assert not [r for r in woo.reviews if normalise_email(r["reviewer_email"]) == subject]
    mollie_left = [c for c in shop.mollie.customers if normalise_email(c["email"]) == subject]
    assert not mollie_left and mine["mollie"]
    assert all(
        m["status"] == "invalid"
        for m in shop.mollie.mandates
        if m["customerId"] in {c["id"] for c in mine["mollie"]}
    )
    manual = {e.step.system for e in result.manual_open}
    assert {"woocommerce", "paypal"} <= manual  # IP/user agent by SQL; PayPal has no API


def test_the_lookalikes_are_byte_identical_afterwards(fresh: tuple[Sandbox, Config]) -> None:
    sandbox, config = fresh
    shop = sandbox.shop
    others = [shop.traps["containment"], shop.traps["paypal_other_email"], shop.bulk_email]
    mention = next(
        o for o in shop.woocommerce.orders if str(o["id"]) == shop.traps["note_mention_order"]
    )
    prefix = next(
        o for o in shop.woocommerce.orders if str(o["number"]) == shop.traps["shared_prefix"]
    )
    before = [of_person(shop, e) for e in others], copy.deepcopy([mention, prefix])
    run(sandbox, config)
    after = (
        [of_person(shop, e) for e in others],
        [
            next(o for o in shop.woocommerce.orders if o["id"] == mention["id"]),
            next(o for o in shop.woocommerce.orders if o["id"] == prefix["id"]),
        ],
    )
    assert json.dumps(after, sort_keys=True) == json.dumps(before, sort_keys=True)
    assert before[0][0]["orders"] and before[0][0]["mollie"]


def test_a_failed_system_leaves_the_others_done_and_a_rerun_finishes(
    fresh: tuple[Sandbox, Config], writes_by: str
) -> None:
    sandbox, config = fresh
    sandbox.faults["woocommerce"].add(Fault(status=500, method=writes_by, times=10_000))
    first = run(sandbox, config)
    assert not first.complete
    woo_states = {
        e.state
        for e in first.steps
        if e.step.system == "woocommerce" and e.step.operation == "put_order"
    }
    assert woo_states == {"failed"}
    assert all(
        e.state == "done" for e in first.steps if e.step.system == "mollie" and e.step.automatic
    )
    customer = next(e for e in first.steps if e.step.key.startswith("customer:"))
    assert customer.state == "failed" and "waits for" in (customer.outcome or "")
    sandbox.faults["woocommerce"].clear()
    second = run(sandbox, config)
    assert second.complete, second.problems
    assert second.erasure_id == first.erasure_id  # the same journal, resumed


def test_a_422_on_an_anonymised_value_fails_that_step_only(
    fresh: tuple[Sandbox, Config], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One at a time (a batch's item error: tests/test_erasure_batches.py)."""
    monkeypatch.setattr(WooCommerceConnector, "batch_operations", {})
    sandbox, config = fresh
    body = b'{"code":"rest_invalid_param","message":"Invalid parameter(s): billing","data":{"status":400}}'
    sandbox.faults["woocommerce"].add(Fault(status=400, body=body, method="PUT", times=1))
    first = run(sandbox, config)
    failed = [e for e in first.steps if e.state == "failed" and e.step.operation == "put_order"]
    assert len(failed) == 1 and "Invalid parameter" in (failed[0].outcome or "")
    assert run(sandbox, config).complete


def test_a_delete_that_landed_but_timed_out_is_read_back_not_repeated(
    fresh: tuple[Sandbox, Config], monkeypatch: pytest.MonkeyPatch, writes_by: str
) -> None:
    sandbox, config = fresh
    monkeypatch.setattr(http_limits, "TIMEOUT", (2.0, 0.5))
    method = "POST" if writes_by == "POST" else "DELETE"
    sandbox.faults["woocommerce"].add(
        Fault(status=0, delay_s=1.5, method=method, path="/customers/", times=1)
    )
    result = run(sandbox, config)
    customer = next(e for e in result.steps if e.step.key.startswith("customer:"))
    assert customer.state == "done"
    assert customer.outcome == "deleted (its answer was lost; the record read back shows it)"
    deletes = [p for m, p in sandbox.faults["woocommerce"].requests if m == method]
    path = "batch" if method == "POST" else customer.step.record_id
    assert deletes.count(f"/wp-json/wc/v3/customers/{path}") == 1
    assert result.complete


def test_new_data_between_plan_and_apply_is_added_to_the_plan(
    fresh: tuple[Sandbox, Config],
) -> None:
    sandbox, config = fresh
    woo = sandbox.shop.woocommerce
    template = next(
        r for r in woo.reviews if normalise_email(r["reviewer_email"]) == sandbox.shop.subject_email
    )
    added: list[int] = []

    def on_step(entry: Any, state: str) -> None:
        if not added:  # the plan is journaled; the person writes one more review now
            review = copy.deepcopy(template) | {"id": 999_001, "status": "approved"}
            woo.reviews.append(review)
            added.append(review["id"])

    result = run(sandbox, config, on_step=on_step)
    assert any(e.step.record_id == "999001" and e.state == "done" for e in result.steps)
    assert not [r for r in woo.reviews if r["id"] == 999_001]
    assert result.complete


def test_verification_notices_a_system_that_ignores_the_change(
    fresh: tuple[Sandbox, Config], writes_by: str
) -> None:
    sandbox, config = fresh
    woo = sandbox.shop.woocommerce
    original = sandbox.faults["woocommerce"].app

    def ignore_puts(environ: dict[str, Any], start_response: Any) -> Any:
        """Answer an order update as if it worked, but keep the order as it was."""
        if environ["REQUEST_METHOD"] != writes_by:
            return original(environ, start_response)
        kept = copy.deepcopy(woo.orders)
        answer = list(original(environ, start_response))
        woo.orders[:] = kept
        return answer

    sandbox.faults["woocommerce"].app = ignore_puts
    result = run(sandbox, config)
    assert not result.complete
    assert any("billing.email still holds a value" in p for p in result.problems), result.problems
    assert any("still holds the e-mail address" in p for p in result.problems)


def test_analytics_rows_are_exported_and_erased_or_left_as_exact_sql(
    fresh: tuple[Sandbox, Config],
) -> None:
    """WooCommerce Analytics keeps its own copy (`wc_customer_lookup`): the account's row goes
    with the account, a guest checkout's row is a manual step with the SQL that deletes it. Orders
    with no Analytics stats yet are imported again after the erasure's updates (as a live shop
    does, a few seconds later): afterwards no row holds the address."""
    sandbox, config = fresh
    store = sandbox.shop.woocommerce
    store.analytics.historical_import, store.analytics.built = False, False
    subject = sandbox.shop.subject_email
    held = {
        str(r["customer_id"])
        for r in lookup_rows(store)
        if normalise_email(r.get("email") or "") == subject
    }
    assert len(held) == 2  # the account's row and a guest checkout's
    result = run(sandbox, config)
    run_pending_imports(store)
    steps = {
        e.step.record_id: e for e in result.steps if e.step.record_type == "analytics_customer"
    }
    assert set(steps) == held
    assert not [r for r in lookup_rows(store) if normalise_email(r.get("email") or "") == subject]
    left = {str(r["customer_id"]) for r in lookup_rows(store)} & held
    for row in left:
        assert steps[row].state == "manual"
        assert f"DELETE FROM wp_wc_customer_lookup WHERE customer_id = {row};" in (
            steps[row].step.instruction
        )
    assert {s for s in held - left if steps[s].state == "done"}
