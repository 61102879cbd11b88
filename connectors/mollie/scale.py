"""Mollie's records in a scaled shop (`sandbox.scale`): the customers, mandates, subscriptions,
payments, refunds and chargebacks of the copied orders' people, under fresh tokens that every
link follows (a payment's order id, redirect and webhook URLs and description follow the
platform's copied order).
"""

from __future__ import annotations

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
    """Read whose Mollie records are copied (after the platform's); the function that appends
    one copy of them (`sandbox.scale`)."""
    return MollieCopier(shop, plan).copy


class MollieCopier:
    """The Mollie records of the copied people: a payment is its platform order's person's; a
    customer is that of its payments, else the person with its e-mail address; mandates,
    subscriptions and a subscription's payments are their customer's."""

    def __init__(self, shop: Shop, plan: Plan) -> None:
        self.store, self.plan, self.today = shop.mollie, plan, shop.today
        self.number_of = {i: n for n, i in plan.order_by_number.items()}
        m = self.store
        payment_person: dict[str, str] = {}
        customer_person: dict[str, str] = {}
        for p in m.payments:
            order_id = (p.get("metadata") or {}).get("order_id")
            key = plan.order_owner(order_id) if order_id is not None else None
            if key is not None:
                payment_person[p["id"]] = key
                if p.get("customerId"):
                    customer_person.setdefault(p["customerId"], key)
        for customer in m.customers:
            if customer["id"] not in customer_person:
                key = person_key(customer["email"])
                if plan.copied(key) and key in plan.people:
                    customer_person[customer["id"]] = key
        subscriptions = {s["id"]: s["customerId"] for s in m.subscriptions}
        for p in m.payments:
            cst = subscriptions.get(p.get("subscriptionId") or "")
            if p["id"] not in payment_person and cst in customer_person:
                payment_person[p["id"]] = customer_person[cst]
        self.customers = [
            (c, customer_person[c["id"]]) for c in m.customers if c["id"] in customer_person
        ]
        self.mandates = [
            (x, customer_person[x["customerId"]])
            for x in m.mandates
            if x["customerId"] in customer_person
        ]
        self.subscriptions = [
            (x, customer_person[x["customerId"]])
            for x in m.subscriptions
            if x["customerId"] in customer_person
        ]
        self.payments = [
            (p, payment_person[p["id"]]) for p in m.payments if p["id"] in payment_person
        ]
        self.refunds = [
            (r, payment_person[r["paymentId"]])
            for r in m.refunds
            if r["paymentId"] in payment_person
        ]
        self.chargebacks = [(r, payment_person[r["paymentId"]]) for r in m.chargebacks if r["paymentId"] in payment_person]  # fmt: skip
        # how late each person's records go (see `Plan.later`)
        for groups, names in (
            ((self.payments, self.refunds, self.chargebacks), ("paidAt", "createdAt")),
            ((self.customers, self.mandates, self.subscriptions), ("createdAt",)),
        ):
            for group in groups:
                for record, key in group:
                    for name in names:
                        if record.get(name):
                            plan.later(key, parse_any(record[name]))
        for records in (m.customers, m.payments, m.refunds, m.chargebacks, m.mandates):
            plan.seen.update(r["id"] for r in records)
        plan.seen.update(r["id"] for r in m.subscriptions)

    def copy(self, c: Copy) -> None:
        m = self.store
        m.customers.extend(self.customer(c, x, c.delta(k)) for x, k in self.customers)
        m.mandates.extend(self.mandate(c, x, c.delta(k)) for x, k in self.mandates)
        m.subscriptions.extend(self.subscription(c, x, c.delta(k)) for x, k in self.subscriptions)
        m.payments.extend(self.payment(c, x, c.delta(k)) for x, k in self.payments)
        m.refunds.extend(self.money_back(c, x, c.delta(k)) for x, k in self.refunds)
        m.chargebacks.extend(self.money_back(c, x, c.delta(k)) for x, k in self.chargebacks)

    def customer(self, c: Copy, customer: JSON, delta: Any) -> JSON:
        return {
            **customer,
            "id": c.token(customer["id"]),
            "email": c.mail(customer["email"]),
            "createdAt": shift_utc(customer["createdAt"], delta),
        }

    def mandate(self, c: Copy, mandate: JSON, delta: Any) -> JSON:
        out = {
            **mandate,
            "id": c.token(mandate["id"]),
            "customerId": c.token(mandate["customerId"]),
            "createdAt": shift_utc(mandate["createdAt"], delta),
            "signatureDate": shift_day(mandate["signatureDate"], delta),
        }
        if mandate.get("mandateReference"):
            out["mandateReference"] = c.fresh(lambda: "SHOP-" + c.chars(B36, 8))
        return out

    def subscription(self, c: Copy, sub: JSON, delta: Any) -> JSON:
        out = {
            **sub,
            "id": c.token(sub["id"]),
            "customerId": c.token(sub["customerId"]),
            "mandateId": c.token(sub.get("mandateId")),
            "description": self._described(c, sub["description"], sub["customerId"]),
            "startDate": shift_day(sub["startDate"], delta),
            "createdAt": shift_utc(sub["createdAt"], delta),
        }
        if sub.get("canceledAt"):
            out["canceledAt"] = shift_utc(sub["canceledAt"], delta)
        if sub.get("nextPaymentDate"):
            moved = shift_day(sub["nextPaymentDate"], delta)
            out["nextPaymentDate"] = max(moved, self.today.isoformat())
        return out

    @staticmethod
    def _described(c: Copy, text: str, customer: str) -> str:
        """A subscription's description ends in its customer id's last four characters."""
        tail = customer[-4:]
        return text[: -len(tail)] + c.token(customer)[-4:] if text.endswith(tail) else text

    def payment(self, c: Copy, payment: JSON, delta: Any) -> JSON:
        out = dict(payment)
        out["id"] = c.token(payment["id"])
        for name in ("createdAt", "paidAt", "expiredAt", "failedAt"):
            if payment.get(name):
                out[name] = shift_utc(payment[name], delta)
        for name in ("customerId", "orderId", "mandateId", "subscriptionId"):
            if payment.get(name):
                out[name] = c.token(payment[name])
        order_id = (payment.get("metadata") or {}).get("order_id")
        if order_id is not None:
            new_id = c.order_ids[order_id]
            out["metadata"] = {**payment["metadata"], "order_id": new_id}
            for name in ("redirectUrl", "webhookUrl"):
                if payment.get(name):
                    out[name] = payment[name].replace(str(order_id), str(new_id))
            out["description"] = order_text(
                c, payment.get("description", ""), self.number_of[order_id]
            )
        elif payment.get("subscriptionId") and payment.get("customerId"):
            out["description"] = self._described(c, payment["description"], payment["customerId"])
        if payment.get("billingAddress"):
            address = payment["billingAddress"]
            out["billingAddress"] = {**address, "email": c.mail(address.get("email"))}
        return out

    def money_back(self, c: Copy, record: JSON, delta: Any) -> JSON:
        return {
            **record,
            "id": c.token(record["id"]),
            "paymentId": c.token(record["paymentId"]),
            "createdAt": shift_utc(record["createdAt"], delta),
        }
