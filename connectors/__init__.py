"""The registry: every system privacy-bridge knows, in the order a person's data flows through them."""

from connectors.base import Connector
from connectors.mollie import MollieConnector
from connectors.paypal import PayPalConnector
from connectors.woocommerce import WooCommerceConnector

REGISTRY: tuple[type[Connector], ...] = (
    WooCommerceConnector,
    MollieConnector,
    PayPalConnector,
)


def by_name(name: str) -> type[Connector]:
    for cls in REGISTRY:
        if cls.name == name:
            return cls
    raise KeyError(name)
