"""Finding one person at Lightspeed eCom: every record proven by its own fields.

The `customer`, `order` and `email` filters (SECONDARY in vendor-apis.md §2) only narrow; a
record's links are read every way the sources spell them; the ids `paymentData` keeps are revealed
as payment references, for the payment providers to claim. See `Search`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from bridge.core import kinds
from bridge.core.connector import Collected, normalise_email, same_email
from connectors.lightspeed.listings import Fetch as Listing
from connectors.lightspeed.listings import Listings

BY_CUSTOMER = ("invoices", "shipments", "returns", "reviews", "tickets", "quotes")
SCANNED = ("subscriptions", "contacts", "checkouts")
# A record's links, every way the sources spell them (vendor-apis.md §2): the API's own resource
# link `{"resource": {"id": …}}`, and the bare ids of third-party models.
CUSTOMER_KEYS = ("customer", "customerId", "customer_id")
ORDER_KEYS = ("order", "orderId", "order_id")
TICKET_KEYS = ("ticket", "ticketId", "ticket_id")
# Where `paymentData` may hold the payment's transaction id at its provider (UNCONFIRMED: both
# spellings are seen).
TRANSACTION_KEYS = ("transaction_id", "transactionId")
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


def order_links(order: dict[str, Any]) -> list[tuple[str, str]]:
    """(kind, value) of what an order reveals: its number and its payment references."""
    number = (kinds.ORDER_NUMBER, str(order.get("number") or order["id"]))
    return [number, *((kinds.PAYMENT_REFERENCE, v) for v, _ in payment_references(order))]


def payment_references(order: dict[str, Any]) -> list[tuple[str, dict[str, str]]]:
    """(value, context) of the ids `paymentData` keeps of the order's payment at its provider
    (UNCONFIRMED which, and under which keys): every id-shaped value under a key that names an
    id (`transaction_id`, `orderId`, …; a card holder or an account number is never revealed),
    with the payment method the order names (`paymentId`, `paymentData.method`) and the key
    (`kinds.TRANSACTION` for the transaction id). Whose they are, each provider decides."""
    data = order.get("paymentData")
    if not isinstance(data, dict):
        return []
    method = " ".join(str(v) for v in (order.get("paymentId"), data.get("method")) if v)
    found: dict[str, dict[str, str]] = {}
    for key, value in _ids(data):
        field = kinds.TRANSACTION if key in TRANSACTION_KEYS else f"paymentData.{key}"
        found.setdefault(value, {kinds.METHOD: method, kinds.FIELD: field})
    return list(found.items())


def _ids(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    """(key path, value) of the id-shaped strings under keys that name an id, at any depth."""
    if isinstance(value, dict):
        for name, item in value.items():
            yield from _ids(item, f"{key}.{name}" if key else str(name))
    elif isinstance(value, list):
        for item in value:
            yield from _ids(item, key)
    elif kinds.looks_like_id(value) and _names_an_id(key.rsplit(".", 1)[-1]):
        yield key, value


def _names_an_id(key: str) -> bool:
    return key == "id" or key.endswith(("_id", "Id", "ID"))


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


class Search:
    """One person's records at Lightspeed, each proven by its own fields.

    The `customer`, `order` and `email` filters (SECONDARY in vendor-apis.md) only narrow: an item
    is kept when it links to one of the person's accounts or orders, or carries their address.
    Every listing is read through `Listings`: a query is asked once, and a filter seen ignored
    (an answer with another id, or another address) makes its answer the whole listing, matched
    here for every customer and order, never asked again. An order's products, invoices and
    shipments come from the order as the listing embeds them; only where it does not are they
    asked for that order. A ticket's messages are asked per ticket (no listing has them).
    """

    def __init__(
        self, listing: Listing, reveals: Iterable[str], email: str, found: Collected, size: int
    ) -> None:
        self.reveals, self.email, self.found = reveals, email, found
        self.listings = Listings(listing, size)
        self.customers: set[int] = set()
        self.orders: dict[int, str] = {}  # id -> number
        self.kept: set[tuple[str, str]] = set()
        self.unproven: dict[str, set[str]] = {}

    def run(self) -> None:
        customers, _ = self.listings.narrowed("customers", self.elsewhere, email=self.email)
        for customer in customers:
            if same_email(customer.get("email"), self.email):
                self.customers.add(customer["id"])
                self.keep("customer", customer, "e-mail address of the shop account")
                self.metafields(customer["id"])
        with self.found.reading("orders", reveals=self.reveals):
            queries = [("customer", cid) for cid in sorted(self.customers)]
            orders: list[dict[str, Any]] = []
            for by, value in self.listings.first([*queries, ("email", self.email)]):
                if by == "email":
                    orders += self.listings.narrowed("orders", self.elsewhere, email=value)[0]
                else:
                    orders += self.by("orders", value)
            for order in orders:
                if self.proof("order", order) and order["id"] not in self.orders:
                    self.orders[order["id"]] = str(order.get("number") or order["id"])
                    self.order(order)
        for resource in BY_CUSTOMER:
            with self.found.reading(resource):
                for cid in sorted(self.customers):
                    for item in self.by(resource, cid):
                        self.keep(SINGULAR[resource], item)
        for resource in SCANNED:
            with self.found.reading(resource):
                for item in self.listings.everything(resource):
                    if same_email(record_email(item), self.email):
                        self.keep(
                            SINGULAR[resource], item, f"e-mail address on the {SINGULAR[resource]}"
                        )
        for kind, ids in sorted(self.unproven.items()):
            self.found.notes.append(
                f"Lightspeed listed {len(ids)} {kind.replace('_', ' ')}(s) under your account or "
                "orders that show no customer, order or e-mail address of their own: they cannot "
                "be proven to be yours and are not in this package."
            )
        self.found.need(self.listings.minimum(), "pages of each listing read, once")

    def elsewhere(self, item: dict[str, Any]) -> bool:
        """Whether an answer to `?email=` carries another address: not even the person's as a
        part (the filter may match a part, `jan@x.nl` in `dejan@x.nl`), so it was ignored."""
        found = record_email(item)
        return isinstance(found, str) and self.email not in normalise_email(found)

    def by(self, resource: str, ident: int, by: str = "customer") -> list[dict[str, Any]]:
        """The items the server gives for `resource?{by}={ident}`, or the whole listing once the
        server has been seen to ignore a filter there."""
        keys = CUSTOMER_KEYS if by == "customer" else ORDER_KEYS

        def foreign(item: dict[str, Any]) -> bool:
            linked = linked_id(item, keys)
            return linked is not None and linked != ident

        items, held = self.listings.narrowed(resource, foreign, **{by: ident})
        if held:  # what the server lists under the person but the record cannot show
            for item in items:
                if not _has_owner(item):
                    self.unproven.setdefault(SINGULAR[resource], set()).add(str(item.get("id")))
        return items

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
            products = _embedded(order.get("products"))
            if products is None:  # linked only: the order's own call
                products = self.listings.read(f"orders/{oid}/products")
            for product in products:
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
                items = embedded if embedded is not None else self.by(resource, oid, "order")
                for item in items:
                    if embedded is not None or linked_id(item, ORDER_KEYS) == oid:
                        self.keep(
                            SINGULAR[resource], item, f"{SINGULAR[resource]} of order {number}"
                        )
        when, via = str(order.get("createdAt") or ""), f"shop order {number}"
        self.found.reveal(kinds.ORDER_NUMBER, number, via, date=when)
        for value, context in payment_references(order):
            self.found.reveal(kinds.PAYMENT_REFERENCE, value, via, date=when, **context)

    def metafields(self, cid: int) -> None:
        """Custom fields the shop keeps on the account (apps store personal data there)."""
        with self.found.reading("customers/metafields"):
            for field in self.listings.read(f"customers/{cid}/metafields"):
                self.found.add(
                    "customer_metafield",
                    f"{cid}:{field['id']}",
                    f"field of shop customer {cid}",
                    field,
                )

    def messages(self, ticket: dict[str, Any]) -> None:
        tid = ticket["id"]
        with self.found.reading("tickets/messages"):
            messages = _embedded(ticket.get("messages"))
            if messages is None:  # linked only (as the API shows it): the ticket's own call
                messages = self.listings.read(f"tickets/{tid}/messages")
            for message in messages:
                if linked_id(message, TICKET_KEYS) in (None, tid):
                    # the id names its ticket, as an order product's names its order
                    self.found.add(
                        "ticket_message",
                        f"{tid}:{message['id']}",
                        f"message in ticket {tid}",
                        message,
                    )


def _embedded(link: Any) -> list[dict[str, Any]] | None:
    """The embedded items of a linked resource, or None when the record only links to them."""
    if isinstance(link, dict):
        resource = link.get("resource", link)
        embedded = resource.get("embedded") if isinstance(resource, dict) else None
        if isinstance(embedded, list):
            return [e for e in embedded if isinstance(e, dict)]
    return None
