"""The contract suite's entry for WooCommerce (sandbox.contract)."""

from __future__ import annotations

import copy
from collections.abc import Iterator

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

# The person's reviews: `products/reviews?reviewer_email=` pages 100 at a time (X-WP-TotalPages).


def woo_fill(shop: Shop, email: str, n: int) -> Listing:
    store = shop.woocommerce
    template, start = store.reviews[0], max(r["id"] for r in store.reviews) + 1

    def make(i: int) -> JSON:
        review = copy.deepcopy(template)
        review.update(id=start + i, reviewer_email=email, reviewer="Veel R.", status="approved")
        store.review_user_ids[review["id"]] = 0
        return review

    mine = resize(store.reviews, lambda r: same(r["reviewer_email"], email), n, make)
    return Listing("review", ids_of(mine))


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
    return dumps({"code": code, "message": message, "data": {"status": status}})


CONTRACT = Contract(
    system="woocommerce",
    shops=("woocommerce",),
    page_size=100,
    listing_path="/wp-json/wc/v3/customers",
    fill=woo_fill,
    by_email=woo_by_email,
    error_body=woo_error,
)
