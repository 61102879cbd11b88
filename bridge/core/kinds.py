"""The identifier kinds the connectors pass to each other, named for what they are, not whose.

One system reveals them (a shop order names its order number and its payment references),
another looks up by them. Which payment references are whose, each payment provider decides for
itself (`Connector.claim`, by the form of its own ids or the payment method the shop names), and
names the ones it claims in kinds of its own, kept in its own folder.
"""

import re

EMAIL = "email"
ORDER_NUMBER = "order_number"  # the shop's order number, as customers and carriers see it
SHOP_CUSTOMER_ID = "shop_customer_id"
PAYMENT_REFERENCE = "payment_reference"  # an id the shop keeps of a payment at its provider

# What the shop knows of a payment reference, in the identifier's `context`:
METHOD = "method"  # the shop's name of the order's payment method (a gateway, a provider)
FIELD = "field"  # where the order keeps it: TRANSACTION, or the shop's name of the field
TRANSACTION = "transaction"  # the transaction id the payment method recorded on the order

_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


def looks_like_id(value: object) -> bool:
    """Whether a stored value can be an id: 1 to 64 ASCII letters, digits and `_ . : -` (never
    a name, an address or a sentence, which a shop's free fields may hold)."""
    return isinstance(value, str) and _ID.fullmatch(value) is not None
