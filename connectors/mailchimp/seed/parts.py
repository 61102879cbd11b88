"""The pieces the Mailchimp seed draws from: vocabularies, the audiences, customers from orders,
campaigns, merge fields, locations and the figures of a list's `stats`."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from connectors.mailchimp.fake.store import DEFAULT_MERGE_TAGS, JSON, MailchimpStore
from sandbox.data import ShopOrder

SHOP = "Brandpunt"
STATUSES = (
    ("subscribed", 0.66),
    ("unsubscribed", 0.12),
    ("archived", 0.08),
    ("cleaned", 0.05),
    ("pending", 0.05),
    ("transactional", 0.04),
)
PROVINCES = (("NH", "Noord-Holland"), ("ZH", "Zuid-Holland"), ("UT", "Utrecht"),
             ("NB", "Noord-Brabant"), ("GE", "Gelderland"), ("OV", "Overijssel"))  # fmt: skip
CLIENTS = ("Gmail", "Apple Mail", "Outlook", "iPhone", "Android", "")
SOURCES = ("Hosted Signup Form", "Embedded Form", "API - Generic", "Admin Add", "Import")
UNSUB_REASONS = ("I no longer want to receive these emails", "I never signed up for this mailing list",
                 "The emails are inappropriate", "N/A (Unsubscribed by an admin)")  # fmt: skip
NOTES = ("Belde over een verkeerd bezorgde bestelling.", "Wil alleen de maandelijkse nieuwsbrief.",
         "Adreswijziging doorgegeven via de klantenservice.", "Vroeg om minder e-mails.")  # fmt: skip
STAFF = ("Sanne (klantenservice)", "Webshop API")
LINKS = ("https://brandpunt.example.nl/aanbiedingen", "https://brandpunt.example.nl/nieuw",
         "https://brandpunt.example.nl/blog/koffie-zetten")  # fmt: skip
CHANGES = ("unsub", "bounce")  # events that change a member's status
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december")  # fmt: skip


@dataclass(frozen=True)
class Audience:
    name: str
    share: float
    months_between: int  # one campaign every N months
    permissions: tuple[str, ...]
    tags: tuple[str, ...]


AUDIENCES = (
    Audience("Nieuwsbrief", 0.55, 1, ("E-mail", "Gepersonaliseerde online advertenties"),
             ("Klant", "Terugkerende klant", "VIP", "Black Friday", "Kortingscode")),
    Audience("Klantenpanel", 0.18, 3, (), ("Panellid", "Enquête ingevuld", "Productpanel")),
)  # fmt: skip


@dataclass
class Customer:
    email: str  # as the latest order spells it
    orders: list[ShopOrder] = field(default_factory=list)

    @property
    def latest(self) -> ShopOrder:
        return self.orders[-1]


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def hexid(rng: random.Random, length: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(length))


def customers_of(orders: Sequence[ShopOrder]) -> dict[str, Customer]:
    customers: dict[str, Customer] = {}
    for order in sorted(orders, key=lambda o: (o.created, o.number)):
        customer = customers.setdefault(order.email.casefold(), Customer(order.email))
        customer.orders.append(order)
        customer.email = order.email
    return customers


def pick_status(rng: random.Random) -> str:
    return rng.choices([s for s, _ in STATUSES], [w for _, w in STATUSES])[0]


def new_list(
    store: MailchimpStore, audience: Audience, start: datetime, now: datetime, rng: random.Random
) -> JSON:
    list_id = hexid(rng, 10)
    created = start - timedelta(days=rng.randint(10, 90), minutes=rng.randint(0, 1440))
    web_id = rng.randint(100_000, 999_999)
    lst: JSON = {
        "id": list_id,
        "web_id": web_id,
        "name": audience.name,
        "contact": {
            "company": SHOP,
            "address1": "Grote Markt 12",
            "address2": "",
            "city": "Haarlem",
            "state": "Noord-Holland",
            "zip": "2011 RD",
            "country": "NL",
            "phone": "023 555 0199",
        },
        "permission_reminder": f"Je ontvangt deze e-mail omdat je je bij {SHOP} hebt aangemeld.",
        "use_archive_bar": True,
        "campaign_defaults": {
            "from_name": SHOP,
            "from_email": "nieuws@brandpunt.example.nl",
            "subject": audience.name,
            "language": "nl",
        },
        "notify_on_subscribe": "",
        "notify_on_unsubscribe": "",
        "date_created": iso(created),
        "list_rating": rng.randint(2, 4),
        "email_type_option": False,
        "subscribe_url_short": f"http://eepurl.com/{hexid(rng, 6)}",
        "subscribe_url_long": (
            f"https://brandpunt.us21.list-manage.com/subscribe?u={hexid(rng, 25)}&id={list_id}"
        ),
        "beamer_address": f"us21-{hexid(rng, 10)}-{hexid(rng, 10)}@inbound.mailchimp.com",
        "visibility": "prv",
        "double_optin": audience.name == "Nieuwsbrief",
        "has_welcome": False,
        "marketing_permissions": bool(audience.permissions),
        "modules": [],
        "stats": {},
    }
    store.lists.append(lst)
    store.members.setdefault(list_id, {})
    store.merge_tags[list_id] = list(DEFAULT_MERGE_TAGS)
    store.permissions[list_id] = [
        {"marketing_permission_id": hexid(rng, 10), "text": text} for text in audience.permissions
    ]
    return lst


def campaigns(audience: Audience, now: datetime, rng: random.Random) -> list[JSON]:
    """The audience's campaigns of the last three years, oldest first."""
    out: list[JSON] = []
    month = now.year * 12 + now.month - 1 - 36
    while month < now.year * 12 + now.month - 1:
        year, index = divmod(month, 12)
        sent = datetime(year, index + 1, rng.randint(2, 9), rng.choice((7, 9, 17)), 0, tzinfo=UTC)
        if sent < now - timedelta(days=1):
            title = (
                f"{audience.name} {MONTHS[index]} {year}"
                if audience.months_between == 1
                else f"{audience.name} Q{index // 3 + 1} {year}"
            )
            out.append({"id": hexid(rng, 10), "title": title, "sent": sent})
        month += audience.months_between
    return out


def merge_fields(order: ShopOrder | None, province: str, rng: random.Random) -> JSON:
    if order is None:
        return {"FNAME": "", "LNAME": "", "ADDRESS": "", "PHONE": "", "BIRTHDAY": ""}
    address: Any = ""
    if order.street and rng.random() < 0.75:
        address = {
            "addr1": f"{order.street} {order.house_number}".strip(),
            "addr2": "",
            "city": order.city,
            "state": province,
            "zip": order.postcode,
            "country": order.country or "NL",
        }
    birthday = f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}" if rng.random() < 0.4 else ""
    return {
        "FNAME": order.first_name,
        "LNAME": order.last_name,
        "ADDRESS": address,
        "PHONE": order.phone if rng.random() < 0.6 else "",
        "BIRTHDAY": birthday,
    }


def ip_address(rng: random.Random) -> str:
    first = rng.choice((77, 84, 86, 145, 213))
    return f"{first}.{rng.randint(1, 254)}.{rng.randint(1, 254)}.{rng.randint(1, 254)}"


def location(rng: random.Random, region: str, imported: bool) -> JSON:
    if imported:
        return {"latitude": 0, "longitude": 0, "gmtoff": 0, "dstoff": 0,
                "country_code": "", "timezone": "", "region": ""}  # fmt: skip
    return {
        "latitude": round(rng.uniform(51.4, 53.2), 4),
        "longitude": round(rng.uniform(4.0, 6.9), 4),
        "gmtoff": 1,
        "dstoff": 2,
        "country_code": "NL",
        "timezone": "Europe/Amsterdam",
        "region": region,
    }


def stats(events: list[JSON], customer: Customer) -> JSON:
    sent = sum(1 for e in events if e["activity_type"] == "sent")
    opened = len({e["campaign_id"] for e in events if e["activity_type"] == "open"})
    clicked = len({e["campaign_id"] for e in events if e["activity_type"] == "click"})
    revenue = sum((Decimal(o.total) for o in customer.orders), Decimal("0"))
    return {
        "avg_open_rate": round(opened / sent, 2) if sent else 0,
        "avg_click_rate": round(clicked / sent, 2) if sent else 0,
        "ecommerce_data": {
            "total_revenue": float(revenue),
            "number_of_orders": len(customer.orders),
            "currency_code": "EUR",
        },
    }


def list_stats(store: MailchimpStore, lst: JSON, sent_campaigns: list[JSON]) -> None:
    """The rates and dates of `stats` the fake does not count itself."""
    list_id = lst["id"]
    every = [e for key, events in store.activity.items() if key[0] == list_id for e in events]
    sent = [e for e in every if e["activity_type"] == "sent"]
    opens = [e for e in every if e["activity_type"] == "open"]
    clicks = [e for e in every if e["activity_type"] == "click"]
    opts = [m["timestamp_opt"] for m in store.members[list_id].values() if m["timestamp_opt"]]
    unsubs = [e["created_at_timestamp"] for e in every if e["activity_type"] == "unsub"]
    lst["stats"] = {
        "member_count_since_send": 0,
        "unsubscribe_count_since_send": 0,
        "cleaned_count_since_send": 0,
        "campaign_count": len(sent_campaigns),
        "campaign_last_sent": iso(sent_campaigns[-1]["sent"]) if sent_campaigns else "",
        "merge_field_count": len(DEFAULT_MERGE_TAGS),
        "avg_sub_rate": round(len(opts) / 36, 1),
        "avg_unsub_rate": round(len(unsubs) / 36, 1),
        "target_sub_rate": round(len(opts) / 36 * 1.2, 1),
        "open_rate": round(100 * len(opens) / len(sent), 2) if sent else 0,
        "click_rate": round(100 * len(clicks) / len(sent), 2) if sent else 0,
        "last_sub_date": max(opts, default=""),
        "last_unsub_date": max(unsubs, default=""),
    }
