"""The WooCommerce connector against the sandbox: exact identity, paging, faults."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge import api
from bridge.collect.identity import resolve
from bridge.core import kinds
from bridge.core.connector import checked_email, normalise_email
from bridge.core.models import SourceResult, Status
from connectors.woocommerce.connector import WooCommerceConnector
from sandbox.faults import Fault, html_error, rate_limited
from sandbox.server import Sandbox
from tests.conftest import only, quick

SYSTEM = "woocommerce"


def woo(sbx: Sandbox, email: str, tmp_path: Path) -> SourceResult:
    with api.open_connectors(only(sbx, SYSTEM, tmp_path=tmp_path), quick) as connectors:
        (source,) = resolve(connectors, checked_email(email))
    return source


def ids(source: SourceResult, type_: str) -> set[str]:
    return {r.id for r in source.records if r.type == type_}


def expected_orders(sbx: Sandbox, email: str) -> set[str]:
    """The oracle, from the seeded store: billing e-mail or the account, exactly."""
    store = sbx.shop.woocommerce
    wanted = normalise_email(email)
    accounts = {c["id"] for c in store.customers if normalise_email(c["email"]) == wanted}
    return {
        str(o["id"])
        for o in store.orders
        if normalise_email(o["billing"]["email"]) == wanted or o["customer_id"] in accounts
    }


def test_subject_gets_every_order_and_nothing_of_the_lookalikes(
    sbx: Sandbox, tmp_path: Path
) -> None:
    subject = sbx.shop.subject_email
    source = woo(sbx, subject, tmp_path)
    assert source.status is Status.ok
    orders = ids(source, "order")
    assert orders == expected_orders(sbx, subject)
    assert len(orders) >= 12
    # the same address in another case is the subject; containment and a mention are not
    emails = {
        normalise_email(r.data["billing"]["email"]) for r in source.records if r.type == "order"
    }
    assert emails == {normalise_email(subject)}
    case_variant = sbx.shop.traps["case"]
    assert any(
        r.data["billing"]["email"] == case_variant for r in source.records if r.type == "order"
    )
    lookalike = sbx.shop.traps["containment"]
    assert not expected_orders(sbx, lookalike) & orders
    mention_orders = {
        str(o["id"])
        for o in sbx.shop.woocommerce.orders
        if subject in (o.get("customer_note") or "")
    }
    assert mention_orders and not mention_orders & orders
    assert len(ids(source, "customer")) == 1
    assert all(r.matched_by for r in source.records)


def test_notes_refunds_downloads_and_reviews_of_every_status(sbx: Sandbox, tmp_path: Path) -> None:
    subject = sbx.shop.subject_email
    source = woo(sbx, subject, tmp_path)
    store = sbx.shop.woocommerce
    orders = {int(i) for i in ids(source, "order")}
    expected_notes = {f"{oid}:{n['id']}" for oid in orders for n in store.order_notes.get(oid, [])}
    expected_refunds = {str(r["id"]) for oid in orders for r in store.refunds.get(oid, [])}
    assert ids(source, "order_note") == expected_notes and expected_notes
    assert ids(source, "refund") == expected_refunds and expected_refunds
    assert ids(source, "download")
    reviews = [r for r in store.reviews if normalise_email(r["reviewer_email"]) == subject]
    assert ids(source, "review") == {str(r["id"]) for r in reviews}
    assert {"spam", "trash"} & {r["status"] for r in reviews}


def test_a_customer_with_more_than_250_orders_gets_each_once(sbx: Sandbox, tmp_path: Path) -> None:
    source = woo(sbx, sbx.shop.bulk_email, tmp_path)
    orders = [r.id for r in source.records if r.type == "order"]
    assert len(orders) > 250
    assert len(orders) == len(set(orders)) == len(expected_orders(sbx, sbx.shop.bulk_email))


def test_the_connector_reveals_what_the_next_systems_need(sbx: Sandbox, tmp_path: Path) -> None:
    connector = WooCommerceConnector.from_config(only(sbx, SYSTEM, tmp_path=tmp_path))
    from bridge.core.models import Identifier

    found = connector.collect([Identifier(kind=kinds.EMAIL, value=sbx.shop.subject_email)])
    revealed = {i.kind for i in found.revealed}
    assert {kinds.SHOP_CUSTOMER_ID, kinds.ORDER_NUMBER} <= revealed
    numbers = [i for i in found.revealed if i.kind == kinds.ORDER_NUMBER]
    assert all(i.context.get("date") for i in numbers)


def test_429_with_retry_after_and_500_then_success(sbx: Sandbox, tmp_path: Path) -> None:
    sbx.faults[SYSTEM].add(rate_limited(retry_after=1, path="/orders"))
    sbx.faults[SYSTEM].add(Fault(status=500, path="/customers"))
    source = woo(sbx, sbx.shop.subject_email, tmp_path)
    assert source.status is Status.ok
    assert ids(source, "order") == expected_orders(sbx, sbx.shop.subject_email)


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        (html_error(status=200, times=99, path="/orders"), "answered HTML"),
        (Fault(truncate=True, times=99, path="/orders"), "truncated JSON"),
        (
            Fault(
                status=400,
                body=b'{"code":"rest_invalid_param","message":"Invalid parameter(s): per_page","data":{"status":400}}',
                times=99,
                path="/orders",
            ),
            "HTTP 400",
        ),
    ],
)
def test_a_broken_answer_is_an_error_never_an_empty_result(
    sbx: Sandbox, tmp_path: Path, fault: Fault, message: str
) -> None:
    sbx.faults[SYSTEM].add(fault)
    source = woo(sbx, sbx.shop.subject_email, tmp_path)
    assert source.status is Status.error
    assert message in (source.error or "")


def test_a_wrong_key_is_an_auth_error(sbx: Sandbox, tmp_path: Path) -> None:
    config = only(sbx, SYSTEM, tmp_path=tmp_path)
    bad = type(config)({**config.values, "WOOCOMMERCE_CONSUMER_SECRET": "cs_wrong"})
    (result,) = api.check(bad)
    assert not result.ok and "credentials refused" in result.message
    assert "cs_wrong" not in result.message
    (good,) = api.check(config)
    assert good.ok


def test_the_ip_address_sql_is_listed_only_for_orders_that_hold_one(sbx: Sandbox) -> None:
    from datetime import date

    from bridge.core.models import Record
    from bridge.core.policy import load_policy
    from connectors.woocommerce.erasure import plan_steps

    orders = [o for o in sbx.shop.woocommerce.orders if o["customer_ip_address"]][:3]
    records = [Record(type="order", id=str(o["id"]), matched_by=["test"], data=o) for o in orders]
    blank = {**orders[1], "customer_ip_address": "", "customer_user_agent": ""}
    records[1] = records[1].model_copy(update={"data": blank})
    agent_only = {**orders[2], "customer_ip_address": ""}
    records[2] = records[2].model_copy(update={"data": agent_only})
    steps = plan_steps(SYSTEM, "WooCommerce", records, load_policy(), date.today())
    sql = {s.record_id: s for s in steps if s.record_type == "order_ip_address"}
    assert set(sql) == {records[0].id, records[2].id}
    assert "ip_address" in sql[records[0].id].instruction
    assert "ip_address" not in sql[records[2].id].instruction
    assert "user_agent" in sql[records[2].id].instruction


def test_refunds_are_read_only_for_orders_that_list_some(sbx: Sandbox, tmp_path: Path) -> None:
    source = woo(sbx, sbx.shop.subject_email, tmp_path)
    orders = [r.data for r in source.records if r.type == "order"]
    with_refunds = {str(o["id"]) for o in orders if o["refunds"]}
    asked = {p.split("/")[-2] for m, p in sbx.faults[SYSTEM].requests if p.endswith("/refunds")}
    assert with_refunds and asked == with_refunds
    assert {r.id for r in source.records if r.type == "refund"} == {
        str(x["id"]) for o in orders for x in o["refunds"]
    }
