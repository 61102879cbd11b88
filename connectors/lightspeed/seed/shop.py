"""Seeds the Lightspeed side of a shop: "Ilona's WebGems", a Dutch jewellery webshop (policy 003).

Every resource is a dict in the Lightspeed eCom API's shape (vendor-apis.md §2; field sets of
the documentation examples), placed relative to `shop.today`: the shop opened a little over 8
years ago and trades more each year. About 300 registered customers and 150 guests place about
1,400 orders, with order lines, invoices ("INV00042", credit notes for refunds), shipments
("SHIP00042", PostNL track & trace), returns, product reviews, newsletter subscriptions, support
tickets with messages, quotes, abandoned checkouts, contact-form messages and a loyalty
metafield. People are in `connectors.lightspeed.seed.people`, orders in `connectors.lightspeed.seed.orders`, the rest in
`connectors.lightspeed.seed.extras`; `connectors.lightspeed.seed.payments` then pays the orders through Mollie
and PayPal.

Choices where the sources are silent:
- guest checkouts create no customer: a guest order has `"customer": false` and is found only
  by its `email`;
- ids are large, increase with creation time and have gaps (other shops share the sequence);
- order numbers started at ORD10001; some months ago the shop set its next order number to
  ORD100001 (a setting in the back office). Numbers after the jump are one digit longer, so the
  subject's first order ORD1000x is a prefix of ten later numbers, one of them the look-alike's
  (`traps["shared_prefix"]`);
- timestamps are UTC with `+00:00`, as in the documentation's examples.

The people the tests look at are recorded on the shop: `subject_email`, `bulk_email` and `traps`
(see `Shop`), the same traps as the WooCommerce shop.
"""

from __future__ import annotations

import random
from datetime import datetime

from faker import Faker

from connectors.lightspeed.fake.shape import ref_id
from connectors.lightspeed.seed.extras import write_extras
from connectors.lightspeed.seed.orders import OrderWriter
from connectors.lightspeed.seed.people import (
    BULK_EMAIL,
    CASE_VARIANT,
    LOOKALIKE_EMAIL,
    NOTE_MENTION_EMAIL,
    SUBJECT_EMAIL,
    Cast,
    Plan,
)
from sandbox.data import Shop, ShopOrder

__all__ = ["lightspeed_shop_orders", "neutral_status", "seed_lightspeed"]

FIRST_NUMBER = 10001
RENUMBER_BASE = 100001


def seed_lightspeed(shop: Shop, fake: Faker, rng: random.Random) -> None:
    """Fill `shop.lightspeed` and the shop's subject, bulk customer and traps."""
    cast = Cast(shop, fake, rng)
    cast.run()
    prefix = _number(cast, rng)
    writer = OrderWriter(shop.lightspeed, rng, cast.end)
    writer.write(cast)
    write_extras(shop.lightspeed, cast, writer, rng)
    first = next(p for p in cast.plans if p.special == "subject_first")
    mention = next(p for p in cast.plans if p.person is cast.mention)
    shop.subject_email, shop.bulk_email = SUBJECT_EMAIL, BULK_EMAIL
    shop.traps.update(
        {
            "case": CASE_VARIANT,
            "containment": LOOKALIKE_EMAIL,
            "note_mention": NOTE_MENTION_EMAIL,
            "note_mention_order": mention.number,
            "shared_prefix": prefix.number,
            "shared_prefix_of": first.number,
        }
    )


def _number(cast: Cast, rng: random.Random) -> Plan:
    """Give every order its number (with the renumbering jump) and slot in the prefix trap."""
    prefix = cast.prefix_plan
    plans = sorted((p for p in cast.plans if p is not prefix), key=lambda p: p.when)
    first_index = next(i for i, p in enumerate(plans) if p.special == "subject_first")
    first_number = FIRST_NUMBER + first_index
    target = first_number * 10 + rng.randint(1, 3)
    offset = target - RENUMBER_BASE  # the look-alike's order is this many orders after the jump
    slot = len(plans) - rng.randint(40, 90)  # a few months before today
    jump = slot - offset
    if jump <= first_index + 10 or slot >= len(plans):
        raise RuntimeError("seed: too few orders for the shared-prefix trap")
    before, after = plans[slot - 1].when, plans[slot].when
    prefix.when = before + (after - before) / 2
    plans.insert(slot, prefix)
    for index, plan in enumerate(plans):
        value = FIRST_NUMBER + index if index < jump else RENUMBER_BASE + index - jump
        plan.number = f"ORD{value:05d}"
    cast.plans = plans
    return prefix


def neutral_status(order: dict[str, object], credited: float = 0.0) -> str:
    """The platform-neutral status of a Lightspeed order ("refunded" when fully credited)."""
    status = str(order.get("status", ""))
    if status == "cancelled":
        return "cancelled"
    if status == "on_hold":
        return "on-hold"
    if status == "processing_awaiting_payment":
        return "pending"
    if status.startswith("processing"):
        return "processing"
    total = float(order.get("priceIncl") or 0)  # type: ignore[arg-type]
    return "refunded" if total and credited >= total - 0.005 else "completed"


def credited_by_order(invoices: list[dict[str, object]]) -> dict[int, float]:
    """Sum of the credit notes per order id."""
    out: dict[int, float] = {}
    for invoice in invoices:
        order_id = ref_id(invoice.get("order"))
        if invoice.get("isCreditNote") and order_id is not None:
            out[order_id] = out.get(order_id, 0.0) + float(invoice.get("priceIncl") or 0)  # type: ignore[arg-type]
    return out


def lightspeed_shop_orders(shop: Shop) -> list[ShopOrder]:
    """The Lightspeed shop's orders in platform-neutral terms (for MyParcel, Feedback Company).

    Name and address are the order's shipping name and address (what a carrier gets); the
    last name includes the tussenvoegsel ("de Vries"); `house_number` joins number and
    extension ("231-bis").
    """
    store = shop.lightspeed
    credited = credited_by_order(store.resources.get("invoices", []))
    out: list[ShopOrder] = []
    for order in sorted(store.resources.get("orders", []), key=lambda o: o["id"]):
        last = " ".join(p for p in (order["middlename"], order["lastname"]) if p)
        number = order["addressShippingNumber"]
        extension = order["addressShippingExtension"]
        country = order["addressShippingCountry"] or order["addressBillingCountry"] or {}
        out.append(
            ShopOrder(
                number=order["number"],
                created=datetime.fromisoformat(order["createdAt"]),
                status=neutral_status(order, credited.get(order["id"], 0.0)),
                email=order["email"],
                first_name=order["firstname"],
                last_name=last,
                company=order["companyName"],
                street=order["addressShippingStreet"],
                house_number=f"{number}-{extension}" if extension else number,
                postcode=order["addressShippingZipcode"],
                city=order["addressShippingCity"],
                country=str(country.get("code", "nl")).upper(),
                phone=order["phone"],
                total=f"{order['priceIncl']:.2f}",
            )
        )
    return out
