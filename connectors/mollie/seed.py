"""Builds Mollie v2 objects (payments, refunds, chargebacks, customers, mandates, subscriptions).

Objects are stored in the API's own JSON shape (specs.yaml), without `_links` (the fake adds them).
Payments carry what the Mollie WooCommerce plugin sends: `description` "Order <number>",
`metadata` {"order_id": <id>}, `redirectUrl`/`webhookUrl` on the shop, `billingAddress` and
`shippingAddress` from the order, and the method's `details` (iDEAL: consumerName/Account/Bic;
cards: cardHolder/cardNumber (last 4)/cardLabel/cardFingerprint).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from connectors.mollie.fake.store import MollieStore
from sandbox.seed_common import JSON, Ids, amount2, dec, e164, full_name, iso

SHOP_URL = "https://shop.example.nl"
METHOD_TITLES = {
    "ideal": "iDEAL",
    "creditcard": "Creditcard",
    "bancontact": "Bancontact",
    "directdebit": "SEPA Direct Debit",
}
CHARGEBACK_REASONS = (
    ("MD06", "Refund request by end customer"),
    ("AC04", "Account closed"),
    ("4837", "No cardholder authorization"),
)


def money(value: Decimal, currency: str = "EUR") -> JSON:
    return {"value": amount2(value), "currency": currency}


def address(part: JSON, email: str | None = None) -> JSON:
    """A Mollie payment-address from a wc/v3 billing or shipping block (empty fields left out)."""
    out = {
        "givenName": part.get("first_name"),
        "familyName": part.get("last_name"),
        "organizationName": part.get("company"),
        "streetAndNumber": part.get("address_1"),
        "streetAdditional": part.get("address_2"),
        "postalCode": part.get("postcode"),
        "city": part.get("city"),
        "region": part.get("state"),
        "country": part.get("country"),
        "email": email,
        "phone": e164(str(part.get("phone") or ""), str(part.get("country") or "")),
    }
    return {k: v for k, v in out.items() if v}


@dataclass
class MollieSeeder:
    store: MollieStore
    ids: Ids
    rng: random.Random
    profile_id: str

    def card(self, holder: str) -> JSON:
        return {
            "cardHolder": holder,
            "cardNumber": f"{self.rng.randint(0, 9999):04d}",
            "cardLabel": self.rng.choice(("Visa", "Mastercard", "Maestro")),
            "cardFingerprint": self.ids.token("", 24),
            "cardAudience": "consumer",
            "cardCountryCode": "NL",
            "cardSecurity": "3dsecure",
            "cardExpiryDate": f"{self.rng.randint(1, 12):02d}/{self.rng.randint(27, 31)}",
            "feeRegion": "intra-eu",
        }

    def details(self, method: str, holder: str) -> JSON:
        if method in ("ideal", "directdebit"):
            iban, bic = self.ids.iban()
            name = (
                holder if self.rng.random() < 0.6 else f"{holder[:1]}. {holder.split(' ', 1)[-1]}"
            )
            return {"consumerName": name, "consumerAccount": iban, "consumerBic": bic}
        if method == "bancontact":
            iban, bic = self.ids.iban()
            return {
                "cardNumber": f"{self.rng.randint(0, 9999):04d}",
                "cardFingerprint": self.ids.token("", 24),
                "consumerName": holder.upper(),
                "consumerAccount": iban,
                "consumerBic": bic,
            }
        return self.card(holder)

    def payment(
        self,
        order: JSON,
        method: str,
        when: datetime,
        *,
        customer_id: str | None = None,
        sequence: str = "oneoff",
        order_api_id: str | None = None,
    ) -> JSON:
        """The Mollie payment of a WooCommerce order (status from the order's status)."""
        billing, shipping = order.get("billing", {}), order.get("shipping", {})
        holder = full_name(billing) or "Klant"
        status = order.get("status", "completed")
        created = when - timedelta(minutes=self.rng.randint(1, 6))
        payment: JSON = {
            "resource": "payment",
            "id": self.ids.token("tr_"),
            "mode": "test",
            "createdAt": iso(created),
            "amount": money(dec(order.get("total"))),
            "description": f"Order {order.get('number', order['id'])}",
            "method": method,
            "metadata": {"order_id": order["id"]},
            "status": "paid",
            "isCancelable": False,
            "locale": "nl_NL",
            "countryCode": billing.get("country") or "NL",
            "profileId": self.profile_id,
            "sequenceType": sequence,
            "redirectUrl": f"{SHOP_URL}/checkout/order-received/{order['id']}/",
            "webhookUrl": f"{SHOP_URL}/wc-api/mollie_return?order_id={order['id']}",
            "billingAddress": address(billing, billing.get("email")),
        }
        if shipping.get("address_1"):
            payment["shippingAddress"] = address(shipping)
        if customer_id:
            payment["customerId"] = customer_id
        if order_api_id:
            payment["orderId"] = order_api_id
        if status == "pending":
            payment.update(status="expired", expiredAt=iso(created + timedelta(minutes=15)))
            payment["details"] = None
        elif status == "failed":
            payment.update(status="failed", failedAt=iso(created + timedelta(minutes=3)))
            failure = {"failureReason": "authentication_failed"}
            payment["details"] = failure if method == "creditcard" else None
        else:
            payment["paidAt"] = iso(when)
            payment["details"] = self.details(method, holder)
        self.store.payments.append(payment)
        return payment

    def refund(self, payment: JSON, value: Decimal, when: datetime, description: str) -> JSON:
        refund: JSON = {
            "resource": "refund",
            "id": self.ids.token("re_"),
            "mode": "test",
            "description": description,
            "amount": money(value),
            "status": "refunded",
            "metadata": None,
            "paymentId": payment["id"],
            "createdAt": iso(when),
        }
        self.store.refunds.append(refund)
        return refund

    def chargeback(self, payment: JSON, when: datetime) -> JSON:
        code, reason = self.rng.choice(CHARGEBACK_REASONS)
        value = dec(payment["amount"]["value"])
        chargeback: JSON = {
            "resource": "chargeback",
            "id": self.ids.token("chb_"),
            "amount": money(value),
            "settlementAmount": money(-value),
            "reason": {"code": code, "description": reason},
            "paymentId": payment["id"],
            "createdAt": iso(when),
            "reversedAt": None,
        }
        self.store.chargebacks.append(chargeback)
        return chargeback

    def customer(self, name: str, email: str, when: datetime) -> JSON:
        customer: JSON = {
            "resource": "customer",
            "id": self.ids.token("cst_"),
            "mode": "test",
            "name": name,
            "email": email,
            "locale": "nl_NL",
            "metadata": None,
            "createdAt": iso(when),
        }
        self.store.customers.append(customer)
        return customer

    def mandate(self, customer: JSON, first: JSON) -> JSON:
        """The mandate a `first` payment leaves: directdebit after iDEAL/Bancontact, else card."""
        details = first.get("details") or {}
        signed = first.get("paidAt") or first["createdAt"]
        mandate: JSON = {
            "resource": "mandate",
            "id": self.ids.token("mdt_"),
            "mode": "test",
            "status": "valid",
            "signatureDate": signed[:10],
            "customerId": customer["id"],
            "createdAt": signed,
        }
        if first.get("method") in ("ideal", "bancontact", "directdebit"):
            mandate["method"] = "directdebit"
            mandate["details"] = {
                k: details.get(k) for k in ("consumerName", "consumerAccount", "consumerBic")
            }
            mandate["mandateReference"] = f"SHOP-{self.ids.upper(8)}"
        else:
            year = 2000 + int(str(details.get("cardExpiryDate", "12/30"))[-2:])
            mandate["method"] = "creditcard"
            mandate["details"] = {
                "cardHolder": details.get("cardHolder"),
                "cardNumber": details.get("cardNumber"),
                "cardLabel": details.get("cardLabel"),
                "cardFingerprint": details.get("cardFingerprint"),
                "cardExpiryDate": f"{year}-{str(details.get('cardExpiryDate', '12/30'))[:2]}-01",
            }
            mandate["mandateReference"] = None
        self.store.mandates.append(mandate)
        return mandate

    def subscription(
        self,
        customer: JSON,
        mandate: JSON,
        start: datetime,
        today: datetime,
        *,
        active: bool = True,
    ) -> JSON:
        """A monthly subscription on `mandate`, with its recurring payments up to `today`."""
        value = Decimal(self.rng.choice(("9.95", "12.50", "14.95", "19.95", "24.95")))
        description = self.rng.choice(("Koffieabonnement", "Theeabonnement", "Box van de maand"))
        subscription: JSON = {
            "resource": "subscription",
            "id": self.ids.token("sub_"),
            "mode": "test",
            "status": "active",
            "amount": money(value),
            "times": None,
            "timesRemaining": None,
            "interval": "1 month",
            "startDate": start.date().isoformat(),
            "description": f"{description} {customer['id'][-4:]}",
            "method": mandate["method"],
            "metadata": None,
            "webhookUrl": f"{SHOP_URL}/wc-api/mollie_subscription",
            "customerId": customer["id"],
            "mandateId": mandate["id"],
            "profileId": self.profile_id,
            "createdAt": iso(start - timedelta(days=1)),
        }
        moment, count = start, 0
        while moment < today and count < 6:
            self._recurring(subscription, mandate, moment)
            moment, count = moment + timedelta(days=30), count + 1
        if active:
            subscription["nextPaymentDate"] = max(moment, today).date().isoformat()
        else:
            subscription.update(status="canceled", canceledAt=iso(moment - timedelta(days=3)))
        self.store.subscriptions.append(subscription)
        return subscription

    def _recurring(self, subscription: JSON, mandate: JSON, when: datetime) -> None:
        payment: JSON = {
            "resource": "payment",
            "id": self.ids.token("tr_"),
            "mode": "test",
            "createdAt": iso(when),
            "amount": dict(subscription["amount"]),
            "description": subscription["description"],
            "method": mandate["method"],
            "metadata": None,
            "status": "paid",
            "isCancelable": False,
            "paidAt": iso(when + timedelta(days=2)),
            "profileId": self.profile_id,
            "sequenceType": "recurring",
            "customerId": subscription["customerId"],
            "mandateId": mandate["id"],
            "subscriptionId": subscription["id"],
            "details": self._recurring_details(mandate),
            "webhookUrl": subscription["webhookUrl"],
        }
        self.store.payments.append(payment)

    @staticmethod
    def _recurring_details(mandate: JSON) -> JSON:
        """Payment `details` of a charge on `mandate` (card expiry is MM/YY on payments)."""
        details = {k: v for k, v in mandate["details"].items() if v is not None}
        expiry = details.pop("cardExpiryDate", None)
        if expiry:
            details["cardExpiryDate"] = f"{expiry[5:7]}/{expiry[2:4]}"
        return details

    def settle(self) -> None:
        """Fill amountRefunded/amountRemaining/amountChargedBack from the refunds and chargebacks."""
        refunded: dict[str, Decimal] = {}
        charged: dict[str, Decimal] = {}
        for refund in self.store.refunds:
            pid = refund["paymentId"]
            refunded[pid] = refunded.get(pid, Decimal(0)) + dec(refund["amount"]["value"])
        for chargeback in self.store.chargebacks:
            pid = chargeback["paymentId"]
            charged[pid] = charged.get(pid, Decimal(0)) + dec(chargeback["amount"]["value"])
        for payment in self.store.payments:
            if payment.get("status") != "paid":
                continue
            total = dec(payment["amount"]["value"])
            back = refunded.get(payment["id"], Decimal(0))
            payment["amountRefunded"] = money(back)
            payment["amountRemaining"] = money(
                max(Decimal(0), total - back - charged.get(payment["id"], Decimal(0)))
            )
            if payment["id"] in charged:
                payment["amountChargedBack"] = money(charged[payment["id"]])
