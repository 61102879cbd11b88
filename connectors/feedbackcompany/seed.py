"""Seeds The Feedback Company: review invitations for completed orders, and the reviews they led to.

`seed_feedback(...)` invites ~60% of the completed orders of the last 3 years (as a shop integration
does with `POST /orders`: `external_id` = the order number, `customer{email, fullname}`, a delay of
3 or 7 days, no reminder); ~40% of the invitations that went out led to a review. A review shows
only what the reviewer filled in and FBC publishes (policy 003: name and city): `client{name,
city}` with the name as the reviewer typed it ("Jan de Vries", "Jan V." or "Jan"); it has no
e-mail, order number or `external_id` (vendor-apis §6). The link to its invitation is kept in the
store-only key `_invitation_id`, which the fake never shows.

Invitation statuses: `pending` (not sent yet), `sent`, `reviewed`. Dates are ISO 8601 with the
Amsterdam offset. With `subject_email`, the subject's two latest eligible orders are invited and
the latest sent invitation has a review; with `traps`, the "shared_prefix" order and the latest
eligible order of the "containment" look-alike are invited too.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from connectors.feedbackcompany.store import FeedbackStore
from sandbox.data import ShopOrder

JSON = dict[str, Any]
AMS = ZoneInfo("Europe/Amsterdam")
FIRST_INVITATION_ID = 8_400_000
FIRST_REVIEW_ID = 2_100_000
INVITE_SHARE = 0.6
REVIEW_SHARE = 0.4
QUESTIONS: list[JSON] = [
    {"question_id": 1, "type": "score", "title": "Algemene beoordeling"},
    {"question_id": 2, "type": "boolean", "title": "Zou je ons aanbevelen?"},
    {"question_id": 3, "type": "text", "title": "Wat vond je van je bestelling?"},
]
TEXTS = {
    "good": (
        "Snel geleverd en netjes verpakt.",
        "Heerlijke koffie, prima service!",
        "Alles klopte, binnen twee dagen in huis.",
        "Vriendelijk contact en goede kwaliteit.",
        "Zeker een aanrader, ik bestel hier vaker.",
    ),
    "fair": (
        "Goede producten, levering duurde wat langer.",
        "Prima, maar de verpakking was beschadigd.",
    ),
    "poor": (
        "Bestelling kwam te laat en er ontbrak een artikel.",
        "Niet tevreden, geen reactie op mijn mail.",
    ),
}
SCORES = (5.0, 5.0, 5.0, 4.5, 4.5, 4.0, 4.0, 3.5, 3.0, 2.0, 1.0)


def iso(moment: datetime) -> str:
    """FBC date: ISO 8601 in Amsterdam time with its offset, e.g. `2025-03-04T12:34:56+01:00`."""
    return moment.astimezone(AMS).isoformat(timespec="seconds")


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def reviewer_name(order: ShopOrder, rng: random.Random) -> str:
    """The name as a reviewer types it: full, first name and initial, or first name only."""
    first, last = order.first_name.strip(), order.last_name.strip()
    form = rng.random()
    if form < 0.3 and last:
        return f"{first} {last}"
    if form < 0.8 and last:
        return f"{first} {last.split()[-1][0].upper()}."
    return first or "Anoniem"


def _invitation(order: ShopOrder, created: datetime, delay: int, now: datetime) -> JSON:
    scheduled = created + timedelta(days=delay)
    sent = scheduled <= now
    return {
        "id": None,
        "external_id": order.number,
        "customer": {
            "email": order.email,
            "fullname": f"{order.first_name} {order.last_name}".strip(),
        },
        "date_created": iso(created),
        "date_scheduled": iso(scheduled),
        "date_sent": iso(scheduled) if sent else None,
        "status": "sent" if sent else "pending",
        "invitation": {
            "delay": {"unit": "days", "amount": delay},
            "reminder": {"unit": "days", "amount": 0},
        },
        "products": [],
    }


def _review(order: ShopOrder, when: datetime, rng: random.Random) -> JSON:
    score = rng.choice(SCORES)
    mood = "good" if score >= 4 else "fair" if score >= 3 else "poor"
    recommends = score >= 3.5 or (score >= 3 and rng.random() < 0.5)
    city = order.city if rng.random() < 0.85 else ""
    values: list[Any] = [score, recommends, rng.choice(TEXTS[mood])]
    return {
        "id": None,
        "date_created": iso(when),
        "total_score": score,
        "recommends": recommends,
        "client": {"name": reviewer_name(order, rng), "city": city},
        "questions": [
            {**question, "value": value} for question, value in zip(QUESTIONS, values, strict=True)
        ],
        "product": None,
        "_invitation_id": None,
    }


def seed_feedback(
    store: FeedbackStore,
    orders: Sequence[ShopOrder],
    today: date,
    rng: random.Random,
    *,
    subject_email: str = "",
    traps: Mapping[str, str] | None = None,
) -> None:
    """Fill `store.invitations` and `store.reviews` (see the module docstring)."""
    traps = traps or {}
    now = datetime.combine(today, time(12), AMS)
    since = years_before(today, 3)
    eligible = sorted(
        (o for o in orders if o.status == "completed" and o.created.astimezone(AMS).date() > since),
        key=lambda o: (o.created, o.number),
    )
    forced = _forced(eligible, subject_email, traps)
    pairs: list[tuple[ShopOrder, JSON, JSON | None]] = []
    for order in eligible:
        if order.number not in forced and rng.random() >= INVITE_SHARE:
            continue
        created = order.created + timedelta(hours=rng.uniform(20, 60))
        if created > now:
            created = max(order.created, now - timedelta(hours=1))
        invitation = _invitation(order, created, rng.choice((3, 3, 7)), now)
        review = None
        if invitation["status"] == "sent" and rng.random() < REVIEW_SHARE:
            review = _maybe_review(order, invitation, now, rng)
        pairs.append((order, invitation, review))
    subject = subject_email.casefold()
    mine = [p for p in pairs if subject and p[0].email.casefold() == subject]
    sent = [p for p in mine if p[1]["status"] == "sent"]
    if sent and not any(review for _, _, review in mine):
        order, invitation, _ = sent[-1]
        review = _maybe_review(order, invitation, now, rng, force=True)
        pairs[pairs.index(sent[-1])] = (order, invitation, review)
    _number(pairs, rng)
    store.invitations[:] = sorted((inv for _, inv, _ in pairs), key=lambda i: i["id"])
    reviews = [review for _, _, review in pairs if review is not None]
    store.reviews[:] = sorted(reviews, key=lambda r: r["id"])


def _forced(
    eligible: Sequence[ShopOrder], subject_email: str, traps: Mapping[str, str]
) -> set[str]:
    forced: set[str] = set()
    for email, count in ((subject_email, 2), (traps.get("containment", ""), 1)):
        if email:
            theirs = [o.number for o in eligible if o.email.casefold() == email.casefold()]
            forced |= set(theirs[-count:])
    if traps.get("shared_prefix"):
        forced.add(traps["shared_prefix"])
    return forced


def _maybe_review(
    order: ShopOrder, invitation: JSON, now: datetime, rng: random.Random, force: bool = False
) -> JSON | None:
    sent = datetime.fromisoformat(invitation["date_sent"])
    when = sent + timedelta(hours=rng.uniform(1, 240))
    if when > now:
        if not force:
            return None
        when = sent + (now - sent) / 2
    invitation["status"] = "reviewed"
    return _review(order, when, rng)


def _number(pairs: list[tuple[ShopOrder, JSON, JSON | None]], rng: random.Random) -> None:
    """Ids growing with time (with gaps: other shops' invitations and reviews), then the links."""
    next_id = FIRST_INVITATION_ID
    for _, invitation, _ in sorted(pairs, key=lambda p: _when(p[1])):
        next_id += rng.randint(3, 400)
        invitation["id"] = next_id
    next_id = FIRST_REVIEW_ID
    reviewed = [(inv, rev) for _, inv, rev in pairs if rev is not None]
    for invitation, review in sorted(reviewed, key=lambda p: _when(p[1])):
        next_id += rng.randint(2, 150)
        review["id"] = next_id
        review["_invitation_id"] = invitation["id"]


def _when(obj: JSON) -> datetime:
    return datetime.fromisoformat(obj["date_created"])
