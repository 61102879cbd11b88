"""Mollie's listings and the scheduled sync's streams (customers and payments, newest first)."""

from __future__ import annotations

from typing import Any

from bridge.core.connector import IndexEntry, Stream
from bridge.core.paging import NextLink
from connectors.mollie.references import CUSTOMER_ID, PAYMENT_ID

PAGE_LIMIT = 250
CUSTOMERS = "v2/customers"
# HAL lists: the items `_embedded`, `_links.next` followed.
LISTS = NextLink()


def _customer_entry(item: dict[str, Any]) -> IndexEntry:
    return IndexEntry("mollie_customer", item["id"], item.get("email"), item.get("createdAt"))


def _payment_entry(item: dict[str, Any]) -> IndexEntry:
    links = [
        (CUSTOMER_ID, item.get("customerId")),
        (PAYMENT_ID, item["id"]),
    ]
    email = (item.get("billingAddress") or {}).get("email")
    return IndexEntry(
        "payment", item["id"], email, item.get("createdAt"),
        tuple((k, str(v)) for k, v in links if v),
    )  # fmt: skip


# The scheduled sync: customers and payments, newest first, until the previous run's newest; the
# new cursor is saved with the last batch, so an interrupted run starts over.
SYNC = {
    s.name: s
    for s in (
        Stream("customers", CUSTOMERS, LISTS, _customer_entry, "createdAt", ordered=False),
        Stream("payments", "v2/payments", LISTS, _payment_entry, "createdAt", ordered=False),
    )
}
