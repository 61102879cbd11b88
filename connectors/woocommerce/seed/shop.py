"""Seeds the WooCommerce side of a shop: "Brandpunt", a Dutch coffee and tea webshop.

Every resource is a dict in the wc/v3 shape (shared/specs/woocommerce/*.md). Dates are site time
(Europe/Amsterdam) with their `_gmt` twins, placed relative to `shop.today`: the shop opened a
little over 8 years ago and trades more each year. About 300 registered customers and 150 guests
place about 1,500 orders (EUR, prices including 21 % or 9 % BTW, PostNL shipping), with
WooCommerce's own order notes, some staff notes holding personal data, refunds, downloads of
three e-products, and product reviews in every status.

Post ids (products, orders, refunds) share one increasing sequence with gaps, as in WordPress;
comment ids (order notes, reviews) share another. Every order is paid by "bacs" here;
`connectors.woocommerce.seed.payments` moves most of them to Mollie and PayPal afterwards.

The catalogue is in `connectors.woocommerce.seed.catalog`, the people and the orders they place
in `.people`, the orders, refunds and downloads in `.orders`, order notes and reviews in
`.comments`, the customers in `.customers` (and the wc/v3 value formats in `.formats`).

The people the tests look at are recorded on the shop: `subject_email`, `bulk_email` and `traps`
(see `Shop`); `traps["shared_prefix"]` is the number of a look-alike's order that starts with the
number of the subject's first order (`traps["shared_prefix_of"]`).
"""

from __future__ import annotations

import random

from faker import Faker

from connectors.woocommerce.seed.catalog import tally_products, write_products
from connectors.woocommerce.seed.comments import Comments
from connectors.woocommerce.seed.customers import write_customers
from connectors.woocommerce.seed.orders import OrderWriter, number_posts
from connectors.woocommerce.seed.people import (
    BULK_EMAIL,
    CASE_VARIANT,
    LOOKALIKE_EMAIL,
    NOTE_MENTION_EMAIL,
    SUBJECT_EMAIL,
    Cast,
)
from sandbox.data import Shop

__all__ = ["seed_woocommerce"]


def seed_woocommerce(shop: Shop, fake: Faker, rng: random.Random) -> None:
    """Fill `shop.woocommerce` and the shop's subject, bulk customer and traps."""
    store = shop.woocommerce
    cast = Cast(shop, fake, rng)
    cast.run()
    product_ids, refund_ids = number_posts(cast.plans, rng)
    write_products(store, product_ids, cast.start, rng)
    comments = Comments(store, cast)
    writer = OrderWriter(store, rng, cast.end, product_ids, comments)
    for plan in sorted(cast.plans, key=lambda p: p.order["id"]):
        writer.order(plan)
        store.orders.append(plan.order)
    for n, refund_id in sorted(refund_ids.items(), key=lambda r: r[1]):
        writer.refund(cast.plans[n], refund_id)
    comments.reviews()
    comments.file()
    tally_products(store)
    write_customers(store, cast.people, cast.start, rng, writer.metas)
    first = next(p for p in cast.plans if p.special == "subject_first")
    prefix = next(p for p in cast.plans if p.special == "prefix")
    mention = next(p for p in cast.plans if p.person is cast.mention)
    shop.subject_email, shop.bulk_email = SUBJECT_EMAIL, BULK_EMAIL
    shop.traps.update(
        {
            "case": CASE_VARIANT,
            "containment": LOOKALIKE_EMAIL,
            "note_mention": NOTE_MENTION_EMAIL,
            "note_mention_order": mention.order["number"],
            "shared_prefix": prefix.order["number"],
            "shared_prefix_of": first.order["number"],
        }
    )
