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
