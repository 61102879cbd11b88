"""The contract suite's entry for The Feedback Company (sandbox.contract)."""

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
    trim_to_pages,
)
from sandbox.data import Shop

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

    mine = resize(store.invitations, is_mine, n, make)
    trim_to_pages(store.invitations, is_mine, 100)
    trim_to_pages(store.reviews, lambda r: False, 100)
    requests = {
        "/api/v2/invitations": len(store.invitations) // 100 + 1,
        "/api/v2/review/": len(store.reviews) // 100 + 1,
    }
    return Listing("review_invitation", ids_of(mine), requests)


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
    return dumps({"success": False, "error": error})


CONTRACT = Contract(
    system="feedbackcompany",
    shops=("lightspeed",),
    page_size=100,
    listing_path="/api/v2/invitations",
    fill=fbc_fill,
    by_email=fbc_by_email,
    by_order=fbc_by_order,
    error_body=fbc_errors,
    plant=fbc_plant,
)
