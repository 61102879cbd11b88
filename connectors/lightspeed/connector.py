"""Lightspeed eCom (C-Series, the "webshopapp" API).

Endpoints (all `/{language}/{resource}.json`, the language being part of `LIGHTSPEED_API_URL`):
`customers?email=`, then by customer id `customers/{id}/metafields`, `orders`, `invoices`, `shipments`, `returns`, `reviews`,
`tickets` (with `tickets/{id}/messages`), `quotes`; guest orders by `orders?email=`; an order's
products, invoices and shipments as the orders listing embeds them (`orders/{id}/products`,
`invoices?order=`, `shipments?order=` only for an order that does not); `subscriptions`
(newsletter), `contacts` and `checkouts` have no e-mail filter we can rely on, so they are paged
through once and matched exactly.
Every filter only narrows (vendor-apis.md rates them SECONDARY): a record is kept when its own
`email` equals the person's, or its customer or order link (`customer`/`order` resource links, or
`customerId`/`orderId`) names one of the person's accounts or orders. Each query is asked once
per collect (`listings.Listings`); a `customer`, `order` or `email` filter that answers another
id or address is ignored by the server: its answer is the whole listing, matched locally for
every other customer, order or address, never asked again. The collect result carries the fewest
requests a plan needed given what the answers showed (`Collected.minimum`). One resource failing
costs that resource only (`partial`).
Paging: `page` (from 1) and `limit` (250, the maximum); a short or empty page is the last.
Rate limits: 300 requests per 5 minutes, 3,000 per hour, 12,000 per day and 20 per second, per
key; our budget stays under them, and a 429 waits for `X-RateLimit-Reset` (Lightspeed sends no
Retry-After).
Auth: HTTP Basic with the API key and secret. Responses are wrapped in the resource's name
(`{"customers": [...]}`); unset values come back as `false`.
Unconfirmed (vendor-apis.md §2): whether the e-mail filters are exact (we check every hit), and
whether `paymentData` carries the payment provider's ids, and under which keys: the id-shaped
values under keys that name an id are revealed as payment references (`transaction_id` and
`transactionId` as the transaction id), for the providers to claim (`search.payment_references`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any, ClassVar, Self

import requests

from bridge.core import kinds
from bridge.core.config import Config, Setting
from bridge.core.connector import (
    Batch,
    Collected,
    Connector,
    IndexEntry,
    Stream,
    batches,
    records_in,
    require,
)
from bridge.core.decisions import Capability
from bridge.core.errors import NotFound, SystemFailure
from bridge.core.http import HttpClient, Limits, Window
from bridge.core.http_errors import ErrorShape
from bridge.core.models import Identifier, Record
from bridge.core.paging import PageNumber
from bridge.core.policy import Policy
from bridge.core.steps import Step
from connectors.lightspeed.search import Search, order_links
from connectors.lightspeed.views import VIEWS

LIMIT = 250
LISTING = PageNumber(size=LIMIT)  # `page` and `limit`: a short or empty page is the last
BUDGET = (Window(300, 300), Window(3000, 3600), Window(12000, 86400), Window(20, 1))
# `{"error": {"code": 400, "method": "READ", "request": "…", "message": "…"}}` (vendor-apis.md §2)
ERRORS = ErrorShape(message=("error.message",))
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
INDEX_UNUSED = (
    "live, although indexed: the person's filters answer up to 250 records a request, the index "
    "only by id (one request a record)"
)
DELETABLE = {
    "customer": "customers",
    "review": "reviews",
    "newsletter_subscription": "subscriptions",
    "ticket": "tickets",
    "return": "returns",
}


def reset_seconds(response: requests.Response) -> float | None:
    """The 5-minute window's reset from `X-RateLimit-Reset: 263/2063/23663`, when exhausted."""
    remaining = response.headers.get("X-RateLimit-Remaining", "").split("/")
    resets = response.headers.get("X-RateLimit-Reset", "").split("/")
    for left, reset in zip(remaining, resets, strict=False):
        if left.strip() in ("0", "-1") and reset.strip().isdigit():
            return float(reset)
    return 1.0 if response.status_code == 429 else None  # the per-second window


def _customer_entry(item: dict[str, Any]) -> IndexEntry:
    return IndexEntry("customer", str(item["id"]), item.get("email"), item.get("createdAt"))


def _order_entry(item: dict[str, Any]) -> IndexEntry:
    return IndexEntry(
        "order", str(item["id"]), item.get("email"), item.get("createdAt"), tuple(order_links(item))
    )


# The scheduled sync: customers and orders updated since the cursor (`updated_at_min`); lists
# come in id order, so the new cursor is saved with the last batch only.
SYNC = {
    s.name: s
    for s in (
        Stream(
            "customers", "customers.json", LISTING, _customer_entry,
            cursor_field="updatedAt", since="updated_at_min", ordered=False,
        ),
        Stream(
            "orders", "orders.json", LISTING, _order_entry,
            cursor_field="updatedAt", since="updated_at_min", ordered=False,
        ),
    )
}  # fmt: skip


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
    # Its windows (module docstring); one request at a time: each page names the next query.
    limits = Limits(windows=BUDGET)
    reveals = frozenset({kinds.ORDER_NUMBER, kinds.PAYMENT_REFERENCE})
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
    views = VIEWS

    def __init__(self, url: str, key: str, secret: str) -> None:
        self.http = HttpClient(
            self.name,
            url,
            secrets=(key, secret),
            auth=(key, secret),
            budget=self.limits.budget(),
            wait_hint=reset_seconds,
            errors=ERRORS,
        )

    @classmethod
    def from_config(cls, config: Config) -> Self:
        return cls(*require(config, cls.settings, cls.name))

    def check(self) -> None:
        self.http.json("GET", "account/ratelimit.json")

    def collect(self, identifiers: Sequence[Identifier]) -> Collected:
        found = Collected()
        if self.index is not None and self.index.cursors.get("orders"):
            # Read by id, the index costs a request per record (`GET /orders/{id}.json`, no list
            # of ids), plus a catch-up per stream: more than the filters' pages of 250.
            found.lookup.append(INDEX_UNUSED)
        for ident in identifiers:
            if ident.kind == kinds.EMAIL:
                Search(self._list, self.reveals, ident.value, found, LIMIT).run()
        return found

    # -- the scheduled sync: the streams declared in SYNC ----------------------------------------

    streams = tuple(SYNC)

    def changes(self, stream: str, cursor: str | None) -> Iterator[Batch]:
        declared = SYNC[stream]
        since = {declared.since: cursor.replace("T", " ")[:19]} if cursor and declared.since else {}
        pages = declared.paging.pages(
            lambda page: (self._page(declared.path, {**since, "page": page, "limit": LIMIT}), None),
            self.name,
            declared.path,
        )
        yield from batches(declared, pages, cursor)

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
        path = f"{resource}.json"
        items = LISTING.items(
            lambda page: (self._page(path, {**filters, "page": page, "limit": LIMIT}), None),
            self.name,
            path,
        )
        return records_in(list(items), self.name, resource)

    def _page(self, path: str, params: dict[str, Any]) -> list[Any]:
        items = _unwrap(self.http.json("GET", path, params=params))
        if items is None:
            raise SystemFailure(self.name, f"unexpected answer to {path}")
        return items


def _ticket_of(message: Record) -> str:
    """The ticket of a message (its id is `<ticket id>:<message id>`)."""
    return message.id.split(":", 1)[0]


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
