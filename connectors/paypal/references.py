"""Which of the payment references a shop reveals are PayPal transactions, and PayPal's own kind.

A shop keeps a PayPal transaction id (the capture id the reporting API lists) as the transaction
id of an order paid with PayPal (vendor-apis.md §8). PayPal claims a payment reference when all
three hold: the shop names PayPal as the order's payment method (its name, or a gateway of
WooCommerce PayPal Payments: `ppcp-gateway`, `ppcp-credit-card-gateway`), the reference is that
order's transaction id (a PayPal order id kept beside it is not a transaction), and it has the
documented form (reporting_transactions_v1: 1 to 24 letters and digits, 17 for a transaction).
"""

from __future__ import annotations

import re

from bridge.core import kinds
from bridge.core.models import Identifier

TRANSACTION_ID = "paypal_transaction_id"  # as in the reporting API; refunds name it too
FORM = re.compile(r"[A-Za-z0-9]{1,24}")
PLUGIN_GATEWAYS = "ppcp-"  # WooCommerce PayPal Payments' gateway ids


def paid_with_paypal(method: str) -> bool:
    method = method.lower()
    return "paypal" in method or method.startswith(PLUGIN_GATEWAYS)


def claim(identifier: Identifier) -> Identifier | None:
    """The transaction id of an order paid with PayPal, in PayPal's kind; else None."""
    context = identifier.context
    if (
        identifier.kind == kinds.PAYMENT_REFERENCE
        and context.get(kinds.FIELD) == kinds.TRANSACTION
        and paid_with_paypal(context.get(kinds.METHOD, ""))
        and FORM.fullmatch(identifier.value)
    ):
        return identifier.model_copy(update={"kind": TRANSACTION_ID})
    return None
