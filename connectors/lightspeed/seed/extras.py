"""Writes the rest of the Lightspeed shop: reviews, newsletter subscriptions, tickets with messages,
quotes, abandoned checkouts, contact-form messages and the loyalty metafield.

Used by `connectors.lightspeed.seed.shop` after `connectors.lightspeed.seed.orders`. Reviews carry a name and a
customer link but no e-mail; subscriptions and contact messages carry an e-mail and no customer
link; checkouts are snake_case objects (their API is unwrapped, vendor-apis.md §2). Ids increase
with creation time.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from datetime import datetime, timedelta

from connectors.lightspeed.fake.shape import COUNTRIES, JSON, LANGUAGE_NL, ref, stamp
from connectors.lightspeed.fake.store import LightspeedStore
from connectors.lightspeed.seed.catalog import PRODUCTS, Ids, excl, money
from connectors.lightspeed.seed.orders import OrderWriter
from connectors.lightspeed.seed.people import SUBJECT_PHONE, Cast, Person

GOOD = (
    "Prachtige ring, precies zoals op de foto.",
    "Snel geleverd en mooi verpakt. Echt een cadeautje!",
    "De steen is nog mooier in het echt.",
    "Mijn vriendin was er heel blij mee.",
    "Fijne kwaliteit voor een nette prijs.",
)
MEH = ("Mooi, maar kleiner dan verwacht.", "Sluiting is wat lastig.", "Redelijk, kleur valt tegen.")
QUESTIONS = (
    ("Maat ring", "Welke maat moet ik nemen als mijn vinger 55 mm omtrek heeft?"),
    ("Levertijd", "Wanneer wordt mijn bestelling verzonden? Ik wil het vrijdag geven."),
    ("Allergie", "Is de ketting nikkelvrij? Ik ben allergisch."),
    ("Gravure", "Kan er een naam in de ring gegraveerd worden?"),
)


def _pick(rng: random.Random, items: list[Person], n: int) -> list[Person]:
    return rng.sample(items, min(n, len(items)))


class _Extras:
    def __init__(
        self, store: LightspeedStore, cast: Cast, writer: OrderWriter, rng: random.Random
    ) -> None:
        self.store, self.cast, self.writer, self.rng = store, cast, writer, rng
        self.end = cast.end
        self.pending: dict[str, list[tuple[datetime, Callable[[int], JSON]]]] = {}

    def add(self, resource: str, when: datetime, build: Callable[[int], JSON]) -> None:
        self.pending.setdefault(resource, []).append((min(when, self.end), build))

    def flush(self, starts: dict[str, int]) -> None:
        for resource, items in self.pending.items():
            ids = Ids(self.rng, starts[resource])
            rows = self.store.resources.setdefault(resource, [])
            for _when, build in sorted(items, key=lambda item: item[0]):
                rows.append(build(ids()))

    def customer_ref(self, person: Person | None) -> JSON | bool:
        if person is None or not person.customer_id:
            return False
        return ref(f"customers/{person.customer_id}", person.customer_id)

    # -- reviews ------------------------------------------------------------------------------
    def review(
        self, person: Person, when: datetime, index: int, score: int, text: str, visible: bool
    ) -> None:
        pid = self.writer.product_ids[index]
        name = person.full if self.rng.random() < 0.7 else f"{person.first} {person.last[:1]}."

        def build(rid: int) -> JSON:
            return {
                "id": rid,
                "createdAt": stamp(when),
                "updatedAt": stamp(min(self.end, when + timedelta(hours=20))),
                "isVisible": visible,
                "score": score,
                "name": name,
                "content": text,
                "customer": self.customer_ref(person),
                "language": dict(LANGUAGE_NL),
                "product": ref(f"products/{pid}", pid),
            }

        self.add("reviews", when, build)

    def reviews(self) -> None:
        rng, c = self.rng, self.cast
        s = c.subject
        self.review(s, c.ago(6.5 * 365), 0, 5, "Mijn moeder draagt hem elke dag!", True)
        self.review(s, c.ago(3.1 * 365), 3, 4, "Mooie armband, sluiting wat stug.", True)
        self.review(s, c.ago(0.6 * 365), 18, 2, "Steen had een krasje, wel netjes opgelost.", False)
        self.review(c.lookalike, c.ago(2.7 * 365), 4, 4, rng.choice(GOOD), True)
        others = [p for p in c.plans if p.person not in (s, c.lookalike, c.bulk)]
        for plan in rng.sample(others, 110):
            if (self.end - plan.when).days < 10 or plan.status == "cancelled":
                continue
            score = rng.choice([5, 5, 5, 4, 4, 3, 2])
            text = rng.choice(GOOD if score >= 4 else MEH)
            visible = rng.random() < 0.9
            when = plan.when + timedelta(days=rng.randint(4, 40))
            self.review(plan.person, when, rng.choice(plan.items)[0], score, text, visible)

    # -- newsletter ---------------------------------------------------------------------------
    def subscription(self, person: Person, when: datetime, confirmed: bool = True) -> None:
        def build(sid: int) -> JSON:
            return {
                "id": sid,
                "createdAt": stamp(when),
                "updatedAt": stamp(min(self.end, when + timedelta(minutes=7))),
                "isConfirmed": confirmed,
                "email": person.email,
                "firstname": person.first,
                "lastname": " ".join(p for p in (person.middle, person.last) if p),
                "doNotifyConfirmed": False,
                "language": dict(LANGUAGE_NL),
            }

        self.add("subscriptions", when, build)

    def subscriptions(self) -> None:
        c, rng = self.cast, self.rng
        for person in c.customers:
            if person.newsletter and person is not c.bulk:
                assert person.registered is not None
                self.subscription(person, person.registered + timedelta(minutes=3))
        self.subscription(c.lookalike, c.ago(4.0 * 365))
        for person in c.guests:
            if person.newsletter and rng.random() < 0.5:
                self.subscription(person, c.grown(), rng.random() < 0.9)
        for _ in range(40):  # people who never ordered
            self.subscription(c.person(), c.grown(), rng.random() < 0.85)

    # -- tickets ------------------------------------------------------------------------------
    def ticket(self, person: Person, when: datetime, subject: str, texts: list[str]) -> None:
        closed = (self.end - when).days > 30
        messages = self.store.children.setdefault("tickets/messages", {})
        moments = [
            when + timedelta(hours=5 * k + self.rng.randint(0, 4)) for k in range(len(texts))
        ]

        def build(tid: int) -> JSON:
            messages[tid] = [
                {
                    "id": 0,
                    "createdAt": stamp(min(self.end, moment)),
                    "updatedAt": None,
                    "from": "customer" if k % 2 == 0 else "shop",
                    "message": text,
                }
                for k, (moment, text) in enumerate(zip(moments, texts, strict=True))
            ]
            return {
                "id": tid,
                "createdAt": stamp(when),
                "updatedAt": stamp(min(self.end, moments[-1])),
                "isAnswered": len(texts) > 1,
                "isClosed": closed,
                "isTodo": not closed and len(texts) % 2 == 1,
                "subject": subject,
                "memo": "",
                "doNotifyAnswered": False,
                "language": dict(LANGUAGE_NL),
                "customer": self.customer_ref(person),
                "messages": ref(f"tickets/{tid}/messages"),
            }

        self.add("tickets", when, build)

    def tickets(self) -> None:
        c, rng = self.cast, self.rng
        first = next(p for p in c.plans if p.special == "subject_first")
        self.ticket(
            c.subject,
            c.ago(1.3 * 365),
            "Ring past niet",
            [
                f"Hallo, de ring uit bestelling {first.number} past mijn moeder niet meer. Kan hij"
                f" een maat groter? Bel gerust: {SUBJECT_PHONE}. Groet, Ria Jansen",
                "Hoi Ria, dat kan! Stuur de ring naar ons op, dan passen we hem kosteloos aan.",
                "Top, hij gaat morgen op de post naar jullie.",
            ],
        )
        self.ticket(c.lookalike, c.ago(1.1 * 365), "Levertijd", ["Wanneer komt mijn pakje?"])
        people = [p for p in c.customers if p not in (c.subject, c.lookalike, c.bulk)]
        for person in _pick(rng, people, 28):
            assert person.registered is not None
            title, question = rng.choice(QUESTIONS)
            texts = [question, "Dank voor je bericht, we zoeken het voor je uit.", "Dank je!"]
            when = self.cast.between(person.registered, self.end)
            self.ticket(person, when, title, texts[: rng.choice([1, 2, 2, 3])])

    # -- quotes, checkouts --------------------------------------------------------------------
    def quote(self, person: Person | None, when: datetime, items: list[tuple[int, int]]) -> None:
        total = sum(PRODUCTS[i][1] * q for i, q in items)
        zipcode = person.zipcode if person else f"{self.rng.randint(1000, 9999)} AB"
        ip = person.ip if person else "198.51.100.7"
        agent = person.agent if person else ""

        def build(qid: int) -> JSON:
            return {
                "id": qid,
                "createdAt": stamp(when),
                "updatedAt": stamp(when),
                "recalculatedAt": stamp(when),
                "isLocked": False,
                "channel": "main",
                "recoveryHash": hashlib.md5(f"{qid}".encode()).hexdigest(),
                "remoteIp": ip,
                "userAgent": agent or False,
                "referralId": False,
                "paymentCountry": dict(COUNTRIES["nl"]),
                "shipmentCountry": dict(COUNTRIES["nl"]),
                "shipmentZipcode": zipcode,
                "shipmentSameAddress": True,
                "priceCost": 0,
                "priceExcl": money(excl(total)),
                "priceIncl": money(total),
                "discountExcl": 0,
                "discountIncl": 0,
                "productsCount": len(items),
                "productsQuantity": sum(q for _, q in items),
                "shipmentIsSet": False,
                "shipmentId": "",
                "paymentIsSet": False,
                "paymentId": "",
                "paymentData": "",
                "paymentTitle": "",
                "discountCouponCode": "",
                "comment": None,
                "allowNotifications": True,
                "customer": self.customer_ref(person),
                "language": dict(LANGUAGE_NL),
            }

        self.add("quotes", when, build)

    def checkout(self, person: Person, when: datetime, step: str, registered: bool) -> None:
        items = self.cast.basket()
        address = {
            "name": person.full,
            "street": person.street,
            "number": person.number,
            "extension": person.extension,
            "zipcode": person.zipcode,
            "city": person.city,
            "region": "",
            "country": "nl",
        }
        customer = {
            "id": person.customer_id if registered else None,
            "email": person.email,
            "firstname": person.first,
            "middlename": person.middle,
            "lastname": person.last,
            "phone": person.phone,
            "gender": person.gender,
            "company": person.company,
        }

        def build(cid: int) -> JSON:
            products = [
                {
                    "id": cid * 10 + k,
                    "cart_id": cid,
                    "product_id": self.writer.product_ids[i],
                    "variant_id": self.writer.variant_ids[i],
                    "quantity": q,
                    "title": PRODUCTS[i][0],
                    "variant": PRODUCTS[i][2],
                    "price_incl": money(PRODUCTS[i][1]),
                    "price_excl": money(excl(PRODUCTS[i][1])),
                }
                for k, (i, q) in enumerate(items)
            ]
            return {
                "id": cid,
                "created_at": stamp(when),
                "updated_at": stamp(min(self.end, when + timedelta(minutes=9))),
                "order_id": None,
                "theme": None,
                "step": step,
                "mode": "login" if registered else "guest",
                "comment": None,
                "newsletter": person.newsletter,
                "terms": False,
                "notifications": True,
                "memo": None,
                "customer": customer,
                "billing_address": address,
                "shipping_address": dict(address),
                "shipment_method": None,
                "payment_method": None,
                "discount": False,
                "discount_code": None,
                "products": products,
            }

        self.add("checkouts", when, build)

    def carts(self) -> None:
        c, rng = self.cast, self.rng
        self.quote(c.subject, c.ago(0.7 * 365), [(6, 1), (14, 1)])
        self.checkout(c.subject, c.ago(20), "payment", True)
        self.checkout(c.lookalike, c.ago(45), "shipment", True)
        people = [p for p in c.customers if p not in (c.subject, c.lookalike, c.bulk)]
        for person in _pick(rng, people, 9):
            self.quote(person, c.ago(rng.uniform(2, 900)), c.basket())
        for _ in range(3):
            self.quote(None, c.ago(rng.uniform(2, 400)), c.basket())
        for person in _pick(rng, people, 14):
            self.checkout(
                person, c.ago(rng.uniform(1, 200)), rng.choice(["details", "payment"]), True
            )
        for person in _pick(rng, c.guests, 8) + [c.person() for _ in range(6)]:
            self.checkout(
                person, c.ago(rng.uniform(1, 200)), rng.choice(["shipment", "payment"]), False
            )

    # -- contacts, metafields -----------------------------------------------------------------
    def contact(self, person: Person, when: datetime, subject: str, message: str) -> None:
        def build(cid: int) -> JSON:
            return {
                "id": cid,
                "createdAt": stamp(when),
                "name": person.full,
                "company": person.company,
                "email": person.email,
                "phone": person.phone if self.rng.random() < 0.6 else "",
                "subject": subject,
                "message": message,
                "language": dict(LANGUAGE_NL),
            }

        self.add("contacts", when, build)

    def contacts(self) -> None:
        c, rng = self.cast, self.rng
        self.contact(
            c.subject,
            c.ago(3.5 * 365),
            "Reparatie ketting",
            "Repareren jullie ook kettingen die ergens anders gekocht zijn? Groet, Ria",
        )
        people = _pick(rng, [p for p in c.customers if p is not c.subject], 20) + c.guests[:8]
        for person in people + [c.person() for _ in range(12)]:
            title, question = rng.choice(QUESTIONS)
            self.contact(person, c.grown(), title, question)

    def metafields(self) -> None:
        c, rng = self.cast, self.rng
        fields = self.store.children.setdefault("customers/metafields", {})
        self.store.children.setdefault("orders/metafields", {})
        ids = Ids(rng, 880000)
        loyal = [c.subject, *_pick(rng, [p for p in c.customers if p is not c.subject], 24)]
        for person in sorted(loyal, key=lambda p: p.registered or c.start):
            assert person.registered is not None
            when = stamp(person.registered + timedelta(days=1))
            fields[person.customer_id] = [
                {
                    "id": ids(),
                    "createdAt": when,
                    "updatedAt": when,
                    "key": "kangaroo_member_id",
                    "value": f"KNG-{rng.randint(10**7, 10**8 - 1)}",
                }
            ]


def write_extras(
    store: LightspeedStore, cast: Cast, writer: OrderWriter, rng: random.Random
) -> None:
    """Add reviews, subscriptions, tickets, quotes, checkouts, contacts and metafields."""
    extras = _Extras(store, cast, writer, rng)
    extras.reviews()
    extras.subscriptions()
    extras.tickets()
    extras.carts()
    extras.contacts()
    extras.metafields()
    extras.flush(
        {
            "reviews": 37000,
            "subscriptions": 337400,
            "tickets": 2500,
            "quotes": 20859000,
            "checkouts": 9120000,
            "contacts": 98300,
        }
    )
    message_ids = Ids(rng, 20300)
    messages = store.children.get("tickets/messages", {})
    for tid in sorted(messages):
        for message in messages[tid]:
            message["id"] = message_ids()
