"""Mailchimp (newsletter): the connector, its fake and seed for the sandbox, its contract-suite entry."""

from bridge.core.plugins import System
from connectors.mailchimp.connector import MailchimpConnector

SYSTEM = System(
    MailchimpConnector,
    actions={"audience_member": "delete"},
    order=70,
    fake="connectors.mailchimp.fake:FAKE",
    contract="connectors.mailchimp.contract:CONTRACT",
)
