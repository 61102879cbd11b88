"""Writes the Lightspeed shop's customers, orders, order lines, invoices, shipments and returns.

Used by `connectors.lightspeed.seed.shop`; the plans come from `connectors.lightspeed.seed.people`. Every order is
paid "Betalen op factuur" (`paymentId` "invoice") here; `connectors.lightspeed.seed.payments` moves
most of them to Mollie and PayPal afterwards. An invoice and a shipment are made when the order
is placed (as in the documentation's example order), the invoice `paid` once paid and the
shipment `shipped` once completed; a refund is a credit note (`isCreditNote`, linked to the
invoice it credits) plus a return.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from connectors.lightspeed.fake.shape import JSON, LANGUAGE_NL, ref, stamp
from connectors.lightspeed.fake.store import LightspeedStore
from connectors.lightspeed.seed.catalog import (
    PRODUCTS,
    VAT,
    Ids,
    address,
    company_fields,
    excl,
    money,
    person_fields,
)
from connectors.lightspeed.seed.people import Cast, Person, Plan

STATES = {  # neutral status -> (status, paymentStatus, shipmentStatus)
    "completed": ("completed_shipped", "paid", "shipped"),
    "refunded": ("completed_shipped", "paid", "shipped"),
    "processing": ("processing_awaiting_shipment", "paid", "not_shipped"),
    "pending": ("processing_awaiting_payment", "not_paid", "not_shipped"),
    "on-hold": ("on_hold", "not_paid", "not_shipped"),
    "cancelled": ("cancelled", "cancelled", "cancelled"),
}
PAID = frozenset({"completed", "refunded", "processing"})
PARTNERS = ("Kees", "Sanne", "Bram", "Lotte", "Joost", "Noor", "Daan", "Eva")
RETURN_REASONS = ("Past niet", "Beschadigd ontvangen", "Kleur valt tegen", "Verkeerd artikel")


class OrderWriter:
    def __init__(self, store: LightspeedStore, rng: random.Random, end: datetime) -> None:
        self.store, self.rng, self.end = store, rng, end
        for name in ("customers", "orders", "invoices", "shipments", "returns"):
            store.resources.setdefault(name, [])
        self.lines = store.children.setdefault("orders/products", {})
        self.product_ids = [20967262 + 8 * i + rng.randint(0, 5) for i in range(len(PRODUCTS))]
        self.variant_ids = [34771159 + 11 * i + rng.randint(0, 7) for i in range(len(PRODUCTS))]
        self.line_ids = Ids(rng, 3515000)

    # -- customers ----------------------------------------------------------------------------
    def customer_ids(self, people: list[Person]) -> None:
        ids = Ids(self.rng, 2026000)
        for person in people:
            person.customer_id = ids()

    def customer(self, person: Person, last_seen: datetime) -> JSON:
        cid = person.customer_id
        assert person.registered is not None
        links = {
            name: ref(f"{name}?customer={cid}")
            for name in ("invoices", "orders", "reviews", "shipments", "tickets")
        }
        return {
            "id": cid,
            "createdAt": stamp(person.registered),
            "updatedAt": stamp(last_seen),
            "isConfirmed": True,
            "type": "registered",
            "lastOnlineAt": stamp(last_seen),
            "remoteIp": person.ip,
            "userAgent": person.agent,
            "referralId": False,
            **person_fields(person, person.email),
            **company_fields(person),
            **address("Billing", person),
            **address("Shipping", person),
            "memo": "",
            "doNotifyRegistered": False,
            "doNotifyConfirmed": False,
            "doNotifyPassword": False,
            "language": dict(LANGUAGE_NL),
            **links,
            "metafields": ref(f"customers/{cid}/metafields"),
        }

    # -- orders -------------------------------------------------------------------------------
    def products(self, plan: Plan) -> list[JSON]:
        out = []
        for k, (index, qty) in enumerate(plan.items):
            name, price, variant = PRODUCTS[index]
            custom: JSON | bool = False
            if k == 0 and plan.extra.get("engraving"):
                custom = {"Gravure": plan.extra["engraving"]}
            elif variant.startswith("Maat") and self.rng.random() < 0.2:
                custom = {"Gravure": f"{plan.person.first} & {self.rng.choice(PARTNERS)}"}
            shipped = qty if plan.status in ("completed", "refunded") else 0
            refunded = qty if plan.refund == "full" else 1 if plan.refund and k == 0 else 0
            out.append(
                {
                    "id": self.line_ids(),
                    "supplierTitle": "",
                    "brandTitle": "Ilona's WebGems",
                    "productTitle": name,
                    "variantTitle": variant,
                    "taxRate": VAT,
                    "taxRates": [
                        {"name": "BTW 21%", "rate": VAT, "amount": money(price - excl(price)) * qty}
                    ],
                    "quantityOrdered": qty,
                    "quantityInvoiced": qty if plan.status in PAID else 0,
                    "quantityShipped": shipped,
                    "quantityRefunded": refunded,
                    "quantityReturned": refunded,
                    "articleCode": f"IWG-{100 + index:04d}",
                    "ean": "",
                    "sku": f"IWG-{100 + index:04d}-{variant[:2].upper()}",
                    "weight": 0,
                    "volume": 0,
                    "colli": 0,
                    "basePriceExcl": money(excl(price)),
                    "basePriceIncl": money(price),
                    "priceExcl": money(excl(price) * qty),
                    "priceIncl": money(price * qty),
                    "discountExcl": 0,
                    "discountIncl": 0,
                    "customFields": custom,
                    "product": ref(f"products/{self.product_ids[index]}", self.product_ids[index]),
                    "variant": ref(f"variants/{self.variant_ids[index]}", self.variant_ids[index]),
                }
            )
        return out

    def order(self, plan: Plan, lines: list[JSON], is_new: bool) -> JSON:
        person, oid = plan.person, plan.order_id
        goods = sum(PRODUCTS[i][1] * q for i, q in plan.items)
        ship = 0 if goods >= 5000 else 495
        total = goods + ship
        status, payment, shipment = STATES[plan.status]
        done = plan.when + timedelta(days=2) if plan.status in ("completed", "refunded") else None
        changed = max(d for d in (plan.when, done, plan.refund_when) if d is not None)
        cid = 0 if plan.guest else person.customer_id
        letterbox = goods < 5000 and len(plan.items) == 1
        value_id = 55707 if letterbox else 55708
        return {
            "id": oid,
            "createdAt": stamp(plan.when),
            "updatedAt": stamp(min(changed, self.end)),
            "number": plan.number,
            "status": status,
            "customStatusId": None,
            "channel": "main",
            "remoteIp": person.ip,
            "userAgent": person.agent,
            "referralId": False,
            "priceCost": 0,
            "priceExcl": money(excl(total)),
            "priceIncl": money(total),
            "weight": 0,
            "volume": 0,
            "colli": 0,
            **person_fields(person, plan.email),
            "newsletterSubscribed": person.newsletter,
            **company_fields(person),
            **address("Billing", person),
            "addressBillingRegionData": False,
            **address("Shipping", person),
            "addressShippingRegionData": False,
            "paymentId": "invoice",
            "paymentStatus": payment,
            "paymentIsPost": False,
            "paymentIsInvoiceExternal": False,
            "paymentTaxRate": 0,
            "paymentTaxRates": [],
            "paymentBasePriceExcl": 0,
            "paymentBasePriceIncl": 0,
            "paymentPriceExcl": 0,
            "paymentPriceIncl": 0,
            "paymentTitle": "Betalen op factuur",
            "paymentData": {"method": "invoice"},
            "shipmentId": f"core|33265|{value_id}",
            "shipmentStatus": shipment,
            "shipmentIsCashOnDelivery": False,
            "shipmentIsPickup": False,
            "shipmentTaxRate": VAT,
            "shipmentTaxRates": [
                {"name": "BTW 21%", "rate": VAT, "amount": money(ship - excl(ship))}
            ],
            "shipmentBasePriceExcl": money(excl(495)),
            "shipmentBasePriceIncl": 4.95,
            "shipmentPriceExcl": money(excl(ship)),
            "shipmentPriceIncl": money(ship),
            "shipmentDiscountExcl": 0,
            "shipmentDiscountIncl": 0,
            "shipmentTitle": "PostNL brievenbuspakje" if letterbox else "PostNL pakket",
            "shipmentData": {"method": "core", "shipment_id": 33265, "shipping_value_id": value_id},
            "shippingDate": None,
            "deliveryDate": None,
            "isDiscounted": False,
            "discountType": "amount",
            "discountAmount": 0,
            "discountPercentage": 0,
            "discountCouponCode": "",
            "taxRates": [{"name": "BTW 21%", "rate": VAT, "amount": money(total - excl(total))}],
            "isNewCustomer": is_new,
            "comment": plan.comment,
            "memo": plan.memo,
            "allowNotifications": True,
            "doNotifyNew": False,
            "doNotifyReminder": False,
            "doNotifyCancelled": False,
            "language": dict(LANGUAGE_NL),
            "customer": ref(f"customers/{cid}", cid) if cid else False,
            "invoices": ref(f"invoices?order={oid}"),
            "shipments": ref(f"shipments?order={oid}"),
            "products": ref(f"orders/{oid}/products"),
            "metafields": ref(f"orders/{oid}/metafields"),
        }

    # -- invoices, shipments, returns ---------------------------------------------------------
    def documents(self, plans: list[Plan]) -> None:
        events: list[tuple[datetime, int, Plan]] = []
        for plan in plans:
            if plan.status != "cancelled":
                events.append((plan.when + timedelta(seconds=1), 0, plan))
            if plan.refund_when:
                events.append((plan.refund_when, 1, plan))
        events.sort(key=lambda e: (e[0], e[1], e[2].order_id))
        invoice_ids, shipment_ids, return_ids = (
            Ids(self.rng, 1741000),
            Ids(self.rng, 1599000),
            Ids(self.rng, 17700),
        )
        originals: dict[int, JSON] = {}
        orders = {o["id"]: o for o in self.store.resources["orders"]}
        for when, kind, plan in events:
            order = orders[plan.order_id]
            customer = order["customer"]
            links = {"order": ref(f"orders/{plan.order_id}", plan.order_id), "customer": customer}
            if kind == 0:
                invoice = self.invoice(invoice_ids(), when, order, plan, links)
                originals[plan.order_id] = invoice
                self.shipment(shipment_ids(), when, order, plan, links)
                continue
            credit = self.invoice(invoice_ids(), when, order, plan, links, originals[plan.order_id])
            self.store.resources["returns"].append(self.return_(return_ids(), when, order, plan))
            originals[plan.order_id]["creditNote"] = ref(f"invoices/{credit['id']}", credit["id"])

    def invoice(
        self,
        iid: int,
        when: datetime,
        order: JSON,
        plan: Plan,
        links: JSON,
        credits: JSON | None = None,
    ) -> JSON:
        invoices = self.store.resources["invoices"]
        if credits is None:
            incl, paid = order["priceIncl"], plan.status in PAID
            updated = when + timedelta(minutes=3) if paid else when
        else:
            lines = self.lines[plan.order_id]
            incl = order["priceIncl"] if plan.refund == "full" else lines[0]["basePriceIncl"]
            paid, updated = True, when
        invoice = {
            "id": iid,
            "createdAt": stamp(when),
            "updatedAt": stamp(updated),
            "number": f"INV{len(invoices) + 1:05d}",
            "status": "paid" if paid else "not_paid",
            "isVatShifted": False,
            "priceExcl": round(incl / (1 + VAT), 2),
            "priceIncl": incl,
            "doNotifyNew": False,
            "doNotifyPaid": False,
            "invoice": ref(f"invoices/{credits['id']}", credits["id"]) if credits else False,
            "isCreditNote": credits is not None,
            "creditNote": False,
            **links,
        }
        invoices.append(invoice)
        return invoice

    def shipment(self, sid: int, when: datetime, order: JSON, plan: Plan, links: JSON) -> None:
        shipments = self.store.resources["shipments"]
        shipped = plan.status in ("completed", "refunded")
        code = f"3SIWG{self.rng.randint(10**9, 10**10 - 1)}" if shipped else ""
        moment = min(self.end, when + timedelta(days=1, hours=3)) if shipped else when
        shipments.append(
            {
                "id": sid,
                "createdAt": stamp(when),
                "updatedAt": stamp(moment),
                "number": f"SHIP{len(shipments) + 1:05d}",
                "status": "shipped" if shipped else "not_shipped",
                "trackingCode": code,
                "doNotifyShipped": False,
                "doNotifyReadyForPickup": False,
                "doNotifyTrackingCode": False,
                **links,
            }
        )

    def return_(self, rid: int, when: datetime, order: JSON, plan: Plan) -> JSON:
        lines = self.lines[plan.order_id]
        back = lines if plan.refund == "full" else lines[:1]
        incl = sum(
            line["basePriceIncl"] * (line["quantityOrdered"] if plan.refund == "full" else 1)
            for line in back
        )
        created = max(plan.when, when - timedelta(days=2))
        return {
            "id": rid,
            "createdAt": stamp(created),
            "updatedAt": stamp(when),
            "customerId": None if plan.guest else plan.person.customer_id,
            "orderId": plan.order_id,
            "status": "completed",
            "numProducts": len(back),
            "priceExcl": f"{incl / (1 + VAT):.2f}",
            "priceIncl": f"{incl:.2f}",
            "isStockAdjusted": True,
            "returnReason": self.rng.choice(RETURN_REASONS),
            "returnAction": "Geld terug",
            "customerComment": self.rng.choice(("", "Graag het geld terug op mijn rekening.")),
            "staffNote": "",
            "mailMessage": f"Beste {plan.person.first}, je retour is verwerkt.",
            "notifyStatus": False,
            "orderProducts": [
                {"id": line["id"], "quantity": line["quantityRefunded"]} for line in back
            ],
        }

    # -- the run ------------------------------------------------------------------------------
    def write(self, cast: Cast) -> None:
        self.customer_ids(cast.customers)
        order_ids = Ids(self.rng, 5042000)
        seen: set[str] = set()
        last_seen: dict[int, datetime] = {}
        for plan in cast.plans:  # sorted by time
            plan.order_id = order_ids()
            lines = self.products(plan)
            self.lines[plan.order_id] = lines
            key = plan.email.casefold()
            self.store.resources["orders"].append(self.order(plan, lines, key not in seen))
            seen.add(key)
            if not plan.guest:
                last_seen[plan.person.customer_id] = plan.when
        self.documents(cast.plans)
        for person in cast.customers:
            assert person.registered is not None
            seen_at = max(person.registered, last_seen.get(person.customer_id, person.registered))
            self.store.resources["customers"].append(self.customer(person, seen_at))
