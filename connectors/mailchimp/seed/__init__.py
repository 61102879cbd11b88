"""Seeds a shop's Mailchimp account from its orders: two audiences and the customers on them.

"Nieuwsbrief" (GDPR marketing permissions on, a campaign a month) takes about 55% of the
customers, "Klantenpanel" (a survey panel, a campaign a quarter) about 18%. A member's status is
mostly `subscribed`, else `unsubscribed`, `archived`, `cleaned`, `pending` or `transactional`;
names, address and phone come from the customer's latest order in Mailchimp's merge-field shapes
(ADDRESS an object `{addr1, addr2, city, state, zip, country}`, BIRTHDAY `MM/DD`, PHONE text).
Members carry `ip_signup`/`ip_opt` and ISO 8601 times (none of them for imported contacts),
`location`, `marketing_permissions`, tags, sometimes a note, and activity-feed events: a signup,
a marketing-permission opt-in, the sends, opens and clicks of recent campaigns, a bounce for a
cleaned member, an unsubscribe, and the shop orders (the store is connected).

The subject (`subject_email`) is on both audiences with tags, notes and events: subscribed to
Nieuwsbrief under that address, unsubscribed from Klantenpanel under `traps["case"]` (the same
address in other capitals: the same subscriber hash, but `email_address` as it was typed). The
"containment" look-alike (`traps["containment"]`, e.g. dejan@... beside jan@...) is a Nieuwsbrief
member of its own. Everything is drawn from `rng`: the same rng and orders give the same account.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta

from connectors.mailchimp.fake.store import JSON, MailchimpStore, subscriber_hash
from connectors.mailchimp.seed.parts import (
    AUDIENCES,
    CHANGES,
    CLIENTS,
    LINKS,
    NOTES,
    PROVINCES,
    SHOP,
    SOURCES,
    STAFF,
    UNSUB_REASONS,
    Audience,
    Customer,
    campaigns,
    customers_of,
    hexid,
    ip_address,
    iso,
    list_stats,
    location,
    merge_fields,
    new_list,
    pick_status,
    stats,
)
from sandbox.data import ShopOrder

__all__ = ["seed_mailchimp"]


def seed_mailchimp(
    store: MailchimpStore,
    orders: Sequence[ShopOrder],
    today: date,
    rng: random.Random,
    *,
    subject_email: str = "",
    traps: Mapping[str, str] | None = None,
) -> None:
    """Fill `store` with the two audiences and their members (see the module docstring)."""
    traps = traps or {}
    now = datetime.combine(today, time(12), UTC)
    customers = customers_of(orders)
    subject = subject_email.casefold()
    lookalike = traps.get("containment", "").casefold()
    start = min((o.created for o in orders), default=now - timedelta(days=3 * 365))
    uids: dict[str, str] = {}
    for audience in AUDIENCES:
        lst = new_list(store, audience, start, now, rng)
        seeder = _Seeder(store, lst["id"], audience, now, rng, uids)
        for key in sorted(customers):
            customer = customers[key]
            if key == subject:
                seeder.subject(customer, subject_email, traps.get("case", "") or subject_email)
            elif key == lookalike and audience.name == "Nieuwsbrief":
                seeder.member(customer, customer.email, "subscribed", tags=1)
            elif key not in (subject, lookalike) and rng.random() < audience.share:
                seeder.member(customer, customer.email, pick_status(rng))
        if subject and subject not in customers:
            seeder.subject(
                Customer(subject_email), subject_email, traps.get("case", "") or subject_email
            )
        list_stats(store, lst, seeder.campaigns)


class _Seeder:
    """Adds the members of one audience, with their tags, notes and activity."""

    def __init__(
        self,
        store: MailchimpStore,
        list_id: str,
        audience: Audience,
        now: datetime,
        rng: random.Random,
        uids: dict[str, str],
    ) -> None:
        self.store, self.list_id, self.audience = store, list_id, audience
        self.now, self.rng = now, rng
        # "An identifier for the address across all of Mailchimp": one per address, every list.
        self.uids = uids
        self.campaigns = campaigns(audience, now, rng)

    def subject(self, customer: Customer, address: str, case_address: str) -> None:
        """Subscribed to Nieuwsbrief as `address`; unsubscribed from the panel as typed there."""
        if self.audience.name == "Nieuwsbrief":
            status = "subscribed"
        else:
            address, status = case_address, "unsubscribed"
        key = self.member(
            customer, address, status, tags=2, notes=2, least_events=6, imported=False
        )
        self.store.members[self.list_id][key[1]]["vip"] = self.audience.name == "Nieuwsbrief"

    def member(
        self,
        customer: Customer,
        address: str,
        status: str,
        *,
        tags: int | None = None,
        notes: int | None = None,
        least_events: int = 0,
        imported: bool | None = None,
    ) -> tuple[str, str]:
        rng, now = self.rng, self.now
        order = customer.latest if customer.orders else None
        first_order = customer.orders[0].created if customer.orders else now - timedelta(days=400)
        imported = rng.random() < 0.15 if imported is None else imported
        signup = first_order + timedelta(minutes=rng.randint(2, 60 * 24 * 200))
        signup = min(signup, now - timedelta(days=rng.randint(20, 60)))
        opted = signup + timedelta(minutes=rng.randint(1, 180)) if status != "pending" else None
        hashed = subscriber_hash(address)
        key = (self.list_id, hashed)
        code, province = rng.choice(PROVINCES)
        imported = imported or status == "transactional"  # synced from the shop, never signed up
        ip = "" if imported else ip_address(rng)
        events = self._events(customer, status, signup, opted, imported, least_events)
        self.store.activity[key] = events
        member: JSON = {
            "id": hashed,
            "email_address": address,
            "unique_email_id": self.uids.setdefault(hashed, hexid(rng, 10)),
            "contact_id": hexid(rng, 32),
            "full_name": f"{order.first_name} {order.last_name}".strip() if order else "",
            "web_id": self.store.new_web_id(),
            "email_type": "html",
            "status": status,
            "unsubscribe_reason": rng.choice(UNSUB_REASONS) if status == "unsubscribed" else "",
            "consents_to_one_to_one_messaging": True,
            "sms_phone_number": "",
            "sms_subscription_status": "",
            "sms_subscription_last_updated": "",
            "merge_fields": merge_fields(order, province, rng),
            "interests": {},
            "stats": stats(events, customer),
            "ip_signup": ip,
            "timestamp_signup": "" if imported else iso(signup),
            "ip_opt": ip if opted and not imported else "",
            "timestamp_opt": iso(opted) if opted and status != "transactional" else "",
            "member_rating": rng.randint(1, 5) if status == "subscribed" else 2,
            "last_changed": max(
                [iso(opted or signup)]
                + [e["created_at_timestamp"] for e in events if e["activity_type"] in CHANGES]
            ),
            "language": "nl",
            "vip": rng.random() < 0.04,
            "email_client": rng.choice(CLIENTS),
            "location": location(rng, code, imported),
            "marketing_permissions": [
                {**p, "enabled": status == "subscribed" and (i == 0 or rng.random() < 0.5)}
                for i, p in enumerate(self.store.permissions[self.list_id])
            ],
            "source": "Import" if imported else rng.choice(SOURCES[:4]),
        }
        if status == "transactional":
            member["source"] = "E-commerce"
        if status == "archived":
            archived = max(opted or signup, now - timedelta(days=rng.randint(5, 300)))
            member["last_changed"] = iso(archived)
        self.store.members[self.list_id][hashed] = member
        self._tags(key, signup, rng.choice((0, 0, 1, 2, 3)) if tags is None else tags)
        self._notes(key, signup, (1 if rng.random() < 0.08 else 0) if notes is None else notes)
        return key

    def _events(
        self,
        customer: Customer,
        status: str,
        signup: datetime,
        opted: datetime | None,
        imported: bool,
        least: int,
    ) -> list[JSON]:
        rng = self.rng
        events: list[JSON] = []
        if not imported:
            events.append({"activity_type": "website_signup", "created_at_timestamp": iso(signup),
                           "outreach_id": "", "outreach_title": f"Aanmelden {self.audience.name}"})  # fmt: skip
        if opted and self.audience.permissions and status != "transactional":
            events.append({"activity_type": "marketing_permission", "created_at_timestamp": iso(opted),
                           "marketing_permission_text": self.audience.permissions[0],
                           "updated_by": "Contact", "marketing_permission_opted_in": True})  # fmt: skip
        if opted and status in ("subscribed", "unsubscribed", "archived", "cleaned"):
            sent = [c for c in self.campaigns if c["sent"] > opted]
            keep = max(least, rng.randint(2, 6))
            sent = sent[-keep:]
            if status in ("unsubscribed", "archived", "cleaned") and len(sent) > 1:
                sent = sent[: rng.randint(1, len(sent) - 1)] if least == 0 else sent
            appetite = rng.uniform(0.2, 0.8) if least == 0 else 0.9
            for campaign in sent:
                base = {"campaign_id": campaign["id"], "campaign_title": campaign["title"]}
                at = campaign["sent"]
                events.append({"activity_type": "sent", "created_at_timestamp": iso(at), **base})
                if rng.random() < appetite:
                    opened = at + timedelta(minutes=rng.randint(5, 2880))
                    events.append(
                        {"activity_type": "open", "created_at_timestamp": iso(opened), **base}
                    )
                    if rng.random() < 0.35 or least:
                        clicked = opened + timedelta(minutes=rng.randint(1, 30))
                        events.append({"activity_type": "click", "created_at_timestamp": iso(clicked),
                                       "link_clicked": rng.choice(LINKS), **base})  # fmt: skip
            last = sent[-1] if sent else None
            if status == "cleaned" and last:
                events.append({"activity_type": "bounce", "created_at_timestamp": iso(last["sent"] + timedelta(minutes=3)),
                               "campaign_id": last["id"], "campaign_title": last["title"],
                               "bounce_type": "hard", "bounce_has_open_activity": False})  # fmt: skip
            if status == "unsubscribed":
                when = (last["sent"] if last else opted) + timedelta(hours=rng.randint(1, 72))
                events.append({"activity_type": "unsub", "created_at_timestamp": iso(min(when, self.now)),
                               "campaign_id": last["id"] if last else "", "campaign_title": last["title"] if last else "",
                               "is_admin_unsubscribed": False, "unsubscribe_reason": ""})  # fmt: skip
        for order in [o for o in customer.orders if o.created > signup][-3:]:
            events.append({"activity_type": "order", "created_at_timestamp": iso(order.created),
                           "outreach_id": "", "outreach_type": "", "outreach_title": "",
                           "order_id": order.number, "order_total": order.total, "order_items": [],
                           "store_name": SHOP, "order_url": "", "integration_platform": ""})  # fmt: skip
        events.sort(key=lambda e: e["created_at_timestamp"])
        return events

    def _tags(self, key: tuple[str, str], signup: datetime, count: int) -> None:
        names = self.rng.sample(self.audience.tags, min(count, len(self.audience.tags)))
        self.store.tags[key] = [
            {"id": self.store.tag_id(self.list_id, name), "name": name,
             "date_added": iso(min(signup + timedelta(days=self.rng.randint(0, 400)), self.now))}
            for name in names
        ]  # fmt: skip

    def _notes(self, key: tuple[str, str], signup: datetime, count: int) -> None:
        notes: list[JSON] = []
        for text in self.rng.sample(NOTES, min(count, len(NOTES))):
            when = iso(min(signup + timedelta(days=self.rng.randint(1, 500)), self.now))
            notes.append({"id": self.store.new_note_id(), "created_at": when,
                          "created_by": self.rng.choice(STAFF), "updated_at": when, "note": text})  # fmt: skip
        if notes:
            self.store.notes[key] = notes
