"""The Lightspeed fake's part of hostile mode (`sandbox.hostile`): the 404 it answers for a
resource it does not serve, and the orders' `paymentData` keys in the other spelling.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from werkzeug.wrappers import Response

from connectors.lightspeed.fake import rest as ls_rest
from sandbox.plugin import Hostility, Respeller

JSON = dict[str, Any]

# Every knob at once (sandbox.hostile.HOSTILE).
HOSTILITY = Hostility(
    ignore=frozenset(
        {
            "email",  # customers, orders (subscriptions/contacts/checkouts ignore it already)
            "customer",  # orders, invoices, shipments, returns, reviews, tickets, quotes
            "order",  # invoices, shipments, returns
            "number",  # orders, invoices: an order number is one person's order
        }
    ),
    # Not ignored: `isConfirmed`, `status`, `paymentStatus`, `shipmentStatus` are states over
    # everybody; `product` (reviews) selects by product; `since_id`, `created_at_*`,
    # `updated_at_*`, `page`, `limit`, `fields` are paging and windows.
    respell=True,
    missing=("quotes", "contacts", "checkouts"),
)

RESPELLING = "orders' paymentData keys in camelCase: transactionId, orderId, customerId"


def not_found(method: str, path: str) -> Response:
    """Lightspeed's `Not found.` 404."""
    body = ls_rest.not_found().body(method, path)
    return Response(json.dumps(body), 404, content_type="application/json; charset=utf-8")


def _walk(value: Any, fix: Callable[[JSON], JSON]) -> Any:
    """`value` with `fix` applied to every dict in it, innermost first."""
    if isinstance(value, list):
        return [_walk(v, fix) for v in value]
    if isinstance(value, dict):
        return fix({k: _walk(v, fix) for k, v in value.items()})
    return value


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _payment_data(status: int, path: str, body: Any) -> Any:
    # vendor-apis.md §2: "Whether `paymentData` can hold PSP ids (e.g. a Mollie `tr_…`) is
    # UNCONFIRMED." The seed (connectors.lightspeed.seed.payments) guesses snake_case keys
    # `transaction_id`, `order_id`, `customer_id`; respelled in Lightspeed's own camelCase
    # (`transactionId`, `orderId`, `customerId`, as its `paymentId`, `shipmentId`).
    def fix(obj: JSON) -> JSON:
        data = obj.get("paymentData")
        if isinstance(data, dict):
            obj["paymentData"] = {_camel(k): v for k, v in data.items()}
        return obj

    return _walk(body, fix) if status < 400 else body


def respellers(store: Any) -> list[Respeller]:
    """What `respell=True` changes: the `paymentData` keys (`RESPELLING`)."""
    return [_payment_data]
