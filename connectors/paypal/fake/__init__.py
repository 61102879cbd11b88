"""The sandbox's PayPal: reporting and invoicing fakes; seeded by the shop platform."""

from connectors.paypal.fake.app import create_app
from connectors.paypal.fake.store import PayPalStore
from sandbox import credentials
from sandbox.plugin import Fake

FAKE = Fake(
    store=PayPalStore,
    create_app=lambda store, url, shop: create_app(store, url, today=shop.today),
    env=lambda url: {
        "PAYPAL_API_URL": url,
        "PAYPAL_CLIENT_ID": credentials.PAYPAL_CLIENT_ID,
        "PAYPAL_CLIENT_SECRET": credentials.PAYPAL_CLIENT_SECRET,
    },
    shops=("woocommerce", "lightspeed"),
    hostile="connectors.paypal.fake.hostile",
    scale="connectors.paypal.scale",
)
