"""The seeded shops the fakes serve: Dutch customers, orders over 8 years, reviews, payments.

`build_shop()` is deterministic for a given seed and day: every date is placed relative to `today`
so the 3-year and 7-year terms of the vendors and of the law keep their meaning whenever it runs.
"""

from __future__ import annotations

import importlib
import importlib.util
import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

JSON = dict[str, Any]


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
class Shop:
    """One seeded shop and the people the tests and the demo look at."""

    kind: str  # "woocommerce" (policy 004) or "lightspeed" (policy 003)
    today: date
    woocommerce: WooStore = field(default_factory=WooStore)
    mollie: MollieStore = field(default_factory=MollieStore)
    paypal: PayPalStore = field(default_factory=PayPalStore)
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


def build_shop(kind: str = "woocommerce", seed: int = 7, today: date | None = None) -> Shop:
    """Build the seeded shop; the same seed and day always give the same shop.

    The shop's own data comes from `sandbox.seed_woocommerce`; `sandbox.seed_payments` (when
    present) then links orders to Mollie and PayPal and fills those stores.
    """
    if kind == "lightspeed":
        raise NotImplementedError("lightspeed shop: later issue")
    if kind != "woocommerce":
        raise ValueError(f"unknown shop kind {kind!r}")
    from faker import Faker

    from sandbox.seed_woocommerce import seed_woocommerce

    fake = Faker("nl_NL")
    fake.seed_instance(seed)
    rng = _rng(seed)
    shop = Shop(kind=kind, today=today or date.today())
    seed_woocommerce(shop, fake, rng)
    if importlib.util.find_spec("sandbox.seed_payments") is not None:
        importlib.import_module("sandbox.seed_payments").seed_payments(shop, rng)
    return shop


def _rng(seed: int) -> random.Random:
    return random.Random(seed)
