"""Mollie's ids: which payment references a shop reveals are Mollie's, and whose a record is.

Mollie's ids carry a documented prefix (its OpenAPI: `^tr_.+$` a payment, `^ord_.+$` an order of
the Orders API, `^cst_.+$` a customer): wherever a shop keeps one, in an order's transaction id or
in a payment plugin's field (vendor-apis.md §3, §8), the prefix says it is Mollie's and what it is.
A Mollie record names its customer or payment by id or by link (`owner_id`).
"""

from __future__ import annotations

import re
from typing import Any

from bridge.core import kinds
from bridge.core.models import Identifier

PAYMENT_ID = "mollie_payment_id"  # tr_…
ORDER_ID = "mollie_order_id"  # ord_…
CUSTOMER_ID = "mollie_customer_id"  # cst_…, also revealed by a payment to the next round
PREFIXES = (("tr_", PAYMENT_ID), ("ord_", ORDER_ID), ("cst_", CUSTOMER_ID))


ID = re.compile(r"(tr|ord|cst)_[A-Za-z0-9]+")  # as Mollie's ids are, safe in a request's path


def kind_of(value: str) -> str | None:
    """Mollie's kind of an id by its prefix (`tr_…` is a payment), or None: not Mollie's."""
    if not ID.fullmatch(value):
        return None
    return next((k for p, k in PREFIXES if value.startswith(p)), None)


def claim(identifier: Identifier) -> Identifier | None:
    """A payment reference with one of Mollie's prefixes, in Mollie's kind for it; else None."""
    if identifier.kind != kinds.PAYMENT_REFERENCE:
        return None
    kind = kind_of(identifier.value)
    return identifier.model_copy(update={"kind": kind}) if kind else None


def owner_id(item: Any, resource: str) -> str | None:
    """The id of the `resource` (customer, payment) an item names: its `<resource>Id` field,
    else the last part of its `_links.<resource>` link."""
    value = item.get(f"{resource}Id")
    if isinstance(value, str) and value:
        return value
    links = item.get("_links") or {}
    href = (links.get(resource) or {}).get("href", "") if isinstance(links, dict) else ""
    tail = str(href).rstrip("/").rsplit("/", 1)[-1]
    return tail or None
