"""Seeds MyParcel shipments for a shop's orders (platform-neutral `ShopOrder`s).

`seed_myparcel(...)` gives every shipped order (processing, completed, refunded) one shipment with
`reference_identifier` = the order number and the recipient from the order (person, company,
e-mail, phone, address; postcode without its space, as MyParcel stores it); cancelled, failed,
pending and on-hold orders get none. Statuses follow the age of the order: the last day or two
concept (1) or registered (2), then en route (3–5), older ones delivered (7, or 9 when picked up at
a PostNL point). Printed shipments (status ≥ 2) have a barcode `3SMYPA` + 9 digits; concepts none.
Some orders are multi-collo (a main shipment with `multi_collo_main_shipment_id` = its own id and
1–2 secondaries pointing to it, which carry no reference, e-mail or phone: 07 §7.A example), and
some refunded orders have a related return shipment (`parent_id` = the original, the customer as
`sender`, the shop as `recipient`, no reference, label "Retour – <barcode>": 07 §7.A and §7.C).
The subject's latest order is always a concept, an older one multi-collo and one has a return.
Ids grow with creation time, with gaps (other accounts' shipments).
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from connectors.myparcel.fake.store import MyParcelStore
from sandbox.data import ShopOrder

JSON = dict[str, Any]
AMS = ZoneInfo("Europe/Amsterdam")
ACCOUNT_ID = 148_236
SHOP_ID = 52_917
FIRST_ID = 31_250_000
SHIPPED = frozenset({"processing", "completed", "refunded"})
SENDER: JSON = {
    "cc": "NL",
    "region": "Utrecht",
    "postal_code": "3821BR",
    "city": "Amersfoort",
    "street": "Brandersweg",
    "number": "12",
    "person": "Klantenservice",
    "company": "Brandpunt",
    "email": "info@brandpunt.example.nl",
    "phone": "0337654321",
}
PICKUP_POINTS = (
    ("Albert Heijn", "Stationsplein", "5", "Utrecht", "3511CE"),
    ("Primera", "Langestraat", "41", "Amersfoort", "3811AC"),
    ("Bruna", "Grote Houtstraat", "88", "Haarlem", "2011SN"),
    ("Jumbo", "Markt", "12", "Delft", "2611GV"),
)
_NUMBER = re.compile(r"^(?P<number>\d+)\s*[-/]?\s*(?P<suffix>.*)$")


def split_house_number(house_number: str) -> tuple[str, str]:
    """`"112-2"` → `("112", "2")`, `"141A"` → `("141", "A")`, `"11 bis"` → `("11", "bis")`."""
    match = _NUMBER.match(house_number.strip())
    return (match["number"], match["suffix"].strip()) if match else (house_number.strip(), "")


def stamp(moment: datetime) -> str:
    """MyParcel's timestamp: local (Amsterdam) time, `YYYY-MM-DD HH:MM:SS`."""
    return moment.astimezone(AMS).strftime("%Y-%m-%d %H:%M:%S")


def _address(order: ShopOrder, contact: bool = True) -> JSON:
    number, suffix = split_house_number(order.house_number)
    out: JSON = {
        "cc": order.country or "NL",
        "postal_code": order.postcode.replace(" ", "").upper(),
        "city": order.city,
        "street": order.street,
        "number": number,
    }
    if suffix:
        out["number_suffix"] = suffix
    out["person"] = f"{order.first_name} {order.last_name}".strip()
    if contact:
        if order.company:
            out["company"] = order.company
        out["email"] = order.email
        out["phone"] = order.phone
    return out


class _Seeder:
    def __init__(self, rng: random.Random, today: date, sender: JSON) -> None:
        self.rng = rng
        self.now = datetime.combine(today, time(23, 59), AMS)
        self.today = today
        self.sender = sender
        self.barcodes: set[str] = set()
        self.records: list[tuple[datetime, int, JSON]] = []
        self.links: dict[int, tuple[str, JSON]] = {}  # id(record) -> (field, record it points to)

    def barcode(self) -> str:
        while True:
            code = "3SMYPA" + "".join(self.rng.choice("0123456789") for _ in range(9))
            if code not in self.barcodes:
                self.barcodes.add(code)
                return code

    def add(self, created: datetime, record: JSON) -> JSON:
        self.records.append((created, len(self.records), record))
        return record

    def status(self, order: ShopOrder, age: int, pickup: bool) -> int:
        rng = self.rng
        if order.status == "processing":
            return 1 if age <= 1 else 2 if age <= 3 else 3
        if age <= 1:
            return rng.choice((1, 2, 2))
        if age <= 2:
            return rng.choice((3, 4, 5))
        if age <= 4:
            return rng.choice((5, 7, 7))
        return 9 if pickup else 7

    def shipment(self, order: ShopOrder, status: int, multi: bool, pickup: bool) -> JSON:
        rng = self.rng
        created = order.created + timedelta(minutes=rng.randint(3, 240))
        hours = {1: 0.1, 2: rng.uniform(1, 6), 3: rng.uniform(8, 20), 4: 20.0, 5: 30.0}
        modified = min(created + timedelta(hours=hours.get(status, rng.uniform(20, 60))), self.now)
        cheap = float(order.total or 0) < 40
        package_type = 2 if cheap and not (pickup or multi) and rng.random() < 0.3 else 1
        options: JSON = {"package_type": package_type}
        if package_type == 1:
            options |= {
                "only_recipient": int(rng.random() < 0.15),
                "signature": int(rng.random() < 0.2),
                "return": 0,
                "insurance": {
                    "amount": 10000 if float(order.total) > 100 else 0,
                    "currency": "EUR",
                },
                "large_format": 0,
            }
        options["label_description"] = f"Bestelling {order.number}"
        options["delivery_type"] = 4 if pickup else 2
        options["delivery_date"] = (created + timedelta(days=1)).strftime("%Y-%m-%d 00:00:00")
        price = {1: 695, 2: 415}[package_type] + (100 if pickup else 0)
        record: JSON = {
            "id": None,
            "parent_id": None,
            "account_id": ACCOUNT_ID,
            "shop_id": SHOP_ID,
            "shipment_type": 3 if multi else 1,
            "recipient": _address(order),
            "sender": dict(self.sender),
            "status": status,
            "options": options,
            "general_settings": {"save_recipient_address": 0},
            "pickup": None,
            "customs_declaration": None,
            "physical_properties": {"weight": rng.randint(150, 4500)},
            "reference_identifier": order.number,
            "barcode": self.barcode() if status >= 2 else None,
            "price": {"amount": price, "currency": "EUR"},
            "carrier_id": 1,
            "region": "NL",
            "transaction_status": "unpaid" if status == 1 else "paid",
            "payment_status": "unpaid" if status == 1 else "paid",
            "multi_collo_main_shipment_id": None,
            "created": stamp(created),
            "modified": stamp(modified),
        }
        if pickup:
            name, street, number, city, postcode = rng.choice(PICKUP_POINTS)
            record["pickup"] = {
                "postal_code": postcode,
                "street": street,
                "city": city,
                "number": number,
                "location_name": name,
            }
        self.add(created, record)
        if multi:
            self.links[id(record)] = ("multi_collo_main_shipment_id", record)
            for _ in range(rng.randint(1, 2)):
                self.secondary(order, record, created)
        return record

    def secondary(self, order: ShopOrder, main: JSON, created: datetime) -> None:
        extra = {k: main[k] for k in ("account_id", "shop_id", "shipment_type", "status")}
        record: JSON = {
            "id": None,
            "parent_id": None,
            **extra,
            "recipient": _address(order, contact=False),
            "sender": dict(self.sender),
            "options": {k: main["options"][k] for k in ("package_type", "label_description")},
            "physical_properties": {"weight": self.rng.randint(500, 6000)},
            "reference_identifier": None,
            "barcode": self.barcode() if main["status"] >= 2 else "",
            "price": dict(main["price"]),
            "carrier_id": 1,
            "region": "NL",
            "transaction_status": main["transaction_status"],
            "payment_status": main["payment_status"],
            "multi_collo_main_shipment_id": None,
            "created": main["created"],
            "modified": main["modified"],
        }
        self.add(created, record)
        self.links[id(record)] = ("multi_collo_main_shipment_id", main)

    def return_shipment(self, order: ShopOrder, parent: JSON) -> None:
        rng = self.rng
        created = datetime.strptime(parent["modified"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=AMS)
        created += timedelta(days=rng.randint(3, 20), minutes=rng.randint(0, 600))
        if created > self.now:
            return
        delivered = (self.now - created).days > 4
        modified = min(created + timedelta(hours=rng.uniform(30, 70)), self.now)
        record: JSON = {
            "id": None,
            "parent_id": None,
            "account_id": ACCOUNT_ID,
            "shop_id": SHOP_ID,
            "shipment_type": 1,
            "recipient": dict(self.sender),
            "sender": _address(order),
            "status": 7 if delivered else 3,
            "options": {
                "package_type": 1,
                "only_recipient": 0,
                "signature": 0,
                "return": 0,
                "label_description": f"Retour – {parent['barcode']}",
            },
            "general_settings": {"save_recipient_address": 0},
            "pickup": None,
            "customs_declaration": None,
            "physical_properties": {"weight": rng.randint(150, 4500)},
            "reference_identifier": None,
            "barcode": self.barcode(),
            "price": {"amount": 695, "currency": "EUR"},
            "carrier_id": 1,
            "region": "NL",
            "transaction_status": "paid",
            "payment_status": "paid",
            "multi_collo_main_shipment_id": None,
            "created": stamp(created),
            "modified": stamp(modified),
        }
        self.add(created, record)
        self.links[id(record)] = ("parent_id", parent)

    def finish(self) -> list[JSON]:
        """Ids in order of creation (secondaries right after their main), then the links."""
        self.records.sort(key=lambda r: (r[0], r[1]))
        next_id = FIRST_ID
        for _, _, record in self.records:
            is_secondary = (
                self.links.get(id(record), ("", None))[0] == "multi_collo_main_shipment_id"
            )
            next_id += 1 if is_secondary else self.rng.randint(40, 2500)
            record["id"] = next_id
        for _, _, record in self.records:
            link = self.links.get(id(record))
            if link is not None:
                record[link[0]] = link[1]["id"]
        return [record for _, _, record in self.records]


def seed_myparcel(
    store: MyParcelStore,
    orders: Sequence[ShopOrder],
    today: date,
    rng: random.Random,
    *,
    subject_email: str = "",
    sender: JSON | None = None,
) -> None:
    """Fill `store.shipments` for the shipped `orders` (see the module docstring)."""
    seeder = _Seeder(rng, today, dict(sender or SENDER))
    shipped = sorted(
        (o for o in orders if o.status in SHIPPED), key=lambda o: (o.created, o.number)
    )
    subject = subject_email.casefold()
    mine = [o.number for o in shipped if subject and o.email.casefold() == subject]
    concept = mine[-1] if mine else None
    forced_multi = mine[-3] if len(mine) >= 3 else None
    forced_return = mine[-2] if len(mine) >= 2 else None
    for order in shipped:
        age = (today - order.created.astimezone(AMS).date()).days
        multi = order.number == forced_multi or (
            order.number != concept and float(order.total or 0) > 60 and rng.random() < 0.04
        )
        pickup = not multi and rng.random() < 0.06
        status = 1 if order.number == concept else seeder.status(order, age, pickup)
        shipment = seeder.shipment(order, status, multi, pickup)
        wants_return = order.status == "refunded" and rng.random() < 0.4
        if status >= 7 and (wants_return or order.number == forced_return):
            seeder.return_shipment(order, shipment)
    store.shipments[:] = seeder.finish()
