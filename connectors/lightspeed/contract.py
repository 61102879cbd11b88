"""The contract suite's entry for Lightspeed (sandbox.contract)."""

from __future__ import annotations

import copy
from collections.abc import Iterator

from connectors.lightspeed.fake.shape import ref, ref_id
from sandbox.contract import (
    JSON,
    Contract,
    Key,
    Listing,
    dumps,
    ids_of,
    resize,
    same,
)
from sandbox.data import Shop
from sandbox.faults import Fault, rate_limited

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

    mine = resize(reviews, lambda r: ref_id(r.get("customer")) == cid, n, make)
    path = f"/{shop.lightspeed.language}/reviews.json"
    return Listing("review", ids_of(mine), {path: n // 250 + 1})


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
    return dumps({"error": error})


def ls_too_many(path: str) -> Fault:
    """Lightspeed's own 429: no Retry-After, the per-second window spent, resets in a second."""
    fault = rate_limited(retry_after=None, path=path)
    fault.body = dumps({"error": {"code": 429, "method": "READ", "message": "Too many requests."}})
    fault.headers.update(
        {
            "X-RateLimit-Limit": "300/3000/12000",
            "X-RateLimit-Remaining": "0/2900/11900",
            "X-RateLimit-Reset": "1/1800/40000",
        }
    )
    return fault


CONTRACT = Contract(
    system="lightspeed",
    shops=("lightspeed",),
    page_size=250,
    listing_path="/nl/customers.json",
    fill=ls_fill,
    by_email=ls_by_email,
    error_body=ls_error,
    too_many=ls_too_many,
)
