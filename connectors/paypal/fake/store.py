"""The fake's store: the paypal resources it serves, in the API's own shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]


@dataclass
class PayPalStore:
    """PayPal reporting `transaction_detail` objects and invoicing v2 invoices."""

    transactions: list[JSON] = field(default_factory=list)
    invoices: list[JSON] = field(default_factory=list)
