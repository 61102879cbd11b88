"""The WooCommerce shop's orders: their post ids, and the wc/v3 orders, refunds and downloads
written from the people's plans (`connectors.woocommerce.seed.people`).

Every order is paid by "bacs" here; `connectors.woocommerce.seed.payments` moves most of them to
Mollie and PayPal afterwards. The status changes and staff notes go to
`connectors.woocommerce.seed.comments`.
"""

from __future__ import annotations

import hashlib
import itertools
import random
import string
from datetime import datetime, timedelta
from urllib.parse import quote

from connectors.woocommerce.fake.store import WooStore
from connectors.woocommerce.seed.catalog import PRODUCTS, TAX
from connectors.woocommerce.seed.comments import STAFF, Comments
from connectors.woocommerce.seed.formats import dates, money
from connectors.woocommerce.seed.people import BULK_EMAIL, Plan
from sandbox.data import JSON

STATUS_LABELS = {"pending": "Pending payment", "processing": "Processing", "on-hold": "On hold"}
WC_VERSIONS = (
    (7, "3.5.3"),
    (6, "3.9.2"),
    (5, "4.9.2"),
    (4, "6.0.0"),
    (3, "7.2.2"),
    (2, "8.3.1"),
    (1, "9.1.2"),
)


def number_posts(plans: list[Plan], rng: random.Random) -> tuple[list[int], dict[int, int]]:
    """Give products, orders and refunds their post ids in creation order: the products' ids (in
    `PRODUCTS` order) and the refunds' (by index in `plans`); an order's goes in `plan.order`."""
    product_ids: list[int] = []
    pid = 20
    for _ in PRODUCTS:
        pid += rng.randint(1, 3)
        product_ids.append(pid)
    events = [(p.when, 0, n, p) for n, p in enumerate(plans)]
    events += [(p.refund_when, 1, n, p) for n, p in enumerate(plans) if p.refund_when]
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    post_id, first_id = 997, 0
    refund_ids: dict[int, int] = {}
    for _, kind, n, plan in events:
        post_id += rng.randint(2, 7)
        if plan.special == "prefix" and not kind:
            target = first_id * 10 + rng.randint(1, 3)
            if target <= post_id:
                raise RuntimeError("seed: order ids grew too fast for the shared-prefix trap")
            post_id = target
        if kind:
            refund_ids[n] = post_id
        else:
            plan.order = {"id": post_id}
            first_id = post_id if plan.special == "subject_first" else first_id
        if plan.special == "prefix" and not kind:
            post_id = first_id * 10 + 10 + rng.randint(0, 4)
    return product_ids, refund_ids


class OrderWriter:
    """Writes the planned orders, their refunds and the customers' downloads into the store
    (line item and meta ids from their own counters; `metas` goes on to the customers)."""

    def __init__(
        self,
        store: WooStore,
        rng: random.Random,
        end: datetime,
        product_ids: list[int],
        comments: Comments,
    ) -> None:
        self.store, self.rng, self.end = store, rng, end
        self.product_ids, self.comments = product_ids, comments
        self.items = itertools.count(1)
        self.metas = itertools.count(101)

    def lines(self, plan: Plan) -> tuple[list[JSON], list[JSON], list[JSON], dict[str, int]]:
        items: list[JSON] = []
        taxes: dict[int, int] = {}
        gross_goods, shipped = 0, False
        for index, qty in plan.items:
            name, price, vat, _, file = PRODUCTS[index]
            gross = price * qty
            net = round(gross * 100 / (100 + vat))
            taxes[vat] = taxes.get(vat, 0) + gross - net
            gross_goods += gross
            shipped = shipped or not file
            exact = f"{(gross - net) / 100:.10f}".rstrip("0").rstrip(".")
            items.append(
                {
                    "id": next(self.items),
                    "name": name,
                    "product_id": self.product_ids[index],
                    "variation_id": 0,
                    "quantity": qty,
                    "tax_class": "" if vat == 21 else "reduced-rate",
                    "subtotal": money(net),
                    "subtotal_tax": money(gross - net),
                    "total": money(net),
                    "total_tax": money(gross - net),
                    "taxes": [{"id": TAX[vat][0], "total": exact, "subtotal": exact}],
                    "meta_data": [],
                    "sku": f"BP-{self.product_ids[index]:04d}",
                    "price": round(net / qty / 100, 6),
                    "image": {"id": "", "src": ""},
                    "parent_name": None,
                }
            )
        shipping: list[JSON] = []
        ship_net = ship_tax = 0
        if shipped:
            free = gross_goods >= 5000
            ship_gross = 0 if free else 495
            ship_net = round(ship_gross * 100 / 121)
            ship_tax = ship_gross - ship_net
            listing = ", ".join(
                f"{PRODUCTS[i][0]} &times; {q}" for i, q in plan.items if not PRODUCTS[i][4]
            )
            shipping.append(
                {
                    "id": next(self.items),
                    "method_title": "Gratis verzending" if free else "PostNL",
                    "method_id": "free_shipping" if free else "flat_rate",
                    "instance_id": "2" if free else "1",
                    "total": money(ship_net),
                    "total_tax": money(ship_tax),
                    "taxes": [{"id": 1, "total": money(ship_tax), "subtotal": ""}]
                    if ship_tax
                    else [],
                    "tax_status": "taxable",
                    "meta_data": [
                        {
                            "id": next(self.metas),
                            "key": "Artikelen",
                            "value": listing,
                            "display_key": "Artikelen",
                            "display_value": listing,
                        }
                    ],
                }
            )
        tax_lines = [
            {
                "id": next(self.items),
                "rate_code": TAX[vat][1],
                "rate_id": TAX[vat][0],
                "label": TAX[vat][2],
                "compound": False,
                "tax_total": money(taxes.get(vat, 0)),
                "shipping_tax_total": money(ship_tax if vat == 21 else 0),
                "rate_percent": vat,
                "meta_data": [],
            }
            for vat in (21, 9)
            if vat in taxes or (vat == 21 and ship_tax)
        ]
        cart_tax = sum(taxes.values())
        sums = {
            "net": gross_goods - cart_tax,
            "cart_tax": cart_tax,
            "ship_net": ship_net,
            "ship_tax": ship_tax,
        }
        return items, shipping, tax_lines, sums

    def order(self, plan: Plan) -> None:
        rng, site = self.rng, self.store.site_url
        oid, when, status = plan.order["id"], plan.when, plan.status
        items, shipping, tax_lines, sums = self.lines(plan)
        paid = (
            when + timedelta(minutes=rng.randint(1, 20))
            if status in ("processing", "completed", "refunded")
            else None
        )
        done = (
            min(self.end, when + timedelta(days=rng.randint(1, 3)))
            if status in ("completed", "refunded")
            else None
        )
        modified = max(d for d in (when, paid, done, plan.refund_when) if d is not None)
        key = "wc_order_" + "".join(rng.choices(string.ascii_letters + string.digits, k=13))
        years = (self.end - when).days / 365
        meta = [{"id": next(self.metas), "key": "is_vat_exempt", "value": "no"}]
        if when >= datetime(2024, 2, 1):
            meta += [
                {"id": next(self.metas), "key": k, "value": v}
                for k, v in (
                    (
                        "_wc_order_attribution_source_type",
                        rng.choice(["typein", "organic", "referral"]),
                    ),
                    (
                        "_wc_order_attribution_device_type",
                        "Mobile" if "Mobile" in plan.person.agent else "Desktop",
                    ),
                    ("_wc_order_attribution_user_agent", plan.person.agent),
                    ("_wc_order_attribution_session_entry", f"{site}/"),
                )
            ]
        total = sums["net"] + sums["cart_tax"] + sums["ship_net"] + sums["ship_tax"]
        plan.order.update(
            {
                "parent_id": 0,
                "status": status,
                "currency": "EUR",
                "version": next((v for age, v in WC_VERSIONS if years >= age), "10.0.2"),
                "prices_include_tax": True,
                **dates("date_created", when),
                **dates("date_modified", modified),
                "discount_total": "0.00",
                "discount_tax": "0.00",
                "shipping_total": money(sums["ship_net"]),
                "shipping_tax": money(sums["ship_tax"]),
                "cart_tax": money(sums["cart_tax"]),
                "total": money(total),
                "total_tax": money(sums["cart_tax"] + sums["ship_tax"]),
                "customer_id": plan.customer_id,
                "order_key": key,
                "billing": plan.person.billing(plan.email),
                "shipping": plan.person.shipping(),
                "payment_method": "bacs",
                "payment_method_title": "Directe bankoverschrijving",
                "transaction_id": "",
                "customer_ip_address": plan.person.ip,
                "customer_user_agent": plan.person.agent,
                "created_via": "admin"
                if plan.email == BULK_EMAIL and rng.random() < 0.2
                else "checkout",
                "customer_note": plan.note,
                **dates("date_completed", done),
                **dates("date_paid", paid),
                "cart_hash": hashlib.md5(key.encode()).hexdigest(),
                "number": str(oid),
                "meta_data": meta,
                "line_items": items,
                "tax_lines": tax_lines,
                "shipping_lines": shipping,
                "fee_lines": [],
                "coupon_lines": [],
                "refunds": [],
                "payment_url": f"{site}/afrekenen/order-pay/{oid}/?pay_for_order=true&key={key}",
                "is_editable": status in ("pending", "on-hold"),
                "needs_payment": status in ("pending", "failed"),
                "needs_processing": any(not PRODUCTS[i][4] for i, _ in plan.items),
                "currency_symbol": "€",
            }
        )
        self.comments.order_notes(plan, paid, done)
        if plan.customer_id and paid and status != "refunded":
            for line in items:
                self.download(plan, line)

    def download(self, plan: Plan, line: JSON) -> None:
        index = self.product_ids.index(line["product_id"])
        file = PRODUCTS[index][4]
        if not file:
            return
        product, order = self.store.products[index], plan.order
        key = product["downloads"][0]["id"]
        self.store.downloads.setdefault(plan.customer_id, []).append(
            {
                "download_id": key,
                "download_url": f"{self.store.site_url}/?download_file={product['id']}"
                f"&order={order['order_key']}"
                f"&email={quote(plan.email, safe='')}&key={key}",
                "product_id": product["id"],
                "product_name": product["name"],
                "download_name": f"{product['name']} &ndash; {file}",
                "order_id": order["id"],
                "order_key": order["order_key"],
                "downloads_remaining": "",
                "access_expires": "never",
                "access_expires_gmt": "never",
                "file": {"name": file, "file": product["downloads"][0]["file"]},
            }
        )

    def refund(self, plan: Plan, refund_id: int) -> None:
        order, when = plan.order, plan.refund_when
        assert when is not None
        lines = order["line_items"] if plan.refund == "full" else order["line_items"][:1]
        items = []
        for line in lines:
            qty = line["quantity"] if plan.refund == "full" else 1
            net = round(float(line["total"]) * 100 * qty / line["quantity"])
            tax = round(float(line["total_tax"]) * 100 * qty / line["quantity"])
            items.append(
                {
                    "id": next(self.items),
                    "name": line["name"],
                    "product_id": line["product_id"],
                    "variation_id": 0,
                    "quantity": -qty,
                    "tax_class": line["tax_class"],
                    "subtotal": money(-net),
                    "subtotal_tax": money(-tax),
                    "total": money(-net),
                    "total_tax": money(-tax),
                    "taxes": [
                        {
                            "id": line["taxes"][0]["id"],
                            "total": money(-tax),
                            "subtotal": money(-tax),
                        }
                    ],
                    "meta_data": [
                        {
                            "id": next(self.metas),
                            "key": "_refunded_item_id",
                            "value": str(line["id"]),
                        }
                    ],
                    "sku": line["sku"],
                    "price": -round(net / qty / 100, 6),
                }
            )
        if plan.refund == "full":
            amount = round(float(order["total"]) * 100)
            reason = self.rng.choice(
                ["Retour binnen bedenktijd", "Bestelling geannuleerd door klant", ""]
            )
        else:
            amount = sum(
                -round(float(i["total"]) * 100) - round(float(i["total_tax"]) * 100) for i in items
            )
            reason = self.rng.choice(["Beschadigd geleverd", "Verkeerd artikel ontvangen"])
        self.store.refunds.setdefault(order["id"], []).append(
            {
                "id": refund_id,
                **dates("date_created", when),
                "amount": money(amount),
                "reason": reason,
                "refunded_by": 1,
                "refunded_payment": False,
                "meta_data": [],
                "line_items": items,
                "shipping_lines": [],
                "tax_lines": [],
                "fee_lines": [],
            }
        )
        order["refunds"].append({"id": refund_id, "reason": reason, "total": money(-amount)})
        if plan.refund == "full":
            self.comments.note(
                order["id"], when, "Order status changed from Completed to Refunded."
            )
        else:
            self.comments.note(
                order["id"], when, f"Refunded €{money(amount)} – {reason}", False, STAFF
            )
