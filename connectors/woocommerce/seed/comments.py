"""The WooCommerce shop's WordPress comments: order notes (WooCommerce's own status notes, staff
notes, some holding personal data) and product reviews in every status, the subject's included.

Both share one id sequence, given out in date order once all are written (`Comments.file()`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from connectors.woocommerce.fake.store import WooStore
from connectors.woocommerce.seed.catalog import PRODUCTS
from connectors.woocommerce.seed.formats import avatar, dates
from connectors.woocommerce.seed.people import Cast, Person, Plan
from sandbox.data import JSON

STAFF = "Eva Brandsma"  # the shop's administrator, author of the staff notes
GOOD = (
    "Heerlijke smaak, bestel ik zeker weer.",
    "Snel geleverd en goed verpakt. Aanrader!",
    "Precies zoals beschreven, erg tevreden.",
    "Mijn vaste favoriet geworden.",
    "Mooie kwaliteit voor een nette prijs.",
)
MEH = (
    "Prima, maar niet bijzonder.",
    "Smaak viel wat tegen, wel snelle levering.",
    "Redelijk, de vorige was beter.",
)
SPAM = (
    "Beste prijzen voor volgers en likes!! Kijk op http://seo-deals.example.com",
    "Verdien thuis EUR 5000 per week, klik http://snelrijk.example.com",
)


class Comments:
    """The notes and reviews of the people of `cast` written so far, with their order id or
    WordPress user (0: none)."""

    def __init__(self, store: WooStore, cast: Cast) -> None:
        self.store, self.cast, self.rng, self.end = store, cast, cast.rng, cast.end
        self.pending: list[tuple[datetime, JSON, int]] = []  # (when, note or review, order/user)

    def note(
        self,
        order_id: int,
        when: datetime,
        text: str,
        visible: bool = False,
        author: str = "WooCommerce",
    ) -> None:
        note = {
            "id": 0,
            "author": author,
            **dates("date_created", when),
            "note": text,
            "customer_note": visible,
        }
        self.pending.append((when, note, order_id))

    def order_notes(self, plan: Plan, paid: datetime | None, done: datetime | None) -> None:
        """The notes of an order just written: status changes, staff notes, track & trace."""
        oid, when, status = plan.order["id"], plan.when, plan.status
        soon = when + timedelta(minutes=2)
        if status in ("cancelled", "failed"):
            text = "Unpaid order cancelled - time limit reached. " if status == "cancelled" else ""
            self.note(
                oid,
                soon + timedelta(hours=1),
                f"{text}Order status changed from Pending payment to {status.title()}.",
            )
        elif status in ("on-hold", "processing") and not paid:
            self.note(oid, soon, "Order status changed from Pending payment to On hold.")
        if paid:
            self.note(oid, paid, "Order status changed from Pending payment to Processing.")
        if done:
            self.note(oid, done, "Order status changed from Processing to Completed.")
        for k, (text, visible) in enumerate(plan.staff_notes):
            self.note(oid, (done or soon) + timedelta(minutes=5 + k), text, visible, STAFF)
        if status == "completed" and not plan.staff_notes and self.rng.random() < 0.12:
            code = self.rng.randint(10**9, 10**10 - 1)
            track = f"Je bestelling is verzonden met PostNL. Track & trace: 3SBRP{code}"
            self.note(oid, (done or soon) - timedelta(minutes=30), track, True, STAFF)
        elif status == "completed" and self.rng.random() < 0.03:
            p = plan.person
            text = f"Klant mailde vanaf {plan.email}: nieuw adres {p.address_1}, {p.city}."
            self.note(oid, soon + timedelta(hours=2), text, False, STAFF)

    def review(
        self,
        person: Person,
        index: int,
        when: datetime,
        status: str,
        *,
        user: bool = True,
        text: str = "",
        rating: int = 0,
    ) -> None:
        rng, product = self.rng, self.store.products[index]
        when = min(when, self.end)
        rating = rating or rng.choice([5, 5, 5, 4, 4, 3, 2])
        bought = any(
            p.person is person and any(i == index for i, _ in p.items) for p in self.cast.plans
        )
        review = {
            "id": 0,
            **dates("date_created", when),
            "product_id": product["id"],
            "product_name": product["name"],
            "product_permalink": product["permalink"],
            "status": status,
            "reviewer": f"{person.first} {person.last[:1]}."
            if rng.random() < 0.3
            else f"{person.first} {person.last}",
            "reviewer_email": person.email,
            "review": text or rng.choice(GOOD if rating >= 4 else MEH),
            "rating": rating,
            "verified": bought,
            "reviewer_avatar_urls": {str(s): avatar(person.email, s) for s in (24, 48, 96)},
        }
        self.pending.append((when, review, person.user_id if user else 0))

    def reviews(self) -> None:
        """The subject's reviews in every status, the look-alike's, customers' of what they
        bought, and spam."""
        rng, cast = self.rng, self.cast
        ago, s = cast.ago, cast.subject
        self.review(s, 0, ago(6.5 * 365), "approved", rating=5)
        self.review(
            s,
            27,
            ago(4.9 * 365),
            "approved",
            user=False,
            text="Duidelijk boekje, mijn cappuccino is nu top.",
        )
        self.review(
            s,
            19,
            ago(3.1 * 365),
            "hold",
            rating=3,
            text="Molen werkt goed, maar de bewaarbak is klein.",
        )
        self.review(
            s,
            8,
            ago(1.4 * 365),
            "spam",
            rating=4,
            text="Lekkere thee! Zie ook mijn blog over thee zetten.",
        )
        self.review(
            s, 3, ago(0.6 * 365), "trash", rating=2, text="Viel tegen deze keer, te bitter."
        )
        self.review(cast.lookalike, 2, ago(2.7 * 365), "approved", rating=4)
        for plan in rng.sample(cast.plans, 110):
            if plan.person not in (s, cast.bulk) and (self.end - plan.when).days > 10:
                index = rng.choice(plan.items)[0]
                status = (
                    "approved" if rng.random() < 0.85 else rng.choice(["hold", "hold", "trash"])
                )
                self.review(
                    plan.person,
                    index,
                    plan.when + timedelta(days=rng.randint(4, 40)),
                    status,
                    user=bool(plan.customer_id),
                )
        for _ in range(8):
            spammer = cast.person(email=f"promo{rng.randint(100, 999)}@seo-deals.example.com")
            self.review(
                spammer,
                rng.randrange(len(PRODUCTS)),
                cast.grown(),
                "spam",
                user=False,
                text=rng.choice(SPAM),
                rating=5,
            )

    def file(self) -> None:
        """Give every note and review its comment id in date order and put it in the store."""
        store, rng = self.store, self.rng
        comment_id = 1
        for _when, item, ref in sorted(self.pending, key=lambda c: c[0]):
            comment_id += rng.choice([1, 1, 1, 1, 2])
            item["id"] = comment_id
            if "reviewer" in item:
                store.reviews.append(item)
                store.review_user_ids[comment_id] = ref
                if item["status"] in ("spam", "trash"):
                    store.review_previous_status[comment_id] = "approved"
            else:
                store.order_notes.setdefault(ref, []).append(item)
