"""The identifier kinds the connectors pass to each other.

One system reveals them (a shop order names its payment id), another looks up by them.
"""

EMAIL = "email"
ORDER_NUMBER = "order_number"  # the shop's order number, as customers and carriers see it
SHOP_CUSTOMER_ID = "shop_customer_id"
MOLLIE_PAYMENT_ID = "mollie_payment_id"  # tr_…
MOLLIE_ORDER_ID = "mollie_order_id"  # ord_…
MOLLIE_CUSTOMER_ID = "mollie_customer_id"  # cst_…
PAYPAL_TRANSACTION_ID = "paypal_transaction_id"  # capture id, as in the reporting API
PAYPAL_ORDER_ID = "paypal_order_id"

# Ids whose documented prefix tells whose they are, wherever they appear (vendor-apis.md §3, §8).
PREFIXES = (("tr_", MOLLIE_PAYMENT_ID), ("ord_", MOLLIE_ORDER_ID), ("cst_", MOLLIE_CUSTOMER_ID))


def by_prefix(value: str) -> str | None:
    """The kind of an id recognised by its prefix (`tr_…` is a Mollie payment), or None."""
    return next((kind for prefix, kind in PREFIXES if value.startswith(prefix)), None)
