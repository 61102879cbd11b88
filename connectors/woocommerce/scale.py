"""WooCommerce's records in a scaled shop (`sandbox.scale`): the customers, orders (with their
notes and refunds), downloads and reviews of the copied people.

Post, user, comment and meta ids are the originals' plus k times a power of ten above their
range; an order's number is its id. An order's meta rows naming a processor's id (Mollie,
PayPal) get the copy's token, which the processors' copies then share.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime, time
from typing import Any
from urllib.parse import quote, unquote

from sandbox.data import Shop
from sandbox.scale import (
    B62,
    JSON,
    Copy,
    CopyOne,
    Plan,
    avatar,
    parse_any,
    person_key,
    stride,
    woo_dates,
)

TOKEN_META = (
    "_mollie_payment_id",
    "_mollie_order_id",
    "_mollie_customer_id",
    "_ppcp_paypal_order_id",
)
ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _mails(text: Any, c: Copy) -> Any:
    """`text` with every e-mail address in it replaced by the copy's."""
    if not isinstance(text, str) or "@" not in text:
        return text
    return ADDRESS.sub(lambda m: str(c.mail(m.group())), text)


def scale(shop: Shop, plan: Plan) -> CopyOne:
    """Read whose WooCommerce records are copied (and tell `plan` the people and their orders);
    the function that appends one copy of them (`sandbox.scale`)."""
    return WooCopier(shop, plan).copy


class WooCopier:
    """Customers, orders (notes, refunds), downloads and reviews of a WooCommerce store."""

    def __init__(self, shop: Shop, plan: Plan) -> None:
        self.store, self.plan = shop.woocommerce, plan
        store = self.store
        person_of_customer = {c["id"]: person_key(c["email"]) for c in store.customers}
        for c in store.customers:
            plan.see(person_key(c["email"]), parse_any(c["date_created_gmt"] or c["date_created"]))
        for order in store.orders:
            cid = order["customer_id"]
            key = person_of_customer.get(cid) if cid else None
            key = key or person_key(order["billing"].get("email"))
            plan.order_person[order["id"]] = key
            plan.order_by_number[str(order["number"])] = order["id"]
            plan.see(key, parse_any(order["date_created_gmt"]), order=True)
        for review in store.reviews:
            when = parse_any(review["date_created_gmt"])
            plan.see(person_key(review["reviewer_email"]), when)
            plan.later(person_key(review["reviewer_email"]), when)
        self.customers = [
            c
            for c in store.customers
            if c["role"] != "administrator" and plan.copied(person_key(c["email"]))
        ]
        copied = {c["id"] for c in self.customers}
        self.orders = [
            o
            for o in store.orders
            if plan.copied(plan.order_person[o["id"]])
            and (not o["customer_id"] or o["customer_id"] in copied)
        ]
        self.reviews = [r for r in store.reviews if plan.copied(person_key(r["reviewer_email"]))]
        self.downloads = [(cid, rows) for cid, rows in store.downloads.items() if cid in copied]
        notes = [n["id"] for ns in store.order_notes.values() for n in ns]
        refunds = [r["id"] for rs in store.refunds.values() for r in rs]
        metas = [m["id"] for o in (*store.orders, *store.customers) for m in o["meta_data"]]
        self.posts = stride(*(o["id"] for o in store.orders), *refunds)
        self.posts = max(self.posts, stride(*(p["id"] for p in store.products)))
        self.users = stride(*(c["id"] for c in store.customers))
        self.comments = stride(*notes, *(r["id"] for r in store.reviews))
        self.metas = stride(*metas)

    def copy(self, c: Copy) -> None:
        store, k = self.store, c.k
        keys: dict[int, str] = {}  # original order id -> the copy's order key
        for customer in self.customers:
            store.customers.append(self.customer(c, customer))
        for order in self.orders:
            person = self.plan.order_person[order["id"]]
            copied = self.order(c, order, c.delta(person))
            store.orders.append(copied)
            keys[order["id"]] = copied["order_key"]
        for cid, rows in self.downloads:
            store.downloads[cid + k * self.users] = [
                self.download(c, row, keys) for row in rows if row["order_id"] in keys
            ]
        for review in self.reviews:
            store.reviews.append(self.review(c, review))

    def customer(self, c: Copy, customer: JSON) -> JSON:
        k, delta = c.k, c.delta(person_key(customer["email"]))
        out = dict(customer)
        email = c.mail(customer["email"])
        out.update(
            id=customer["id"] + k * self.users,
            email=email,
            username=f"{customer['username']}{c.suffix}",
            billing={**customer["billing"], "email": c.mail(customer["billing"].get("email"))},
            avatar_url=avatar(email),
        )
        woo_dates(out, "date_created", delta)
        woo_dates(out, "date_modified", delta)
        active = datetime.combine(date.fromisoformat(out["date_modified"][:10]), time(), UTC)
        out["meta_data"] = [
            {
                **m,
                "id": m["id"] + k * self.metas,
                "value": str(int(active.timestamp()))
                if m["key"] == "wc_last_active"
                else m["value"],
            }
            for m in customer["meta_data"]
        ]
        return out

    def order(self, c: Copy, order: JSON, delta: Any) -> JSON:
        k, store = c.k, self.store
        oid = order["id"] + k * self.posts
        key = c.fresh(lambda: "wc_order_" + c.chars(B62, 13))
        out = dict(order)
        cid = order["customer_id"]
        out.update(
            id=oid,
            number=str(oid),
            order_key=key,
            cart_hash=hashlib.md5(key.encode()).hexdigest(),
            customer_id=cid + k * self.users if cid else 0,
            billing={**order["billing"], "email": c.mail(order["billing"].get("email"))},
            transaction_id=c.token(order["transaction_id"]),
            payment_url=f"{store.site_url}/afrekenen/order-pay/{oid}/?pay_for_order=true&key={key}",
            refunds=[{**r, "id": r["id"] + k * self.posts} for r in order["refunds"]],
        )
        for prefix in ("date_created", "date_modified", "date_completed", "date_paid"):
            woo_dates(out, prefix, delta)
        out["meta_data"] = [self.meta(c, m) for m in order["meta_data"]]
        c.order_ids[order["id"]] = oid
        c.numbers[str(order["number"])] = str(oid)
        notes = store.order_notes.get(order["id"])
        if notes:
            store.order_notes[oid] = [self.note(c, n, delta) for n in notes]
        refunds = store.refunds.get(order["id"])
        if refunds:
            store.refunds[oid] = [self.refund(c, r, delta) for r in refunds]
        return out

    def meta(self, c: Copy, row: JSON) -> JSON:
        """A meta row naming a processor's id gets the copy's (and an id of its own); the
        others (VAT, order attribution, payment modes) are shared with the original."""
        value = row["value"]
        if row["key"] in TOKEN_META:
            value = c.token(value)
        elif row["key"] == "_ppcp_refunds" and isinstance(value, list):
            value = [c.token(v) for v in value]
        else:
            return row
        return {**row, "id": row["id"] + c.k * self.metas, "value": value}

    def note(self, c: Copy, note: JSON, delta: Any) -> JSON:
        out = {**note, "id": note["id"] + c.k * self.comments}
        woo_dates(out, "date_created", delta)
        out["note"] = _mails(note["note"], c)
        return out

    def refund(self, c: Copy, refund: JSON, delta: Any) -> JSON:
        out = {**refund, "id": refund["id"] + c.k * self.posts}
        woo_dates(out, "date_created", delta)
        return out

    def download(self, c: Copy, row: JSON, keys: dict[int, str]) -> JSON:
        new_key = keys[row["order_id"]]
        head, _, query = row["download_url"].partition("?")
        parts = [p.partition("=") for p in query.split("&")]
        args = []
        for name, _, value in parts:
            if name == "order":
                value = new_key
            elif name == "email":
                value = quote(c.mail(unquote(value)), safe="")
            args.append(f"{name}={value}")
        return {
            **row,
            "order_id": row["order_id"] + c.k * self.posts,
            "order_key": new_key,
            "download_url": f"{head}?{'&'.join(args)}",
        }

    def review(self, c: Copy, review: JSON) -> JSON:
        store, k = self.store, c.k
        email = c.mail(review["reviewer_email"])
        rid = review["id"] + k * self.comments
        delta = c.delta(person_key(review["reviewer_email"]), parse_any(review["date_created_gmt"]))
        out = {
            **review,
            "id": rid,
            "reviewer_email": email,
            "reviewer_avatar_urls": {
                size: avatar(email, int(size)) for size in review["reviewer_avatar_urls"]
            },
        }
        woo_dates(out, "date_created", delta)
        user = store.review_user_ids.get(review["id"], 0)
        store.review_user_ids[rid] = user + k * self.users if user else 0
        if review["id"] in store.review_previous_status:
            store.review_previous_status[rid] = store.review_previous_status[review["id"]]
        return out
