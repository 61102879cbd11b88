"""Mollie (API v2), through our HTTP layer (the official client is not used: see the README).

Endpoints: `GET /v2/payments/{tr_}` with `/refunds` and `/chargebacks`, `GET /v2/orders/{ord_}`
(embedding its payments), `GET /v2/customers/{cst_}` with `/payments`, `/mandates` and
`/subscriptions`, and `GET /v2/customers` (limit 250) scanned for an exact e-mail match, since
the API has no e-mail filter: the one expensive call, replaced by the sync index where it knows
the person.
Paging: HAL lists, `limit` ≤ 250, following the absolute `_links.next`.
Rate limits: dynamic, per second with bursts; 429 with the spec's error body, retried by the HTTP
layer. Errors: `{"status", "title", "detail", "field"}` (vendor-apis.md §3).
Auth: `Authorization: Bearer <API key>`. Which payment references a shop reveals are Mollie's:
`references.py` (by the documented id prefixes).
Quirks: payment `details` hold personal data (consumerName, consumerAccount, cardHolder, …), as do
billing and shipping addresses; all of it goes into the package as returned.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any, ClassVar, Self, TypeVar

from bridge.core import kinds
from bridge.core.config import Config, Setting
from bridge.core.connector import (
    Batch,
    Collected,
    Connector,
    IndexEntry,
    Stream,
    require,
    same_email,
)
from bridge.core.decisions import Capability
from bridge.core.errors import NotFound, SystemFailure
from bridge.core.http import HttpClient
from bridge.core.http_errors import ErrorShape
from bridge.core.models import Identifier, Record
from bridge.core.paging import NextLink, hal_next
from bridge.core.policy import Policy
from bridge.core.steps import Step
from connectors.mollie import references
from connectors.mollie.references import CUSTOMER_ID, ORDER_ID, PAYMENT_ID, owner_id

PAGE_LIMIT = 250
CUSTOMERS = "v2/customers"
# HAL lists: the items `_embedded`, `_links.next` followed.
LISTS = NextLink()
ERRORS = ErrorShape(message=("detail", "title"), details=("field",))
T = TypeVar("T")


def _customer_entry(item: dict[str, Any]) -> IndexEntry:
    return IndexEntry("mollie_customer", item["id"], item.get("email"), item.get("createdAt"))


def _payment_entry(item: dict[str, Any]) -> IndexEntry:
    links = [
        (CUSTOMER_ID, item.get("customerId")),
        (PAYMENT_ID, item["id"]),
    ]
    email = (item.get("billingAddress") or {}).get("email")
    return IndexEntry(
        "payment", item["id"], email, item.get("createdAt"),
        tuple((k, str(v)) for k, v in links if v),
    )  # fmt: skip


# The scheduled sync: customers and payments, newest first, until the previous run's newest; the
# new cursor is saved with the last batch, so an interrupted run starts over.
SYNC = {
    s.name: s
    for s in (
        Stream("customers", CUSTOMERS, LISTS, _customer_entry, "createdAt", ordered=False),
        Stream("payments", "v2/payments", LISTS, _payment_entry, "createdAt", ordered=False),
    )
}


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
    notes = ("Mollie keeps payment records under its own legal duties as a payment institution.",)

    def __init__(self, url: str, key: str) -> None:
        bearer = {"Authorization": f"Bearer {key}"}
        self.http = HttpClient(self.name, url, secrets=(key,), headers=bearer, errors=ERRORS)
        self._payments: dict[str, Any] = {}
        self._children_of: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}

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
        found = Collected()
        customers: dict[str, str] = {}
        payment_ids: dict[str, str] = {}
        for ident in identifiers:
            if ident.kind == kinds.EMAIL:
                for cst in self._customers_with(ident.value, found):
                    customers.setdefault(cst, "e-mail address of the Mollie customer")
            elif ident.kind == CUSTOMER_ID:
                customers.setdefault(
                    ident.value, f"Mollie customer {ident.value}, named by {ident.via}"
                )
            elif ident.kind == PAYMENT_ID:
                payment_ids.setdefault(ident.value, f"payment {ident.value}, named by {ident.via}")
            elif ident.kind == ORDER_ID:
                for tr in self._order_payments(ident, found):
                    payment_ids.setdefault(tr, f"payment of Mollie order {ident.value}")
        # Each customer's lists, then each payment's refunds and chargebacks: a few at a time.
        payments: list[tuple[Any, str]] = []
        for customer_payments in _parallel(
            lambda item: self._customer(item[0], item[1], found), customers.items()
        ):
            payments += customer_payments
        fetched = _parallel(self._payment, payment_ids)
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
        children = _parallel(lambda p: self._children(p, found), unique.values())
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

    def _customers_with(self, email: str, found: Collected) -> list[str]:
        """Mollie customers with this address: from the index plus the customers created since
        its last sync (newest first, so usually one page), or else by scanning them all."""
        synced = self.index.cursors.get("customers") if self.index else None
        if self.index is None or synced is None:
            found.lookup.append("customers: live scan of all customers (no index)")
            listing = self._all(CUSTOMERS)
            return [c["id"] for c in listing if same_email(c.get("email"), email)]
        ids = [cst for cst, _ in self.index.records_of(email, "mollie_customer")]
        for customer in self._all(CUSTOMERS):
            if str(customer.get("createdAt") or "") < synced:
                break
            if same_email(customer.get("email"), email) and customer["id"] not in ids:
                ids.append(customer["id"])
        found.lookup.append(
            f"customers: index (synced {self.index.synced_at}) and those created since"
        )
        return ids

    def _customer(self, cst: str, why: str, found: Collected) -> list[tuple[Any, str]]:
        """The customer, its mandates and subscriptions; its payments to look into further."""
        customer = self._get(f"{CUSTOMERS}/{cst}")
        if customer is None:
            found.notes.append(f"Mollie customer {cst} no longer exists.")
            return []
        if customer.get("id") != cst:
            raise SystemFailure(self.name, f"answered another customer for {cst}")
        found.add("mollie_customer", cst, why, dict(customer))
        sub = f"of Mollie customer {cst}"
        path = f"{CUSTOMERS}/{cst}"
        # Each item must name the customer itself (`customerId` or its `customer` link).
        with found.reading("mandates"):
            for mandate in self._all(f"{path}/mandates"):
                if owner_id(mandate, "customer") == cst:
                    found.add("mandate", mandate["id"], f"mandate {sub}", dict(mandate))
        with found.reading("subscriptions"):
            for item in self._all(f"{path}/subscriptions"):
                if owner_id(item, "customer") == cst:
                    found.add("subscription", item["id"], f"subscription {sub}", dict(item))
        payments: list[tuple[Any, str]] = []
        with found.reading("customer payments"):
            for payment in self._all(f"{path}/payments"):
                if owner_id(payment, "customer") == cst:
                    payments.append((payment, f"payment {sub}"))
        return payments

    def _payment(self, tr: str) -> Any:
        if tr not in self._payments:  # later rounds name payments an earlier round has read
            self._payments[tr] = self._get(f"v2/payments/{tr}")
        return self._payments[tr]

    def _children(
        self, payment: Any, found: Collected
    ) -> tuple[Any, list[dict[str, Any]], list[dict[str, Any]]]:
        tr = payment["id"]
        with found.reading("refunds and chargebacks"):
            self._read_children(payment)
        return (payment, *self._children_of.get(tr, ([], [])))

    def _read_children(self, payment: Any) -> None:
        tr = payment["id"]
        if tr not in self._children_of:
            refunds, chargebacks = [], []
            if _may_have(payment, "refunds", "amountRefunded"):
                refunds = list(self._all(f"v2/payments/{tr}/refunds", limit=None))
            if _may_have(payment, "chargebacks", "amountChargedBack"):
                chargebacks = list(self._all(f"v2/payments/{tr}/chargebacks", limit=None))
            refunds = [r for r in refunds if owner_id(r, "payment") == tr]
            chargebacks = [c for c in chargebacks if owner_id(c, "payment") == tr]
            self._children_of[tr] = (refunds, chargebacks)

    def _order_payments(self, ident: Identifier, found: Collected) -> list[str]:
        order = self._get(f"v2/orders/{ident.value}", embed="payments")
        if order is None:
            found.notes.append(f"Mollie order {ident.value}, named by {ident.via}, was not found.")
            return []
        return [p["id"] for p in (order.get("_embedded") or {}).get("payments", [])]

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


def _may_have(payment: Any, children: str, amount: str) -> bool:
    """Whether a payment may have refunds or chargebacks, so that they are worth a request. The
    spec links them (`_links.refunds`) and sums them (`amountRefunded`; `amountChargedBack` is
    left out when zero); both must say "none" before the request is saved."""
    links = payment.get("_links") or {}
    if not isinstance(links, dict) or links.get(children):
        return True
    value = payment.get(amount)
    if value is None:
        return amount == "amountRefunded"  # absent refunded sum: not documented as "none"
    try:
        return float(value.get("value", 1)) != 0
    except (AttributeError, TypeError, ValueError):
        return True


def _parallel(work: Callable[[Any], T], items: Iterable[Any]) -> list[T]:
    """Independent lookups four at a time, results in the order given."""
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="children") as pool:
        return list(pool.map(work, items))
