"""Lightspeed eCom (C-Series, the "webshopapp" API).

Endpoints (all `/{language}/{resource}.json`, the language being part of `LIGHTSPEED_API_URL`):
`customers?email=`, then by customer id `orders`, `invoices`, `shipments`, `returns`, `reviews`,
`tickets` (with `tickets/{id}/messages`), `quotes`; guest orders by `orders?email=`; per order
`orders/{id}/products`, and its invoices and shipments where the order does not embed them;
`subscriptions` (newsletter), `contacts` and `checkouts` have no e-mail filter we can rely on, so
they are paged through and matched exactly.
Paging: `page` (from 1) and `limit` (250, the maximum); a short or empty page is the last.
Rate limits: 300 requests per 5 minutes, 3,000 per hour, 12,000 per day and 20 per second, per
key; our budget stays under them, and a 429 waits for `X-RateLimit-Reset` (Lightspeed sends no
Retry-After).
Auth: HTTP Basic with the API key and secret. Responses are wrapped in the resource's name
(`{"customers": [...]}`); unset values come back as `false`.
Unconfirmed (vendor-apis.md §2): whether the e-mail filters are exact (we check every hit), and
whether `paymentData` carries the payment provider's id (used when it does).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any, ClassVar, Self

import requests

from bridge.config import Config, Setting
from bridge.errors import NotFound, SystemFailure
from bridge.http import HttpClient, RateBudget, Window
from bridge.models import Identifier, Record
from bridge.plan import Step
from bridge.policy import Action, Policy
from connectors import kinds
from connectors.base import (
    Batch,
    Collected,
    Connector,
    IndexEntry,
    manual_step,
    pages,
    record_date,
    require,
    same_email,
)

LIMIT = 250
BUDGET = (Window(300, 300), Window(3000, 3600), Window(12000, 86400), Window(20, 1))
BY_CUSTOMER = ("invoices", "shipments", "returns", "reviews", "quotes")
SCANNED = ("subscriptions", "contacts", "checkouts")
DELETABLE = {
    "customer": "customers",
    "review": "reviews",
    "newsletter_subscription": "subscriptions",
    "ticket": "tickets",
    "return": "returns",
}
SINGULAR = {
    "customers": "customer",
    "orders": "order",
    "invoices": "invoice",
    "shipments": "shipment",
    "returns": "return",
    "reviews": "review",
    "tickets": "ticket",
    "quotes": "quote",
    "subscriptions": "newsletter_subscription",
    "contacts": "contact_message",
    "checkouts": "checkout",
}


def reset_seconds(response: requests.Response) -> float | None:
    """The 5-minute window's reset from `X-RateLimit-Reset: 263/2063/23663`, when exhausted."""
    remaining = response.headers.get("X-RateLimit-Remaining", "").split("/")
    resets = response.headers.get("X-RateLimit-Reset", "").split("/")
    for left, reset in zip(remaining, resets, strict=False):
        if left.strip() in ("0", "-1") and reset.strip().isdigit():
            return float(reset)
    return 1.0 if response.status_code == 429 else None  # the per-second window


class LightspeedConnector(Connector):
    name = "lightspeed"
    title = "Lightspeed eCom (webshop)"
    role = "platform"
    settings = (
        Setting(
            "LIGHTSPEED_API_URL",
            "API base with the shop language, e.g. https://api.webshopapp.com/nl/",
        ),
        Setting("LIGHTSPEED_API_KEY", "API key.", secret=True),
        Setting("LIGHTSPEED_API_SECRET", "API secret.", secret=True),
    )
    looks_up = frozenset({kinds.EMAIL})
    categories: ClassVar[dict[str, list[str]]] = {
        "customer": ["identity", "contact details", "addresses", "account", "IP address"],
        "order": ["orders", "addresses", "contact details", "payment method", "IP address"],
        "order_product": ["orders"],
        "invoice": ["invoices", "addresses"],
        "shipment": ["shipping", "addresses"],
        "return": ["returns"],
        "review": ["reviews", "name"],
        "ticket": ["customer service", "communication"],
        "ticket_message": ["customer service", "communication"],
        "quote": ["quotes", "addresses"],
        "newsletter_subscription": ["newsletter", "e-mail address"],
        "contact_message": ["communication", "contact details"],
        "checkout": ["abandoned checkouts", "addresses", "contact details"],
    }

    def __init__(self, url: str, key: str, secret: str) -> None:
        self.http = HttpClient(
            self.name,
            url,
            secrets=(key, secret),
            auth=(key, secret),
            budget=RateBudget(BUDGET),
            wait_hint=reset_seconds,
        )

    @classmethod
    def from_config(cls, config: Config) -> Self:
        return cls(*require(config, cls.settings, cls.name))

    def check(self) -> None:
        self.http.json("GET", "account/ratelimit.json")

    def collect(self, identifiers: Sequence[Identifier]) -> Collected:
        found = Collected()
        for ident in identifiers:
            if ident.kind == kinds.EMAIL:
                self._collect_email(ident.value, found)
        return found

    def _collect_email(self, email: str, found: Collected) -> None:
        customers = [
            c for c in self._list("customers", email=email) if same_email(c.get("email"), email)
        ]
        orders: dict[int, tuple[dict[str, Any], str]] = {}
        for customer in customers:
            cid = customer["id"]
            found.add("customer", cid, "e-mail address of the shop account", customer)
            of = f"of shop customer {cid}"
            for order in self._list("orders", customer=cid):
                orders.setdefault(order["id"], (order, f"order {of}"))
            for resource in BY_CUSTOMER:
                for item in self._list(resource, customer=cid):
                    found.add(SINGULAR[resource], item["id"], f"{SINGULAR[resource]} {of}", item)
            for ticket in self._list("tickets", customer=cid):
                found.add("ticket", ticket["id"], f"ticket {of}", ticket)
                for message in self._list(f"tickets/{ticket['id']}/messages"):
                    found.add(
                        "ticket_message",
                        message["id"],
                        f"message in ticket {ticket['id']}",
                        message,
                    )
        for order in self._list("orders", email=email):
            if order["id"] not in orders and same_email(order.get("email"), email):
                orders[order["id"]] = (order, "e-mail address on the order")
        for order, why in orders.values():
            self._order(order, why, found)
        for resource in SCANNED:
            for item in self._list(resource):
                # a checkout keeps its person under `customer`, the others at the top
                if same_email(
                    item.get("email") or (item.get("customer") or {}).get("email"), email
                ):
                    found.add(
                        SINGULAR[resource],
                        item["id"],
                        f"e-mail address on the {SINGULAR[resource]}",
                        item,
                    )

    # -- the scheduled sync: customers and orders updated since the cursor (`updated_at_min`);
    # lists come in id order, so the new cursor is saved with the last batch only -------------

    streams = ("customers", "orders")

    def changes(self, stream: str, cursor: str | None) -> Iterator[Batch]:
        query: dict[str, Any] = {"updated_at_min": cursor.replace("T", " ")[:19]} if cursor else {}
        newest, page = cursor, 1
        while True:
            items = _unwrap(
                self.http.json(
                    "GET", f"{stream}.json", params={**query, "page": page, "limit": LIMIT}
                )
            )
            if items is None:
                raise SystemFailure(self.name, f"unexpected answer to {stream}.json")
            newest = max([newest or "", *(str(i.get("updatedAt") or "") for i in items)]) or None
            done = len(items) < LIMIT
            yield Batch(
                [_entry(stream, i) for i in items if isinstance(i, dict)],
                newest if done else cursor,
            )
            if done:
                return
            page += 1

    def _order(self, order: dict[str, Any], why: str, found: Collected) -> None:
        oid, number = order["id"], str(order.get("number") or order["id"])
        found.add("order", oid, why, order)
        for product in self._list(f"orders/{oid}/products"):
            found.add(
                "order_product", f"{oid}:{product['id']}", f"product of order {number}", product
            )
        for resource in ("invoices", "shipments"):
            embedded = _embedded(order.get(resource))
            items = embedded if embedded is not None else self._list(resource, order=oid)
            for item in items:
                found.add(
                    SINGULAR[resource], item["id"], f"{SINGULAR[resource]} of order {number}", item
                )
        when = str(order.get("createdAt") or "")
        for kind, value in order_links(order):
            found.reveal(kind, value, f"shop order {number}", date=when)

    # -- erasure ------------------------------------------------------------------------------
    # The API deletes customers, reviews, newsletter subscriptions, tickets and returns; it cannot
    # delete or strip orders, and contacts are read-only: those become manual steps in the back
    # office. Invoices and shipments are part of the order administration and are kept.

    def plan_erasure(self, records: Sequence[Record], policy: Policy, today: date) -> list[Step]:
        steps: list[Step] = []
        for record in records:
            kind = record.type
            if kind in DELETABLE:
                steps.append(
                    Step(
                        system=self.name,
                        record_type=kind,
                        record_id=record.id,
                        action=Action.delete,
                        operation="delete",
                        params={"resource": DELETABLE[kind]},
                        reason=f"the {kind.replace('_', ' ')} is deleted",
                    )
                )
            elif kind == "ticket_message":
                ticket = str((record.data.get("ticket") or {}).get("resource", {}).get("id", ""))
                steps.append(
                    Step(
                        system=self.name,
                        record_type=kind,
                        record_id=record.id,
                        action=Action.delete,
                        operation="none",
                        after=[f"ticket:{ticket}"] if ticket else [],
                        reason="deleted with its ticket",
                    )
                )
            elif kind in ("order", "invoice", "shipment", "order_product"):
                action, until = policy.decide(
                    kind, record_date(record.data.get("createdAt")), today
                )
                if kind == "order":
                    steps.append(self._order_step(record, action, until, policy))
                else:
                    steps.append(
                        Step(
                            system=self.name,
                            record_type=kind,
                            record_id=record.id,
                            action=action,
                            operation="none" if action is Action.retain else "manual",
                            until=until,
                            legal_basis=policy.legal_basis,
                            reason=f"part of the order administration until {until}"
                            if until
                            else "past the fiscal term: to be anonymised in the back office",
                            instruction=""
                            if action is Action.retain
                            else f"Anonymise {kind.replace('_', ' ')} {record.id} in the Lightspeed back office "
                            "(Customers > Delete customer).",
                        )
                    )
            else:
                steps.append(
                    manual_step(
                        self.name,
                        record,
                        f"Lightspeed's API cannot delete a {kind.replace('_', ' ')}.",
                        f"Delete {kind.replace('_', ' ')} {record.id} in the Lightspeed back office.",
                    )
                )
        return steps

    def _order_step(
        self, record: Record, action: Action, until: date | None, policy: Policy
    ) -> Step:
        number = record.data.get("number") or record.id
        if action is Action.retain:
            what = (
                f"keep order {number} until {until} but remove its phone, e-mail address, "
                "delivery address, comment, IP address and user agent"
            )
        else:
            what = f"anonymise order {number} (past the fiscal term)"
        return Step(
            system=self.name,
            record_type="order",
            record_id=record.id,
            action=action,
            operation="manual",
            until=until,
            legal_basis=policy.legal_basis if until else "",
            fields=[
                "phone",
                "mobile",
                "email",
                "addressShipping*",
                "comment",
                "remoteIp",
                "userAgent",
            ],
            kept=policy.retain.keep if until else [],
            reason="Lightspeed's API cannot change an order's personal fields"
            + ("" if action is Action.retain else " (past the fiscal term)"),
            instruction=f"In the Lightspeed back office, {what} (Customers > the customer > "
            "Delete customer anonymises the orders of a registered customer).",
        )

    def apply(self, step: Step, policy: Policy) -> str:
        try:
            self.http.request("DELETE", f"{step.params['resource']}/{step.record_id}.json")
        except NotFound:
            return "already gone"
        return "deleted"

    def fetch(self, step: Step) -> dict[str, Any] | None:
        try:
            body = self.http.json("GET", f"{step.params['resource']}/{step.record_id}.json")
        except NotFound:
            return None
        if isinstance(body, dict) and len(body) == 1:
            (value,) = body.values()
            return value if isinstance(value, dict) else None
        return None

    def _list(self, resource: str, **filters: Any) -> list[dict[str, Any]]:
        def fetch(page: int) -> tuple[list[Any], int | None]:
            body = self.http.json(
                "GET", f"{resource}.json", params={**filters, "page": page, "limit": LIMIT}
            )
            items = _unwrap(body)
            if items is None:
                raise SystemFailure(self.name, f"unexpected answer to {resource}.json")
            return items, None

        return [item for item in pages(fetch, self.name, page_size=LIMIT) if isinstance(item, dict)]


def order_links(order: dict[str, Any]) -> list[tuple[str, str]]:
    """The order number, and the payment provider's id where `paymentData` carries one."""
    links = [(kinds.ORDER_NUMBER, str(order.get("number") or order["id"]))]
    data = order.get("paymentData") if isinstance(order.get("paymentData"), dict) else {}
    tid = str((data or {}).get("transaction_id") or "")
    provider = str(order.get("paymentId") or "").lower()
    if tid.startswith("tr_"):
        links.append((kinds.MOLLIE_PAYMENT_ID, tid))
    elif tid.startswith("ord_"):
        links.append((kinds.MOLLIE_ORDER_ID, tid))
    elif tid and "paypal" in provider:
        links.append((kinds.PAYPAL_TRANSACTION_ID, tid))
    return links


def _entry(stream: str, item: dict[str, Any]) -> IndexEntry:
    if stream == "customers":
        return IndexEntry("customer", str(item["id"]), item.get("email"), item.get("createdAt"))
    return IndexEntry(
        "order", str(item["id"]), item.get("email"), item.get("createdAt"), tuple(order_links(item))
    )


def _unwrap(body: Any) -> list[Any] | None:
    """`{"customers": [...]}` -> the list (checkouts may come unwrapped); None for anything else."""
    if isinstance(body, list):
        return body
    if isinstance(body, dict) and len(body) == 1:
        (value,) = body.values()
        if isinstance(value, list):
            return value
        if value is False:  # Lightspeed's "nothing"
            return []
    return None


def _embedded(link: Any) -> list[dict[str, Any]] | None:
    """The embedded items of a linked resource, or None when the order only links to them."""
    if isinstance(link, dict):
        resource = link.get("resource", link)
        embedded = resource.get("embedded") if isinstance(resource, dict) else None
        if isinstance(embedded, list):
            return [e for e in embedded if isinstance(e, dict)]
    return None
