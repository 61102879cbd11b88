"""The registry: every system privacy-bridge knows. Adding one is a module and a line here."""

from connectors.base import Connector
from connectors.feedbackcompany import FeedbackCompanyConnector
from connectors.lightspeed import LightspeedConnector
from connectors.mollie import MollieConnector
from connectors.myparcel import MyParcelConnector
from connectors.paypal import PayPalConnector
from connectors.woocommerce import WooCommerceConnector

REGISTRY: tuple[type[Connector], ...] = (
    WooCommerceConnector,
    LightspeedConnector,
    MollieConnector,
    PayPalConnector,
    MyParcelConnector,
    FeedbackCompanyConnector,
)


def by_name(name: str) -> type[Connector]:
    for cls in REGISTRY:
        if cls.name == name:
            return cls
    raise KeyError(name)
