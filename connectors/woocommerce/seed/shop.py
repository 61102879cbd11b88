"""Seeds the WooCommerce side of a shop: "Brandpunt", a Dutch coffee and tea webshop.

Every resource is a dict in the wc/v3 shape (shared/specs/woocommerce/*.md). Dates are site time
(Europe/Amsterdam) with their `_gmt` twins, placed relative to `shop.today`: the shop opened a
little over 8 years ago and trades more each year. About 300 registered customers and 150 guests
place about 1,500 orders (EUR, prices including 21 % or 9 % BTW, PostNL shipping), with
WooCommerce's own order notes, some staff notes holding personal data, refunds, downloads of
three e-products, and product reviews in every status.

Post ids (products, orders, refunds) share one increasing sequence with gaps, as in WordPress;
comment ids (order notes, reviews) share another. Every order is paid by "bacs" here;
`sandbox.seed_payments` moves most of them to Mollie and PayPal afterwards.

The people the tests look at are recorded on the shop: `subject_email`, `bulk_email` and `traps`
(see `Shop`); `traps["shared_prefix"]` is the number of a look-alike's order that starts with the
number of the subject's first order (`traps["shared_prefix_of"]`).
"""

from __future__ import annotations

import hashlib
import itertools
import random
import string
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from faker import Faker

from sandbox.data import JSON, Shop
from sandbox.seed_common import Timeline

TZ = ZoneInfo("Europe/Amsterdam")
OPENED_DAYS_AGO = 2950
ADMIN_EMAIL = "beheer@brandpunt.example.nl"
STAFF = "Eva Brandsma"  # the shop's administrator, author of the staff notes
UPLOADS = "woocommerce_uploads"
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
TAX = {21: (1, "NL-BTW 21%-1", "BTW 21%"), 9: (2, "NL-BTW 9%-1", "BTW 9%")}
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
# name, price in cents incl. BTW, BTW %, category, downloadable file name (None: shipped)
PRODUCTS: tuple[tuple[str, int, int, str, str | None], ...] = (
    ("Koffiebonen Brazilië Santos 500 g", 895, 9, "Koffie", None),
    ("Koffiebonen Ethiopië Yirgacheffe 250 g", 950, 9, "Koffie", None),
    ("Espressobonen Huismelange 1 kg", 2195, 9, "Koffie", None),
    ("Koffiebonen Colombia Supremo 500 g", 995, 9, "Koffie", None),
    ("Decafé Mexico 250 g", 750, 9, "Koffie", None),
    ("Filterkoffie gemalen 250 g", 595, 9, "Koffie", None),
    ("Koffiebonen Guatemala Antigua 500 g", 1050, 9, "Koffie", None),
    ("Koffiebonen Kenia AA 250 g", 1195, 9, "Koffie", None),
    ("Earl Grey losse thee 100 g", 650, 9, "Thee", None),
    ("Sencha groene thee 100 g", 725, 9, "Thee", None),
    ("Rooibos vanille 100 g", 575, 9, "Thee", None),
    ("Verse muntthee 50 g", 495, 9, "Thee", None),
    ("Chai kruidenmix 100 g", 695, 9, "Thee", None),
    ("Jasmijnparels 50 g", 995, 9, "Thee", None),
    ("Darjeeling first flush 100 g", 1250, 9, "Thee", None),
    ("Roomboterstroopwafels 8 stuks", 425, 9, "Lekkernijen", None),
    ("Pure chocolade 72% 100 g", 350, 9, "Lekkernijen", None),
    ("Cantuccini amandel 200 g", 495, 9, "Lekkernijen", None),
    ("French press 1 liter", 2995, 21, "Zetten & schenken", None),
    ("Handkoffiemolen keramisch", 4495, 21, "Zetten & schenken", None),
    ("Pour-over dripper V60", 1995, 21, "Zetten & schenken", None),
    ("Papieren filters 100 stuks", 695, 21, "Zetten & schenken", None),
    ("Melkopschuimer elektrisch", 3995, 21, "Zetten & schenken", None),
    ("Theepot gietijzer 0,8 liter", 3495, 21, "Zetten & schenken", None),
    ("Dubbelwandige glazen (2 stuks)", 1795, 21, "Zetten & schenken", None),
    ("Koffiekop met schotel", 1295, 21, "Zetten & schenken", None),
    ("Thee-ei RVS", 395, 21, "Zetten & schenken", None),
    ("E-book: Koffie zetten als een barista", 995, 9, "Downloads", "barista-handboek.pdf"),
    ("E-book: De wereld van losse thee", 795, 9, "Downloads", "losse-thee.pdf"),
    ("Videocursus latte art", 2450, 21, "Downloads", "latte-art-cursus.zip"),
)
CATEGORY_IDS = {
    "Koffie": 15,
    "Thee": 16,
    "Lekkernijen": 17,
    "Zetten & schenken": 18,
    "Downloads": 19,
}
STATUS_LABELS = {"pending": "Pending payment", "processing": "Processing", "on-hold": "On hold"}
WC_VERSIONS = (
    (7, "3.5.3"),
    (6, "3.9.2"),
    (5, "4.9.2"),
    (4, "6.0.0"),
    (3, "7.2.2"),
    (2, "8.3.1"),
    (1, "9.1.2"),
)
CUSTOMER_NOTES = (
    "Graag bezorgen na 17:00 uur.",
    "Mag in de brievenbus.",
    "Niet aanbellen, de baby slaapt :)",
    "Het is een cadeautje, graag zonder pakbon.",
    "Bij geen gehoor afgeven bij de buren.",
)
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


def _fmt(dt: datetime | None) -> str | None:
    return dt.replace(microsecond=0).isoformat() if dt else None


def _dates(prefix: str, dt: datetime | None) -> JSON:
    gmt = dt.replace(tzinfo=TZ).astimezone(UTC).replace(tzinfo=None) if dt else None
    return {prefix: _fmt(dt), f"{prefix}_gmt": _fmt(gmt)}


def _money(cents: int) -> str:
    return f"{cents / 100:.2f}"


def _avatar(email: str, size: int = 96) -> str:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return f"https://secure.gravatar.com/avatar/{digest}?s={size}&d=mm&r=g"


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "".join(c for c in plain if c.isalnum())


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join("".join(c if c.isalnum() else " " for c in plain).split())


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


class _Seeder(Timeline):
    def __init__(self, shop: Shop, fake: Faker, rng: random.Random) -> None:
        self.shop, self.store, self.fake, self.rng = shop, shop.woocommerce, fake, rng
        self.end = datetime.combine(shop.today - timedelta(days=1), time(21, 30))
        self.start = datetime.combine(shop.today - timedelta(days=OPENED_DAYS_AGO), time(9, 0))
        self.emails: set[str] = {ADMIN_EMAIL}
        self.people: list[Person] = []
        self.plans: list[Plan] = []
        self.items = itertools.count(1)
        self.metas = itertools.count(101)
        self.comments: list[tuple[datetime, JSON, int]] = []  # (when, note or review, order id)
        self.product_ids: list[int] = []

    # -- helpers ----------------------------------------------------------------------------------
    def person(self, first: str = "", last: str = "", email: str = "") -> Person:
        rng, fake = self.rng, self.fake
        first, last = first or fake.first_name(), last or fake.last_name()
        if not email:
            local = rng.choice(
                [
                    f"{_ascii(first)}.{_ascii(last)}",
                    f"{_ascii(first)[0]}{_ascii(last)}",
                    f"{_ascii(first)}{rng.randint(10, 99)}",
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

    # -- people and their orders ------------------------------------------------------------------
    def cast(self) -> None:
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

    # -- ids --------------------------------------------------------------------------------------
    def number(self) -> None:
        """Give products, orders and refunds their post ids in creation order."""
        rng = self.rng
        pid = 20
        for _ in PRODUCTS:
            pid += rng.randint(1, 3)
            self.product_ids.append(pid)
        events = [(p.when, 0, n, p) for n, p in enumerate(self.plans)]
        events += [(p.refund_when, 1, n, p) for n, p in enumerate(self.plans) if p.refund_when]
        events.sort(key=lambda e: (e[0], e[1], e[2]))
        post_id, first_id = 997, 0
        self.refund_ids: dict[int, int] = {}
        for _, kind, n, plan in events:
            post_id += rng.randint(2, 7)
            if plan.special == "prefix" and not kind:
                target = first_id * 10 + rng.randint(1, 3)
                if target <= post_id:
                    raise RuntimeError("seed: order ids grew too fast for the shared-prefix trap")
                post_id = target
            if kind:
                self.refund_ids[n] = post_id
            else:
                plan.order = {"id": post_id}
                first_id = post_id if plan.special == "subject_first" else first_id
            if plan.special == "prefix" and not kind:
                post_id = first_id * 10 + 10 + rng.randint(0, 4)

    # -- resources --------------------------------------------------------------------------------
    def products(self) -> None:
        for (name, price, vat, cat, file), pid in zip(PRODUCTS, self.product_ids, strict=True):
            created = self.start - timedelta(days=self.rng.randint(10, 60))
            slug = _slug(name)
            downloads = (
                [
                    {
                        "id": hashlib.md5(slug.encode()).hexdigest(),
                        "name": file,
                        "file": f"{self.store.site_url}/wp-content/uploads/{UPLOADS}/{file}",
                    }
                ]
                if file
                else []
            )
            self.store.products.append(
                {
                    "id": pid,
                    "name": name,
                    "slug": slug,
                    "permalink": f"{self.store.site_url}/product/{slug}/",
                    **_dates("date_created", created),
                    **_dates("date_modified", created),
                    "type": "simple",
                    "status": "publish",
                    "featured": False,
                    "catalog_visibility": "visible",
                    "description": f"<p>{name} van Brandpunt.</p>\n",
                    "short_description": "",
                    "sku": f"BP-{pid:04d}",
                    "price": _money(price),
                    "regular_price": _money(price),
                    "sale_price": "",
                    "on_sale": False,
                    "purchasable": True,
                    "total_sales": 0,
                    "virtual": bool(file),
                    "downloadable": bool(file),
                    "downloads": downloads,
                    "download_limit": -1,
                    "download_expiry": -1,
                    "tax_status": "taxable",
                    "tax_class": "" if vat == 21 else "reduced-rate",
                    "manage_stock": False,
                    "stock_quantity": None,
                    "stock_status": "instock",
                    "shipping_required": not file,
                    "reviews_allowed": True,
                    "average_rating": "0.00",
                    "rating_count": 0,
                    "parent_id": 0,
                    "categories": [{"id": CATEGORY_IDS[cat], "name": cat, "slug": _slug(cat)}],
                    "tags": [],
                    "images": [],
                    "attributes": [],
                    "meta_data": [],
                }
            )

    def lines(self, plan: Plan) -> tuple[list[JSON], list[JSON], list[JSON], dict[str, int]]:
        items: list[JSON] = []
        taxes: dict[int, int] = {}
        gross_goods, shipped = 0, False
        for index, qty in plan.items:
            name, price, vat, _, file = PRODUCTS[index]
            gross = price * qty
            net = round(gross * 100 / (100 + vat))
            taxes[vat] = taxes.get(vat, 0) + gross - net
            gross_goods += gross
            shipped = shipped or not file
            exact = f"{(gross - net) / 100:.10f}".rstrip("0").rstrip(".")
            items.append(
                {
                    "id": next(self.items),
                    "name": name,
                    "product_id": self.product_ids[index],
                    "variation_id": 0,
                    "quantity": qty,
                    "tax_class": "" if vat == 21 else "reduced-rate",
                    "subtotal": _money(net),
                    "subtotal_tax": _money(gross - net),
                    "total": _money(net),
                    "total_tax": _money(gross - net),
                    "taxes": [{"id": TAX[vat][0], "total": exact, "subtotal": exact}],
                    "meta_data": [],
                    "sku": f"BP-{self.product_ids[index]:04d}",
                    "price": round(net / qty / 100, 6),
                    "image": {"id": "", "src": ""},
                    "parent_name": None,
                }
            )
        shipping: list[JSON] = []
        ship_net = ship_tax = 0
        if shipped:
            free = gross_goods >= 5000
            ship_gross = 0 if free else 495
            ship_net = round(ship_gross * 100 / 121)
            ship_tax = ship_gross - ship_net
            listing = ", ".join(
                f"{PRODUCTS[i][0]} &times; {q}" for i, q in plan.items if not PRODUCTS[i][4]
            )
            shipping.append(
                {
                    "id": next(self.items),
                    "method_title": "Gratis verzending" if free else "PostNL",
                    "method_id": "free_shipping" if free else "flat_rate",
                    "instance_id": "2" if free else "1",
                    "total": _money(ship_net),
                    "total_tax": _money(ship_tax),
                    "taxes": [{"id": 1, "total": _money(ship_tax), "subtotal": ""}]
                    if ship_tax
                    else [],
                    "tax_status": "taxable",
                    "meta_data": [
                        {
                            "id": next(self.metas),
                            "key": "Artikelen",
                            "value": listing,
                            "display_key": "Artikelen",
                            "display_value": listing,
                        }
                    ],
                }
            )
        tax_lines = [
            {
                "id": next(self.items),
                "rate_code": TAX[vat][1],
                "rate_id": TAX[vat][0],
                "label": TAX[vat][2],
                "compound": False,
                "tax_total": _money(taxes.get(vat, 0)),
                "shipping_tax_total": _money(ship_tax if vat == 21 else 0),
                "rate_percent": vat,
                "meta_data": [],
            }
            for vat in (21, 9)
            if vat in taxes or (vat == 21 and ship_tax)
        ]
        cart_tax = sum(taxes.values())
        sums = {
            "net": gross_goods - cart_tax,
            "cart_tax": cart_tax,
            "ship_net": ship_net,
            "ship_tax": ship_tax,
        }
        return items, shipping, tax_lines, sums

    def order(self, plan: Plan) -> None:
        rng, site = self.rng, self.store.site_url
        oid, when, status = plan.order["id"], plan.when, plan.status
        items, shipping, tax_lines, sums = self.lines(plan)
        paid = (
            when + timedelta(minutes=rng.randint(1, 20))
            if status in ("processing", "completed", "refunded")
            else None
        )
        done = (
            min(self.end, when + timedelta(days=rng.randint(1, 3)))
            if status in ("completed", "refunded")
            else None
        )
        modified = max(d for d in (when, paid, done, plan.refund_when) if d is not None)
        key = "wc_order_" + "".join(rng.choices(string.ascii_letters + string.digits, k=13))
        years = (self.end - when).days / 365
        meta = [{"id": next(self.metas), "key": "is_vat_exempt", "value": "no"}]
        if when >= datetime(2024, 2, 1):
            meta += [
                {"id": next(self.metas), "key": k, "value": v}
                for k, v in (
                    (
                        "_wc_order_attribution_source_type",
                        rng.choice(["typein", "organic", "referral"]),
                    ),
                    (
                        "_wc_order_attribution_device_type",
                        "Mobile" if "Mobile" in plan.person.agent else "Desktop",
                    ),
                    ("_wc_order_attribution_user_agent", plan.person.agent),
                    ("_wc_order_attribution_session_entry", f"{site}/"),
                )
            ]
        total = sums["net"] + sums["cart_tax"] + sums["ship_net"] + sums["ship_tax"]
        plan.order.update(
            {
                "parent_id": 0,
                "status": status,
                "currency": "EUR",
                "version": next((v for age, v in WC_VERSIONS if years >= age), "10.0.2"),
                "prices_include_tax": True,
                **_dates("date_created", when),
                **_dates("date_modified", modified),
                "discount_total": "0.00",
                "discount_tax": "0.00",
                "shipping_total": _money(sums["ship_net"]),
                "shipping_tax": _money(sums["ship_tax"]),
                "cart_tax": _money(sums["cart_tax"]),
                "total": _money(total),
                "total_tax": _money(sums["cart_tax"] + sums["ship_tax"]),
                "customer_id": plan.customer_id,
                "order_key": key,
                "billing": plan.person.billing(plan.email),
                "shipping": plan.person.shipping(),
                "payment_method": "bacs",
                "payment_method_title": "Directe bankoverschrijving",
                "transaction_id": "",
                "customer_ip_address": plan.person.ip,
                "customer_user_agent": plan.person.agent,
                "created_via": "admin"
                if plan.email == BULK_EMAIL and rng.random() < 0.2
                else "checkout",
                "customer_note": plan.note,
                **_dates("date_completed", done),
                **_dates("date_paid", paid),
                "cart_hash": hashlib.md5(key.encode()).hexdigest(),
                "number": str(oid),
                "meta_data": meta,
                "line_items": items,
                "tax_lines": tax_lines,
                "shipping_lines": shipping,
                "fee_lines": [],
                "coupon_lines": [],
                "refunds": [],
                "payment_url": f"{site}/afrekenen/order-pay/{oid}/?pay_for_order=true&key={key}",
                "is_editable": status in ("pending", "on-hold"),
                "needs_payment": status in ("pending", "failed"),
                "needs_processing": any(not PRODUCTS[i][4] for i, _ in plan.items),
                "currency_symbol": "€",
            }
        )
        self.notes(plan, paid, done)
        if plan.customer_id and paid and status != "refunded":
            for line in items:
                self.download(plan, line)

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
            **_dates("date_created", when),
            "note": text,
            "customer_note": visible,
        }
        self.comments.append((when, note, order_id))

    def notes(self, plan: Plan, paid: datetime | None, done: datetime | None) -> None:
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

    def download(self, plan: Plan, line: JSON) -> None:
        index = self.product_ids.index(line["product_id"])
        file = PRODUCTS[index][4]
        if not file:
            return
        product, order = self.store.products[index], plan.order
        key = product["downloads"][0]["id"]
        self.store.downloads.setdefault(plan.customer_id, []).append(
            {
                "download_id": key,
                "download_url": f"{self.store.site_url}/?download_file={product['id']}"
                f"&order={order['order_key']}"
                f"&email={quote(plan.email, safe='')}&key={key}",
                "product_id": product["id"],
                "product_name": product["name"],
                "download_name": f"{product['name']} &ndash; {file}",
                "order_id": order["id"],
                "order_key": order["order_key"],
                "downloads_remaining": "",
                "access_expires": "never",
                "access_expires_gmt": "never",
                "file": {"name": file, "file": product["downloads"][0]["file"]},
            }
        )

    def refund(self, plan: Plan, refund_id: int) -> None:
        order, when = plan.order, plan.refund_when
        assert when is not None
        lines = order["line_items"] if plan.refund == "full" else order["line_items"][:1]
        items = []
        for line in lines:
            qty = line["quantity"] if plan.refund == "full" else 1
            net = round(float(line["total"]) * 100 * qty / line["quantity"])
            tax = round(float(line["total_tax"]) * 100 * qty / line["quantity"])
            items.append(
                {
                    "id": next(self.items),
                    "name": line["name"],
                    "product_id": line["product_id"],
                    "variation_id": 0,
                    "quantity": -qty,
                    "tax_class": line["tax_class"],
                    "subtotal": _money(-net),
                    "subtotal_tax": _money(-tax),
                    "total": _money(-net),
                    "total_tax": _money(-tax),
                    "taxes": [
                        {
                            "id": line["taxes"][0]["id"],
                            "total": _money(-tax),
                            "subtotal": _money(-tax),
                        }
                    ],
                    "meta_data": [
                        {
                            "id": next(self.metas),
                            "key": "_refunded_item_id",
                            "value": str(line["id"]),
                        }
                    ],
                    "sku": line["sku"],
                    "price": -round(net / qty / 100, 6),
                }
            )
        if plan.refund == "full":
            amount = round(float(order["total"]) * 100)
            reason = self.rng.choice(
                ["Retour binnen bedenktijd", "Bestelling geannuleerd door klant", ""]
            )
        else:
            amount = sum(
                -round(float(i["total"]) * 100) - round(float(i["total_tax"]) * 100) for i in items
            )
            reason = self.rng.choice(["Beschadigd geleverd", "Verkeerd artikel ontvangen"])
        self.store.refunds.setdefault(order["id"], []).append(
            {
                "id": refund_id,
                **_dates("date_created", when),
                "amount": _money(amount),
                "reason": reason,
                "refunded_by": 1,
                "refunded_payment": False,
                "meta_data": [],
                "line_items": items,
                "shipping_lines": [],
                "tax_lines": [],
                "fee_lines": [],
            }
        )
        order["refunds"].append({"id": refund_id, "reason": reason, "total": _money(-amount)})
        if plan.refund == "full":
            self.note(order["id"], when, "Order status changed from Completed to Refunded.")
        else:
            self.note(order["id"], when, f"Refunded €{_money(amount)} – {reason}", False, STAFF)

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
        bought = any(p.person is person and any(i == index for i, _ in p.items) for p in self.plans)
        review = {
            "id": 0,
            **_dates("date_created", when),
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
            "reviewer_avatar_urls": {str(s): _avatar(person.email, s) for s in (24, 48, 96)},
        }
        self.comments.append((when, review, person.user_id if user else 0))

    def reviews(self) -> None:
        rng, ago = self.rng, self.ago
        s = self.subject
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
        self.review(self.lookalike, 2, ago(2.7 * 365), "approved", rating=4)
        for plan in rng.sample(self.plans, 110):
            if plan.person not in (s, self.bulk) and (self.end - plan.when).days > 10:
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
            spammer = self.person(email=f"promo{rng.randint(100, 999)}@seo-deals.example.com")
            self.review(
                spammer,
                rng.randrange(len(PRODUCTS)),
                self.grown(),
                "spam",
                user=False,
                text=rng.choice(SPAM),
                rating=5,
            )

    def finish(self) -> None:
        store, rng = self.store, self.rng
        comment_id = 1
        for _when, item, ref in sorted(self.comments, key=lambda c: c[0]):
            comment_id += rng.choice([1, 1, 1, 1, 2])
            item["id"] = comment_id
            if "reviewer" in item:
                store.reviews.append(item)
                store.review_user_ids[comment_id] = ref
                if item["status"] in ("spam", "trash"):
                    store.review_previous_status[comment_id] = "approved"
            else:
                store.order_notes.setdefault(ref, []).append(item)
        by_id = {p["id"]: p for p in store.products}
        for order in store.orders:
            for line in order["line_items"]:
                by_id[line["product_id"]]["total_sales"] += line["quantity"]
        for product in store.products:
            ratings = [
                r["rating"]
                for r in store.reviews
                if r["product_id"] == product["id"] and r["status"] == "approved"
            ]
            product["rating_count"] = len(ratings)
            product["average_rating"] = f"{sum(ratings) / len(ratings):.2f}" if ratings else "0.00"
        usernames: set[str] = set()
        by_customer: dict[int, list[JSON]] = {}
        for order in store.orders:
            by_customer.setdefault(order["customer_id"], []).append(order)
        for p in sorted(self.people, key=lambda p: p.user_id):
            mine = by_customer.get(p.user_id, [])
            changes = [datetime.fromisoformat(o["date_modified"]) for o in mine]
            last = max([p.registered or self.start, *changes])
            billing = p.billing() if mine else {k: "" for k in p.billing()}
            shipping = p.shipping() if mine else {k: "" for k in p.shipping()}
            username = _ascii(p.first + p.last) if p.role != "administrator" else "brandpunt"
            while username in usernames:
                username = f"{_ascii(p.first + p.last)}{rng.randint(2, 99)}"
            usernames.add(username)
            active = int(datetime.combine(last.date(), time(), UTC).timestamp())
            store.customers.append(
                {
                    "id": p.user_id,
                    **_dates("date_created", p.registered),
                    **_dates("date_modified", last),
                    "email": p.email,
                    "first_name": p.first,
                    "last_name": p.last,
                    "role": p.role,
                    "username": username,
                    "billing": billing,
                    "shipping": shipping,
                    "is_paying_customer": any(o["date_paid"] for o in mine),
                    "avatar_url": _avatar(p.email),
                    "meta_data": [
                        {"id": next(self.metas), "key": "wc_last_active", "value": str(active)}
                    ],
                }
            )

    def run(self) -> None:
        self.cast()
        self.number()
        self.products()
        for plan in sorted(self.plans, key=lambda p: p.order["id"]):
            self.order(plan)
            self.store.orders.append(plan.order)
        for n, refund_id in sorted(self.refund_ids.items(), key=lambda r: r[1]):
            self.refund(self.plans[n], refund_id)
        self.reviews()
        self.finish()
        first = next(p for p in self.plans if p.special == "subject_first")
        prefix = next(p for p in self.plans if p.special == "prefix")
        mention = next(p for p in self.plans if p.person is self.mention)
        self.shop.subject_email, self.shop.bulk_email = SUBJECT_EMAIL, BULK_EMAIL
        self.shop.traps.update(
            {
                "case": CASE_VARIANT,
                "containment": LOOKALIKE_EMAIL,
                "note_mention": NOTE_MENTION_EMAIL,
                "note_mention_order": mention.order["number"],
                "shared_prefix": prefix.order["number"],
                "shared_prefix_of": first.order["number"],
            }
        )


def seed_woocommerce(shop: Shop, fake: Faker, rng: random.Random) -> None:
    """Fill `shop.woocommerce` and the shop's subject, bulk customer and traps."""
    _Seeder(shop, fake, rng).run()
