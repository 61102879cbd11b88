"""PayPal (payments): the connector, its fake and seed for the sandbox, its contract-suite entry."""

from bridge.core.plugins import System
from connectors.paypal.connector import PayPalConnector

SYSTEM = System(
    PayPalConnector,
    actions={
        "paypal_transaction": "retain",
        "paypal_invoice": "retain",
    },
    order=40,
    fake="connectors.paypal.fake:FAKE",
    contract="connectors.paypal.contract:CONTRACT",
)
