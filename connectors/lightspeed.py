"""Lightspeed eCom (C-Series, the "webshopapp" API).

Endpoints (all `/{language}/{resource}.json`, the language being part of `LIGHTSPEED_API_URL`):
`customers?email=`, then by customer id `customers/{id}/metafields`, `orders`, `invoices`, `shipments`, `returns`, `reviews`,
`tickets` (with `tickets/{id}/messages`), `quotes`; guest orders by `orders?email=`; per order
`orders/{id}/products`, and its invoices and shipments where the order does not embed them;
`subscriptions` (newsletter), `contacts` and `checkouts` have no e-mail filter we can rely on, so
they are paged through and matched exactly.
Every filter only narrows (vendor-apis.md rates them SECONDARY): a record is kept when its own
`email` equals the person's, or its customer or order link (`customer`/`order` resource links, or
`customerId`/`orderId`) names one of the person's accounts or orders. A `customer` or `order`
filter that answers other ids is ignored by the server: that listing is then read once whole and
matched, not asked again. One resource failing costs that resource only (`partial`).
Paging: `page` (from 1) and `limit` (250, the maximum); a short or empty page is the last.
Rate limits: 300 requests per 5 minutes, 3,000 per hour, 12,000 per day and 20 per second, per
key; our budget stays under them, and a 429 waits for `X-RateLimit-Reset` (Lightspeed sends no
Retry-After).
Auth: HTTP Basic with the API key and secret. Responses are wrapped in the resource's name
(`{"customers": [...]}`); unset values come back as `false`.
Unconfirmed (vendor-apis.md §2): whether the e-mail filters are exact (we check every hit), and
whether `paymentData` carries the payment provider's id, and under which key: `transaction_id`
and `transactionId` are both read, and any value with a processor's documented prefix (`tr_`,
`ord_`, `cst_`) is followed.
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
from bridge.policy import Capability, Policy
from connectors import kinds
from connectors.base import (
    Batch,
    Collected,
    Connector,
    IndexEntry,
    pages,
    records_in,
    require,
    same_email,
)

LIMIT = 250
BUDGET = (Window(300, 300), Window(3000, 3600), Window(12000, 86400), Window(20, 1))
BY_CUSTOMER = ("invoices", "shipments", "returns", "reviews", "tickets", "quotes")
SCANNED = ("subscriptions", "contacts", "checkouts")
# A record's links, every way the sources spell them (vendor-apis.md §2): the API's own resource
# link `{"resource": {"id": …}}`, and the bare ids of third-party models.
CUSTOMER_KEYS = ("customer", "customerId", "customer_id")
ORDER_KEYS = ("order", "orderId", "order_id")
TICKET_KEYS = ("ticket", "ticketId", "ticket_id")
# Where `paymentData` may hold the payment provider's id (UNCONFIRMED: both spellings are seen).
TRANSACTION_KEYS = ("transaction_id", "transactionId")
# The policy's categories of personal data in a customer's and an order's fields; the API
# changes none of an order's (and our customer call only deletes).
PERSON_FIELDS = {
    "phone": ("phone", "mobile"),
    "e-mail address": ("email",),
    "delivery address": ("addressShipping*",),
    "IP address": ("remoteIp",),
    "user agent": ("userAgent",),
}  # a customer's custom fields are records of their own (`customer_metafield`)
ORDER_FIELDS = PERSON_FIELDS | {"customer note": ("comment",), "meta data": ("metafields",)}
BACK_OFFICE = ("order", "invoice", "shipment", "order_product")
BACK_OFFICE_HINT = (
    " (Customers > the customer > Delete customer anonymises the orders of a registered customer.)"
)
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
    reveals = frozenset(
        {
            kinds.ORDER_NUMBER,
            kinds.MOLLIE_PAYMENT_ID,
            kinds.MOLLIE_ORDER_ID,
            kinds.MOLLIE_CUSTOMER_ID,
            kinds.PAYPAL_TRANSACTION_ID,
        }
    )
    categories: ClassVar[dict[str, list[str]]] = {
        "customer": ["identity", "contact details", "addresses", "account", "IP address"],
        "customer_metafield": ["account", "custom fields"],
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
                _Search(self, ident.value, found).run()
        return found

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

    # -- erasure ------------------------------------------------------------------------------
    # The API deletes customers (with their custom fields), reviews, newsletter subscriptions,
    # tickets (with their messages) and returns; it cannot delete or strip orders, invoices, shipments or quotes (their PUT
    # takes status and memo only), and contacts are read-only: those are manual steps in the back
    # office. A deleted customer's orders stay, unlinked (`customer: false`).

    capabilities: ClassVar[dict[str, Capability]] = {
        "customer": Capability(
            delete=True, cascades=("customer_metafield",), fixed=PERSON_FIELDS, date="createdAt"
        ),
        "customer_metafield": Capability(deleted_with="customer", date="createdAt"),
        "order": Capability(fixed=ORDER_FIELDS, date="createdAt"),
        "order_product": Capability(anonymise=True, personal=False, date="createdAt"),
        "invoice": Capability(date="createdAt"),
        "shipment": Capability(date="createdAt"),
        "return": Capability(
            delete=True, fixed={"customer note": ("customerComment",)}, date="createdAt"
        ),
        "review": Capability(delete=True, date="createdAt"),
        "ticket": Capability(delete=True, cascades=("ticket_message",), date="createdAt"),
        "ticket_message": Capability(deleted_with="ticket", date="createdAt"),
        "quote": Capability(
            fixed={"IP address": ("remoteIp",), "user agent": ("userAgent",)}, date="createdAt"
        ),
        "newsletter_subscription": Capability(delete=True, date="createdAt"),
        "contact_message": Capability(
            fixed={"phone": ("phone",), "e-mail address": ("email",)}, date="createdAt"
        ),
        "checkout": Capability(
            fixed={
                "phone": ("customer.phone",),
                "e-mail address": ("customer.email",),
                "delivery address": ("shipping_address",),
                "customer note": ("comment",),
            },
            date="created_at",
        ),
    }
    operations: ClassVar[dict[str, str]] = {"delete": "delete"}

    def plan_erasure(self, records: Sequence[Record], policy: Policy, today: date) -> list[Step]:
        orders = {r.id: r for r in records if r.type == "order"}
        messages = {_ticket_of(r) for r in records if r.type == "ticket_message"}
        tickets = {
            r.id: self.decide(
                r, policy, today, along=["ticket_message"] if r.id in messages else []
            )
            for r in records
            if r.type == "ticket"
        }
        fields_of = {r.id.split(":", 1)[0] for r in records if r.type == "customer_metafield"}
        customers = {
            r.id: self.decide(
                r, policy, today, along=["customer_metafield"] if r.id in fields_of else []
            )
            for r in records
            if r.type == "customer"
        }
        steps: list[Step] = []
        for record in records:
            kind = record.type
            if kind == "ticket":
                made = tickets[record.id]
            elif kind == "ticket_message":
                made = self.decide(record, policy, today, parent=tickets.get(_ticket_of(record)))
            elif kind == "customer":
                made = customers[record.id]
            elif kind == "customer_metafield":
                owner = record.id.split(":", 1)[0]
                made = self.decide(record, policy, today, parent=customers.get(owner))
            elif kind == "order_product":  # dated by its order
                order = orders.get(record.id.split(":", 1)[0])
                made = self.decide(record, policy, today, dated_by=order.data if order else None)
            else:
                made = self.decide(record, policy, today)
            extra: dict[str, Any] = {}
            if made.how == "delete":
                extra = {
                    "params": {"resource": DELETABLE[kind]},
                    "reason": f"the {kind.replace('_', ' ')} is deleted",
                }
            elif made.how == "with_parent" and kind == "customer_metafield":
                owner = record.id.split(":", 1)[0]
                extra = {"after": [f"customer:{owner}"], "reason": "deleted with its customer"}
            elif made.how == "with_parent":
                extra = {
                    "after": [f"ticket:{_ticket_of(record)}"],
                    "reason": "deleted with its ticket",
                }
            elif made.how == "manual":
                number = record.data.get("number") or record.id
                what = f"{kind.replace('_', ' ')} {number}"
                hint = BACK_OFFICE_HINT if kind in BACK_OFFICE else ""
                extra = {
                    "what": what,
                    "instruction": made.instruction(what, "the Lightspeed back office") + hint,
                }
                if kind == "order":
                    extra["fields"] = [f for c in made.by_hand for f in ORDER_FIELDS[c]]
            steps.append(self.step(record, made, policy, **extra))
        return steps

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

        return records_in(list(pages(fetch, self.name, page_size=LIMIT)), self.name, resource)


def _ticket_of(message: Record) -> str:
    """The ticket of a message (its id is `<ticket id>:<message id>`)."""
    return message.id.split(":", 1)[0]


def order_links(order: dict[str, Any]) -> list[tuple[str, str]]:
    """The order number, and the payment provider's ids where `paymentData` carries them: any
    value with a documented prefix (`tr_`, `ord_`, `cst_`), and the transaction id of a PayPal
    payment."""
    links = [(kinds.ORDER_NUMBER, str(order.get("number") or order["id"]))]
    data = order.get("paymentData")
    if not isinstance(data, dict):
        return links
    for value in _strings(data):
        kind = kinds.by_prefix(value)
        if kind and (kind, value) not in links:
            links.append((kind, value))
    provider = f"{order.get('paymentId') or ''} {data.get('method') or ''}".lower()
    if "paypal" in provider:
        for key in TRANSACTION_KEYS:
            tid = data.get(key)
            if isinstance(tid, str) and tid and not kinds.by_prefix(tid):
                links.append((kinds.PAYPAL_TRANSACTION_ID, tid))
    return links


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value


def linked_id(item: dict[str, Any], keys: Sequence[str]) -> int | None:
    """The id a record links to under any of `keys`: a resource link or a bare id."""
    for key in keys:
        value = item.get(key)
        if isinstance(value, dict):
            resource = value.get("resource", value)
            value = resource.get("id") if isinstance(resource, dict) else None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.isdigit():
            return int(value)
    return None


def record_email(item: dict[str, Any]) -> Any:
    """The address a record carries: its own, or (a checkout's) its customer's."""
    customer = item.get("customer")
    return item.get("email") or (customer.get("email") if isinstance(customer, dict) else None)


def _has_owner(item: dict[str, Any]) -> bool:
    return any(item.get(k) not in (None, False, "") for k in (*CUSTOMER_KEYS, *ORDER_KEYS, "email"))


class _Search:
    """One person's records at Lightspeed, each proven by its own fields.

    The `customer`, `order` and `email` filters (SECONDARY in vendor-apis.md) only narrow: an item
    is kept when it links to one of the person's accounts or orders, or carries their address.
    An id filter that answers items of another id is ignored by the server: that resource is
    then read once whole and matched here, never asked again per customer or order.
    """

    def __init__(self, connector: LightspeedConnector, email: str, found: Collected) -> None:
        self.c, self.email, self.found = connector, email, found
        self.customers: set[int] = set()
        self.orders: dict[int, str] = {}  # id -> number
        self.whole: dict[str, list[dict[str, Any]]] = {}
        self.kept: set[tuple[str, str]] = set()
        self.unproven: dict[str, int] = {}

    def run(self) -> None:
        for customer in self.c._list("customers", email=self.email):
            if same_email(customer.get("email"), self.email):
                self.customers.add(customer["id"])
                self.keep("customer", customer, "e-mail address of the shop account")
                self.metafields(customer["id"])
        with self.found.reading("orders", reveals=self.c.reveals):
            orders = [o for cid in sorted(self.customers) for o in self.narrowed("orders", cid)]
            orders += self.c._list("orders", email=self.email)
            for order in orders:
                if self.proof("order", order) and order["id"] not in self.orders:
                    self.orders[order["id"]] = str(order.get("number") or order["id"])
                    self.order(order)
        for resource in BY_CUSTOMER:
            with self.found.reading(resource):
                for cid in sorted(self.customers):
                    for item in self.narrowed(resource, cid):
                        self.keep(SINGULAR[resource], item)
        for resource in SCANNED:
            with self.found.reading(resource):
                for item in self.c._list(resource):
                    if same_email(record_email(item), self.email):
                        self.keep(
                            SINGULAR[resource], item, f"e-mail address on the {SINGULAR[resource]}"
                        )
        for kind, n in sorted(self.unproven.items()):
            self.found.notes.append(
                f"Lightspeed listed {n} {kind.replace('_', ' ')}(s) under your account or orders "
                "that show no customer, order or e-mail address of their own: they cannot be "
                "proven to be yours and are not in this package."
            )

    def narrowed(self, resource: str, cid: int, by: str = "customer") -> list[dict[str, Any]]:
        """The items the server gives for `resource?{by}={cid}`, or the whole listing once the
        server has been seen to ignore that filter."""
        if resource in self.whole:
            return self.whole[resource]
        keys = CUSTOMER_KEYS if by == "customer" else ORDER_KEYS
        items = self.c._list(resource, **{by: cid})
        if all(linked_id(i, keys) == cid for i in items):
            return items
        for item in items:
            if not _has_owner(item):
                self.unproven[SINGULAR[resource]] = self.unproven.get(SINGULAR[resource], 0) + 1
        self.whole[resource] = self.c._list(resource)
        return self.whole[resource]

    def proof(self, kind: str, item: dict[str, Any]) -> str | None:
        """Why the item is the person's, from its own fields; None when they do not show it."""
        cid = linked_id(item, CUSTOMER_KEYS)
        if cid in self.customers:
            return f"{kind.replace('_', ' ')} of shop customer {cid}"
        oid = linked_id(item, ORDER_KEYS)
        if oid is not None and oid in self.orders:
            return f"{kind.replace('_', ' ')} of order {self.orders[oid]}"
        if same_email(record_email(item), self.email):
            return f"e-mail address on the {kind.replace('_', ' ')}"
        return None

    def keep(self, kind: str, item: dict[str, Any], why: str | None = None) -> bool:
        why = why or self.proof(kind, item)
        key = (kind, str(item.get("id")))
        if why is None or key in self.kept:
            return False
        self.kept.add(key)
        self.found.add(kind, item["id"], why, item)
        if kind == "ticket":
            self.messages(item)
        return True

    def order(self, order: dict[str, Any]) -> None:
        oid, number = order["id"], self.orders[order["id"]]
        self.keep("order", order)
        with self.found.reading("orders/products"):
            for product in self.c._list(f"orders/{oid}/products"):
                if linked_id(product, ORDER_KEYS) in (None, oid):
                    self.found.add(
                        "order_product",
                        f"{oid}:{product['id']}",
                        f"product of order {number}",
                        product,
                    )
        for resource in ("invoices", "shipments"):
            with self.found.reading(resource):
                embedded = _embedded(order.get(resource))
                items = embedded if embedded is not None else self.narrowed(resource, oid, "order")
                for item in items:
                    if embedded is not None or linked_id(item, ORDER_KEYS) == oid:
                        self.keep(
                            SINGULAR[resource], item, f"{SINGULAR[resource]} of order {number}"
                        )
        when = str(order.get("createdAt") or "")
        for kind, value in order_links(order):
            self.found.reveal(kind, value, f"shop order {number}", date=when)

    def metafields(self, cid: int) -> None:
        """Custom fields the shop keeps on the account (apps store personal data there)."""
        with self.found.reading("customers/metafields"):
            for field in self.c._list(f"customers/{cid}/metafields"):
                self.found.add(
                    "customer_metafield",
                    f"{cid}:{field['id']}",
                    f"field of shop customer {cid}",
                    field,
                )

    def messages(self, ticket: dict[str, Any]) -> None:
        tid = ticket["id"]
        with self.found.reading("tickets/messages"):
            for message in self.c._list(f"tickets/{tid}/messages"):
                if linked_id(message, TICKET_KEYS) in (None, tid):
                    # the id names its ticket, as an order product's names its order
                    self.found.add(
                        "ticket_message",
                        f"{tid}:{message['id']}",
                        f"message in ticket {tid}",
                        message,
                    )


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
