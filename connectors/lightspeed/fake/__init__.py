"""The sandbox's Lightspeed eCom: the fake, and the seeded jewellery shop."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

from connectors.lightspeed.fake.app import LightspeedFake, create_app
from connectors.lightspeed.fake.store import LightspeedStore
from sandbox import credentials
from sandbox.plugin import Fake, Platform

if TYPE_CHECKING:
    from faker import Faker

    from sandbox.data import Shop

# The jewellery shop's own address, as the sender of its parcels.
SENDER: dict[str, Any] = {
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


def _seed(shop: Shop, fake: Faker, rng: random.Random) -> None:
    from connectors.lightspeed.seed.payments import seed_lightspeed_payments
    from connectors.lightspeed.seed.shop import seed_lightspeed

    seed_lightspeed(shop, fake, rng)
    seed_lightspeed_payments(shop, rng)


def _orders(shop: Shop) -> list[Any]:
    from connectors.lightspeed.seed.shop import lightspeed_shop_orders

    return lightspeed_shop_orders(shop)


def _unlimited(app: LightspeedFake) -> None:
    app.limiter.limits = (10**9, 10**9, 10**9)
    app.limiter.per_second = None


FAKE = Fake(
    store=LightspeedStore,
    create_app=lambda store, url, shop: create_app(store, url),
    env=lambda url: {
        "LIGHTSPEED_API_URL": f"{url}/nl/",
        "LIGHTSPEED_API_KEY": credentials.LIGHTSPEED_API_KEY,
        "LIGHTSPEED_API_SECRET": credentials.LIGHTSPEED_API_SECRET,
    },
    shops=("lightspeed",),
    platform=Platform(seed=_seed, orders=_orders, sender=SENDER),
    unlimited=_unlimited,
    hostile="connectors.lightspeed.fake.hostile",
    scale="connectors.lightspeed.scale",
)
