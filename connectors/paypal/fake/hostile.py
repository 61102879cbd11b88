"""The PayPal fake's part of hostile mode (`sandbox.hostile`): the 404 it answers for a resource
it does not serve. No field it serves is UNCONFIRMED, so nothing is respelled.
"""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from connectors.paypal.fake import http as paypal_http
from sandbox.plugin import Hostility, Respeller

# Every knob at once (sandbox.hostile.HOSTILE).
HOSTILITY = Hostility(
    ignore=frozenset(
        {
            # GET /v1/reporting/transactions
            "transaction_id",
            "start_date",  # validated, then ignored: every transaction of the last 3 years
            "end_date",
            # POST /v2/invoicing/search-invoices (JSON body keys)
            "recipient_email",
            "recipient_first_name",
            "recipient_last_name",
            "recipient_business_name",
            "invoice_number",  # one invoice: one person's
            "reference",  # the merchant's reference, usually the order number
        }
    ),
    # Not ignored: `transaction_type`, `transaction_status`, `transaction_currency` and the
    # search's `status`, `currency_code`, `archived` select kinds of records over everybody;
    # `balance_affecting_records_only` defaults to Y, so ignoring N would hide records; the
    # search's `memo` is the merchant's free text, matched exactly, no person key; its
    # `*_date_range` are windows over everybody; `fields`, `page`, `page_size`,
    # `total_required` shape the answer.
)

# Validated by the fake, then ignored by it: without them the request is invalid.
INSIDE = frozenset({"start_date", "end_date"})
# The search whose JSON body keys are its criteria (ignored keys are removed from the body).
SEARCH_POSTS = ("/v2/invoicing/search-invoices",)

RESPELLING = ""


def not_found(method: str, path: str) -> Response:
    """PayPal's `RESOURCE_NOT_FOUND` error."""
    return paypal_http.error_response("RESOURCE_NOT_FOUND")


def respellers(store: Any) -> list[Respeller]:
    return []
