"""Shops reveal neutral payment references; each processor claims its own (Connector.claim) and
the resolution gives each claimed reference to that processor once."""

from __future__ import annotations

from typing import Any

from bridge.collect.identity import _new_for, _Run
from bridge.core import kinds
from bridge.core.models import Identifier
from connectors.lightspeed.search import order_links as lightspeed_links
from connectors.lightspeed.search import payment_references
from connectors.mollie.connector import MollieConnector
from connectors.mollie.references import CUSTOMER_ID, ORDER_ID, PAYMENT_ID
from connectors.paypal.connector import PayPalConnector
from connectors.paypal.references import TRANSACTION_ID
from connectors.woocommerce.links import order_links as woo_links

MOLLIE = MollieConnector("http://127.0.0.1:9", "test_abcdefghijklmnopqrstuvwxyz1234")
PAYPAL = PayPalConnector("http://127.0.0.1:9", "client", "secret")


def woo_order(method: str, tid: str, **meta: str) -> dict[str, Any]:
    return {
        "id": 7, "number": "1042", "payment_method": method, "transaction_id": tid,
        "meta_data": [{"id": i, "key": k, "value": v} for i, (k, v) in enumerate(meta.items())],
    }  # fmt: skip


def revealed(links: list[Any]) -> list[Identifier]:
    return [
        Identifier(kind=kind, value=value, via=f"shop order 1042{where}", context=context)
        for kind, value, where, context in links
    ]


def claims(connector: Any, identifiers: list[Identifier]) -> set[tuple[str, str]]:
    return {own.key for i in identifiers if (own := connector.claim(i)) is not None}


def test_a_mollie_order_is_claimed_by_mollie_alone() -> None:
    order = woo_order(
        "mollie_wc_gateway_ideal",
        "ord_K3b7z",
        _mollie_payment_id="tr_WDqYK6vllg",
        _mollie_order_id="ord_K3b7z",
        _mollie_customer_id="cst_8wmqcHMN4U",
        _mollie_payment_mode="test",
        _wc_order_attribution_user_agent="Mozilla/5.0 (X11; Linux x86_64)",
    )
    ids = revealed(woo_links(order))
    assert {i.kind for i in ids} == {kinds.ORDER_NUMBER, kinds.PAYMENT_REFERENCE}
    assert "test" not in {i.value for i in ids}  # `_mode` is no id
    assert claims(MOLLIE, ids) == {
        (ORDER_ID, "ord_K3b7z"),
        (PAYMENT_ID, "tr_WDqYK6vllg"),
        (CUSTOMER_ID, "cst_8wmqcHMN4U"),
    }
    assert claims(PAYPAL, ids) == set()


def test_paypal_claims_the_transaction_id_of_a_paypal_order_not_its_order_id() -> None:
    order = woo_order(
        "ppcp-gateway", "5KY21287UR815640M", _ppcp_paypal_order_id="8RU61172JS455403V"
    )
    ids = revealed(woo_links(order))
    assert claims(PAYPAL, ids) == {(TRANSACTION_ID, "5KY21287UR815640M")}
    assert claims(MOLLIE, ids) == set()
    transaction = next(i for i in ids if i.value == "5KY21287UR815640M")
    assert transaction.via == "shop order 1042 (ppcp-gateway)"
    assert transaction.context[kinds.METHOD] == "ppcp-gateway"


def test_a_transaction_id_of_another_method_is_nobodys() -> None:
    ids = revealed(woo_links(woo_order("stripe", "5KY21287UR815640M")))
    assert claims(PAYPAL, ids) == claims(MOLLIE, ids) == set()
    ids = revealed(woo_links(woo_order("ppcp-gateway", "tr_WDqYK6vllg")))  # not PayPal's form
    assert claims(PAYPAL, ids) == set()
    assert claims(MOLLIE, ids) == {(PAYMENT_ID, "tr_WDqYK6vllg")}


def test_only_ids_of_the_documented_form_are_claimed() -> None:
    for value in ("tr_", "tr_a/b", "tr_x?limit=1", "cst_../x"):
        ref = Identifier(kind=kinds.PAYMENT_REFERENCE, value=value)
        assert MOLLIE.claim(ref) is None, value
    long = Identifier(
        kind=kinds.PAYMENT_REFERENCE,
        value="A" * 25,
        context={kinds.METHOD: "paypal", kinds.FIELD: kinds.TRANSACTION},
    )
    assert PAYPAL.claim(long) is None


def test_lightspeed_reveals_the_ids_in_payment_data_and_never_an_account_number() -> None:
    order = {
        "id": 3, "number": "ORD10002", "paymentId": "paypal",
        "paymentData": {
            "method": "paypal", "transactionId": "5KY21287UR815640M", "orderId": "8RU61172JS455403V",
            "consumerAccount": "NL91ABNA0417164300", "payer": {"payerId": "QYR5Z8XDVJNXQ"},
        },
    }  # fmt: skip
    found = dict(payment_references(order))
    assert set(found) == {"5KY21287UR815640M", "8RU61172JS455403V", "QYR5Z8XDVJNXQ"}
    assert found["5KY21287UR815640M"][kinds.FIELD] == kinds.TRANSACTION
    assert found["8RU61172JS455403V"][kinds.FIELD] == "paymentData.orderId"
    assert lightspeed_links(order)[0] == (kinds.ORDER_NUMBER, "ORD10002")
    ids = [Identifier(kind=kinds.PAYMENT_REFERENCE, value=v, context=c) for v, c in found.items()]
    assert claims(PAYPAL, ids) == {(TRANSACTION_ID, "5KY21287UR815640M")}


def test_a_customer_named_by_the_shop_and_by_a_payment_is_looked_up_once() -> None:
    run = _Run(MOLLIE)
    shop = Identifier(kind=kinds.PAYMENT_REFERENCE, value="cst_8wmqcHMN4U", via="shop order 1")
    known = {shop: shop}
    first = _new_for(run, known)
    assert [(i.kind, i.via) for i in first] == [(CUSTOMER_ID, "shop order 1")]
    run.given.update(first)
    again = Identifier(kind=CUSTOMER_ID, value="cst_8wmqcHMN4U", via="Mollie payment tr_1")
    known[again] = again  # revealed by one of its payments in the next round
    assert _new_for(run, known) == []
