"""Lightspeed eCom (webshop): the connector, its fake and seed for the sandbox, its contract-suite entry."""

from bridge.core.plugins import System
from connectors.lightspeed.connector import LightspeedConnector

SYSTEM = System(
    LightspeedConnector,
    actions={
        "customer": "delete",
        "customer_metafield": "delete",
        "order": "retain",
        "order_product": "retain",
        "invoice": "retain",
        "shipment": "delete",
        "return": "delete",
        "review": "delete",
        "ticket": "delete",
        "ticket_message": "delete",
        "quote": "delete",
        "newsletter_subscription": "delete",
        "contact_message": "delete",
        "checkout": "delete",
    },
    order=20,
    fake="connectors.lightspeed.fake:FAKE",
    contract="connectors.lightspeed.contract:CONTRACT",
)
