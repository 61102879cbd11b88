"""The Feedback Company's records in a scaled shop (`sandbox.scale`): the review invitations of
the copied orders' people (their `external_id` is the order number) and the reviews that came
from them, with fresh ids.
"""

from __future__ import annotations

from typing import Any

from sandbox.data import Shop
from sandbox.scale import JSON, Copy, CopyOne, Plan, parse_any, shift_ams, stride


def scale(shop: Shop, plan: Plan) -> CopyOne:
    """Read whose invitations and reviews are copied (after the platform's); the function that
    appends one copy of them (`sandbox.scale`)."""
    return FeedbackCopier(shop, plan).copy


class FeedbackCopier:
    """The invitations and reviews of the copied people."""

    def __init__(self, shop: Shop, plan: Plan) -> None:
        self.store, self.plan = shop.feedbackcompany, plan
        fbc = self.store
        person: dict[int, str] = {}
        self.invitations = []
        for inv in fbc.invitations:
            order_id = plan.order_by_number.get(str(inv.get("external_id")))
            key = plan.order_owner(order_id) if order_id is not None else None
            if key is not None:
                person[inv["id"]] = key
                self.invitations.append((inv, key))
        self.reviews = [
            (r, person[r["_invitation_id"]])
            for r in fbc.reviews
            if r.get("_invitation_id") in person
        ]
        self.invitation_ids = stride(*(i["id"] for i in fbc.invitations))
        self.review_ids = stride(*(r["id"] for r in fbc.reviews))
        for invitation, key in self.invitations:
            plan.later(key, parse_any(invitation["date_sent"] or invitation["date_created"]))
        for review, key in self.reviews:
            plan.later(key, parse_any(review["date_created"]))

    def copy(self, c: Copy) -> None:
        fbc = self.store
        fbc.invitations.extend(self.invitation(c, x, c.delta(k)) for x, k in self.invitations)
        fbc.reviews.extend(self.review(c, x, c.delta(k)) for x, k in self.reviews)

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

    def review(self, c: Copy, review: JSON, delta: Any) -> JSON:
        return {
            **review,
            "id": review["id"] + c.k * self.review_ids,
            "date_created": shift_ams(review["date_created"], delta),
            "_invitation_id": review["_invitation_id"] + c.k * self.invitation_ids,
        }
