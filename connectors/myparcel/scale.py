"""MyParcel's records in a scaled shop (`sandbox.scale`): the shipments of the copied orders'
people (found by `reference_identifier`, the order number), with their multi-collo secondaries
and returns; fresh ids and barcodes, the copy's order number in the reference and label.
"""

from __future__ import annotations

from typing import Any

from sandbox.data import Shop
from sandbox.scale import (
    JSON,
    Copy,
    CopyOne,
    Plan,
    parse_any,
    person_key,
    shift_local,
    stride,
)


def scale(shop: Shop, plan: Plan) -> CopyOne:
    """Read whose MyParcel shipments are copied (after the platform's); the function that
    appends one copy of them (`sandbox.scale`)."""
    return MyParcelCopier(shop, plan).copy


class MyParcelCopier:
    """The MyParcel shipments of the copied people."""

    def __init__(self, shop: Shop, plan: Plan) -> None:
        self.store, self.plan = shop.myparcel, plan
        shipments = self.store.shipments
        person: dict[int, str] = {}
        for s in shipments:
            order_id = plan.order_by_number.get(str(s.get("reference_identifier") or ""))
            key = plan.order_owner(order_id) if order_id is not None else None
            if key is not None:
                person[s["id"]] = key
        for s in shipments:
            link = s.get("multi_collo_main_shipment_id") or s.get("parent_id")
            if s["id"] not in person and link in person:
                person[s["id"]] = person[link]
        self.shipments = [(s, person[s["id"]]) for s in shipments if s["id"] in person]
        self.shipment_ids = stride(*(s["id"] for s in shipments))
        for shipment, key in self.shipments:  # local time: near enough
            plan.later(key, parse_any(shipment["modified"].replace(" ", "T")))
        plan.seen.update(s["barcode"] for s in self.store.shipments if s.get("barcode"))

    def copy(self, c: Copy) -> None:
        self.store.shipments.extend(self.shipment(c, x, c.delta(k)) for x, k in self.shipments)

    def shipment(self, c: Copy, shipment: JSON, delta: Any) -> JSON:
        step = c.k * self.shipment_ids
        out = dict(shipment)
        out["id"] = shipment["id"] + step
        for name in ("parent_id", "multi_collo_main_shipment_id"):
            if shipment.get(name) is not None:
                out[name] = shipment[name] + step
        reference = shipment.get("reference_identifier")
        if reference:
            out["reference_identifier"] = c.numbers[str(reference)]
        if shipment.get("barcode"):
            out["barcode"] = self._barcode(c, shipment["barcode"])
        for name in ("recipient", "sender"):
            part = shipment.get(name) or {}
            if part.get("email") and self.plan.copied(person_key(part["email"])):
                out[name] = {**part, "email": c.mail(part["email"])}
        options = dict(shipment.get("options") or {})
        label = str(options.get("label_description") or "")
        if reference and label.endswith(str(reference)):
            options["label_description"] = (
                label[: -len(str(reference))] + out["reference_identifier"]
            )
        elif label.startswith("Retour – "):
            options["label_description"] = "Retour – " + self._barcode(c, label[9:])
        if options.get("delivery_date"):
            options["delivery_date"] = (
                shift_local(options["delivery_date"], delta)[:10] + " 00:00:00"
            )
        out["options"] = options
        out["created"] = shift_local(shipment["created"], delta)
        out["modified"] = shift_local(shipment["modified"], delta)
        return out

    @staticmethod
    def _barcode(c: Copy, original: str) -> str:
        head = original.rstrip("0123456789")
        return str(c.token(original, lambda: head + c.digits(len(original) - len(head))))
