"""The sandbox's WooCommerce: the wc/v3 fake with its Analytics tables, and the seeded shop."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

from connectors.woocommerce.fake.analytics import ensure_built
from connectors.woocommerce.fake.app import create_app
from connectors.woocommerce.fake.store import WooStore
from sandbox import credentials
from sandbox.plugin import Fake, Platform

if TYPE_CHECKING:
    from faker import Faker

    from sandbox.data import Shop


def _seed(shop: Shop, fake: Faker, rng: random.Random) -> None:
    from connectors.woocommerce.seed.payments import seed_payments
    from connectors.woocommerce.seed.shop import seed_woocommerce

    seed_woocommerce(shop, fake, rng)
    seed_payments(shop, rng)


def _orders(shop: Shop) -> list[Any]:
    from connectors.woocommerce.seed.shop_orders import woocommerce_shop_orders

    return woocommerce_shop_orders(shop)


FAKE = Fake(
    store=WooStore,
    create_app=lambda store, url, shop: create_app(store, url),
    env=lambda url: {
        "WOOCOMMERCE_URL": url,
        "WOOCOMMERCE_CONSUMER_KEY": credentials.WOOCOMMERCE_CONSUMER_KEY,
        "WOOCOMMERCE_CONSUMER_SECRET": credentials.WOOCOMMERCE_CONSUMER_SECRET,
    },
    shops=("woocommerce",),
    platform=Platform(seed=_seed, orders=_orders),
    prepare=ensure_built,  # a live shop has its Analytics tables already
    hostile="connectors.woocommerce.fake.hostile",
    scale="connectors.woocommerce.scale",
)
