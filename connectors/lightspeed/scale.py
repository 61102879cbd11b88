"""Lightspeed's records in a scaled shop (`sandbox.scale`): every resource that belongs to a
copied person (customers, orders, invoices, shipments, returns, reviews, tickets, quotes,
checkouts, newsletter subscriptions, contact messages) and their sub-resources.

Ids are the originals' plus k times a power of ten above each resource's range, and the links
between them (`{"resource": {"id", "url", "link"}}`) follow; document numbers get k million
added (`renumber`); an order's `paymentData` names the processors' tokens of the copy.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from connectors.lightspeed.fake.shape import ref, ref_id
from sandbox.data import Shop
from sandbox.scale import (
    JSON,
    Copy,
    CopyOne,
    Plan,
    parse_any,
    person_key,
    renumber,
    shift_utc,
    stride,
)

LS_DATES = ("createdAt", "updatedAt", "lastOnlineAt", "recalculatedAt", "created_at", "updated_at")
ORDER_DOCUMENTS = ("invoices", "shipments")
PAYMENT_IDS = ("transaction_id", "order_id", "customer_id")
BY_CUSTOMER = ("reviews", "tickets", "quotes")


def scale(shop: Shop, plan: Plan) -> CopyOne:
    """Read whose Lightspeed records are copied (and tell `plan` the people and their orders);
    the function that appends one copy of them (`sandbox.scale`)."""
    return LightspeedCopier(shop, plan).copy


class LightspeedCopier:
    """Every resource of a Lightspeed store that belongs to a person, and its sub-resources."""

    def __init__(self, shop: Shop, plan: Plan) -> None:
        self.store, self.plan = shop.lightspeed, plan
        res = self.store.resources
        self.person_of_customer = {
            c["id"]: person_key(c["email"]) for c in res.get("customers", [])
        }
        for customer in res.get("customers", []):
            plan.see(person_key(customer["email"]), parse_any(customer["createdAt"]))
        for order in res.get("orders", []):
            key = self._owner(order.get("customer"), order.get("email"))
            plan.order_person[order["id"]] = key
            plan.order_by_number[order["number"]] = order["id"]
            plan.see(key, parse_any(order["createdAt"]), order=True)
        self.steps = {name: stride(*(r["id"] for r in rows)) for name, rows in res.items()}
        children = self.store.children
        self.child_steps = {
            name: stride(*(r["id"] for rows in by_parent.values() for r in rows))
            for name, by_parent in children.items()
        }
        self.picked: dict[str, list[tuple[JSON, str]]] = {}
        for name, rows in res.items():
            self.picked[name] = [(r, key) for r in rows if (key := self._person(name, r))]
            for row, key in self.picked[name]:  # how early and how late each person's go
                stamps = [parse_any(str(row[f])) for f in LS_DATES if row.get(f)]
                plan.see(key, min(stamps))
                plan.later(key, max(stamps))
        self.children = {name: dict(by_parent) for name, by_parent in children.items()}

    def _owner(self, link: Any, email: Any) -> str:
        cid = ref_id(link)
        if cid is not None and cid in self.person_of_customer:
            return self.person_of_customer[cid]
        return person_key(email)

    def _person(self, name: str, row: JSON) -> str:
        """The person a record belongs to, or "" when it is not copied."""
        plan = self.plan
        if name == "customers":
            key = person_key(row["email"])
        elif name == "orders":
            key = plan.order_person[row["id"]]
        elif name in ORDER_DOCUMENTS:
            key = plan.order_person.get(ref_id(row.get("order")), "")
        elif name == "returns":
            key = plan.order_person.get(row.get("orderId"), "")
        elif name in BY_CUSTOMER:
            key = self._owner(row.get("customer"), f"{name}/{row['id']}")
        elif name == "checkouts":
            person = row.get("customer") or {}
            key = self.person_of_customer.get(person.get("id")) or person_key(person.get("email"))
        else:  # subscriptions, contacts
            key = person_key(row.get("email"))
        if not key or not plan.copied(key):
            return ""
        if name in ("orders", *ORDER_DOCUMENTS) and not self._customer_copied(row.get("customer")):
            return ""
        return key

    def _customer_copied(self, link: Any) -> bool:
        cid = ref_id(link)
        return cid is None or self.plan.copied(self.person_of_customer.get(cid, ""))

    def copy(self, c: Copy) -> None:
        res = self.store.resources
        self.step = {name: c.k * s for name, s in self.steps.items()}
        names = [
            "customers",
            "orders",
            *(n for n in self.picked if n not in ("customers", "orders")),
        ]
        for name in names:
            rows = res.setdefault(name, [])
            for row, key in self.picked.get(name, []):
                created = str(row.get("createdAt") or row.get("created_at"))
                delta = c.delta(key, parse_any(created))
                out = dict(row)
                out["id"] = row["id"] + self.step[name]
                for field in LS_DATES:
                    if row.get(field):
                        out[field] = shift_utc(row[field], delta)
                if "email" in row:
                    out["email"] = c.mail(row["email"])
                if isinstance(row.get("customer"), dict) and "resource" in row["customer"]:
                    out["customer"] = self._ref(row["customer"], "customers", "customers")
                hook = getattr(self, f"_{name}", None)
                if hook is not None:
                    hook(c, row, out, delta)
                rows.append(out)

    def _ref(self, value: Any, kind: str, steps: str) -> Any:
        """A link to a copied record: `{"resource": {"id", "url", "link"}}` with its new id."""
        rid = ref_id(value)
        if rid is None:
            return value
        new = rid + self.step[steps]
        return ref(f"{kind}/{new}", new)

    def _customers(self, c: Copy, row: JSON, out: JSON, delta: timedelta) -> None:
        new = out["id"]
        for name in ("invoices", "orders", "reviews", "shipments", "tickets"):
            if name in row:
                out[name] = ref(f"{name}?customer={new}")
        out["metafields"] = ref(f"customers/{new}/metafields")
        self._children(c, "customers/metafields", row["id"], new, delta)

    def _orders(self, c: Copy, row: JSON, out: JSON, delta: timedelta) -> None:
        new = out["id"]
        out["number"] = renumber(row["number"], c.k)
        c.order_ids[row["id"]] = new
        c.numbers[row["number"]] = out["number"]
        out["invoices"] = ref(f"invoices?order={new}")
        out["shipments"] = ref(f"shipments?order={new}")
        out["products"] = ref(f"orders/{new}/products")
        out["metafields"] = ref(f"orders/{new}/metafields")
        data = row.get("paymentData")
        if isinstance(data, dict):
            out["paymentData"] = {
                key: c.token(value) if key in PAYMENT_IDS else value for key, value in data.items()
            }
        lines = self.children.get("orders/products", {}).get(row["id"])
        if lines is not None:  # never changed by the fake: shared with the original
            self.store.children.setdefault("orders/products", {})[new] = lines
        self._children(c, "orders/metafields", row["id"], new, delta)

    def _invoices(self, c: Copy, row: JSON, out: JSON, delta: timedelta) -> None:
        out["number"] = renumber(row["number"], c.k)
        out["order"] = self._ref(row.get("order"), "orders", "orders")
        out["invoice"] = self._ref(row.get("invoice"), "invoices", "invoices")
        out["creditNote"] = self._ref(row.get("creditNote"), "invoices", "invoices")

    def _shipments(self, c: Copy, row: JSON, out: JSON, delta: timedelta) -> None:
        out["number"] = renumber(row["number"], c.k)
        out["order"] = self._ref(row.get("order"), "orders", "orders")
        code = row.get("trackingCode")
        if code:
            head = code.rstrip("0123456789")
            out["trackingCode"] = c.token(code, lambda: head + c.digits(len(code) - len(head)))

    def _returns(self, c: Copy, row: JSON, out: JSON, delta: timedelta) -> None:
        out["orderId"] = row["orderId"] + self.step["orders"]
        if row.get("customerId") is not None:
            out["customerId"] = row["customerId"] + self.step["customers"]

    def _tickets(self, c: Copy, row: JSON, out: JSON, delta: timedelta) -> None:
        out["messages"] = ref(f"tickets/{out['id']}/messages")
        self._children(c, "tickets/messages", row["id"], out["id"], delta)

    def _quotes(self, c: Copy, row: JSON, out: JSON, delta: timedelta) -> None:
        out["recoveryHash"] = hashlib.md5(f"{out['id']}".encode()).hexdigest()

    def _checkouts(self, c: Copy, row: JSON, out: JSON, delta: timedelta) -> None:
        if row.get("order_id") is not None:
            out["order_id"] = c.order_ids.get(row["order_id"], row["order_id"])
        person = row.get("customer")
        if isinstance(person, dict):
            moved = {**person, "email": c.mail(person.get("email"))}
            if person.get("id") is not None:
                moved["id"] = person["id"] + self.step["customers"]
            out["customer"] = moved
        out["products"] = [
            {**p, "id": out["id"] * 10 + (p["id"] - row["id"] * 10), "cart_id": out["id"]}
            for p in row.get("products") or []
        ]

    def _children(self, c: Copy, name: str, parent: int, new: int, delta: timedelta) -> None:
        """Copy the sub-resources `name` of `parent` for its copy `new` (fresh ids, moved dates)."""
        rows = self.children.get(name, {}).get(parent)
        if not rows:
            return
        step = c.k * self.child_steps[name]
        copied = []
        for row in rows:
            out = {**row, "id": row["id"] + step}
            for field in LS_DATES:
                if row.get(field):
                    out[field] = shift_utc(row[field], delta)
            copied.append(out)
        self.store.children.setdefault(name, {})[new] = copied
