"""The people of the WooCommerce shop and the orders they will place (`Plan`s; the order writer
`connectors.woocommerce.seed.orders` turns them into wc/v3 orders).

The subject with a rich history, the look-alikes the tests check against (see `Shop.traps`), a
customer with more than 250 orders, the administrator, about 300 registered customers and 150
guests. Dates are site time (naive, Europe/Amsterdam) relative to `shop.today`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from faker import Faker

from connectors.woocommerce.seed.catalog import PRODUCTS
from connectors.woocommerce.seed.formats import ascii_word
from sandbox.data import JSON, Shop
from sandbox.seed_common import Timeline

OPENED_DAYS_AGO = 2950
ADMIN_EMAIL = "beheer@brandpunt.example.nl"
SUBJECT_EMAIL = "jan@devries.example.nl"
CASE_VARIANT = "Jan@DeVries.example.nl"
LOOKALIKE_EMAIL = "dejan@devries.example.nl"
NOTE_MENTION_EMAIL = "sanne.bakker@post.example.nl"
BULK_EMAIL = "inkoop@kantoorkoffie.example.nl"
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
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
)
CUSTOMER_NOTES = (
    "Graag bezorgen na 17:00 uur.",
    "Mag in de brievenbus.",
    "Niet aanbellen, de baby slaapt :)",
    "Het is een cadeautje, graag zonder pakbon.",
    "Bij geen gehoor afgeven bij de buren.",
)


@dataclass
class Person:
    first: str
    last: str
    email: str
    phone: str
    address_1: str
    postcode: str
    city: str
    company: str = ""
    user_id: int = 0
    role: str = "customer"
    registered: datetime | None = None
    ip: str = ""
    agent: str = ""

    def billing(self, email: str | None = None) -> JSON:
        address = {k: v for k, v in self.shipping().items() if k != "phone"}
        return {**address, "email": self.email if email is None else email, "phone": self.phone}

    def shipping(self) -> JSON:
        return {
            "first_name": self.first,
            "last_name": self.last,
            "company": self.company,
            "address_1": self.address_1,
            "address_2": "",
            "city": self.city,
            "state": "",
            "postcode": self.postcode,
            "country": "NL",
            "phone": "",
        }


@dataclass
class Plan:
    """An order to be written: who, when, what, and what happens to it."""

    when: datetime
    person: Person
    email: str
    status: str
    items: list[tuple[int, int]]
    customer_id: int = 0
    note: str = ""
    refund: str = ""  # "", "full" or "partial"
    refund_when: datetime | None = None
    special: str = ""
    staff_notes: list[tuple[str, bool]] = field(default_factory=list)  # (text, visible to customer)
    order: JSON = field(default_factory=dict)


class Cast(Timeline):
    """Who buys what and when: `run()` fills `people` (the WordPress users, the administrator
    first) and `plans` (every order, guests' included), and names the subject, the look-alike,
    the note mention and the bulk customer."""

    def __init__(self, shop: Shop, fake: Faker, rng: random.Random) -> None:
        self.fake, self.rng = fake, rng
        self.end = datetime.combine(shop.today - timedelta(days=1), time(21, 30))
        self.start = datetime.combine(shop.today - timedelta(days=OPENED_DAYS_AGO), time(9, 0))
        self.emails: set[str] = {ADMIN_EMAIL}
        self.people: list[Person] = []
        self.plans: list[Plan] = []

    def person(self, first: str = "", last: str = "", email: str = "") -> Person:
        """A new person (a fresh e-mail address unless `email` is given), not yet in `people`."""
        rng, fake = self.rng, self.fake
        first, last = first or fake.first_name(), last or fake.last_name()
        if not email:
            local = rng.choice(
                [
                    f"{ascii_word(first)}.{ascii_word(last)}",
                    f"{ascii_word(first)[0]}{ascii_word(last)}",
                    f"{ascii_word(first)}{rng.randint(10, 99)}",
                ]
            )
            email = f"{local}@{rng.choice(DOMAINS)}"
            while email in self.emails:
                email = f"{local}{rng.randint(1, 999)}@{rng.choice(DOMAINS)}"
        self.emails.add(email)
        number = f"{rng.randint(1, 240)}{rng.choice(['', '', '', 'A', '-2', ' bis'])}"
        letters = "".join(rng.choice("ABCEGHJKLMNPRTVWXZ") for _ in range(2))
        phone = rng.choice(["06-{}", "06 {} ", "+316{}", "020-{}"]).format(
            rng.randint(10**7, 10**8 - 1)
        )
        return Person(
            first,
            last,
            email,
            phone.strip(),
            f"{fake.street_name()} {number}",
            f"{rng.randint(1000, 9999)} {letters}",
            fake.city(),
            ip=rng.choice(
                [
                    f"{rng.choice(['192.0.2', '198.51.100', '203.0.113'])}.{rng.randint(1, 254)}",
                    f"2001:db8:{rng.randint(0, 65535):x}::{rng.randint(1, 65535):x}",
                ]
            ),
            agent=rng.choice(AGENTS),
        )

    def basket(self, bulk: bool = False) -> list[tuple[int, int]]:
        """What an order holds: (index in `PRODUCTS`, quantity) pairs."""
        rng = self.rng
        if bulk:
            return [
                (i, rng.randint(2, 10)) for i in sorted(rng.sample(range(8), rng.randint(2, 4)))
            ]
        picks = sorted(rng.sample(range(len(PRODUCTS)), rng.choice([1, 1, 2, 2, 3, 4])))
        return [(i, 1 if PRODUCTS[i][4] else rng.choice([1, 1, 1, 2, 3])) for i in picks]

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
        **extra: Any,
    ) -> Plan:
        """Plan an order of `person` at `when` (its status drawn by age unless given)."""
        rng = self.rng
        if not status:
            age = (self.end - when).days
            roll = rng.random()
            if age < 2:
                status = rng.choice(["processing", "processing", "on-hold", "pending"])
            elif age < 6:
                status = rng.choice(["processing", "completed", "completed"])
            else:
                status = (
                    "cancelled"
                    if roll < 0.04
                    else "failed"
                    if roll < 0.06
                    else "refunded"
                    if roll < 0.09
                    else "completed"
                )
                refund = "full" if status == "refunded" else "partial" if roll > 0.97 else ""
        note = extra.pop("note", rng.choice(CUSTOMER_NOTES) if rng.random() < 0.07 else "")
        plan = Plan(
            when,
            person,
            person.email if email is None else email,
            status,
            extra.pop("items", None) or self.basket(bulk),
            0 if guest else person.user_id,
            note,
            refund,
            **extra,
        )
        if refund:
            plan.refund_when = min(self.end, when + timedelta(days=rng.randint(3, 20), hours=3))
        self.plans.append(plan)
        return plan

    def run(self) -> None:
        """Everyone, and every order they will place."""
        rng, ago = self.rng, self.ago
        subject = self.person("Jan", "de Vries", SUBJECT_EMAIL)
        subject.address_1, subject.postcode, subject.city = (
            "Lindengracht 112-2",
            "1015 KM",
            "Amsterdam",
        )
        subject.phone, subject.registered = "06-38472915", ago(7.8 * 365)
        first = self.plan(
            subject,
            subject.registered - timedelta(days=25),
            guest=True,
            status="completed",
            special="subject_first",
            note="Graag bezorgen na 17:00 uur.",
        )
        first.staff_notes.append(
            ("Klant belde (06-38472915): pakket mag bij de buren op nr. 110.", False)
        )
        lookalike = self.person("Dejan", "de Vries", LOOKALIKE_EMAIL)
        lookalike.registered = ago(5.1 * 365)
        mention = self.person("Sanne", "Bakker", NOTE_MENTION_EMAIL)
        bulk = self.person("Marieke", "Jansen", BULK_EMAIL)
        bulk.company, bulk.registered = "Kantoorkoffie B.V.", ago(6.2 * 365)
        admin = self.person("Eva", "Brandsma", ADMIN_EMAIL)
        admin.role, admin.registered, admin.user_id = (
            "administrator",
            self.start - timedelta(days=20),
            1,
        )
        regulars = [self.person() for _ in range(296)]
        for p in regulars:
            p.registered = self.grown()
        subscribers = [self.person() for _ in range(2)]
        for p in subscribers:
            p.role, p.registered = "subscriber", self.grown()
        users = sorted(
            [subject, lookalike, bulk, *regulars, *subscribers], key=lambda p: p.registered or 0
        )
        next_id = 1
        for p in users:
            next_id += rng.choice([1, 1, 1, 2])
            p.user_id = next_id
        self.people = [admin, *users]
        # The subject: orders over 8 years, some older than 7, a refund, a cancellation, an e-book.
        reg = subject.registered
        assert reg is not None
        days = [rng.uniform(7.15, 7.75) * 365 for _ in range(3)] + [
            rng.uniform(1.2, 6.9) * 365 for _ in range(7)
        ]
        for i, d in enumerate([*sorted(days, reverse=True), rng.uniform(90, 160), 2.5]):
            kwargs: dict[str, Any] = {}
            if i == 4:
                kwargs = {"status": "completed", "refund": "partial"}
            elif i == 6:
                kwargs = {"status": "cancelled"}
            elif i == 7:
                kwargs = {"status": "completed", "items": [(27, 1), (19, 1)]}
            elif i == 11:
                kwargs = {"status": "processing"}
            order = self.plan(subject, ago(d), **kwargs)
            if i in (2, 8):
                order.staff_notes.append(
                    (
                        "Je bestelling is verzonden met PostNL. Track & trace: 3SBRP"
                        f"{rng.randint(10**9, 10**10 - 1)}",
                        True,
                    )
                )
        self.plans[-3].note = "Bel even op 06-38472915 als er niemand thuis is."
        self.plan(subject, ago(2.4 * 365), email=CASE_VARIANT, guest=True, status="completed")
        for d in (4.8, 3.3, 2.0, 0.9):
            self.plan(lookalike, ago(d * 365))
        self.plan(lookalike, ago(rng.randint(150, 300)), status="completed", special="prefix")
        self.plan(
            mention,
            ago(380),
            guest=True,
            status="completed",
            note=f"Cadeau voor Jan! Graag de factuur ook mailen naar {SUBJECT_EMAIL}, dank je.",
        )
        assert bulk.registered is not None
        for _ in range(260):
            self.plan(bulk, self.between(bulk.registered, self.end), bulk=True)
        for p in regulars:
            assert p.registered is not None
            count = rng.choice([0, 1, 1, 2, 2, 3, 3, 4, 5, 7, 9])
            moments = sorted(
                [p.registered] + [self.between(p.registered, self.end) for _ in range(count)]
            )
            for when in moments[: count or 0]:
                self.plan(p, when + timedelta(minutes=rng.randint(2, 30)))
        for p in subscribers:
            assert p.registered is not None
            self.plan(p, self.between(p.registered, self.end))
        for _ in range(150):
            guest = self.person()
            first_order = self.grown()
            for k in range(rng.choice([1, 1, 1, 1, 1, 1, 1, 2, 2, 3])):
                self.plan(
                    guest, self.between(first_order, self.end) if k else first_order, guest=True
                )
        self.subject, self.lookalike, self.mention, self.bulk = subject, lookalike, mention, bulk
