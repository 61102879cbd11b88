"""The shop's WooCommerce orders in platform-neutral terms, for seeding the other systems."""

from __future__ import annotations

import re

from sandbox.data import Shop, ShopOrder
from sandbox.seed_common import order_time

_STREET = re.compile(r"^(?P<street>.*\S)\s+(?P<number>\d+.*)$")


def split_street(address: str) -> tuple[str, str]:
    """`"Lindengracht 112-2"` → `("Lindengracht", "112-2")`; no house number → `(address, "")`."""
    match = _STREET.match(address.strip())
    return (match["street"], match["number"]) if match else (address.strip(), "")


def woocommerce_shop_orders(shop: Shop) -> list[ShopOrder]:
    """The shop's WooCommerce orders as `ShopOrder`s, in the store's order."""
    out = []
    for order in shop.woocommerce.orders:
        billing = order.get("billing") or {}
        shipping = order.get("shipping") or {}
        place = shipping if shipping.get("address_1") else billing
        street, number = split_street(str(place.get("address_1") or ""))
        out.append(
            ShopOrder(
                number=str(order.get("number") or order.get("id")),
                created=order_time(order),
                status=str(order.get("status") or ""),
                email=str(billing.get("email") or ""),
                first_name=str(billing.get("first_name") or ""),
                last_name=str(billing.get("last_name") or ""),
                company=str(place.get("company") or billing.get("company") or ""),
                street=street,
                house_number=number,
                postcode=str(place.get("postcode") or ""),
                city=str(place.get("city") or ""),
                country=str(place.get("country") or "NL"),
                phone=str(billing.get("phone") or ""),
                total=str(order.get("total") or "0.00"),
            )
        )
    return out
