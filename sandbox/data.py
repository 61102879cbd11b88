"""The seeded shops the fakes serve: Dutch customers, orders over 8 years, reviews, payments.

`build_shop()` is deterministic for a given seed and day: every date is placed relative to `today`
so the 3-year and 7-year terms of the vendors and of the law keep their meaning whenever it runs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

JSON = dict[str, Any]


@dataclass
class WooAnalytics:
    """WooCommerce Analytics' own tables (`connectors.woocommerce.fake.analytics`), built from the store's
    customers and orders the first time the fake needs them (`built`).

    `customer_lookup`: the `wc_customer_lookup` rows (customer_id, user_id (None for guests),
    username, first_name, last_name, email, date_last_active, date_registered, country,
    postcode, city, state; dates `Y-m-d H:i:s`); `order_stats`: the `wc_order_stats` rows of
    orders and refunds by id (customer_id, parent_id, status, total_sales, dates); `queue`: the
    order imports Action Scheduler has pending (`{"order_id", "due"}`, `due` on
    `time.monotonic()`); they run at the first request after `import_delay_s` (WooCommerce
    schedules them 5 s after the save; 0 here: at the next request). `historical_import=False`:
    the merchant never ran "Import historical data", so orders taken before WooCommerce 4.0
    (their `version`) have no `wc_order_stats` row.
    """

    customer_lookup: list[JSON] = field(default_factory=list)
    order_stats: dict[int, JSON] = field(default_factory=dict)
    queue: list[JSON] = field(default_factory=list)
    import_delay_s: float = 0.0
    historical_import: bool = True
    built: bool = False
    next_customer_id: int = 1  # the table's AUTO_INCREMENT
    version: int = 0  # counts the changes (for the fake's memo)


@dataclass
class WooStore:
    """WooCommerce wc/v3 resources, each a dict in exactly the shape the REST API returns."""

    customers: list[JSON] = field(default_factory=list)
    orders: list[JSON] = field(default_factory=list)
    order_notes: dict[int, list[JSON]] = field(default_factory=dict)  # order id -> notes
    refunds: dict[int, list[JSON]] = field(default_factory=dict)  # order id -> refunds
    downloads: dict[int, list[JSON]] = field(default_factory=dict)  # customer id -> downloads
    reviews: list[JSON] = field(default_factory=list)
    products: list[JSON] = field(default_factory=list)
    # The site's home URL as the seed writes it into URLs (download links, permalinks); the fake
    # serves them on its own base URL instead.
    site_url: str = "https://brandpunt.example.nl"
    # What the API does not show but filters on: a review's WordPress user (0 = posted by e-mail
    # only; `products/reviews?reviewer=` matches this) and a trashed/spammed review's old status.
    review_user_ids: dict[int, int] = field(default_factory=dict)
    review_previous_status: dict[int, str] = field(default_factory=dict)
    # WooCommerce Analytics' customer lookup and order stats (`connectors.woocommerce.fake.analytics`).
    analytics: WooAnalytics = field(default_factory=WooAnalytics)


@dataclass
class MollieStore:
    """Mollie v2 resources in the API's own JSON shape (without `_links`, which the fake adds)."""

    customers: list[JSON] = field(default_factory=list)
    payments: list[JSON] = field(default_factory=list)
    refunds: list[JSON] = field(default_factory=list)  # each has paymentId
    chargebacks: list[JSON] = field(default_factory=list)  # each has paymentId
    mandates: list[JSON] = field(default_factory=list)  # each has customerId (store-only key)
    subscriptions: list[JSON] = field(default_factory=list)  # each has customerId


@dataclass
class PayPalStore:
    """PayPal reporting `transaction_detail` objects and invoicing v2 invoices."""

    transactions: list[JSON] = field(default_factory=list)
    invoices: list[JSON] = field(default_factory=list)


@dataclass
class LightspeedStore:
    """Lightspeed eCom resources, each a dict in the API's own shape (unwrapped), by resource name.

    `resources["customers"]`, `resources["orders"]`, … ; sub-resources keyed by parent id in
    `children["orders/products"][order_id]`, `children["tickets/messages"][ticket_id]`,
    `children["customers/metafields"][customer_id]`. Resource links are stored as the API prints
    them on the real host (`connectors.lightspeed.fake.shape.LS_HOST`); the fake serves them on its own URL and
    adds the `embedded` parts when it answers. Checkouts are stored snake_case (their API is).
    """

    resources: dict[str, list[JSON]] = field(default_factory=dict)
    children: dict[str, dict[int, list[JSON]]] = field(default_factory=dict)
    language: str = "nl"


@dataclass
class MyParcelStore:
    """MyParcel shipments in the API's own shape (07 §7.A), without `secondary_shipments`: the
    fake embeds a multi-collo main's secondaries (`multi_collo_main_shipment_id`) when it shows it.
    """

    shipments: list[JSON] = field(default_factory=list)


@dataclass
class FeedbackStore:
    """The Feedback Company: reviews and review invitations (`orders`) in the v2 API's shape.

    Keys starting with `_` are store-only (the fake never shows them): a review's
    `_invitation_id` links it to the invitation it came from. `shop` is what `GET /shop` shows
    (the fake fills in a default when it is empty).
    """

    reviews: list[JSON] = field(default_factory=list)
    invitations: list[JSON] = field(default_factory=list)
    shop: JSON = field(default_factory=dict)


@dataclass(frozen=True)
class ShopOrder:
    """An order in platform-neutral terms, for seeding the processors of either shop."""

    number: str  # the order number customers and carriers see
    created: datetime
    status: str  # "completed", "processing", "cancelled", "refunded", …
    email: str
    first_name: str
    last_name: str
    company: str
    street: str
    house_number: str
    postcode: str
    city: str
    country: str
    phone: str
    total: str  # "12.34"


@dataclass
class Shop:
    """One seeded shop and the people the tests and the demo look at."""

    kind: str  # "woocommerce" (policy 004) or "lightspeed" (policy 003)
    today: date
    woocommerce: WooStore = field(default_factory=WooStore)
    lightspeed: LightspeedStore = field(default_factory=LightspeedStore)
    mollie: MollieStore = field(default_factory=MollieStore)
    paypal: PayPalStore = field(default_factory=PayPalStore)
    myparcel: MyParcelStore = field(default_factory=MyParcelStore)
    feedbackcompany: FeedbackStore = field(default_factory=FeedbackStore)
    # The demo's subject: a registered customer with a rich history, paying through Mollie and PayPal.
    subject_email: str = ""
    # Look-alikes of the subject, by trap name: "case" (same address, other case: IS the subject),
    # "containment" (dejan@… beside jan@…: NOT the subject), "note_mention" (a guest whose order
    # note names the subject's address: NOT the subject), "paypal_other_email" (a guest of the
    # subject... see seed_payments); order numbers: "note_mention_order", "shared_prefix" (an
    # order of the "containment" look-alike whose number starts with "shared_prefix_of", the
    # number of the subject's first order, e.g. 1007 and 10072).
    traps: dict[str, str] = field(default_factory=dict)
    # A customer with more than 250 orders (paging beyond two full pages).
    bulk_email: str = ""

    def order_count(self) -> int:
        """How many orders the shop's platform holds."""
        return len(self.woocommerce.orders) + len(self.lightspeed.resources.get("orders", []))


def build_shop(
    kind: str = "woocommerce", seed: int = 7, today: date | None = None, scale: int = 1
) -> Shop:
    """Build the seeded shop; the same seed, day and scale always give the same shop.

    - woocommerce (policy 004): WooCommerce with its reviews, Mollie, PayPal, MyParcel;
    - lightspeed (policy 003): Lightspeed, Mollie, PayPal, MyParcel, The Feedback Company.
    The platform's own data comes first; the processors' data is then derived from its orders.
    `scale` N > 1 adds N-1 copies of everyone but the subject, the traps and the bulk customer
    (about 1,400 orders and 300 customers each; see `sandbox.scale`).
    """
    if scale < 1:
        raise ValueError(f"scale must be at least 1, not {scale}")
    from faker import Faker

    if kind not in ("woocommerce", "lightspeed"):
        raise ValueError(f"unknown shop kind {kind!r}")
    fake = Faker("nl_NL")
    fake.seed_instance(seed)
    rng = _rng(seed)
    shop = Shop(kind=kind, today=today or date.today())
    if kind == "lightspeed":
        from connectors.feedbackcompany.seed import seed_feedback
        from connectors.lightspeed.seed.payments import seed_lightspeed_payments
        from connectors.lightspeed.seed.shop import lightspeed_shop_orders, seed_lightspeed

        seed_lightspeed(shop, fake, rng)
        seed_lightspeed_payments(shop, rng)
        orders = lightspeed_shop_orders(shop)
        seed_feedback(
            shop.feedbackcompany, orders, shop.today, rng,
            subject_email=shop.subject_email, traps=shop.traps,
        )  # fmt: skip
        sender = LIGHTSPEED_SENDER
    else:
        from connectors.myparcel.seed import woocommerce_shop_orders
        from connectors.woocommerce.seed.shop import seed_woocommerce
        from sandbox.seed_payments import seed_payments

        seed_woocommerce(shop, fake, rng)
        seed_payments(shop, rng)
        orders = woocommerce_shop_orders(shop)
        sender = None
    from connectors.myparcel.seed import seed_myparcel

    seed_myparcel(
        shop.myparcel, orders, shop.today, rng, subject_email=shop.subject_email, sender=sender
    )
    if scale > 1:
        from sandbox.scale import scale_shop

        scale_shop(shop, scale, seed)
    return shop


# The jewellery shop's own address, as the sender of its parcels.
LIGHTSPEED_SENDER: JSON = {
    "cc": "NL",
    "city": "Haarlem",
    "street": "Grote Houtstraat",
    "number": "41",
    "postal_code": "2011SE",
    "person": "Atelier Zilverling",
    "company": "Atelier Zilverling",
    "email": "info@zilverling.example.nl",
    "phone": "0235550142",
}


def _rng(seed: int) -> random.Random:
    return random.Random(seed)
