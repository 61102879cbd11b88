"""MyParcel / PostNL (shipping): the connector, its fake and seed for the sandbox, its contract-suite entry."""

from bridge.core.plugins import System
from connectors.myparcel.connector import MyParcelConnector

SYSTEM = System(
    MyParcelConnector,
    actions={
        "shipment": "delete",
    },
    order=50,
    fake="connectors.myparcel.fake:FAKE",
    contract="connectors.myparcel.contract:CONTRACT",
)
