"""The person's product reviews in WooCommerce (`GET /wc/v3/products/reviews`).

`reviewer_email=` and `reviewer=<customer id>` only narrow, in each status (`all` leaves out spam
and trash): a review is kept only by its own `reviewer_email`. A status whose `reviewer_email`
filter answers other people's reviews ignores it: that answer is every review of the status,
read once and matched locally for the account queries too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from bridge.core.connector import Collected, same_email

REVIEW_STATUSES = ("all", "spam", "trash")
Listing = Callable[[str, dict[str, Any]], list[Any]]  # (endpoint, query) -> every item


def collect_reviews(
    listing: Listing, email: str, customer_ids: Iterable[int], found: Collected
) -> None:
    """The person's product reviews, by address and by account, in every status."""
    seen: set[int] = set()
    unproven: set[int] = set()
    queries: list[tuple[dict[str, Any], str]] = [
        ({"reviewer_email": email}, "e-mail address on the review")
    ]
    queries += [({"reviewer": cid}, f"review by shop customer {cid}") for cid in customer_ids]
    every: dict[str, list[dict[str, Any]]] = {}  # status -> all its reviews: filter ignored
    for query, why in queries:
        for status in REVIEW_STATUSES:
            listed = every.get(status)
            if listed is None:
                listed = listing("products/reviews", {**query, "status": status})
            if "reviewer_email" in query and any(
                not same_email(r.get("reviewer_email"), email) for r in listed
            ):
                every[status] = listed  # the filter is ignored: every review, read once
            for review in listed:
                if review["id"] in seen:
                    continue
                # The filters only narrow, and a review shows no account id of its own:
                # only its address can prove that it is the person's.
                if not same_email(review.get("reviewer_email"), email):
                    if "reviewer" in query and review.get("reviewer_email") is None:
                        unproven.add(review["id"])
                    continue
                seen.add(review["id"])
                found.add("review", review["id"], why, review)
    if unproven - seen:
        found.notes.append(
            f"The shop lists {len(unproven - seen)} review(s) under your account that show "
            "no e-mail address: they cannot be proven to be yours and are not in this package."
        )
