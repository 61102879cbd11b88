"""What a WooCommerce order reveals for the next systems: its number and its payment references.

The shop does not decide whose a payment reference is: it reveals the transaction id the order's
payment method recorded (`transaction_id`), and the ids its payment plugins keep in the order's
meta data (keys ending in `_id`, such as a payment's, an order's or a customer's id at the
provider), each with the order's `payment_method` and the field it stood in. Each payment provider
claims the ones that are its own (`Connector.claim`; vendor-apis.md §8 for what the plugins store).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from bridge.core import kinds


class Link(NamedTuple):
    kind: str
    value: str
    where: str  # said after the order in the identifier's `via`: " (ppcp-gateway)"
    context: dict[str, str]


def order_links(order: dict[str, Any]) -> list[Link]:
    """The order number, then its payment references (see the module)."""
    links = [Link(kinds.ORDER_NUMBER, str(order.get("number") or order["id"]), "", {})]
    method = str(order.get("payment_method") or "")
    tid = str(order.get("transaction_id") or "")
    if tid:
        where = f" ({method or 'transaction id'})"
        context = {kinds.METHOD: method, kinds.FIELD: kinds.TRANSACTION}
        links.append(Link(kinds.PAYMENT_REFERENCE, tid, where, context))
    for meta in order.get("meta_data") or []:
        key, value = str(meta.get("key")), meta.get("value")
        if key.endswith("_id") and kinds.looks_like_id(value):
            context = {kinds.METHOD: method, kinds.FIELD: f"meta {key}"}
            links.append(Link(kinds.PAYMENT_REFERENCE, value, f" (meta {key})", context))
    return links
