"""The fake's store: the mollie resources it serves, in the API's own shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]


@dataclass
class MollieStore:
    """Mollie v2 resources in the API's own JSON shape (without `_links`, which the fake adds)."""

    customers: list[JSON] = field(default_factory=list)
    payments: list[JSON] = field(default_factory=list)
    refunds: list[JSON] = field(default_factory=list)  # each has paymentId
    chargebacks: list[JSON] = field(default_factory=list)  # each has paymentId
    mandates: list[JSON] = field(default_factory=list)  # each has customerId (store-only key)
    subscriptions: list[JSON] = field(default_factory=list)  # each has customerId
