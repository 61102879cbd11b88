"""The registry: every system privacy-bridge knows. Adding one is a module and a line here."""

from bridge.core.connector import Connector
from connectors.feedbackcompany.connector import FeedbackCompanyConnector
from connectors.lightspeed.connector import LightspeedConnector
from connectors.mollie.connector import MollieConnector
from connectors.myparcel.connector import MyParcelConnector
from connectors.paypal.connector import PayPalConnector
from connectors.woocommerce.connector import WooCommerceConnector

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
