"""The contract suite's entry for MyParcel (sandbox.contract)."""

from __future__ import annotations

import copy
from collections.abc import Iterator

from connectors.myparcel.fake.query import error_body as myparcel_error
from sandbox.contract import (
    JSON,
    Contract,
    Key,
    Listing,
    dumps,
    ids_of,
    resize,
    same,
)
from sandbox.data import Shop

# `shipments?q=<e-mail>` pages 200 at a time, with `results` (the total).


def myparcel_fill(shop: Shop, email: str, n: int) -> Listing:
    shipments = shop.myparcel.shipments
    template, start = shipments[0], max(s["id"] for s in shipments) + 1

    def make(i: int) -> JSON:
        shipment = copy.deepcopy(template)
        shipment.update(
            id=start + i,
            reference_identifier=f"CT{i:05d}",
            barcode=f"3SCONTRACT{i:06d}",
            parent_id=None,
            multi_collo_main_shipment_id=None,
        )
        shipment["recipient"]["email"] = email
        return shipment

    mine = resize(
        shipments, lambda s: same((s.get("recipient") or {}).get("email"), email), n, make
    )
    return Listing("shipment", ids_of(mine))


def myparcel_by_email(shop: Shop) -> Iterator[tuple[Key, str]]:
    for shipment in shop.myparcel.shipments:
        yield ("shipment", str(shipment["id"])), (shipment.get("recipient") or {}).get("email", "")


def myparcel_by_order(shop: Shop) -> Iterator[tuple[Key, str]]:
    for shipment in shop.myparcel.shipments:
        yield ("shipment", str(shipment["id"])), str(shipment.get("reference_identifier") or "")


def myparcel_errors(status: int) -> bytes:
    if status == 403:
        return dumps(myparcel_error(403, 3001, "Permission Denied", "No access to shipments."))
    return dumps(myparcel_error(400, 3201, "Invalid query parameter: size", "size must be 30-200"))


CONTRACT = Contract(
    system="myparcel",
    shops=("woocommerce", "lightspeed"),
    page_size=200,
    listing_path="/shipments",
    fill=myparcel_fill,
    by_email=myparcel_by_email,
    by_order=myparcel_by_order,
    error_body=myparcel_errors,
)
