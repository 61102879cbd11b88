"""The Feedback Company fake's part of hostile mode (`sandbox.hostile`): the 404 it answers for a
resource it does not serve, and the unconfirmed review and invitation fields in the other
spelling (`FeedbackRespeller`).
"""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from connectors.feedbackcompany.fake import failure
from connectors.feedbackcompany.store import FeedbackStore
from sandbox.environ import segments
from sandbox.plugin import Hostility, Respeller

# Every knob at once (sandbox.hostile.HOSTILE).
HOSTILITY = Hostility(
    # No filter to ignore: its fake (like every client seen, vendor-apis.md §6 "Other
    # filters (date, product, e-mail, order): none seen") takes only `limit`/`start` on
    # reviews and `page`/`per_page` on invitations.
    respell=True,
    missing=("invitations",),
)

RESPELLING = (
    "reviews' client.email (the author's, other case); invitations' "
    "customer.name for customer.fullname"
)


def not_found(method: str, path: str) -> Response:
    """The v2 error body's `404 Not Found`."""
    return failure(404).response


def _other_case(email: str) -> str:
    upper = email.upper()
    return upper if upper != email else email.lower()


class FeedbackRespeller:
    """The Feedback Company's answers with the unconfirmed fields spelled the other way.

    - vendor-apis.md §6: "No client reads an e-mail, order number or `external_id` from a review
      → exposure UNCONFIRMED (likely not exposed)." Respelled: a review whose author the seed
      knows (its invitation, `_invitation_id`) shows `client.email`, the author's address in
      another letter case than the shop has it (upper-cased).
    - vendor-apis.md §6: "The Zen Cart module sends `customer{email, name}` instead of
      `fullname` ... which keys the server requires: UNCONFIRMED" and `GET /invitations`
      "fields UNCONFIRMED". Respelled: an invitation's `customer` shows `name`, not `fullname`.
    """

    def __init__(self, store: FeedbackStore) -> None:
        self.store = store
        self._authors: dict[int, str] = {}
        self._seen = (-1, -1)

    def authors(self) -> dict[int, str]:
        """Review id -> the e-mail address its invitation went to (rebuilt when the store grows)."""
        seen = (len(self.store.reviews), len(self.store.invitations))
        if seen != self._seen:
            sent = {i["id"]: i.get("customer", {}).get("email") for i in self.store.invitations}
            self._authors = {
                r["id"]: sent[r["_invitation_id"]]
                for r in self.store.reviews
                if sent.get(r.get("_invitation_id"))
            }
            self._seen = seen
        return self._authors

    def __call__(self, status: int, path: str, body: Any) -> Any:
        if status >= 400 or not isinstance(body, dict):
            return body
        parts = segments(path)
        if "review" in parts:
            authors = self.authors()
            for review in [*body.get("reviews", []), body.get("review")]:
                if isinstance(review, dict) and review.get("id") in authors:
                    client = review.get("client")
                    client = client if isinstance(client, dict) else {}
                    review["client"] = {**client, "email": _other_case(authors[review["id"]])}
        if "invitations" in parts:
            for invitation in body.get("invitations", []):
                customer = invitation.get("customer")
                if isinstance(customer, dict) and "fullname" in customer:
                    invitation["customer"] = {
                        ("name" if k == "fullname" else k): v for k, v in customer.items()
                    }
        return body


def respellers(store: FeedbackStore) -> list[Respeller]:
    """What `respell=True` changes: reviews' and invitations' fields (`RESPELLING`)."""
    return [FeedbackRespeller(store)]
