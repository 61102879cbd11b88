"""The sandbox's Mollie: the v2 fake; its payments are seeded by the shop platform."""

from connectors.mollie.fake.app import create_app
from connectors.mollie.fake.store import MollieStore
from sandbox import credentials
from sandbox.plugin import Fake

FAKE = Fake(
    store=MollieStore,
    create_app=lambda store, url, shop: create_app(store, url),
    env=lambda url: {"MOLLIE_API_URL": url, "MOLLIE_API_KEY": credentials.MOLLIE_API_KEY},
    shops=("woocommerce", "lightspeed"),
    hostile="connectors.mollie.fake.hostile",
    scale="connectors.mollie.scale",
)
