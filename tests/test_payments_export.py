"""An export across the shop, Mollie and PayPal: every linked payment, nothing of a look-alike."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from bridge import api
from bridge.core.config import Config
from bridge.core.connector import normalise_email
from bridge.core.models import DataPackage, SourceResult, Status
from sandbox.data import Shop
from sandbox.faults import NO_WAIT, Fault
from sandbox.server import Sandbox


def source(package: DataPackage, system: str) -> SourceResult:
    return next(s for s in package.sources if s.system == system)


def ids(result: SourceResult, type_: str) -> set[str]:
    return {r.id for r in result.records if r.type == type_}


def shop_orders(shop: Shop, email: str) -> list[dict[str, Any]]:
    wanted = normalise_email(email)
    accounts = {
        c["id"] for c in shop.woocommerce.customers if normalise_email(c["email"]) == wanted
    }
    return [
        o
        for o in shop.woocommerce.orders
        if normalise_email(o["billing"]["email"]) == wanted or o["customer_id"] in accounts
    ]


def mollie_oracle(shop: Shop, email: str) -> dict[str, set[str]]:
    """What belongs to the person at Mollie, computed from the seeded store."""
    orders = shop_orders(shop, email)
    meta = [m for o in orders for m in o["meta_data"]]
    customers = {m["value"] for m in meta if m["key"] == "_mollie_customer_id"}
    customers |= {
        c["id"]
        for c in shop.mollie.customers
        if normalise_email(c["email"]) == normalise_email(email)
    }
    payments = {m["value"] for m in meta if m["key"] == "_mollie_payment_id"}
    payments |= {p["id"] for p in shop.mollie.payments if p.get("customerId") in customers}
    customers |= {
        p["customerId"] for p in shop.mollie.payments if p["id"] in payments and p.get("customerId")
    }
    payments |= {p["id"] for p in shop.mollie.payments if p.get("customerId") in customers}
    return {
        "mollie_customer": customers,
        "payment": payments,
        "refund": {r["id"] for r in shop.mollie.refunds if r["paymentId"] in payments},
        "chargeback": {c["id"] for c in shop.mollie.chargebacks if c["paymentId"] in payments},
        "mandate": {m["id"] for m in shop.mollie.mandates if m["customerId"] in customers},
        "subscription": {
            s["id"] for s in shop.mollie.subscriptions if s["customerId"] in customers
        },
    }


def paypal_oracle(shop: Shop, email: str) -> set[str]:
    """Transactions in PayPal's 3-year reach: named by the shop, or paid by the address; refunds."""
    orders = shop_orders(shop, email)
    named = {o["transaction_id"] for o in orders if o["payment_method"].startswith("ppcp")}
    horizon = shop.today.replace(year=shop.today.year - 3).isoformat()
    mine = set()
    for t in shop.paypal.transactions:
        info, payer = t["transaction_info"], t.get("payer_info") or {}
        if info["transaction_initiation_date"] < horizon:
            continue
        if info["transaction_id"] in named or normalise_email(
            payer.get("email_address", "")
        ) == normalise_email(email):
            mine.add(info["transaction_id"])
    refunds = {
        t["transaction_info"]["transaction_id"]
        for t in shop.paypal.transactions
        if t["transaction_info"].get("paypal_reference_id") in mine
    }
    return mine | refunds


@pytest.fixture(scope="module")
def package(sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> DataPackage:
    home = tmp_path_factory.mktemp("state")
    return api.collect(
        sandbox.shop.subject_email, Config({**sandbox.env, "PRIVACY_BRIDGE_HOME": str(home)})
    )


def test_every_mollie_record_of_the_subject_and_no_other(
    package: DataPackage, sandbox: Sandbox
) -> None:
    mollie = source(package, "mollie")
    assert mollie.status is Status.ok
    expected = mollie_oracle(sandbox.shop, sandbox.shop.subject_email)
    for type_, wanted in expected.items():
        assert ids(mollie, type_) == wanted, type_
    assert len(expected["mollie_customer"]) == 2
    assert (
        expected["refund"]
        and expected["chargeback"]
        and expected["mandate"]
        and expected["subscription"]
    )
    lookalike = mollie_oracle(sandbox.shop, sandbox.shop.traps["containment"])
    assert lookalike["payment"] and not lookalike["payment"] & ids(mollie, "payment")


def test_every_paypal_transaction_and_invoice_of_the_subject(
    package: DataPackage, sandbox: Sandbox
) -> None:
    paypal = source(package, "paypal")
    assert paypal.status is Status.ok
    shop = sandbox.shop
    assert ids(paypal, "paypal_transaction") == paypal_oracle(shop, shop.subject_email)
    lookalike = paypal_oracle(shop, shop.traps["containment"])
    assert lookalike and not lookalike & ids(paypal, "paypal_transaction")
    invoices = {
        i["id"]
        for i in shop.paypal.invoices
        if any(
            normalise_email(r["billing_info"]["email_address"]) == shop.subject_email
            for r in i["primary_recipients"]
        )
    }
    assert invoices and ids(paypal, "paypal_invoice") == invoices


def test_the_package_says_why_and_what_paypal_is(package: DataPackage, sandbox: Sandbox) -> None:
    paypal = source(package, "paypal")
    other = sandbox.shop.traps["paypal_other_email"]
    linked = [
        r
        for r in paypal.records
        if normalise_email((r.data.get("payer_info") or {}).get("email_address", ""))
        == normalise_email(other)
    ]
    assert linked, "the transaction paid from another PayPal account is in the package"
    assert all(any("named by shop order" in m for m in r.matched_by) for r in linked)
    assert any("e-mail address differs from yours" in n for n in paypal.notes)
    assert any("independent controller" in n for n in paypal.notes)
    assert any("3 hours" in n for n in paypal.notes)
    mollie = source(package, "mollie")
    for record in mollie.records:
        assert record.matched_by and all(m.strip() for m in record.matched_by)


def test_a_failing_processor_does_not_stop_the_others(sbx: Sandbox, config: Config) -> None:
    sbx.faults["mollie"].add(Fault(status=500, times=1000, headers=NO_WAIT))
    package = api.collect(sbx.shop.subject_email, config)
    assert not package.complete
    assert source(package, "mollie").status is Status.error
    assert source(package, "woocommerce").status is Status.ok
    assert source(package, "paypal").status is Status.ok


def test_paypal_token_expiry_is_renewed(sbx: Sandbox, config: Config) -> None:
    from connectors.paypal.connector import PayPalConnector

    connector = PayPalConnector.from_config(config)
    connector.check()
    connector.check()  # the token is kept
    tokens = sbx.faults["paypal"].app.tokens
    tokens.clear()  # revoked before its time: PayPal answers 401
    connector.check()  # fetches a fresh one and asks again, once
    asked = [p for _, p in sbx.faults["paypal"].requests if p.endswith("/oauth2/token")]
    assert len(asked) == 2 and len(tokens) == 1


def test_check_reports_every_system(sbx: Sandbox, config: Config) -> None:
    results = api.check(config)
    assert {r.system for r in results} == set(sbx.servers)
    assert all(r.ok for r in results)
    bad = Config({**config.values, "MOLLIE_API_KEY": "test_wrongwrongwrongwrongwrongwr"})
    by_system = {r.system: r for r in api.check(bad)}
    assert not by_system["mollie"].ok and by_system["woocommerce"].ok


def test_mollie_is_asked_for_refunds_and_chargebacks_only_where_a_payment_has_them(
    sbx: Sandbox, config: Config
) -> None:
    shop, email = sbx.shop, sbx.shop.subject_email
    expected = mollie_oracle(shop, email)
    mollie = source(api.collect(email, config), "mollie")
    assert ids(mollie, "refund") == expected["refund"]
    assert ids(mollie, "chargeback") == expected["chargeback"]
    paths = [p for m, p in sbx.faults["mollie"].requests if m == "GET"]
    # Embedded in one read of the payment (`embed=refunds,chargebacks`): never their own lists
    # here, at most one request per payment, and none for a payment a customer's list gave
    # that neither links nor sums refunds or chargebacks.
    per_payment = Counter(p.split("/")[3] for p in paths if p.startswith("/v2/payments/"))
    assert not [p for p in paths if p.endswith(("/refunds", "/chargebacks"))]
    assert max(per_payment.values()) == 1
    having = {x["paymentId"] for x in [*shop.mollie.refunds, *shop.mollie.chargebacks]}
    listed = {p["id"] for p in shop.mollie.payments if p.get("customerId")}
    assert having & expected["payment"] <= set(per_payment)
    assert not (listed & expected["payment"]) - having & set(per_payment)
