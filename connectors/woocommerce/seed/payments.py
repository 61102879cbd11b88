"""Seeds Mollie and PayPal from the shop's WooCommerce orders, the way the real plugins link them.

Called at the end of `sandbox.data.build_shop()`. For every non-cancelled order it picks a
processor (about 60% Mollie, 30% PayPal, 10% bank transfer; the bulk customer mostly bank
transfer), creates the processor's records and writes the links onto the order exactly as the
plugins do (vendor-apis.md section 8):

- Mollie Payments for WooCommerce: `payment_method` `mollie_wc_gateway_<method>`, `transaction_id`
  the payment id `tr_...` (or the Orders API id `ord_...`), meta `_mollie_payment_id`,
  `_mollie_order_id`, `_mollie_payment_mode` "test" and, for saved cards / recurring customers,
  `_mollie_customer_id` `cst_...`.
- WooCommerce PayPal Payments: `payment_method` `ppcp-gateway`, `transaction_id` the capture id,
  meta `_ppcp_paypal_order_id`, `_ppcp_paypal_intent` "CAPTURE", `_ppcp_paypal_payment_mode`
  "sandbox" and `_ppcp_refunds`.
- bank transfer: `bacs`, no transaction id.

The subject and the look-alikes get a fixed plan (see `_seed_subject`, `_seed_containment`):
the subject pays through Mollie (two Mollie customers, one a later duplicate with the e-mail in
another case, each with a mandate and a subscription; a refund and a chargeback) and PayPal (two
recent captures, one from a PayPal account with another e-mail: `shop.traps["paypal_other_email"]`)
and receives a PayPal invoice. Everything is drawn from `rng` and placed relative to `shop.today`.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from connectors.mollie.seed import METHOD_TITLES, MollieSeeder
from connectors.paypal.seed import Payer, PayPalSeeder
from sandbox.data import Shop
from sandbox.seed_common import (
    JSON,
    PAID_STATUSES,
    Ids,
    dec,
    email_of,
    full_name,
    order_time,
    other_email,
    paid_time,
    parse_wc,
)

__all__ = ["seed_payments"]


def seed_payments(shop: Shop, rng: random.Random) -> None:
    """Create the Mollie and PayPal records of `shop`'s orders and link them on the orders."""
    _Seeding(shop, rng).run()


class _Seeding:
    def __init__(self, shop: Shop, rng: random.Random) -> None:
        self.shop = shop
        self.rng = rng
        self.ids = Ids(rng)
        self.now = datetime.combine(shop.today, time(12, 0), UTC)
        profile = self.ids.token("pfl_")
        self.mollie = MollieSeeder(shop.mollie, self.ids, rng, profile)
        self.paypal = PayPalSeeder(shop.paypal, self.ids, rng)
        self.meta_id = 1 + max(
            (
                int(m.get("id") or 0)
                for o in shop.woocommerce.orders
                for m in o.get("meta_data", [])
            ),
            default=0,
        )
        self.mollie_customers: dict[str, tuple[JSON, JSON]] = {}  # email -> (customer, mandate)
        # 29 February has no counterpart three years back: take the 28th
        day = min(self.now.day, 28) if self.now.month == 2 else self.now.day
        self.horizon = self.now.replace(year=self.now.year - 3, day=day) + timedelta(days=45)

    # ---- the run ----------------------------------------------------------------------------

    def run(self) -> None:
        subject = self.shop.subject_email.casefold()
        containment = self.shop.traps.get("containment", "").casefold()
        subject_ids = {
            c.get("id")
            for c in self.shop.woocommerce.customers
            if subject and str(c.get("email") or "").casefold() == subject
        }
        orders = sorted(self.shop.woocommerce.orders, key=lambda o: (order_time(o), o["id"]))
        live = [o for o in orders if o.get("status") != "cancelled"]
        mine = [
            o
            for o in live
            if subject
            and (email_of(o).casefold() == subject or o.get("customer_id") in subject_ids)
        ]
        lookalike = [o for o in live if containment and email_of(o).casefold() == containment]
        special = {id(o) for o in mine + lookalike}
        guests_on_paypal: list[tuple[JSON, JSON]] = []
        for order in live:
            if id(order) in special:
                continue
            detail = self._random_order(order)
            if detail is not None and not order.get("customer_id"):
                guests_on_paypal.append((order, detail))
        if mine:
            self._seed_subject(mine)
        if lookalike:
            self._seed_containment(lookalike)
        other = self.shop.traps.get("paypal_other_email", "").casefold()
        self._shared_payer(guests_on_paypal, {subject, containment, other})
        self._invoices(live, mine, lookalike)
        self.mollie.settle()

    def _recent(self, orders: list[JSON]) -> list[JSON]:
        """Paid orders PayPal's reporting still serves (inside 3 years, older than a day)."""
        return [
            o
            for o in orders
            if o.get("status") in PAID_STATUSES
            and self.horizon < paid_time(o) < self.now - timedelta(days=1)
        ]

    # ---- orders of everyone else ------------------------------------------------------------

    def _random_order(self, order: JSON, *, link: bool = True) -> JSON | None:
        """Pay an ordinary order; returns the PayPal capture when PayPal was chosen.

        With `link=False` no Mollie customer is created or attached (the planned people's
        other orders, whose customers are fixed by the plan).
        """
        bulk = (
            self.shop.bulk_email and email_of(order).casefold() == self.shop.bulk_email.casefold()
        )
        roll = self.rng.random()
        if bulk and roll < 0.95:
            self._mark_bacs(order)
            return None
        paid = order.get("status") in PAID_STATUSES
        if roll < 0.6 or (roll < 0.9 and not paid):
            method = self.rng.choices(("ideal", "creditcard", "bancontact"), (65, 25, 10))[0]
            registered = bool(order.get("customer_id")) and paid and link
            saved = registered and self.rng.random() < 0.15
            self._pay_mollie(order, method, saved=saved, link=link)
            return None
        if roll < 0.9:
            return self._pay_paypal(order)
        self._mark_bacs(order)
        return None

    def _pay_mollie(
        self,
        order: JSON,
        method: str,
        *,
        saved: bool = False,
        customer_email: str | None = None,
        orders_api: bool | None = None,
        link: bool = True,
    ) -> JSON:
        """Create the Mollie payment (and customer/mandate when `saved`) of an order."""
        when = paid_time(order)
        key = (customer_email or email_of(order)).casefold()
        customer = None
        first = False
        if saved or (link and key in self.mollie_customers):
            if key not in self.mollie_customers:
                name = full_name(order.get("billing", {})) or "Klant"
                self.mollie_customers[key] = (
                    self.mollie.customer(name, customer_email or email_of(order), when),
                    {},
                )
                first = True
            customer = self.mollie_customers[key][0]
        if orders_api is None:
            orders_api = self.rng.random() < 0.08
        order_api_id = self.ids.token("ord_") if orders_api else None
        payment = self.mollie.payment(
            order,
            method,
            when,
            customer_id=customer["id"] if customer else None,
            sequence="first" if first else "oneoff",
            order_api_id=order_api_id,
        )
        if customer is not None and first and payment["status"] == "paid":
            mandate = self.mollie.mandate(customer, payment)
            self.mollie_customers[key] = (customer, mandate)
            if saved and customer_email is None and self.rng.random() < 0.35:
                self.mollie.subscription(customer, mandate, when + timedelta(days=20), self.now)
        for refund, moment in self._woo_refunds(order):
            self.mollie.refund(payment, -dec(refund.get("total")), moment, _reason(order, refund))
        if method == "creditcard" and payment["status"] == "paid" and self.rng.random() < 0.02:
            self.mollie.chargeback(payment, when + timedelta(days=self.rng.randint(10, 40)))
        meta = {"_mollie_payment_id": payment["id"], "_mollie_payment_mode": "test"}
        if order_api_id:
            meta["_mollie_order_id"] = order_api_id
        if customer is not None:
            meta["_mollie_customer_id"] = customer["id"]
        order["payment_method"] = f"mollie_wc_gateway_{method}"
        order["payment_method_title"] = METHOD_TITLES[method]
        order["transaction_id"] = order_api_id or payment["id"]
        self._set_meta(order, meta)
        return payment

    def _pay_paypal(self, order: JSON, payer: Payer | None = None) -> JSON:
        """Create the PayPal capture (and refunds) of an order and link it."""
        payer = payer or self.paypal.payer_for(order)
        capture = self.paypal.capture(order, paid_time(order), payer)
        refund_ids = []
        for refund, moment in self._woo_refunds(order):
            detail = self.paypal.refund(capture, -dec(refund.get("total")), moment)
            refund_ids.append(detail["transaction_info"]["transaction_id"])
        order["payment_method"] = "ppcp-gateway"
        order["payment_method_title"] = "PayPal"
        order["transaction_id"] = capture["transaction_info"]["transaction_id"]
        meta: dict[str, object] = {
            "_ppcp_paypal_order_id": self.ids.upper(17),
            "_ppcp_paypal_intent": "CAPTURE",
            "_ppcp_paypal_payment_mode": "sandbox",
        }
        if refund_ids:
            meta["_ppcp_refunds"] = refund_ids
        self._set_meta(order, meta)
        return capture

    def _mark_bacs(self, order: JSON) -> None:
        if order.get("payment_method") != "bacs":
            order["payment_method"] = "bacs"
            order["payment_method_title"] = "Directe bankoverschrijving"
        order["transaction_id"] = ""

    def _set_meta(self, order: JSON, values: dict[str, object]) -> None:
        """Set meta values the way WooCommerce lists them: existing rows keep their place and id,
        new rows are appended with fresh (higher) meta ids."""
        meta = list(order.get("meta_data") or [])
        for key, value in values.items():
            row = next((m for m in meta if m.get("key") == key), None)
            if row is not None:
                row["value"] = value
            else:
                meta.append({"id": self.meta_id, "key": key, "value": value})
                self.meta_id += 1
        order["meta_data"] = meta

    def _woo_refunds(self, order: JSON) -> list[tuple[JSON, datetime]]:
        """The order's WooCommerce refunds with the time each was made."""
        full = {r.get("id"): r for r in self.shop.woocommerce.refunds.get(order["id"], [])}
        out = []
        for index, refund in enumerate(order.get("refunds") or []):
            stored = full.get(refund.get("id"), {})
            moment = parse_wc(stored.get("date_created_gmt") or stored.get("date_created"))
            if moment is None:
                moment = min(paid_time(order) + timedelta(days=3 + 5 * index), self.now)
            out.append((refund, moment))
        return out

    # ---- the subject and the look-alikes ----------------------------------------------------

    def _seed_subject(self, orders: list[JSON]) -> None:
        paid = [o for o in orders if o.get("status") in PAID_STATUSES]
        recent = self._recent(paid)
        if len(recent) < 2 or len(paid) < 5:
            raise ValueError(
                "seed_payments needs the subject to have at least 5 paid orders, 2 of them "
                f"between 3 years and 1 day old (has {len(paid)} paid, {len(recent)} recent)"
            )
        on_paypal = recent[-2:]
        rest = [o for o in paid if all(o is not p for p in on_paypal)]
        first, second = rest[0], rest[len(rest) // 2]
        candidates = [o for o in rest[1:] if o is not second]
        third = next((o for o in candidates if o.get("refunds")), candidates[0])
        subject = self.shop.subject_email
        variant = self.shop.traps.get("case", "")
        if variant.casefold() != subject.casefold() or variant == subject:
            variant = subject[:1].swapcase() + subject[1:]
            variant = variant if variant != subject else subject.upper()
        # Mollie customer 1, created at the subject's oldest paid order (iDEAL -> directdebit).
        self._pay_mollie(first, "ideal", saved=True, customer_email=subject, orders_api=False)
        cst_a, mandate_a = self.mollie_customers[subject.casefold()]
        self.mollie.subscription(cst_a, mandate_a, paid_time(first) + timedelta(days=14), self.now)
        # Mollie customer 2: a later duplicate with the e-mail in another case; card + chargeback.
        self.mollie_customers.pop(subject.casefold())
        card = self._pay_mollie(second, "creditcard", saved=True, customer_email=variant)
        cst_b, mandate_b = self.mollie_customers[variant.casefold()]
        self.mollie.subscription(
            cst_b, mandate_b, paid_time(second) + timedelta(days=10), self.now, active=False
        )
        if not any(c["paymentId"] == card["id"] for c in self.shop.mollie.chargebacks):
            self.mollie.chargeback(card, paid_time(second) + timedelta(days=21))
        # A one-off iDEAL payment with a refund (the shop's own refund, else one from the dashboard).
        plain = self._pay_mollie(third, "ideal", orders_api=False, link=False)
        if not any(r["paymentId"] == plain["id"] for r in self.shop.mollie.refunds):
            value = (dec(plain["amount"]["value"]) / 2).quantize(Decimal("0.01"))
            moment = min(paid_time(third) + timedelta(days=6), self.now - timedelta(days=1))
            self.mollie.refund(plain, value, moment, "Deelrestitutie")
        # PayPal: one capture from the billing e-mail's account, one from another account.
        own = self.paypal.payer_for(
            on_paypal[0], email=email_of(on_paypal[0]), key=subject.casefold()
        )
        self._pay_paypal(on_paypal[0], own)
        other = other_email(self.rng, on_paypal[1].get("billing", {}))
        second_account = self.paypal.payer_for(on_paypal[1], email=other, key=other.casefold())
        self._pay_paypal(on_paypal[1], second_account)
        self.shop.traps["paypal_other_email"] = other
        planned = {id(o) for o in (first, second, third, *on_paypal)}
        for order in orders:
            if id(order) not in planned:
                self._random_order(order, link=False)

    def _seed_containment(self, orders: list[JSON]) -> None:
        """The look-alike (dejan@ beside jan@): a Mollie customer and payment, a PayPal capture."""
        paid = [o for o in orders if o.get("status") in PAID_STATUSES]
        recent = self._recent(paid)
        on_paypal = recent[-1] if recent else (paid[-1] if len(paid) > 1 else None)
        on_mollie = next((o for o in paid if o is not on_paypal), None)
        email = self.shop.traps["containment"]
        for order in orders:
            if order is on_paypal:
                self._pay_paypal(order, self.paypal.payer_for(order, email=email_of(order)))
            elif order is on_mollie:
                self._pay_mollie(order, "ideal", saved=True, customer_email=email, orders_api=False)
            else:
                self._random_order(order, link=False)

    def _shared_payer(self, guests: list[tuple[JSON, JSON]], banned: set[str]) -> None:
        """A guest who paid with someone else's PayPal account (`traps["shared_payer"]`)."""
        recent = [(o, d) for o, d in guests if self._recent([o])]
        if not recent:
            return
        order, detail = recent[len(recent) // 2]
        own = detail["payer_info"]["account_id"]
        accounts = [
            p
            for k, p in sorted(self.paypal.payers.items())
            if k not in banned and p.account_id != own and k != email_of(order).casefold()
        ]
        if not accounts:
            return
        account = accounts[self.rng.randrange(len(accounts))]
        detail["payer_info"] = self.paypal.payer_info(account, order.get("billing", {}))
        detail["transaction_info"]["paypal_account_id"] = account.account_id
        self.shop.traps["shared_payer"] = email_of(order)

    def _invoices(self, live: list[JSON], mine: list[JSON], lookalike: list[JSON]) -> None:
        """A few PayPal invoices: one to the subject, one to the look-alike, some to others."""
        people: list[tuple[JSON, str, str]] = []
        if mine:
            people.append((mine[-1].get("billing", {}), self.shop.subject_email, "PAID"))
        if lookalike:
            people.append(
                (lookalike[-1].get("billing", {}), self.shop.traps["containment"], "SENT")
            )
        special = {id(o) for o in mine + lookalike}
        others = [o for o in live if id(o) not in special and email_of(o)]
        for order in self.rng.sample(others, min(3, len(others))):
            status = self.rng.choice(("PAID", "SENT", "CANCELLED"))
            people.append((order.get("billing", {}), email_of(order), status))
        for number, (person, email, status) in enumerate(people, start=1):
            when = self.now - timedelta(
                days=self.rng.randint(20, 600), hours=self.rng.randint(0, 9)
            )
            self.paypal.invoice(person, email, when, status, f"{number:04d}")


def _reason(order: JSON, refund: JSON) -> str:
    return str(refund.get("reason") or f"Refund for order {order.get('number', order['id'])}")
