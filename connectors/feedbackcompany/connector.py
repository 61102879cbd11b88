"""The Feedback Company (API v2): review invitations and reviews.

Endpoints: `GET /api/v2/oauth2/token?client_id=&client_secret=&grant_type=authorization_code`
(a GET, cached until a 401, then fetched again once), `GET /api/v2/invitations` (`page`,
`per_page` 100), and `GET /api/v2/review/` (offset paging: `start`, `limit` 100).
Finding a person: there is no e-mail filter. Invitations carry the shop's order number
(`external_id`) and the customer's e-mail, so they are matched on either, exactly. Reviews, as the
API shows them, carry neither: they are matched only where one does carry an order number or an
e-mail address, and otherwise the package says that this system cannot tell which reviews are the
person's.
With the sync index (invitations by address and by order number, with their dates), the
invitations listing, newest first, is read only down to the oldest invitation the index holds
for the person and to the sync's cursor; an indexed person with none is read down to the cursor.
The minimum (`Collected.minimum`): the token, and each page of each listing read.
Rate limits: none documented. Errors come as `{"success": false, "error": "..."}`.
Unconfirmed (vendor-apis.md §6): the invitations listing rests on a single source.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any, ClassVar, Self

from bridge.core import kinds
from bridge.core.auth import Token, TokenAuth
from bridge.core.config import Config, Setting
from bridge.core.connector import (
    Batch,
    Collected,
    Connector,
    IndexEntry,
    Stream,
    records_in,
    require,
    same_email,
)
from bridge.core.decisions import Capability
from bridge.core.errors import AuthFailure, SystemFailure
from bridge.core.http import HttpClient
from bridge.core.http_errors import ErrorShape
from bridge.core.models import Identifier, Record
from bridge.core.paging import Offset, Page, PageNumber
from bridge.core.policy import Action, Policy
from bridge.core.steps import Step
from connectors.feedbackcompany.views import VIEWS

PER_PAGE = 100
INVITATIONS = PageNumber(size=PER_PAGE)  # `page`, `per_page`: a short or empty page is the last
REVIEWS = Offset(size=PER_PAGE)  # `start`, `limit`: a short or empty page is the last
REVIEW_ORDER_KEYS = ("external_id", "order_number", "orderNumber")
REVIEW_EMAIL_KEYS = ("email", "customer_email")
UNMATCHABLE = (
    "The Feedback Company's API does not show which customer or order a review belongs to, so "
    "reviews you wrote there cannot be listed here; ask The Feedback Company for them."
)


def review_email(review: dict[str, Any]) -> str | None:
    """The reviewer's address, where the review shows one: at the top or under `client`."""
    client = review.get("client") if isinstance(review.get("client"), dict) else {}
    for value in (*(review.get(k) for k in REVIEW_EMAIL_KEYS), (client or {}).get("email")):
        if isinstance(value, str) and value:
            return value
    return None


# The v2 error body: `{"success": false, "error": "401 Unauthorized"}` (vendor-apis.md §6).
ERRORS = ErrorShape(message=("error",))


def _entry(invitation: dict[str, Any]) -> IndexEntry:
    number = invitation.get("external_id")
    return IndexEntry(
        "review_invitation",
        str(invitation["id"]),
        (invitation.get("customer") or {}).get("email"),
        invitation.get("date_created"),
        ((kinds.ORDER_NUMBER, str(number)),) if number else (),
    )


# The scheduled sync: the invitations listing is newest first, read page by page until the
# previous run's newest; the new cursor is saved with the last batch.
SYNC = {
    "invitations": Stream(
        "invitations", "api/v2/invitations", INVITATIONS, _entry,
        cursor_field="date_created", ordered=False,
    )
}  # fmt: skip


class FeedbackCompanyConnector(Connector):
    name = "feedbackcompany"
    title = "The Feedback Company (reviews)"
    role = "processor: reviews (publishes name and city)"
    settings = (
        Setting("FEEDBACKCOMPANY_API_URL", "API host.", default="https://www.feedbackcompany.com"),
        Setting("FEEDBACKCOMPANY_CLIENT_ID", "OAuth client id.", secret=True),
        Setting("FEEDBACKCOMPANY_CLIENT_SECRET", "OAuth client secret.", secret=True),
    )
    looks_up = frozenset({kinds.EMAIL, kinds.ORDER_NUMBER})
    categories: ClassVar[dict[str, list[str]]] = {
        "review_invitation": ["review invitations", "name", "e-mail address", "order number"],
        "feedback_review": ["reviews", "name", "city"],
    }
    views = VIEWS

    def __init__(self, url: str, client_id: str, secret: str) -> None:
        self.http = HttpClient(self.name, url, secrets=(client_id, secret), errors=ERRORS)
        self._credentials = (client_id, secret)
        # No lifetime is documented: a token is kept until it is refused (vendor-apis.md §6).
        self.token = TokenAuth(self._new_token, on_token=self.http.redact.add)
        self._invitations: list[dict[str, Any]] = []  # read so far, newest first
        self._pages: Iterator[Page[Any]] | None = None  # the rest of the invitations listing
        self._reached: str | None = None  # the oldest `date_created` read so far
        self._reviews: list[dict[str, Any]] | None = None
        self._needed = 0  # requests the plan needed: the token and every page answered

    @classmethod
    def from_config(cls, config: Config) -> Self:
        url, client_id, secret = require(config, cls.settings, cls.name)
        return cls(url, client_id, secret)

    def check(self) -> None:
        self._get("api/v2/shop")

    def collect(self, identifiers: Sequence[Identifier]) -> Collected:
        found, before = Collected(), self._needed
        emails = {i.value for i in identifiers if i.kind == kinds.EMAIL}
        numbers = {i.value: i for i in identifiers if i.kind == kinds.ORDER_NUMBER}
        with found.reading("invitations"):
            for invitation in self._invitations_down_to(self._oldest(identifiers, found)):
                email = (invitation.get("customer") or {}).get("email")
                number = str(invitation.get("external_id") or "")
                if any(same_email(email, e) for e in emails):
                    found.add(
                        "review_invitation",
                        invitation["id"],
                        "e-mail address of the invitation",
                        invitation,
                    )
                elif number in numbers:
                    why = f"invitation for order {number} ({numbers[number].via})"
                    found.add("review_invitation", invitation["id"], why, invitation)
        with found.reading("reviews"):
            self._match_reviews(self._all_reviews(), emails, numbers, found)
        found.need(self._needed - before)
        return found

    def _oldest(self, identifiers: Iterable[Identifier], found: Collected) -> str | None:
        """How far down the invitations must be read: the oldest date the index holds for these
        identifiers and its cursor; None (all of them) without an index or for an undated one."""
        cursor = self.index.cursors.get("invitations") if self.index else None
        if self.index is None or not cursor:
            return None
        dates: list[str | None] = [cursor]
        for ident in identifiers:
            if ident.kind == kinds.EMAIL:
                dates += [d for _, d in self.index.records_of(ident.value, "review_invitation")]
            elif ident.kind == kinds.ORDER_NUMBER:
                linked = self.index.linked(kinds.ORDER_NUMBER, ident.value, "review_invitation")
                dates += [d for _, d in linked]
        found.lookup.append(f"invitations: index (synced {self.index.synced_at}), newest down")
        return None if not all(dates) else min(d for d in dates if d)

    def _match_reviews(
        self,
        reviews: list[dict[str, Any]],
        emails: set[str],
        numbers: dict[str, Identifier],
        found: Collected,
    ) -> None:
        linkable = False
        for review in reviews:
            order = next((str(review[k]) for k in REVIEW_ORDER_KEYS if review.get(k)), None)
            email = review_email(review)
            linkable = linkable or bool(order or email)
            if order in numbers:
                found.add("feedback_review", review["id"], f"review of order {order}", review)
            elif email and any(same_email(email, e) for e in emails):
                found.add("feedback_review", review["id"], "e-mail address of the review", review)
        if reviews and not linkable and UNMATCHABLE not in found.notes:
            found.notes.append(UNMATCHABLE)

    # -- erasure: no delete or anonymise endpoint exists ----------------------------------------

    capabilities: ClassVar[dict[str, Capability]] = {
        "review_invitation": Capability(date="date_created"),
        "feedback_review": Capability(date="date_created"),
    }

    def plan_erasure(self, records: Sequence[Record], policy: Policy, today: date) -> list[Step]:
        """What the policy wants erased is a prepared request to The Feedback Company."""
        orders = sorted(
            {str(r.data.get("external_id")) for r in records if r.data.get("external_id")}
        )
        request = (
            "Ask The Feedback Company (via the dashboard's support contact) to delete, under art. "
            "17 and 19 GDPR, the review invitations and reviews of our customer for orders "
            f"{', '.join(orders) or '(see the ids listed)'}: invitation/review ids "
            f"{', '.join(sorted(r.id for r in records))}."
        )
        steps = []
        for record in records:
            made = self.decide(record, policy, today)
            if made.how == "manual" and made.wanted not in (None, Action.manual):
                why = "The Feedback Company's API cannot delete reviews or invitations."
                steps.append(self.step(record, made, policy, reason=why, instruction=request))
            else:
                steps.append(self.step(record, made, policy))
        return steps

    # -- the scheduled sync: the stream declared in SYNC -----------------------------------------

    streams = tuple(SYNC)

    def changes(self, stream: str, cursor: str | None) -> Iterator[Batch]:
        declared = SYNC[stream]
        field = declared.cursor_field or ""
        newest = cursor
        for page in declared.paging.pages(
            lambda n: self._page(declared.path, "invitations", page=n, per_page=PER_PAGE),
            self.name,
            declared.path,
        ):
            dates = [str(i.get(field) or "") for i in page.items]
            fresh = [i for i, d in zip(page.items, dates, strict=True) if not cursor or d >= cursor]
            newest = max([newest or "", *dates]) or None
            done = page.last or (cursor is not None and len(fresh) < len(page.items))
            yield Batch([declared.entry(i) for i in fresh], newest if done else cursor)
            if done:
                return

    def _invitations_down_to(self, oldest: str | None) -> list[dict[str, Any]]:
        """The invitations (newest first) down to one older than `oldest`, or all of them (None).
        Each page is read once per export: later rounds match against the same list."""
        if self._pages is None:
            path = "api/v2/invitations"
            self._pages = INVITATIONS.pages(
                lambda n: self._page(path, "invitations", page=n, per_page=PER_PAGE),
                self.name,
                path,
            )
        while oldest is None or self._reached is None or self._reached >= oldest:
            page = next(self._pages, None)
            if page is None:
                break
            self._invitations += records_in(page.items, self.name, "invitations")
            dates = [str(i.get("date_created") or "") for i in page.items]
            self._reached = min([d for d in dates if d] + [self._reached or "~"])
        return self._invitations

    def _all_reviews(self) -> list[dict[str, Any]]:
        if self._reviews is None:
            path = "api/v2/review/"
            items = REVIEWS.items(
                lambda start: self._page(path, "reviews", start=start, limit=PER_PAGE),
                self.name,
                path,
            )
            self._reviews = records_in(list(items), self.name, "reviews")
        return self._reviews

    def _page(self, path: str, key: str, **params: Any) -> tuple[list[Any], None]:
        """One page of a listing (the answer gives no total)."""
        self._needed += 1  # asked for: needed, whatever it answers
        body = self._get(path, **params)
        items = body.get(key) if isinstance(body, dict) else None
        if not isinstance(items, list) or body.get("success") is False:
            raise SystemFailure(self.name, f"unexpected answer listing {key}")
        return items, None

    def _get(self, path: str, **params: Any) -> Any:
        return self.token.send(
            lambda auth: self.http.json("GET", path, params=params, headers=auth)
        )

    def _new_token(self) -> Token:
        client_id, secret = self._credentials
        self._needed += 1
        body = self.http.json(
            "GET",
            "api/v2/oauth2/token",
            params={
                "client_id": client_id,
                "client_secret": secret,
                "grant_type": "authorization_code",
            },
        )
        if not isinstance(body, dict) or body.get("error") or not body.get("access_token"):
            raise AuthFailure(self.name, "credentials refused by the token endpoint")
        return Token(str(body["access_token"]))
