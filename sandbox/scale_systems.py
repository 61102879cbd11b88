"""The copiers of `sandbox.scale`: one per platform (WooCommerce, Lightspeed) and one for the
processors (Mollie, PayPal, MyParcel, The Feedback Company), which follow the platform's orders.

Each copier reads the seeded shop once (whose records it copies, and whose person each belongs
to), then `copy(k)` appends copy `k` of those records to the store's own lists.
"""

from __future__ import annotations

import copy as deep
import hashlib
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote, unquote

from connectors.lightspeed.fake.shape import ref, ref_id
from sandbox.data import Shop
from sandbox.scale import (
    B36,
    B62,
    JSON,
    Copy,
    Plan,
    avatar,
    parse_any,
    renumber,
    shift_ams,
    shift_day,
    shift_local,
    shift_utc,
    stride,
    woo_dates,
)

TOKEN_META = (
    "_mollie_payment_id",
    "_mollie_order_id",
    "_mollie_customer_id",
    "_ppcp_paypal_order_id",
)


def _key(email: Any) -> str:
    return str(email or "").casefold()


ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _mails(text: Any, c: Copy) -> Any:
    """`text` with every e-mail address in it replaced by the copy's."""
    if not isinstance(text, str) or "@" not in text:
        return text
    return ADDRESS.sub(lambda m: str(c.mail(m.group())), text)


# -- WooCommerce -------------------------------------------------------------------------------


class WooCopier:
    """Customers, orders (notes, refunds), downloads and reviews of a WooCommerce store."""

    def __init__(self, shop: Shop, plan: Plan) -> None:
        self.store, self.plan = shop.woocommerce, plan
        store = self.store
        person_of_customer = {c["id"]: _key(c["email"]) for c in store.customers}
        for c in store.customers:
            plan.see(_key(c["email"]), parse_any(c["date_created_gmt"] or c["date_created"]))
        for order in store.orders:
            cid = order["customer_id"]
            key = person_of_customer.get(cid) if cid else None
            key = key or _key(order["billing"].get("email"))
            plan.order_person[order["id"]] = key
            plan.order_by_number[str(order["number"])] = order["id"]
            plan.see(key, parse_any(order["date_created_gmt"]), order=True)
        for review in store.reviews:
            when = parse_any(review["date_created_gmt"])
            plan.see(_key(review["reviewer_email"]), when)
            plan.later(_key(review["reviewer_email"]), when)
        self.customers = [
            c
            for c in store.customers
            if c["role"] != "administrator" and plan.copied(_key(c["email"]))
        ]
        copied = {c["id"] for c in self.customers}
        self.orders = [
            o
            for o in store.orders
            if plan.copied(plan.order_person[o["id"]])
            and (not o["customer_id"] or o["customer_id"] in copied)
        ]
        self.reviews = [r for r in store.reviews if plan.copied(_key(r["reviewer_email"]))]
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
        k, delta = c.k, c.delta(_key(customer["email"]))
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
        delta = c.delta(_key(review["reviewer_email"]), parse_any(review["date_created_gmt"]))
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


# -- the processors ----------------------------------------------------------------------------


class ProcessorCopier:
    """Mollie, PayPal, MyParcel and The Feedback Company records of the copied orders' people."""

    def __init__(self, shop: Shop, plan: Plan) -> None:
        self.shop, self.plan = shop, plan
        self.today = shop.today
        self.number_of = {i: n for n, i in plan.order_by_number.items()}
        self._mollie(shop)
        self._paypal(shop)
        self._myparcel(shop)
        self._feedback(shop)
        self._latest()
        m = shop.mollie
        for records in (m.customers, m.payments, m.refunds, m.chargebacks, m.mandates):
            plan.seen.update(r["id"] for r in records)
        plan.seen.update(r["id"] for r in m.subscriptions)
        for txn in shop.paypal.transactions:
            info = txn["transaction_info"]
            plan.seen.update((info["transaction_id"], info.get("paypal_account_id") or ""))
        plan.seen.update(s["barcode"] for s in shop.myparcel.shipments if s.get("barcode"))

    def _person(self, order_id: Any) -> str | None:
        """The person of a platform order, when they are copied."""
        key = self.plan.order_person.get(order_id)
        return key if key is not None and self.plan.copied(key) else None

    # -- who each record belongs to ---------------------------------------------------------------
    def _mollie(self, shop: Shop) -> None:
        m, plan = shop.mollie, self.plan
        payment_person: dict[str, str] = {}
        customer_person: dict[str, str] = {}
        for p in m.payments:
            order_id = (p.get("metadata") or {}).get("order_id")
            key = self._person(order_id) if order_id is not None else None
            if key is not None:
                payment_person[p["id"]] = key
                if p.get("customerId"):
                    customer_person.setdefault(p["customerId"], key)
        for customer in m.customers:
            if customer["id"] not in customer_person:
                key = _key(customer["email"])
                if plan.copied(key) and key in plan.people:
                    customer_person[customer["id"]] = key
        subscriptions = {s["id"]: s["customerId"] for s in m.subscriptions}
        for p in m.payments:
            cst = subscriptions.get(p.get("subscriptionId") or "")
            if p["id"] not in payment_person and cst in customer_person:
                payment_person[p["id"]] = customer_person[cst]
        self.mollie_customers = [
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

    def _paypal(self, shop: Shop) -> None:
        self.transactions = []
        for txn in shop.paypal.transactions:
            field = str(txn["transaction_info"].get("custom_field") or "")
            key = self._person(int(field)) if field.isdigit() else None
            if key is not None:
                self.transactions.append((txn, key, int(field)))
        self.invoices = []
        for invoice in shop.paypal.invoices:
            emails = [
                _key(r.get("billing_info", {}).get("email_address"))
                for r in invoice.get("primary_recipients") or []
            ]
            if emails and all(self.plan.copied(e) for e in emails):
                self.invoices.append((invoice, emails[0]))

    def _myparcel(self, shop: Shop) -> None:
        shipments = shop.myparcel.shipments
        person: dict[int, str] = {}
        for s in shipments:
            order_id = self.plan.order_by_number.get(str(s.get("reference_identifier") or ""))
            key = self._person(order_id) if order_id is not None else None
            if key is not None:
                person[s["id"]] = key
        for s in shipments:
            link = s.get("multi_collo_main_shipment_id") or s.get("parent_id")
            if s["id"] not in person and link in person:
                person[s["id"]] = person[link]
        self.shipments = [(s, person[s["id"]]) for s in shipments if s["id"] in person]
        self.shipment_ids = stride(*(s["id"] for s in shipments))

    def _feedback(self, shop: Shop) -> None:
        fbc = shop.feedbackcompany
        person: dict[int, str] = {}
        self.invitations = []
        for inv in fbc.invitations:
            order_id = self.plan.order_by_number.get(str(inv.get("external_id")))
            key = self._person(order_id) if order_id is not None else None
            if key is not None:
                person[inv["id"]] = key
                self.invitations.append((inv, key))
        self.fbc_reviews = [
            (r, person[r["_invitation_id"]])
            for r in fbc.reviews
            if r.get("_invitation_id") in person
        ]
        self.invitation_ids = stride(*(i["id"] for i in fbc.invitations))
        self.review_ids = stride(*(r["id"] for r in fbc.reviews))

    def _latest(self) -> None:
        """Tell the plan how late each person's processor records go (see `Plan.later`)."""
        later = self.plan.later
        for groups, names in (
            ((self.payments, self.refunds, self.chargebacks), ("paidAt", "createdAt")),
            ((self.mollie_customers, self.mandates, self.subscriptions), ("createdAt",)),
        ):
            for group in groups:
                for record, key in group:
                    for name in names:
                        if record.get(name):
                            later(key, parse_any(record[name]))
        for txn, key, _ in self.transactions:
            later(key, parse_any(txn["transaction_info"]["transaction_updated_date"]))
        for shipment, key in self.shipments:  # local time: near enough
            later(key, parse_any(shipment["modified"].replace(" ", "T")))
        for invitation, key in self.invitations:
            later(key, parse_any(invitation["date_sent"] or invitation["date_created"]))
        for review, key in self.fbc_reviews:
            later(key, parse_any(review["date_created"]))

    # -- one copy -------------------------------------------------------------------------------
    def copy(self, c: Copy) -> None:
        shop = self.shop
        m = shop.mollie
        m.customers.extend(self.mollie_customer(c, x, c.delta(k)) for x, k in self.mollie_customers)
        m.mandates.extend(self.mandate(c, x, c.delta(k)) for x, k in self.mandates)
        m.subscriptions.extend(self.subscription(c, x, c.delta(k)) for x, k in self.subscriptions)
        m.payments.extend(self.payment(c, x, c.delta(k)) for x, k in self.payments)
        m.refunds.extend(self.money_back(c, x, c.delta(k)) for x, k in self.refunds)
        m.chargebacks.extend(self.money_back(c, x, c.delta(k)) for x, k in self.chargebacks)
        shop.paypal.transactions.extend(
            self.transaction(c, x, c.delta(k), order) for x, k, order in self.transactions
        )
        shop.paypal.invoices.extend(self.invoice(c, x, c.delta(k)) for x, k in self.invoices)
        shop.myparcel.shipments.extend(self.shipment(c, x, c.delta(k)) for x, k in self.shipments)
        fbc = shop.feedbackcompany
        fbc.invitations.extend(self.invitation(c, x, c.delta(k)) for x, k in self.invitations)
        fbc.reviews.extend(self.fbc_review(c, x, c.delta(k)) for x, k in self.fbc_reviews)

    # -- Mollie -----------------------------------------------------------------------------------
    def mollie_customer(self, c: Copy, customer: JSON, delta: Any) -> JSON:
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
            out["description"] = self._order_text(c, payment.get("description", ""), order_id)
        elif payment.get("subscriptionId") and payment.get("customerId"):
            out["description"] = self._described(c, payment["description"], payment["customerId"])
        if payment.get("billingAddress"):
            address = payment["billingAddress"]
            out["billingAddress"] = {**address, "email": c.mail(address.get("email"))}
        return out

    def _order_text(self, c: Copy, text: str, order_id: Any) -> str:
        """`Order 1042` (or `WC-1042`) with the copy's order number."""
        old = self.number_of[order_id]
        return text[: -len(old)] + c.numbers[old] if text.endswith(old) else text

    def money_back(self, c: Copy, record: JSON, delta: Any) -> JSON:
        return {
            **record,
            "id": c.token(record["id"]),
            "paymentId": c.token(record["paymentId"]),
            "createdAt": shift_utc(record["createdAt"], delta),
        }

    # -- PayPal -----------------------------------------------------------------------------------
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
            moved["invoice_id"] = self._order_text(c, info["invoice_id"], order_id)
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

    # -- MyParcel ---------------------------------------------------------------------------------
    def shipment(self, c: Copy, shipment: JSON, delta: Any) -> JSON:
        step = c.k * self.shipment_ids
        out = dict(shipment)
        out["id"] = shipment["id"] + step
        for name in ("parent_id", "multi_collo_main_shipment_id"):
            if shipment.get(name) is not None:
                out[name] = shipment[name] + step
        reference = shipment.get("reference_identifier")
        if reference:
            out["reference_identifier"] = c.numbers[str(reference)]
        if shipment.get("barcode"):
            out["barcode"] = self._barcode(c, shipment["barcode"])
        for name in ("recipient", "sender"):
            part = shipment.get(name) or {}
            if part.get("email") and self.plan.copied(_key(part["email"])):
                out[name] = {**part, "email": c.mail(part["email"])}
        options = dict(shipment.get("options") or {})
        label = str(options.get("label_description") or "")
        if reference and label.endswith(str(reference)):
            options["label_description"] = (
                label[: -len(str(reference))] + out["reference_identifier"]
            )
        elif label.startswith("Retour – "):
            options["label_description"] = "Retour – " + self._barcode(c, label[9:])
        if options.get("delivery_date"):
            options["delivery_date"] = (
                shift_local(options["delivery_date"], delta)[:10] + " 00:00:00"
            )
        out["options"] = options
        out["created"] = shift_local(shipment["created"], delta)
        out["modified"] = shift_local(shipment["modified"], delta)
        return out

    @staticmethod
    def _barcode(c: Copy, original: str) -> str:
        head = original.rstrip("0123456789")
        return str(c.token(original, lambda: head + c.digits(len(original) - len(head))))

    # -- The Feedback Company ---------------------------------------------------------------------
    def invitation(self, c: Copy, invitation: JSON, delta: Any) -> JSON:
        out = {
            **invitation,
            "id": invitation["id"] + c.k * self.invitation_ids,
            "external_id": c.numbers[str(invitation["external_id"])],
            "customer": {
                **invitation["customer"],
                "email": c.mail(invitation["customer"].get("email")),
            },
        }
        for name in ("date_created", "date_scheduled", "date_sent"):
            if invitation.get(name):
                out[name] = shift_ams(invitation[name], delta)
        return out

    def fbc_review(self, c: Copy, review: JSON, delta: Any) -> JSON:
        return {
            **review,
            "id": review["id"] + c.k * self.review_ids,
            "date_created": shift_ams(review["date_created"], delta),
            "_invitation_id": review["_invitation_id"] + c.k * self.invitation_ids,
        }


# -- Lightspeed --------------------------------------------------------------------------------

LS_DATES = ("createdAt", "updatedAt", "lastOnlineAt", "recalculatedAt", "created_at", "updated_at")
ORDER_DOCUMENTS = ("invoices", "shipments")
PAYMENT_IDS = ("transaction_id", "order_id", "customer_id")
BY_CUSTOMER = ("reviews", "tickets", "quotes")


class LightspeedCopier:
    """Every resource of a Lightspeed store that belongs to a person, and its sub-resources."""

    def __init__(self, shop: Shop, plan: Plan) -> None:
        self.store, self.plan = shop.lightspeed, plan
        res = self.store.resources
        self.person_of_customer = {c["id"]: _key(c["email"]) for c in res.get("customers", [])}
        for customer in res.get("customers", []):
            plan.see(_key(customer["email"]), parse_any(customer["createdAt"]))
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
        return _key(email)

    def _person(self, name: str, row: JSON) -> str:
        """The person a record belongs to, or "" when it is not copied."""
        plan = self.plan
        if name == "customers":
            key = _key(row["email"])
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
            key = self.person_of_customer.get(person.get("id")) or _key(person.get("email"))
        else:  # subscriptions, contacts
            key = _key(row.get("email"))
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
