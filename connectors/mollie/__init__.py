"""Mollie (payments): the connector, its fake and seed for the sandbox, its contract-suite entry."""

from bridge.core.plugins import System
from connectors.mollie.connector import MollieConnector

SYSTEM = System(
    MollieConnector,
    actions={
        "payment": "retain",
        "refund": "retain",
        "chargeback": "retain",
        "mollie_customer": "delete",
        "mandate": "delete",
        "subscription": "delete",
    },
    order=30,
    fake="connectors.mollie.fake:FAKE",
    contract="connectors.mollie.contract:CONTRACT",
)
