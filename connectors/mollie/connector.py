"""Mollie (API v2), on the official `mollie-api-python` client.

Endpoints: `GET /v2/payments/{tr_}` with `/refunds` and `/chargebacks`, `GET /v2/orders/{ord_}`
(embedding its payments), `GET /v2/customers/{cst_}` with `/payments`, `/mandates` and
`/subscriptions`, and `GET /v2/customers` (limit 250) scanned for an exact e-mail match, since
the API has no e-mail filter: the one expensive call, replaced by the sync index where it knows
the person.
Paging: HAL lists, `limit` ≤ 250, following the absolute `_links.next`.
Rate limits: dynamic, per second with bursts; 429 with the spec's error body. The client retries
only connection errors, so it sends through our HTTP layer (retries on 429/5xx, budget).
Quirks: payment `details` hold personal data (consumerName, consumerAccount, cardHolder, …), as do
billing and shipping addresses; all of it goes into the package as returned.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any, ClassVar, Self, TypeVar

import requests
from mollie.api.client import Client
from mollie.api.error import Error as MollieError
from mollie.api.error import ResponseHandlingError

from bridge import __version__
from bridge.core import kinds
from bridge.core.config import Config, Setting
from bridge.core.connector import (
    Batch,
    Collected,
    Connector,
    IndexEntry,
    require,
    same_email,
)
from bridge.core.errors import NotFound, SystemFailure
from bridge.core.http import HttpClient
from bridge.core.models import Identifier, Record
from bridge.core.policy import Capability, Policy
from bridge.core.redact import install_log_filters
from bridge.core.steps import Step

PAGE_LIMIT = 250
install_log_filters("mollie")  # the client logs at DEBUG too
T = TypeVar("T")


class _Transport:
    """What the client expects of a `requests.Session`, sending through our HTTP layer."""

    def __init__(self, http: HttpClient) -> None:
        self.http = http

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        kwargs.pop("timeout", None)  # ours apply
        return self.http.request(
            method,
            url,
            params=kwargs.get("params"),
            data=kwargs.get("data") or None,
            headers=kwargs.get("headers"),
        )

    def mount(self, prefix: str, adapter: Any) -> None:
        """The client mounts its own retry adapter; our layer retries instead."""


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
            pattern=r"(live|test)_\w+",  # as the client checks it
            pattern_help="a Mollie API key starts with live_ or test_",
        ),
    )
    looks_up = frozenset(
        {kinds.EMAIL, kinds.MOLLIE_PAYMENT_ID, kinds.MOLLIE_ORDER_ID, kinds.MOLLIE_CUSTOMER_ID}
    )
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
        self.http = HttpClient(self.name, url, secrets=(key,))
        self.client = Client(api_endpoint=url, timeout=(5, 30), retry=0)
        self.client.set_api_key(key)
        self.client.set_user_agent_component("privacy-bridge", __version__)
        # The client creates its own session only when it has none: give it ours.
        self.client._client = _Transport(self.http)  # type: ignore[assignment]
        self._payments: dict[str, Any] = {}
        self._children_of: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}

    @classmethod
    def from_config(cls, config: Config) -> Self:
        return cls(*require(config, cls.settings, cls.name))

    def check(self) -> None:
        self._call(lambda: self.client.customers.list(limit=1))

    def collect(self, identifiers: Sequence[Identifier]) -> Collected:
        found = Collected()
        customers: dict[str, str] = {}
        payment_ids: dict[str, str] = {}
        for ident in identifiers:
            if ident.kind == kinds.EMAIL:
                for cst in self._customers_with(ident.value, found):
                    customers.setdefault(cst, "e-mail address of the Mollie customer")
            elif ident.kind == kinds.MOLLIE_CUSTOMER_ID:
                customers.setdefault(
                    ident.value, f"Mollie customer {ident.value}, named by {ident.via}"
                )
            elif ident.kind == kinds.MOLLIE_PAYMENT_ID:
                payment_ids.setdefault(ident.value, f"payment {ident.value}, named by {ident.via}")
            elif ident.kind == kinds.MOLLIE_ORDER_ID:
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
            found.reveal(
                kinds.MOLLIE_CUSTOMER_ID, payment.get("customerId"), f"Mollie payment {tr}"
            )
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
                along.setdefault(_customer_of(r) or "", set()).add(r.type)
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
                owner = _customer_of(record)
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
            self._call(lambda: self.client.customers.delete(step.record_id))
        except NotFound:
            return "already gone"
        return "deleted (mandates and subscriptions cancelled)"

    def fetch(self, step: Step) -> dict[str, Any] | None:
        customer = self._get(lambda: self.client.customers.get(step.record_id))
        return dict(customer) if customer is not None else None

    # -- the scheduled sync: customers and payments, newest first, until the previous run's
    # newest; the new cursor is saved with the last batch, so an interrupted run starts over -----

    streams = ("customers", "payments")

    def changes(self, stream: str, cursor: str | None) -> Iterator[Batch]:
        resource = self.client.customers if stream == "customers" else self.client.payments
        newest = cursor
        batch: list[IndexEntry] = []
        for item in self._all(lambda: resource.list(limit=PAGE_LIMIT)):
            created = str(item.get("createdAt") or "")
            if cursor and created and created < cursor:
                break  # older than the last run's newest: seen before
            newest = max(newest or "", created) or None
            batch.append(_entry(stream, item))
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
            listing = self._all(lambda: self.client.customers.list(limit=PAGE_LIMIT))
            return [c["id"] for c in listing if same_email(c.get("email"), email)]
        ids = [cst for cst, _ in self.index.records_of(email, "mollie_customer")]
        for customer in self._all(lambda: self.client.customers.list(limit=PAGE_LIMIT)):
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
        customer = self._get(lambda: self.client.customers.get(cst))
        if customer is None:
            found.notes.append(f"Mollie customer {cst} no longer exists.")
            return []
        if customer.get("id") != cst:
            raise SystemFailure(self.name, f"answered another customer for {cst}")
        found.add("mollie_customer", cst, why, dict(customer))
        sub = f"of Mollie customer {cst}"
        # Each item must name the customer itself (`customerId` or its `customer` link).
        with found.reading("mandates"):
            for mandate in self._all(lambda: customer.mandates.list(limit=PAGE_LIMIT)):
                if _owner(mandate, "customer") == cst:
                    found.add("mandate", mandate["id"], f"mandate {sub}", dict(mandate))
        with found.reading("subscriptions"):
            for item in self._all(lambda: customer.subscriptions.list(limit=PAGE_LIMIT)):
                if _owner(item, "customer") == cst:
                    found.add("subscription", item["id"], f"subscription {sub}", dict(item))
        payments: list[tuple[Any, str]] = []
        with found.reading("customer payments"):
            for payment in self._all(lambda: customer.payments.list(limit=PAGE_LIMIT)):
                if _owner(payment, "customer") == cst:
                    payments.append((payment, f"payment {sub}"))
        return payments

    def _payment(self, tr: str) -> Any:
        if tr not in self._payments:  # later rounds name payments an earlier round has read
            self._payments[tr] = self._get(lambda: self.client.payments.get(tr))
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
                refunds = [dict(r) for r in self._all(lambda: payment.refunds.list())]
            if _may_have(payment, "chargebacks", "amountChargedBack"):
                chargebacks = [dict(c) for c in self._all(lambda: payment.chargebacks.list())]
            refunds = [r for r in refunds if _owner(r, "payment") == tr]
            chargebacks = [c for c in chargebacks if _owner(c, "payment") == tr]
            self._children_of[tr] = (refunds, chargebacks)

    def _order_payments(self, ident: Identifier, found: Collected) -> list[str]:
        order = self._get(lambda: self.client.orders.get(ident.value, embed="payments"))
        if order is None:
            found.notes.append(f"Mollie order {ident.value}, named by {ident.via}, was not found.")
            return []
        return [p["id"] for p in (order.get("_embedded") or {}).get("payments", [])]

    def _all(self, first: Any) -> Iterator[Any]:
        page = self._call(first)
        seen_next: set[str] = set()
        while page is not None:
            yield from page
            if not page.has_next():
                return
            link = str(page._get_link("next"))
            if link in seen_next:
                raise SystemFailure(self.name, "pagination returned the same next link twice")
            seen_next.add(link)
            page = self._call(page.get_next)

    def _get(self, call: Any) -> Any:
        try:
            return self._call(call)
        except NotFound:
            return None

    def _call(self, call: Any) -> Any:
        try:
            return call()
        except ResponseHandlingError:
            raise SystemFailure(self.name, "answered a body that is not valid JSON") from None
        except MollieError as exc:
            raise SystemFailure(self.name, f"client error ({type(exc).__name__})") from None


def _customer_of(record: Record) -> str | None:
    """The Mollie customer a mandate or subscription belongs to (field, else its link)."""
    return _owner(record.data, "customer")


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


def _owner(item: Any, resource: str) -> str | None:
    """The id of the `resource` (customer, payment) an item names: its `<resource>Id` field,
    else the last part of its `_links.<resource>` link."""
    value = item.get(f"{resource}Id")
    if isinstance(value, str) and value:
        return value
    links = item.get("_links") or {}
    href = (links.get(resource) or {}).get("href", "") if isinstance(links, dict) else ""
    tail = str(href).rstrip("/").rsplit("/", 1)[-1]
    return tail or None


def _entry(stream: str, item: dict[str, Any]) -> IndexEntry:
    if stream == "customers":
        return IndexEntry("mollie_customer", item["id"], item.get("email"), item.get("createdAt"))
    links = [
        (kinds.MOLLIE_CUSTOMER_ID, item.get("customerId")),
        (kinds.MOLLIE_PAYMENT_ID, item["id"]),
    ]
    email = (item.get("billingAddress") or {}).get("email")
    return IndexEntry(
        "payment", item["id"], email, item.get("createdAt"),
        tuple((k, str(v)) for k, v in links if v),
    )  # fmt: skip


def _parallel(work: Callable[[Any], T], items: Iterable[Any]) -> list[T]:
    """Independent lookups four at a time, results in the order given."""
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="children") as pool:
        return list(pool.map(work, items))
