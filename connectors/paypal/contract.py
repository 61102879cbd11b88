"""The contract suite's entry for PayPal (sandbox.contract)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from connectors.paypal.fake.http import error_body as paypal_error
from sandbox.contract import (
    JSON,
    Contract,
    Key,
    Listing,
    dumps,
    same,
)
from sandbox.data import Shop

# Transaction Search pages 500 at a time with `total_pages`, per 31-day window from now: the
# newest window is made to hold exactly the person's `n` transactions.

PAYPAL_REACH = timedelta(days=3 * 365)


def _paypal_when(transaction: JSON) -> datetime:
    return datetime.fromisoformat(transaction["transaction_info"]["transaction_initiation_date"])


def _paypal_copy(template: JSON, tid: str, email: str, when: datetime) -> JSON:
    transaction = copy.deepcopy(template)
    info = transaction["transaction_info"]
    info.pop("paypal_reference_id", None)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    info.update(
        transaction_id=tid,
        transaction_initiation_date=stamp,
        transaction_updated_date=stamp,
        transaction_status="S",
        transaction_event_code="T0006",
    )
    transaction["payer_info"]["email_address"] = email
    return transaction


def paypal_fill(shop: Shop, email: str, n: int) -> Listing:
    now = datetime.now(UTC)
    transactions = shop.paypal.transactions
    template = copy.deepcopy(transactions[0])
    transactions[:] = [t for t in transactions if _paypal_when(t) < now - timedelta(days=33)]
    when = now - timedelta(days=10)
    transactions.extend(
        _paypal_copy(template, f"7CT{i:014d}", email, when + timedelta(seconds=i)) for i in range(n)
    )
    mine = [t for t in transactions if same(t["payer_info"]["email_address"], email)]
    return Listing(
        "paypal_transaction", frozenset(t["transaction_info"]["transaction_id"] for t in mine)
    )


def paypal_by_email(shop: Shop) -> Iterator[tuple[Key, str]]:
    """Transactions in the reporting API's reach (3 years; not the last hour), and invoices."""
    now = datetime.now(UTC)
    for transaction in shop.paypal.transactions:
        if (
            now - PAYPAL_REACH + timedelta(days=2)
            <= _paypal_when(transaction)
            <= now - timedelta(hours=1)
        ):
            key = ("paypal_transaction", transaction["transaction_info"]["transaction_id"])
            yield key, (transaction.get("payer_info") or {}).get("email_address", "")
    for invoice in shop.paypal.invoices:
        for recipient in invoice.get("primary_recipients") or []:
            email = (recipient.get("billing_info") or {}).get("email_address", "")
            yield ("paypal_invoice", invoice["id"]), email


def paypal_plant(shop: Shop) -> None:
    """A payer and an invoice recipient who typed the subject's address in another case."""
    subject, variant = shop.subject_email, shop.traps["case"]
    now = datetime.now(UTC)
    template = max(
        (t for t in shop.paypal.transactions if same(t["payer_info"]["email_address"], subject)),
        key=_paypal_when,
    )
    planted = _paypal_copy(template, "9CASE000000000001", variant, now - timedelta(days=20))
    shop.paypal.transactions.append(planted)
    invoice = copy.deepcopy(
        next(
            i
            for i in shop.paypal.invoices
            if any(
                same(r["billing_info"]["email_address"], subject) for r in i["primary_recipients"]
            )
        )
    )
    invoice["id"] = "INV2-CASE-CASE-CASE-0001"
    for recipient in invoice["primary_recipients"]:
        recipient["billing_info"]["email_address"] = variant
    shop.paypal.invoices.append(invoice)


def paypal_errors(status: int) -> bytes:
    return dumps(paypal_error("NOT_AUTHORIZED" if status == 403 else "INVALID_REQUEST"))


CONTRACT = Contract(
    system="paypal",
    shops=("woocommerce", "lightspeed"),
    page_size=500,
    listing_path="/v1/reporting/transactions",
    fill=paypal_fill,
    by_email=paypal_by_email,
    error_body=paypal_errors,
    plant=paypal_plant,
)
