"""The Feedback Company (reviews): the connector, its fake and seed for the sandbox, its contract-suite entry."""

from bridge.core.plugins import System
from connectors.feedbackcompany.connector import FeedbackCompanyConnector

SYSTEM = System(
    FeedbackCompanyConnector,
    actions={
        "review_invitation": "delete",
        "feedback_review": "delete",
    },
    order=60,
    fake="connectors.feedbackcompany.fake:FAKE",
    contract="connectors.feedbackcompany.contract:CONTRACT",
)
