"""PayPal's records in a scaled shop (`sandbox.scale`): the transactions of the copied orders'
people (their `custom_field` is the platform's order id, `invoice_id` ends in its number) and the
invoices whose recipients are all copied, under fresh ids.
"""

from __future__ import annotations

import copy as deep
from typing import Any

from sandbox.data import Shop
from sandbox.scale import (
    B36,
    JSON,
    Copy,
    CopyOne,
    Plan,
    order_text,
    parse_any,
    person_key,
    shift_day,
    shift_utc,
)


def scale(shop: Shop, plan: Plan) -> CopyOne:
    """Read whose PayPal records are copied (after the platform's); the function that appends
    one copy of them (`sandbox.scale`)."""
    return PayPalCopier(shop, plan).copy


class PayPalCopier:
    """The PayPal transactions and invoices of the copied people."""

    def __init__(self, shop: Shop, plan: Plan) -> None:
        self.store, self.plan = shop.paypal, plan
        self.number_of = {i: n for n, i in plan.order_by_number.items()}
        self.transactions: list[tuple[JSON, str, int]] = []
        self.invoices: list[tuple[JSON, str]] = []
        for txn in self.store.transactions:
            field = str(txn["transaction_info"].get("custom_field") or "")
            key = plan.order_owner(int(field)) if field.isdigit() else None
            if key is not None:
                self.transactions.append((txn, key, int(field)))
        for invoice in self.store.invoices:
            emails = [
                person_key(r.get("billing_info", {}).get("email_address"))
                for r in invoice.get("primary_recipients") or []
            ]
            if emails and all(plan.copied(e) for e in emails):
                self.invoices.append((invoice, emails[0]))
        for txn, key, _ in self.transactions:
            plan.later(key, parse_any(txn["transaction_info"]["transaction_updated_date"]))
        for txn in self.store.transactions:
            info = txn["transaction_info"]
            plan.seen.update((info["transaction_id"], info.get("paypal_account_id") or ""))

    def copy(self, c: Copy) -> None:
        self.store.transactions.extend(
            self.transaction(c, x, c.delta(k), order) for x, k, order in self.transactions
        )
        self.store.invoices.extend(self.invoice(c, x, c.delta(k)) for x, k in self.invoices)

    def transaction(self, c: Copy, txn: JSON, delta: Any, order_id: int) -> JSON:
        info = txn["transaction_info"]
        moved = {
            **info,
            "transaction_id": c.token(info["transaction_id"]),
            "paypal_account_id": c.token(info.get("paypal_account_id")),
            "transaction_initiation_date": shift_utc(info["transaction_initiation_date"], delta),
            "transaction_updated_date": shift_utc(info["transaction_updated_date"], delta),
            "custom_field": str(c.order_ids[order_id]),
        }
        if info.get("paypal_reference_id"):
            moved["paypal_reference_id"] = c.token(info["paypal_reference_id"])
        if info.get("invoice_id"):
            moved["invoice_id"] = order_text(c, info["invoice_id"], self.number_of[order_id])
        payer = txn.get("payer_info") or {}
        out = {**txn, "transaction_info": moved}
        if payer:
            out["payer_info"] = {
                **payer,
                "account_id": c.token(payer.get("account_id")),
                "email_address": c.mail(payer.get("email_address")),
            }
        return out

    def invoice(self, c: Copy, invoice: JSON, delta: Any) -> JSON:
        out = deep.deepcopy(invoice)
        groups = [c.chars(B36, 4) for _ in range(4)]
        out["id"] = c.fresh(lambda: "INV2-" + "-".join(groups))
        detail = out["detail"]
        detail["invoice_number"] = f"{c.k}-{detail['invoice_number']}"
        detail["invoice_date"] = shift_day(detail["invoice_date"], delta)
        term = detail.get("payment_term") or {}
        if term.get("due_date"):
            term["due_date"] = shift_day(term["due_date"], delta)
        meta = detail.get("metadata") or {}
        for name in ("create_time", "last_update_time", "first_sent_time", "last_sent_time"):
            if meta.get(name):
                meta[name] = shift_utc(meta[name], delta)
        for name in ("recipient_view_url", "invoicer_view_url"):
            if meta.get(name):
                meta[name] = meta[name].replace(invoice["id"], out["id"])
        for recipient in out.get("primary_recipients") or []:
            billing = recipient.get("billing_info") or {}
            billing["email_address"] = c.mail(billing.get("email_address"))
        for paid in (out.get("payments") or {}).get("transactions") or []:
            paid["payment_id"] = c.fresh(lambda: c.chars(B36, 17))
            paid["payment_date"] = shift_day(paid["payment_date"], delta)
        return out
