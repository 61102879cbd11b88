"""The sandbox's MyParcel: the shipments fake, seeded from the shop's shipped orders."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from connectors.myparcel.fake.app import MyParcelApp, create_app
from connectors.myparcel.fake.store import MyParcelStore
from sandbox import credentials
from sandbox.plugin import Fake

if TYPE_CHECKING:
    from sandbox.data import Shop, ShopOrder


def _seed(store: MyParcelStore, shop: Shop, orders: list[ShopOrder], rng: random.Random) -> None:
    from connectors.myparcel.seed import seed_myparcel

    seed_myparcel(
        store, orders, shop.today, rng, subject_email=shop.subject_email, sender=shop.sender
    )


def _unlimited(app: MyParcelApp) -> None:
    app.limiter.limits = {}


FAKE = Fake(
    store=MyParcelStore,
    create_app=lambda store, url, shop: create_app(store, url),
    env=lambda url: {"MYPARCEL_API_URL": url, "MYPARCEL_API_KEY": credentials.MYPARCEL_API_KEY},
    shops=("woocommerce", "lightspeed"),
    seed=_seed,
    unlimited=_unlimited,
    hostile="connectors.myparcel.fake.hostile",
    scale="connectors.myparcel.scale",
)
