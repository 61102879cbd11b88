"""WooCommerce (webshop): the connector, its fake and seed for the sandbox, its contract-suite entry."""

from bridge.core.plugins import System
from connectors.woocommerce.connector import WooCommerceConnector

SYSTEM = System(
    WooCommerceConnector,
    actions={
        "customer": "delete",
        "order": "retain",
        "order_note": "delete",
        "refund": "retain",
        "download": "delete",
        "review": "delete",
        "analytics_customer": "delete",
    },
    order=10,
    fake="connectors.woocommerce.fake:FAKE",
    contract="connectors.woocommerce.contract:CONTRACT",
)
