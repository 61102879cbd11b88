"""Builds PayPal reporting `transaction_detail`s (captures T0006, refunds T1107) and v2 invoices.

Shapes follow reporting_transactions_v1.json and invoicing_v2.json. What WooCommerce PayPal
Payments sends with a capture is what shows up here: `invoice_id` "WC-<order number>" (the
plugin's default invoice prefix) and `custom_field` = the WooCommerce order id. Texts that the
reporting spec restricts to `[a-zA-Z0-9_'\\-., ":;!?]` (shipping name, item names) are folded to
ASCII so every record validates.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from connectors.mollie.seed import SHOP_URL
from connectors.paypal.fake.store import PayPalStore
from sandbox.seed_common import (
    JSON,
    Ids,
    amount2,
    ascii_text,
    dec,
    e164,
    email_of,
    iso,
    other_email,
)

INVOICER = {
    "business_name": "Webwinkel Voorbeeld B.V.",
    "email_address": "facturen@shop.example.nl",
    "website": SHOP_URL,
}


def money(value: Decimal, currency: str = "EUR") -> JSON:
    return {"currency_code": currency, "value": amount2(value)}


@dataclass
class Payer:
    """One PayPal account: its payer id, login e-mail and name."""

    account_id: str
    email: str
    given: str
    surname: str


def _address(part: JSON) -> JSON:
    out = {
        "line1": part.get("address_1"),
        "line2": part.get("address_2"),
        "city": part.get("city"),
        "state": part.get("state"),
        "country_code": part.get("country") or "NL",
        "postal_code": part.get("postcode"),
    }
    return {k: v for k, v in out.items() if v}


class PayPalSeeder:
    def __init__(self, store: PayPalStore, ids: Ids, rng: random.Random) -> None:
        self.store = store
        self.ids = ids
        self.rng = rng
        self.payers: dict[str, Payer] = {}  # billing e-mail (casefolded) -> account

    def payer_for(self, order: JSON, *, email: str | None = None, key: str | None = None) -> Payer:
        """The PayPal account a person pays with; mostly logged in with their billing e-mail."""
        billing = order.get("billing", {})
        key = key or email_of(order).casefold()
        if key not in self.payers:
            if email is None:
                same = self.rng.random() > 0.08
                email = email_of(order) if same else other_email(self.rng, billing)
            self.payers[key] = Payer(
                self.ids.upper(13),
                email,
                str(billing.get("first_name") or ""),
                str(billing.get("last_name") or ""),
            )
        return self.payers[key]

    def payer_info(self, payer: Payer, billing: JSON) -> JSON:
        info: JSON = {
            "account_id": payer.account_id,
            "email_address": payer.email,
            "address_status": "Y",
            "payer_status": "Y",
            "payer_name": {
                "given_name": payer.given,
                "surname": payer.surname,
                "alternate_full_name": f"{payer.given} {payer.surname}".strip(),
            },
            "country_code": billing.get("country") or "NL",
        }
        phone = e164(str(billing.get("phone") or ""))
        if phone:
            info["phone_number"] = {"country_code": phone[1:3], "national_number": phone[3:]}
        if billing.get("address_1") and billing.get("city"):
            info["address"] = _address(billing)
        return info

    def capture(self, order: JSON, when: datetime, payer: Payer) -> JSON:
        """The T0006 capture of a WooCommerce order paid with PayPal."""
        total = dec(order.get("total"))
        fee = -(total * Decimal("0.0289") + Decimal("0.35")).quantize(Decimal("0.01"))
        number = str(order.get("number", order["id"]))
        info: JSON = {
            "paypal_account_id": payer.account_id,
            "transaction_id": self.ids.upper(17),
            "transaction_event_code": "T0006",
            "transaction_initiation_date": iso(when),
            "transaction_updated_date": iso(when + timedelta(seconds=self.rng.randint(2, 40))),
            "transaction_amount": money(total, order.get("currency") or "EUR"),
            "fee_amount": money(fee, order.get("currency") or "EUR"),
            "transaction_status": "S",
            "invoice_id": f"WC-{number}",
            "custom_field": str(order["id"]),
            "protection_eligibility": "01",
        }
        if dec(order.get("shipping_total")):
            info["shipping_amount"] = money(dec(order.get("shipping_total")))
        shipping = order.get("shipping") or {}
        ship_to = shipping if shipping.get("address_1") else order.get("billing", {})
        name = ascii_text(f"{ship_to.get('first_name', '')} {ship_to.get('last_name', '')}")
        items = []
        for line in order.get("line_items") or []:
            line_total = dec(line.get("total"))
            quantity = int(line.get("quantity") or 1)
            items.append(
                {
                    "item_name": ascii_text(str(line.get("name") or "Artikel"))[:200] or "Artikel",
                    "item_quantity": str(quantity),
                    "item_unit_price": money(line_total / quantity),
                    "item_amount": money(line_total),
                    "total_item_amount": money(line_total),
                }
            )
        detail: JSON = {
            "transaction_info": info,
            "payer_info": self.payer_info(payer, order.get("billing", {})),
            "shipping_info": {"name": name or "Klant", "address": _address(ship_to)},
            "cart_info": {"item_details": items} if items else {},
            "store_info": {},
            "auction_info": {},
            "incentive_info": {},
        }
        self.store.transactions.append(detail)
        return detail

    def refund(self, capture: JSON, value: Decimal, when: datetime) -> JSON:
        """A T1107 merchant refund of `capture` (negative amount, same payer)."""
        original = capture["transaction_info"]
        currency = original["transaction_amount"]["currency_code"]
        info: JSON = {
            "paypal_account_id": original["paypal_account_id"],
            "transaction_id": self.ids.upper(17),
            "paypal_reference_id": original["transaction_id"],
            "paypal_reference_id_type": "TXN",
            "transaction_event_code": "T1107",
            "transaction_initiation_date": iso(when),
            "transaction_updated_date": iso(when + timedelta(seconds=5)),
            "transaction_amount": money(-value, currency),
            "fee_amount": money(Decimal("0.00"), currency),
            "transaction_status": "S",
            "invoice_id": original["invoice_id"],
            "custom_field": original["custom_field"],
        }
        detail: JSON = {
            "transaction_info": info,
            "payer_info": dict(capture["payer_info"]),
            "shipping_info": {},
            "cart_info": {},
            "store_info": {},
            "auction_info": {},
            "incentive_info": {},
        }
        self.store.transactions.append(detail)
        return detail

    def invoice(self, person: JSON, email: str, when: datetime, status: str, number: str) -> JSON:
        """A v2 invoice sent to `email` (billing block `person` gives name and address)."""
        groups = [self.ids.upper(4) for _ in range(4)]
        invoice_id = "INV2-" + "-".join(groups)
        lines = [
            (self.rng.choice(("Cadeaubon", "Maatwerk bestelling", "Workshop", "Reparatie")), dec(p))
            for p in self.rng.sample(("15.00", "24.95", "39.50", "49.00", "75.00"), 2)
        ]
        total = sum((value for _, value in lines), Decimal(0))
        name = {
            "given_name": str(person.get("first_name") or ""),
            "surname": str(person.get("last_name") or ""),
            "full_name": f"{person.get('first_name', '')} {person.get('last_name', '')}".strip(),
        }
        addr = {
            "address_line_1": str(person.get("address_1") or ""),
            "admin_area_2": str(person.get("city") or ""),
            "postal_code": str(person.get("postcode") or ""),
            "country_code": str(person.get("country") or "NL"),
        }
        billing: JSON = {"name": name, "address": addr, "email_address": email, "language": "nl-NL"}
        phone = e164(str(person.get("phone") or ""))
        if phone:
            billing["phones"] = [
                {"country_code": phone[1:3], "national_number": phone[3:], "phone_type": "MOBILE"}
            ]
        sent = status != "DRAFT"
        metadata: JSON = {
            "create_time": iso(when),
            "last_update_time": iso(when + timedelta(hours=1)),
            "created_by_flow": "REGULAR_SINGLE",
            "recipient_view_url": f"https://www.sandbox.paypal.com/invoice/p/#{invoice_id}",
            "invoicer_view_url": f"https://www.sandbox.paypal.com/invoice/details/{invoice_id}",
        }
        if sent:
            metadata["first_sent_time"] = metadata["last_sent_time"] = iso(
                when + timedelta(minutes=5)
            )
        invoice: JSON = {
            "id": invoice_id,
            "status": status,
            "detail": {
                "invoice_number": number,
                "reference": f"Klant {name['full_name']}"[:120],
                "invoice_date": when.date().isoformat(),
                "currency_code": "EUR",
                "note": "Bedankt voor uw bestelling.",
                "payment_term": {
                    "term_type": "NET_30",
                    "due_date": (when + timedelta(days=30)).date().isoformat(),
                },
                "metadata": metadata,
            },
            "invoicer": dict(INVOICER),
            "primary_recipients": [
                {"billing_info": billing, "shipping_info": {"name": name, "address": addr}}
            ],
            "items": [
                {"name": label, "quantity": "1", "unit_amount": money(value)}
                for label, value in lines
            ],
            "configuration": {"tax_calculated_after_discount": True, "tax_inclusive": True},
            "amount": {
                "currency_code": "EUR",
                "value": amount2(total),
                "breakdown": {"item_total": money(total)},
            },
            "due_amount": money(Decimal(0) if status == "PAID" else total),
        }
        if status == "PAID":
            paid_on = (when + timedelta(days=self.rng.randint(1, 9))).date().isoformat()
            invoice["payments"] = {
                "paid_amount": money(total),
                "transactions": [
                    {
                        "payment_id": self.ids.upper(17),
                        "payment_date": paid_on,
                        "method": "PAYPAL",
                        "type": "PAYPAL",
                        "amount": money(total),
                    }
                ],
            }
        self.store.invoices.append(invoice)
        return invoice
