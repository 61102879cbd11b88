"""Mollie (API v2), through our HTTP layer (the official client is not used: see the README).

Endpoints: `GET /v2/payments/{tr_}?embed=refunds,chargebacks` (falling back to its `/refunds`
and `/chargebacks` lists where the embed is not answered), `GET /v2/orders/{ord_}` (embedding its
payments), `GET /v2/customers/{cst_}` with `/payments`, `/mandates` and `/subscriptions`, and
`GET /v2/customers` (limit 250) scanned for an exact e-mail match, since the API has no e-mail
filter: the one expensive call, replaced by the sync index where it knows the person.
Requests saved as the spec allows (`plan.py`): a customer the scan found is not read again; a
list its `_links` omit is empty; a payment is read once whatever names it, its refunds and
chargebacks only where it links or sums some, embedded. The minimum: the scan's pages, one read
per customer the scan did not give, the pages of each list a customer links, one per payment no
list or order gave or that has refunds or chargebacks, one per order.
Paging: HAL lists, `limit` ≤ 250, following the absolute `_links.next`.
Rate limits: dynamic, per second with bursts, no figure (docs.mollie.com/reference/rate-limiting);
a few requests at once (`plan.LIMITS`); 429 with the spec's error body, retried. Errors: `{"status", "title", "detail", "field"}` (vendor-apis.md §3).
Auth: `Authorization: Bearer <API key>`. Which payment references a shop reveals are Mollie's:
`references.py` (by the documented id prefixes).
Quirks: payment `details` hold personal data (consumerName, consumerAccount, cardHolder, …), as do
billing and shipping addresses; all of it goes into the package as returned.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any, ClassVar, Self

from bridge.core import kinds
from bridge.core.config import Config, Setting
from bridge.core.connector import Batch, Collected, Connector, IndexEntry, require, same_email
from bridge.core.decisions import Capability
from bridge.core.errors import NotFound, SystemFailure
from bridge.core.http import HttpClient
from bridge.core.http_errors import ErrorShape
from bridge.core.models import Identifier, Record
from bridge.core.paging import hal_next
from bridge.core.policy import Policy
from bridge.core.steps import Step
from connectors.mollie import references
from connectors.mollie.plan import (
    CHILDREN,
    LIMITS,
    apart,
    embedded_children,
    has_children,
    lists,
    may_have,
    pages,
    parallel,
)
from connectors.mollie.references import CUSTOMER_ID, ORDER_ID, PAYMENT_ID, owner_id
from connectors.mollie.streams import CUSTOMERS, LISTS, PAGE_LIMIT, SYNC
from connectors.mollie.views import VIEWS

ERRORS = ErrorShape(message=("detail", "title"), details=("field",))


class MollieConnector(Connector):
    name = "mollie"
    title = "Mollie (payments)"
    role = "processor: payments; also a payment institution with its own legal duties"
    settings = (
        Setting("MOLLIE_API_URL", "Mollie API base URL.", default="https://api.mollie.com"),
        Setting(
            "MOLLIE_API_KEY",
            "API key of the website profile (live_… or test_…).",
            secret=True,
            pattern=r"(live|test)_\w+",  # as Mollie documents it
            pattern_help="a Mollie API key starts with live_ or test_",
        ),
    )
    # Payment references (those with Mollie's prefixes: `claim`), and the customers its own
    # payments name (revealed for the next round).
    looks_up = frozenset({kinds.EMAIL, kinds.PAYMENT_REFERENCE, CUSTOMER_ID})
    categories: ClassVar[dict[str, list[str]]] = {
        "payment": ["payments", "bank account or card details", "addresses"],
        "refund": ["payments"],
        "chargeback": ["payments"],
        "mollie_customer": ["identity", "e-mail address"],
        "mandate": ["bank account or card details", "direct debit mandates"],
        "subscription": ["recurring payments"],
    }
    views = VIEWS
    notes = ("Mollie keeps payment records under its own legal duties as a payment institution.",)
    limits = LIMITS

    def __init__(self, url: str, key: str) -> None:
        bearer = {"Authorization": f"Bearer {key}"}
        self.http = HttpClient(
            self.name, url, secrets=(key,), headers=bearer, errors=ERRORS, budget=LIMITS.budget()
        )
        self._payments: dict[str, Any] = {}  # every payment read, whatever named it
        self._children_of: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}
        self._customers: dict[str, Any] = {}  # customers whose lists an earlier round read

    @classmethod
    def from_config(cls, config: Config) -> Self:
        return cls(*require(config, cls.settings, cls.name))

    def claim(self, identifier: Identifier) -> Identifier | None:
        """Of the payment references, those with Mollie's prefixes, in Mollie's kinds."""
        if identifier.kind == kinds.PAYMENT_REFERENCE:
            return references.claim(identifier)
        return super().claim(identifier)

    def check(self) -> None:
        self.http.json("GET", CUSTOMERS, params={"limit": 1})

    def collect(self, identifiers: Sequence[Identifier]) -> Collected:
        found = Collected(minimum=0)
        customers: dict[str, tuple[str, Any]] = {}  # cst -> (why, as the scan listed it)
        payment_ids: dict[str, str] = {}
        for ident in identifiers:
            if ident.kind == kinds.EMAIL:
                for cst, listed in self._customers_with(ident.value, found).items():
                    customers.setdefault(cst, ("e-mail address of the Mollie customer", listed))
            elif ident.kind == CUSTOMER_ID:
                why = f"Mollie customer {ident.value}, named by {ident.via}"
                customers.setdefault(ident.value, (why, None))
            elif ident.kind == PAYMENT_ID:
                payment_ids.setdefault(ident.value, f"payment {ident.value}, named by {ident.via}")
            elif ident.kind == ORDER_ID:
                for tr in self._order_payments(ident, found):
                    payment_ids.setdefault(tr, f"payment of Mollie order {ident.value}")
        # Each customer's lists, then each payment's refunds and chargebacks: a few at a time.
        payments: list[tuple[Any, str]] = []
        for customer_payments in apart(
            found,
            lambda item, own: self._customer(item[0], item[1][0], item[1][1], own),
            customers.items(),
        ):
            payments += customer_payments
        found.need(sum(tr not in self._payments for tr in payment_ids), "payments by id")
        fetched = parallel(self._payment, payment_ids)
        for (tr, why), payment in zip(payment_ids.items(), fetched, strict=True):
            if payment is None:
                found.notes.append(f"Payment {tr}, named by the shop, does not exist at Mollie.")
                continue
            if payment.get("id") != tr:
                raise SystemFailure(self.name, f"answered another payment for {tr}")
            payments.append((payment, why))
            found.reveal(CUSTOMER_ID, payment.get("customerId"), f"Mollie payment {tr}")
        reasons: dict[str, list[str]] = {}
        unique: dict[str, Any] = {}
        for payment, why in payments:  # a payment can be reached both ways: look into it once
            reasons.setdefault(payment["id"], []).append(why)
            unique.setdefault(payment["id"], payment)
        found.need(
            sum(p["id"] not in self._children_of and has_children(p) for p in unique.values()),
            "the refunds and chargebacks of a payment that has some, embedded in it",
        )
        children = parallel(lambda p: self._children(p, found), unique.values())
        for payment, refunds, chargebacks in children:
            tr = payment["id"]
            for why in reasons[tr]:
                found.add("payment", tr, why, dict(payment))
            for refund in refunds:
                found.add("refund", refund["id"], f"refund of payment {tr}", refund)
            for chargeback in chargebacks:
                found.add("chargeback", chargeback["id"], f"chargeback of payment {tr}", chargeback)
        return found

    # -- erasure ------------------------------------------------------------------------------
    # Deleting a Mollie customer cancels its mandates and subscriptions (DELETE /v2/customers);
    # payments, refunds and chargebacks stay at Mollie, under Mollie's own legal duties.

    capabilities: ClassVar[dict[str, Capability]] = {
        "mollie_customer": Capability(
            delete=True, cascades=("mandate", "subscription"), date="createdAt"
        ),
        "mandate": Capability(deleted_with="mollie_customer", date="createdAt"),
        "subscription": Capability(deleted_with="mollie_customer", date="createdAt"),
        **{
            kind: Capability(
                date="createdAt",
                keeps="payment records stay at Mollie, which keeps them under its own legal "
                "duties; the shop cannot erase them",
                basis="Mollie's own legal duties as a payment institution (Wwft; art. 52 AWR "
                "for the shop's copy)",
            )
            for kind in ("payment", "refund", "chargeback")
        },
    }
    operations: ClassVar[dict[str, str]] = {"delete": "delete_customer"}

    def plan_erasure(self, records: Sequence[Record], policy: Policy, today: date) -> list[Step]:
        along: dict[str, set[str]] = {}  # what each customer's deletion cancels
        for r in records:
            if r.type in ("mandate", "subscription"):
                along.setdefault(owner_id(r.data, "customer") or "", set()).add(r.type)
        decided = {
            r.id: self.decide(r, policy, today, along=sorted(along.get(r.id, ())))
            for r in records
            if r.type == "mollie_customer"
        }
        steps = []
        for record in records:
            if record.type == "mollie_customer":
                made = decided[record.id]
                reason = (
                    "the Mollie customer is deleted, which cancels its mandates and subscriptions"
                )
                steps.append(
                    self.step(
                        record, made, policy, **({"reason": reason} if made.automatic else {})
                    )
                )
            elif record.type in ("mandate", "subscription"):
                owner = owner_id(record.data, "customer")
                made = self.decide(record, policy, today, parent=decided.get(owner or ""))
                if made.how == "with_parent":
                    steps.append(
                        self.step(
                            record,
                            made,
                            policy,
                            after=[f"mollie_customer:{owner}"],
                            reason="cancelled by Mollie with the deletion of its customer",
                        )
                    )
                else:
                    steps.append(self.step(record, made, policy))
            else:  # payment, refund, chargeback
                steps.append(self.step(record, self.decide(record, policy, today), policy))
        return steps

    def apply(self, step: Step, policy: Policy) -> str:
        try:
            self.http.request("DELETE", f"{CUSTOMERS}/{step.record_id}")
        except NotFound:
            return "already gone"
        return "deleted (mandates and subscriptions cancelled)"

    def fetch(self, step: Step) -> dict[str, Any] | None:
        customer = self._get(f"{CUSTOMERS}/{step.record_id}")
        return dict(customer) if customer is not None else None

    # -- the scheduled sync: the streams declared in SYNC ----------------------------------------

    streams = tuple(SYNC)

    def changes(self, stream: str, cursor: str | None) -> Iterator[Batch]:
        declared = SYNC[stream]
        newest = cursor
        batch: list[IndexEntry] = []
        for item in self._all(declared.path):
            created = str(item.get(declared.cursor_field) or "")
            if cursor and created and created < cursor:
                break  # older than the last run's newest: seen before
            newest = max(newest or "", created) or None
            batch.append(declared.entry(item))
            if len(batch) == PAGE_LIMIT:
                yield Batch(batch, cursor)
                batch = []
        yield Batch(batch, newest)

    def _customers_with(self, email: str, found: Collected) -> dict[str, Any]:
        """Mollie customers with this address (each as the scan listed it, or None: from the
        index): from the index plus the customers created since its last sync (newest first, so
        usually one page), or else by scanning them all."""
        synced = self.index.cursors.get("customers") if self.index else None
        seen = 0
        if self.index is None or synced is None:
            found.lookup.append("customers: live scan of all customers (no index)")
            mine: dict[str, Any] = {}
            for customer in self._all(CUSTOMERS):
                seen += 1
                if same_email(customer.get("email"), email):
                    mine[customer["id"]] = customer
            found.need(pages(seen, PAGE_LIMIT), "the pages of the customer scan")
            return mine
        mine = {cst: None for cst, _ in self.index.records_of(email, "mollie_customer")}
        for customer in self._all(CUSTOMERS):
            seen += 1
            if str(customer.get("createdAt") or "") < synced:
                break
            if same_email(customer.get("email"), email):
                mine[customer["id"]] = customer
        found.need(pages(seen, PAGE_LIMIT), "the pages of customers created since the sync")
        found.lookup.append(
            f"customers: index (synced {self.index.synced_at}) and those created since"
        )
        return mine

    def _customer(self, cst: str, why: str, listed: Any, found: Collected) -> list[tuple[Any, str]]:
        """The customer, its mandates and subscriptions; its payments to look into further. A
        customer the scan listed is taken from it; one whose lists an earlier round read gets
        only this reason (its records are in the result already)."""
        customer = listed if listed is not None else self._customers.get(cst)
        if customer is None:
            found.need(1, "the customer, by id")
            customer = self._get(f"{CUSTOMERS}/{cst}")
        if customer is None:
            found.notes.append(f"Mollie customer {cst} no longer exists.")
            return []
        if customer.get("id") != cst:
            raise SystemFailure(self.name, f"answered another customer for {cst}")
        found.add("mollie_customer", cst, why, dict(customer))
        if cst in self._customers:
            return []
        self._customers[cst] = customer
        sub = f"of Mollie customer {cst}"
        payments: list[tuple[Any, str]] = []
        # Each item must name the customer itself (`customerId` or its `customer` link).
        for name in ("mandates", "subscriptions", "payments"):
            if not lists(customer, name):
                continue  # its `_links` omit the list: the customer has none
            items: list[Any] = []
            with found.reading(f"customer {name}" if name == "payments" else name):
                items = list(self._all(f"{CUSTOMERS}/{cst}/{name}"))
            found.need(pages(len(items), PAGE_LIMIT), f"the pages of the customer's {name}")
            for item in items:
                if owner_id(item, "customer") != cst:
                    continue
                if name == "payments":
                    payments.append((item, f"payment {sub}"))
                    self._payments.setdefault(item["id"], item)
                else:
                    kind = name.removesuffix("s")
                    found.add(kind, item["id"], f"{kind} {sub}", dict(item))
        return payments

    def _payment(self, tr: str) -> Any:
        """A payment by id, its refunds and chargebacks embedded: read once, whatever names it
        (later rounds name payments an earlier round, a customer's list or an order has read)."""
        if tr not in self._payments:
            payment = self._get(f"v2/payments/{tr}", embed=CHILDREN)
            if isinstance(payment, dict) and payment.get("id") == tr:
                children = embedded_children(payment)
                if children is not None:
                    self._children_of[tr] = children
            self._payments[tr] = payment
        return self._payments[tr]

    def _children(
        self, payment: Any, found: Collected
    ) -> tuple[Any, list[dict[str, Any]], list[dict[str, Any]]]:
        tr = payment["id"]
        with found.reading("refunds and chargebacks"):
            self._read_children(payment)
        return (payment, *self._children_of.get(tr, ([], [])))

    def _read_children(self, payment: Any) -> None:
        """A payment's refunds and chargebacks, where it may have some: embedded in one read of
        the payment, or (where the embed is not answered) through their own lists."""
        tr = payment["id"]
        if tr in self._children_of or not has_children(payment):
            self._children_of.setdefault(tr, ([], []))
            return
        again = self._get(f"v2/payments/{tr}", embed=CHILDREN)
        if isinstance(again, dict) and again.get("id") == tr:
            children = embedded_children(again)
            if children is not None:
                self._children_of[tr] = children
                return
        refunds, chargebacks = [], []
        if may_have(payment, "refunds", "amountRefunded"):
            refunds = list(self._all(f"v2/payments/{tr}/refunds", limit=None))
        if may_have(payment, "chargebacks", "amountChargedBack"):
            chargebacks = list(self._all(f"v2/payments/{tr}/chargebacks", limit=None))
        refunds = [r for r in refunds if owner_id(r, "payment") == tr]
        chargebacks = [c for c in chargebacks if owner_id(c, "payment") == tr]
        self._children_of[tr] = (refunds, chargebacks)

    def _order_payments(self, ident: Identifier, found: Collected) -> list[str]:
        found.need(1, "the order, its payments embedded")
        order = self._get(f"v2/orders/{ident.value}", embed="payments")
        if order is None:
            found.notes.append(f"Mollie order {ident.value}, named by {ident.via}, was not found.")
            return []
        payments = (order.get("_embedded") or {}).get("payments", [])
        for payment in payments:  # read here: not asked for again by id
            if isinstance(payment, dict) and payment.get("id"):
                self._payments.setdefault(payment["id"], payment)
        return [p["id"] for p in payments]

    def _all(self, path: str, limit: int | None = PAGE_LIMIT) -> Iterator[Any]:
        """Every item of a HAL list, its `_links.next` followed."""
        params = {"limit": limit} if limit else {}
        return LISTS.items(lambda answer: self._list(path, params, answer), self.name, path)

    def _list(self, path: str, params: dict[str, Any], previous: Any) -> Any:
        """The first page of a list, or the one `previous` links to: never outside the API,
        which would be sent our key."""
        if previous is None:
            answer = self.http.json("GET", path, params=params)
        else:
            link = hal_next(previous) or ""
            if not link.startswith(f"{self.http.base_url}/"):
                raise SystemFailure(self.name, f"{path}: the next page is linked outside the API")
            answer = self.http.json("GET", link)
        if not isinstance(answer, dict) or not isinstance(answer.get("_embedded"), dict):
            raise SystemFailure(self.name, f"answered {path} in an unexpected shape (not a list)")
        return answer

    def _get(self, path: str, **params: Any) -> Any:
        """One object, or None where Mollie says it does not exist."""
        try:
            return self.http.json("GET", path, params=params)
        except NotFound:
            return None
