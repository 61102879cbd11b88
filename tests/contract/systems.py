"""The contract entries: what the shared checks need to know of each registered connector.

One `Contract` per connector in `connectors.REGISTRY`; a connector without one fails every check.
An entry says which sandbox shops serve the system, the path of the first listing request a
collect makes (where faults are injected), its page size, and, per system, small functions over
the seeded stores (`sandbox.shop.<store>`, plain lists in this process). What a connector is fed
is the same for all: the subject's e-mail address, and for a processor also the identifiers the
shop platform's own collect reveals (`harness.Bench.revealed`), resolved in rounds. The functions:

- `fill(shop, email, n)` makes the store hold exactly `n` records of one listing for the person
  (adding copies of a seeded record or trimming), and returns what a complete collect must find;
- `by_email(shop)` / `by_order(shop)`: every record the system holds under an e-mail address or
  an order number, in the fields the system is searched by: the oracles of the identity checks;
- `plant(shop)`: the identity traps the seed does not put in this system (an address in another
  case), added before the shared sandbox starts.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bridge.core.connector import normalise_email
from connectors.lightspeed.fake.shape import ref, ref_id
from connectors.mollie.fake.hal import error_body as mollie_error
from connectors.myparcel.fake.query import error_body as myparcel_error
from connectors.paypal.fake.http import error_body as paypal_error
from sandbox.data import Shop
from sandbox.faults import Fault, rate_limited

JSON = dict[str, Any]
Key = tuple[str, str]  # (record type, record id) as the connector reports it
Holders = Callable[[Shop], Iterator[tuple[Key, str]]]

# The person the paging check fills the stores for: in no seeded store.
PERSON = "veel.records@contract.example.nl"


@dataclass(frozen=True)
class Listing:
    """What `fill` left in the store: the person's records of one type, and, for a listing paged
    without a total, how many GETs each path must get (every full page, then the empty one)."""

    type: str
    ids: frozenset[str]
    requests: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Contract:
    system: str  # the connector's `name` in the registry
    shops: tuple[str, ...]  # the sandbox shops that serve it
    page_size: int
    listing_path: str  # a path (substring) of the first listing request of a collect
    fill: Callable[[Shop, str, int], Listing]
    by_email: Holders
    error_body: Callable[[int], bytes]  # the vendor's own error body for a 400 or 403
    by_order: Holders | None = None
    plant: Callable[[Shop], None] | None = None
    too_many: Callable[[str], Fault] = field(
        default=lambda path: rate_limited(retry_after=0, path=path)
    )


def same(found: object, email: str) -> bool:
    return isinstance(found, str) and normalise_email(found) == normalise_email(email)


def _dumps(body: object) -> bytes:
    return json.dumps(body).encode()


def _resize(
    items: list[JSON], mine: Callable[[JSON], bool], n: int, make: Callable[[int], JSON]
) -> list[JSON]:
    """Make `items` hold exactly `n` items that are `mine`: drop the last ones, or add new ones."""
    have = [i for i in items if mine(i)]
    for extra in have[n:]:
        items.remove(extra)
    items.extend(make(i) for i in range(n - len(have)))
    return [i for i in items if mine(i)]


def _ids(items: list[JSON]) -> frozenset[str]:
    return frozenset(str(i["id"]) for i in items)


def _trim_to_pages(items: list[JSON], keep: Callable[[JSON], bool], size: int) -> None:
    """Drop items that are not `keep` until `len(items)` is a multiple of `size`."""
    drop = len(items) % size
    for item in [i for i in items if not keep(i)][:drop]:
        items.remove(item)
    assert len(items) % size == 0, "not enough other items to trim"


# -- WooCommerce -------------------------------------------------------------------------------
# The person's reviews: `products/reviews?reviewer_email=` pages 100 at a time (X-WP-TotalPages).


def woo_fill(shop: Shop, email: str, n: int) -> Listing:
    store = shop.woocommerce
    template, start = store.reviews[0], max(r["id"] for r in store.reviews) + 1

    def make(i: int) -> JSON:
        review = copy.deepcopy(template)
        review.update(id=start + i, reviewer_email=email, reviewer="Veel R.", status="approved")
        store.review_user_ids[review["id"]] = 0
        return review

    mine = _resize(store.reviews, lambda r: same(r["reviewer_email"], email), n, make)
    return Listing("review", _ids(mine))


def woo_by_email(shop: Shop) -> Iterator[tuple[Key, str]]:
    store = shop.woocommerce
    yield from ((("customer", str(c["id"])), c["email"]) for c in store.customers)
    yield from ((("order", str(o["id"])), o["billing"]["email"]) for o in store.orders)
    yield from ((("review", str(r["id"])), r["reviewer_email"]) for r in store.reviews)


def woo_error(status: int) -> bytes:
    if status == 403:
        code, message = "woocommerce_rest_cannot_view", "Sorry, you cannot list resources."
    else:
        code, message = "rest_invalid_param", "Invalid parameter(s): per_page"
    return _dumps({"code": code, "message": message, "data": {"status": status}})


# -- Lightspeed --------------------------------------------------------------------------------
# A customer's reviews: `reviews.json?customer=` pages 250 at a time, without a total.


def ls_fill(shop: Shop, email: str, n: int) -> Listing:
    resources = shop.lightspeed.resources
    customers, reviews = resources["customers"], resources["reviews"]
    customer = next((c for c in customers if same(c["email"], email)), None)
    if customer is None:
        customer = copy.deepcopy(customers[0])
        customer.update(id=max(c["id"] for c in customers) + 1, email=email)
        customers.append(customer)
    cid = customer["id"]
    template, start = reviews[0], max(r["id"] for r in reviews) + 1

    def make(i: int) -> JSON:
        review = copy.deepcopy(template)
        review.update(id=start + i, customer=ref(f"customers/{cid}", cid))
        return review

    mine = _resize(reviews, lambda r: ref_id(r.get("customer")) == cid, n, make)
    path = f"/{shop.lightspeed.language}/reviews.json"
    return Listing("review", _ids(mine), {path: n // 250 + 1})


def ls_by_email(shop: Shop) -> Iterator[tuple[Key, str]]:
    resources = shop.lightspeed.resources
    for name, type_ in (
        ("customers", "customer"),
        ("orders", "order"),
        ("subscriptions", "newsletter_subscription"),
        ("contacts", "contact_message"),
    ):
        yield from (((type_, str(i["id"])), i.get("email") or "") for i in resources[name])
    # checkouts are snake_case and keep the person in `customer` (connectors.lightspeed.seed.extras)
    for checkout in resources["checkouts"]:
        yield ("checkout", str(checkout["id"])), (checkout.get("customer") or {}).get("email", "")


def ls_error(status: int) -> bytes:
    message = "Forbidden." if status == 403 else "Invalid data input."
    error = {"code": status, "method": "READ", "request": "/nl/customers.json", "message": message}
    return _dumps({"error": error})


def ls_too_many(path: str) -> Fault:
    """Lightspeed's own 429: no Retry-After, the per-second window spent, resets in a second."""
    fault = rate_limited(retry_after=None, path=path)
    fault.body = _dumps({"error": {"code": 429, "method": "READ", "message": "Too many requests."}})
    fault.headers.update(
        {
            "X-RateLimit-Limit": "300/3000/12000",
            "X-RateLimit-Remaining": "0/2900/11900",
            "X-RateLimit-Reset": "1/1800/40000",
        }
    )
    return fault


# -- Mollie ------------------------------------------------------------------------------------
# A customer's mandates: HAL lists of 250 following `_links.next`; the customer scan that finds
# the customer by e-mail is made to end on a full page as well.


def mollie_fill(shop: Shop, email: str, n: int) -> Listing:
    store = shop.mollie
    customer = next((c for c in store.customers if same(c["email"], email)), None)
    if customer is None:
        customer = copy.deepcopy(store.customers[0])
        customer.update(id="cst_ctperson01", email=email, name="Veel Records")
        store.customers.append(customer)
    cid = customer["id"]
    template = store.mandates[0]

    def make(i: int) -> JSON:
        mandate = copy.deepcopy(template)
        mandate.update(id=f"mdt_ct{i:08d}", customerId=cid)
        return mandate

    mine = _resize(store.mandates, lambda m: m["customerId"] == cid, n, make)
    filler = copy.deepcopy(store.customers[0])
    for i in range(-len(store.customers) % 250):
        extra = {**filler, "id": f"cst_ctfill{i:04d}", "email": f"vulling{i}@contract.example.nl"}
        store.customers.append(extra)
    return Listing("mandate", _ids(mine))


def mollie_by_email(shop: Shop) -> Iterator[tuple[Key, str]]:
    yield from ((("mollie_customer", c["id"]), c.get("email") or "") for c in shop.mollie.customers)


def mollie_errors(status: int) -> bytes:
    if status == 403:
        return _dumps(mollie_error(403, "Forbidden", "This API key cannot list customers."))
    return _dumps(mollie_error(400, "Bad Request", "The limit is invalid.", "limit"))


# -- PayPal ------------------------------------------------------------------------------------
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
    return _dumps(paypal_error("NOT_AUTHORIZED" if status == 403 else "INVALID_REQUEST"))


# -- MyParcel ----------------------------------------------------------------------------------
# `shipments?q=<e-mail>` pages 200 at a time, with `results` (the total).


def myparcel_fill(shop: Shop, email: str, n: int) -> Listing:
    shipments = shop.myparcel.shipments
    template, start = shipments[0], max(s["id"] for s in shipments) + 1

    def make(i: int) -> JSON:
        shipment = copy.deepcopy(template)
        shipment.update(
            id=start + i,
            reference_identifier=f"CT{i:05d}",
            barcode=f"3SCONTRACT{i:06d}",
            parent_id=None,
            multi_collo_main_shipment_id=None,
        )
        shipment["recipient"]["email"] = email
        return shipment

    mine = _resize(
        shipments, lambda s: same((s.get("recipient") or {}).get("email"), email), n, make
    )
    return Listing("shipment", _ids(mine))


def myparcel_by_email(shop: Shop) -> Iterator[tuple[Key, str]]:
    for shipment in shop.myparcel.shipments:
        yield ("shipment", str(shipment["id"])), (shipment.get("recipient") or {}).get("email", "")


def myparcel_by_order(shop: Shop) -> Iterator[tuple[Key, str]]:
    for shipment in shop.myparcel.shipments:
        yield ("shipment", str(shipment["id"])), str(shipment.get("reference_identifier") or "")


def myparcel_errors(status: int) -> bytes:
    if status == 403:
        return _dumps(myparcel_error(403, 3001, "Permission Denied", "No access to shipments."))
    return _dumps(myparcel_error(400, 3201, "Invalid query parameter: size", "size must be 30-200"))


# -- The Feedback Company ----------------------------------------------------------------------
# All invitations (`page`/`per_page` 100) and reviews (`start`/`limit` 100), paged without a
# total: both are made to end on a full page, so the connector must ask for the empty next one.


def fbc_fill(shop: Shop, email: str, n: int) -> Listing:
    store = shop.feedbackcompany
    template, start = store.invitations[0], max(i["id"] for i in store.invitations) + 1

    def make(i: int) -> JSON:
        invitation = copy.deepcopy(template)
        invitation.update(id=start + i, external_id=f"CT{i:05d}")
        invitation["customer"] = {"email": email, "fullname": "Veel Records"}
        return invitation

    def is_mine(i: JSON) -> bool:
        return same(i["customer"]["email"], email)

    mine = _resize(store.invitations, is_mine, n, make)
    _trim_to_pages(store.invitations, is_mine, 100)
    _trim_to_pages(store.reviews, lambda r: False, 100)
    requests = {
        "/api/v2/invitations": len(store.invitations) // 100 + 1,
        "/api/v2/review/": len(store.reviews) // 100 + 1,
    }
    return Listing("review_invitation", _ids(mine), requests)


def fbc_by_email(shop: Shop) -> Iterator[tuple[Key, str]]:
    for invitation in shop.feedbackcompany.invitations:
        key = ("review_invitation", str(invitation["id"]))
        yield key, (invitation.get("customer") or {}).get("email", "")


def fbc_by_order(shop: Shop) -> Iterator[tuple[Key, str]]:
    for invitation in shop.feedbackcompany.invitations:
        yield ("review_invitation", str(invitation["id"])), str(invitation.get("external_id", ""))


def fbc_plant(shop: Shop) -> None:
    """An invitation sent by hand (no shop order number) to the subject's address in another
    case."""
    store = shop.feedbackcompany
    subject = shop.subject_email
    template = max(
        (i for i in store.invitations if same(i["customer"]["email"], subject)),
        key=lambda i: i["id"],
    )
    planted = copy.deepcopy(template)
    planted.update(id=max(i["id"] for i in store.invitations) + 1, external_id="HANDMATIG-1")
    planted["customer"]["email"] = shop.traps["case"]
    store.invitations.append(planted)


def fbc_errors(status: int) -> bytes:
    error = "403 Forbidden" if status == 403 else "Invalid value for per_page"
    return _dumps({"success": False, "error": error})


CONTRACTS: dict[str, Contract] = {
    c.system: c
    for c in (
        Contract(
            system="woocommerce",
            shops=("woocommerce",),
            page_size=100,
            listing_path="/wp-json/wc/v3/customers",
            fill=woo_fill,
            by_email=woo_by_email,
            error_body=woo_error,
        ),
        Contract(
            system="lightspeed",
            shops=("lightspeed",),
            page_size=250,
            listing_path="/nl/customers.json",
            fill=ls_fill,
            by_email=ls_by_email,
            error_body=ls_error,
            too_many=ls_too_many,
        ),
        Contract(
            system="mollie",
            shops=("woocommerce", "lightspeed"),
            page_size=250,
            listing_path="/v2/customers",
            fill=mollie_fill,
            by_email=mollie_by_email,
            error_body=mollie_errors,
        ),
        Contract(
            system="paypal",
            shops=("woocommerce", "lightspeed"),
            page_size=500,
            listing_path="/v1/reporting/transactions",
            fill=paypal_fill,
            by_email=paypal_by_email,
            error_body=paypal_errors,
            plant=paypal_plant,
        ),
        Contract(
            system="myparcel",
            shops=("woocommerce", "lightspeed"),
            page_size=200,
            listing_path="/shipments",
            fill=myparcel_fill,
            by_email=myparcel_by_email,
            by_order=myparcel_by_order,
            error_body=myparcel_errors,
        ),
        Contract(
            system="feedbackcompany",
            shops=("lightspeed",),
            page_size=100,
            listing_path="/api/v2/invitations",
            fill=fbc_fill,
            by_email=fbc_by_email,
            by_order=fbc_by_order,
            error_body=fbc_errors,
            plant=fbc_plant,
        ),
    )
}
