"""The people of the Lightspeed shop and the orders they place (plans; `ls_seed_orders` writes them).

Used by `connectors.lightspeed.seed.shop`. Dates are aware UTC datetimes relative to `shop.today`.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from faker import Faker

from sandbox.data import Shop
from sandbox.seed_common import Timeline

OPENED_DAYS_AGO = 2960
SUBJECT_EMAIL = "ria@jansen.example.nl"
CASE_VARIANT = "Ria@Jansen.example.nl"
LOOKALIKE_EMAIL = "maria@jansen.example.nl"
NOTE_MENTION_EMAIL = "femke.dewit@post.example.nl"
BULK_EMAIL = "inkoop@relatiegeschenk.example.nl"
SUBJECT_PHONE = "06-41827365"
DOMAINS = (
    "mail.example.nl",
    "post.example.nl",
    "inbox.example.nl",
    "webmail.example.nl",
    "thuis.example.nl",
)
_WEBKIT = "AppleWebKit/537.36 (KHTML, like Gecko)"
_SAFARI = "AppleWebKit/605.1.15 (KHTML, like Gecko)"
AGENTS = (
    f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {_WEBKIT} Chrome/124.0.0.0 Safari/537.36",
    f"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) {_SAFARI} Version/17.4 Mobile/15E148"
    " Safari/604.1",
    f"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) {_SAFARI} Version/17.3 Safari/605.1.15",
    f"Mozilla/5.0 (Linux; Android 14; Pixel 7) {_WEBKIT} Chrome/123.0.0.0 Mobile Safari/537.36",
)
COMMENTS = (
    "Graag in cadeauverpakking.",
    "Mag in de brievenbus.",
    "Het is een verrassing, graag zonder prijs op de pakbon.",
    "Bij geen gehoor afgeven bij de buren.",
    "Kan de ring een maatje kleiner?",
)


def ascii_name(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "".join(c for c in plain if c.isalnum())


def split_last(full: str) -> tuple[str, str]:
    """Faker's "van der Meer" as Lightspeed's middlename "van der" and lastname "Meer"."""
    words = full.split()
    middle = [w for w in words[:-1] if w.islower()]
    return " ".join(middle), " ".join(words[len(middle) :])


@dataclass
class Person:
    first: str
    middle: str
    last: str
    email: str
    phone: str
    street: str
    number: str
    extension: str
    zipcode: str
    city: str
    gender: str
    birth: str | bool = False
    company: str = ""
    customer_id: int = 0
    registered: datetime | None = None
    ip: str = ""
    agent: str = ""
    newsletter: bool = False

    @property
    def full(self) -> str:
        return " ".join(p for p in (self.first, self.middle, self.last) if p)


@dataclass
class Plan:
    """An order to be written: who, when, what, and what happens to it."""

    when: datetime
    person: Person
    email: str
    status: str  # neutral: completed, processing, pending, on-hold, cancelled, refunded
    items: list[tuple[int, int]]
    guest: bool = False
    comment: str = ""
    memo: str = ""
    refund: str = ""  # "", "full" or "partial"
    refund_when: datetime | None = None
    special: str = ""
    number: str = ""
    order_id: int = 0
    extra: dict[str, object] = field(default_factory=dict)


class Cast(Timeline):
    """Draws the people and plans their orders."""

    def __init__(self, shop: Shop, fake: Faker, rng: random.Random) -> None:
        self.shop, self.fake, self.rng = shop, fake, rng
        self.end = datetime.combine(shop.today - timedelta(days=1), time(20, 30), UTC)
        self.start = datetime.combine(shop.today - timedelta(days=OPENED_DAYS_AGO), time(8), UTC)
        self.emails: set[str] = set()
        self.customers: list[Person] = []
        self.guests: list[Person] = []
        self.plans: list[Plan] = []

    def person(self, first: str = "", last: str = "", email: str = "", gender: str = "") -> Person:
        rng, fake = self.rng, self.fake
        gender = gender or rng.choice(("female", "female", "female", "male"))
        first = first or (
            fake.first_name_female() if gender == "female" else fake.first_name_male()
        )
        middle, last = split_last(last or fake.last_name())
        if not email:
            local = rng.choice(
                [
                    f"{ascii_name(first)}.{ascii_name(middle + last)}",
                    f"{ascii_name(first)[0]}{ascii_name(last)}",
                    f"{ascii_name(first)}{rng.randint(10, 99)}",
                ]
            )
            email = f"{local}@{rng.choice(DOMAINS)}"
            while email.casefold() in self.emails:
                email = f"{local}{rng.randint(1, 999)}@{rng.choice(DOMAINS)}"
        self.emails.add(email.casefold())
        letters = "".join(rng.choice("ABCEGHJKLMNPRSTVWXZ") for _ in range(2))
        phone = rng.choice(["06-{}", "06 {}", "+316{}", "030-{}"]).format(
            rng.randint(10**7, 10**8 - 1)
        )
        birth: str | bool = False
        if rng.random() < 0.3:
            birth = f"{rng.randint(1950, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        return Person(
            first,
            middle,
            last,
            email,
            phone,
            fake.street_name(),
            str(rng.randint(1, 240)),
            rng.choice(["", "", "", "", "", "A", "bis", "2", "hs"]),
            f"{rng.randint(1000, 9999)} {letters}",
            fake.city(),
            gender,
            birth,
            ip=rng.choice(
                [
                    f"{rng.choice(['192.0.2', '198.51.100', '203.0.113'])}.{rng.randint(1, 254)}",
                    f"2001:db8:{rng.randint(0, 65535):x}::{rng.randint(1, 65535):x}",
                ]
            ),
            agent=rng.choice(AGENTS),
            newsletter=rng.random() < 0.4,
        )

    def basket(self, bulk: bool = False) -> list[tuple[int, int]]:
        rng = self.rng
        if bulk:
            return [(i, rng.randint(5, 25)) for i in sorted(rng.sample(range(14, 18), 2))]
        picks = sorted(rng.sample(range(20), rng.choice([1, 1, 1, 2, 2, 3])))
        return [(i, rng.choice([1, 1, 1, 1, 2])) for i in picks]

    def plan(
        self,
        person: Person,
        when: datetime,
        *,
        email: str | None = None,
        guest: bool = False,
        status: str = "",
        refund: str = "",
        bulk: bool = False,
        comment: str | None = None,
        memo: str = "",
        items: list[tuple[int, int]] | None = None,
        special: str = "",
    ) -> Plan:
        rng = self.rng
        if not status:
            age, roll = (self.end - when).days, rng.random()
            if age < 2:
                status = rng.choice(["processing", "processing", "on-hold", "pending"])
            elif age < 6:
                status = rng.choice(["processing", "completed", "completed"])
            elif roll < 0.05:
                status = "cancelled"
            else:
                status = "refunded" if roll < 0.08 else "completed"
                refund = "full" if status == "refunded" else "partial" if roll > 0.97 else ""
        if comment is None:
            comment = rng.choice(COMMENTS) if rng.random() < 0.08 else ""
        plan = Plan(
            when,
            person,
            person.email if email is None else email,
            status,
            list(items) if items else self.basket(bulk),
            guest,
            comment,
            memo,
            refund,
            special=special,
        )
        if refund:
            plan.refund_when = min(self.end, when + timedelta(days=rng.randint(5, 25), hours=2))
        self.plans.append(plan)
        return plan

    def run(self) -> None:
        rng, ago = self.rng, self.ago
        subject = self.person("Ria", "Jansen", SUBJECT_EMAIL, "female")
        subject.street, subject.number, subject.extension = "Oudegracht", "231", "bis"
        subject.zipcode, subject.city, subject.phone = "3511 NK", "Utrecht", SUBJECT_PHONE
        subject.birth, subject.newsletter = "1984-03-12", True
        subject.registered = ago(7.8 * 365)
        first = self.plan(
            subject,
            subject.registered - timedelta(days=25),
            guest=True,
            status="completed",
            special="subject_first",
            comment="Graag in cadeauverpakking, het is voor mijn moeder.",
            memo=f"Klant belde ({SUBJECT_PHONE}): pakket mag bij de buren op nr. 229.",
        )
        first.extra["engraving"] = "Voor mama, liefs Ria"
        lookalike = self.person("Maria", "Jansen", LOOKALIKE_EMAIL, "female")
        lookalike.registered = ago(5.1 * 365)
        self.mention = self.person("Femke", "de Wit", NOTE_MENTION_EMAIL, "female")
        bulk = self.person("Marieke", "Smits", BULK_EMAIL, "female")
        bulk.company, bulk.registered = "Relatiegeschenk Direct B.V.", ago(6.2 * 365)
        regulars = [self.person() for _ in range(296)]
        for p in regulars:
            p.registered = self.grown()
        # the subject: orders over 8 years, some older than 7, a refund, a cancellation
        days = [rng.uniform(7.15, 7.75) * 365 for _ in range(3)]
        days += [rng.uniform(1.2, 6.9) * 365 for _ in range(7)]
        call = f"Bel even op {SUBJECT_PHONE} als er niemand thuis is."
        for i, d in enumerate([*sorted(days, reverse=True), rng.uniform(90, 160), 2.5]):
            status = {6: "cancelled", 11: "processing"}.get(i, "completed")
            refund = "partial" if i == 4 else ""
            self.plan(
                subject, ago(d), status=status, refund=refund, comment=call if i == 9 else None
            )
        self.plan(subject, ago(2.4 * 365), email=CASE_VARIANT, guest=True, status="completed")
        for d in (4.8, 3.3, 2.0, 0.9):
            self.plan(lookalike, ago(d * 365))
        self.prefix_plan = self.plan(lookalike, self.end, status="completed", special="prefix")
        self.plan(
            self.mention,
            ago(380),
            guest=True,
            status="completed",
            comment=f"Cadeau voor Ria! Graag de factuur ook mailen naar {SUBJECT_EMAIL}, dank je.",
        )
        assert bulk.registered is not None
        for _ in range(260):
            self.plan(bulk, self.between(bulk.registered, self.end), bulk=True)
        for p in regulars:
            assert p.registered is not None
            count = rng.choice([0, 1, 1, 2, 2, 3, 3, 4, 4, 6, 8])
            moments = sorted(self.between(p.registered, self.end) for _ in range(count))
            for when in moments:
                self.plan(p, when)
        for _ in range(150):
            guest = self.person()
            self.guests.append(guest)
            first_order = self.grown()
            for k in range(rng.choice([1, 1, 1, 1, 1, 1, 2, 2, 3])):
                when = self.between(first_order, self.end) if k else first_order
                self.plan(guest, when, guest=True)
        self.subject, self.lookalike, self.bulk = subject, lookalike, bulk
        self.customers = sorted(
            [subject, lookalike, bulk, *regulars], key=lambda p: p.registered or self.start
        )
