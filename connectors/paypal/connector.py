"""PayPal (REST): Transaction Search and Invoicing.

Endpoints: `POST /v1/oauth2/token` (client credentials; the token is cached until it expires and
renewed once on a 401), `GET /v1/reporting/transactions` (`fields=all`, `page_size=500`), and
`POST /v2/invoicing/search-invoices` (`recipient_email`, `page_size=100`).
Finding a person: the reporting API has no payer filter. Transaction ids the shop revealed are
looked up with `transaction_id` in a window around the order date; besides, the last 3 years (the
API's limit) are scanned in 31-day windows (its maximum range), keeping exact matches of
`payer_info.email_address` and the refunds of matched transactions (`paypal_reference_id`).
A window that answers `RESULTSET_TOO_LARGE` (over 10,000 rows) is split in two.
The minimum (`Collected.minimum`): the token, and each page answered (a window's, an id's, the
invoice search's); not a refused window, a retry or a 401's renewal: no request is ever repeated.
Rate limits: none published ("we do not publish a rate limiting policy",
developer.paypal.com/api/rest/reference/rate-limiting); 429 `RATE_LIMIT_REACHED`, retried by the
HTTP layer. We keep at most 4 requests in flight (`limits`): the scan's windows after the first
are read at once.
Quirks: transactions appear up to 3 hours after they happen. PayPal is an independent controller
for its own account holders: the package says so.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from itertools import chain
from typing import Any, ClassVar, Self

from bridge.core import kinds
from bridge.core.auth import Token, TokenAuth
from bridge.core.config import Config, Setting
from bridge.core.connector import (
    Batch,
    Collected,
    Connector,
    IndexEntry,
    Stream,
    records_in,
    require,
    same_email,
)
from bridge.core.decisions import Capability
from bridge.core.errors import SystemFailure
from bridge.core.http import HttpClient, Limits
from bridge.core.http_errors import ErrorShape
from bridge.core.models import Identifier, Record
from bridge.core.paging import DateWindows, PageNumber, TooManyResults
from bridge.core.parallel import each
from bridge.core.policy import Action, Policy
from bridge.core.steps import Step
from connectors.paypal import references
from connectors.paypal.answers import (
    matches,
    page_count,
    parsed,
    search_items,
    stamp,
    transaction_id,
    window_params,
    within,
)
from connectors.paypal.views import VIEWS

WINDOW = timedelta(days=31)
HISTORY = timedelta(days=3 * 365)
TOKEN_MARGIN_S = 60
# "It takes a maximum of three hours for executed transactions to appear"
LOOKBACK = timedelta(hours=3)


# How far outside its window a transaction may lie before the window counts as ignored: PayPal
# filters on a date the answer need not show (initiation or update).
SLACK = timedelta(days=1)
TRANSACTIONS = "/v1/reporting/transactions"
# 31-day windows (the widest range the API takes), newest first; a window answered
# RESULTSET_TOO_LARGE (over 10,000 rows) is read as two halves, down to an hour.
SCAN = DateWindows(width=WINDOW, backwards=True, smallest=timedelta(hours=1))


# PayPal's error body: `name`, `message` and per-field `details[].issue` (vendor-apis.md §4);
# the token endpoint's: `error` and `error_description`. A detail's `value` is never read.
ERRORS = ErrorShape(
    code=("name", "error"), message=("message", "error_description"), details=("details.issue",)
)


def _entry(detail: dict[str, Any]) -> IndexEntry:
    info = detail.get("transaction_info") or {}
    links = [
        (references.TRANSACTION_ID, info.get("transaction_id")),
        (references.TRANSACTION_ID, info.get("paypal_reference_id")),
        (kinds.ORDER_NUMBER, info.get("invoice_id")),
    ]
    return IndexEntry(
        "paypal_transaction",
        str(info.get("transaction_id")),
        (detail.get("payer_info") or {}).get("email_address"),
        info.get("transaction_initiation_date"),
        tuple((k, str(v)) for k, v in links if v),
    )


# The scheduled sync: 31-day windows from the cursor, looking back 3 hours for the transactions
# PayPal shows late; each window's end is the next cursor.
SYNC = {"transactions": Stream("transactions", TRANSACTIONS, DateWindows(width=WINDOW), _entry)}


class PayPalConnector(Connector):
    name = "paypal"
    title = "PayPal (payments)"
    role = "processor: payments; independent controller for its own account holders"
    settings = (
        Setting("PAYPAL_API_URL", "PayPal REST API base URL.", default="https://api-m.paypal.com"),
        Setting("PAYPAL_CLIENT_ID", "REST app client id.", secret=True),
        Setting("PAYPAL_CLIENT_SECRET", "REST app secret.", secret=True),
    )
    looks_up = frozenset({kinds.EMAIL, kinds.PAYMENT_REFERENCE})
    categories: ClassVar[dict[str, list[str]]] = {
        "paypal_transaction": ["payments", "name", "e-mail address", "addresses", "PayPal account"],
        "paypal_invoice": ["invoices", "name", "e-mail address", "addresses"],
    }
    views = VIEWS
    notes = (
        "PayPal is an independent controller for its own account holders: for the data of your "
        "PayPal account itself, ask PayPal (paypal.com > Privacy).",
        "PayPal shows a transaction up to 3 hours after it happened: one made in the last 3 hours "
        "may be missing from this package.",
        "PayPal's reporting covers the last 3 years; older PayPal payments are listed by the shop only.",
    )

    limits = Limits(concurrent=4)  # none published: a modest default

    def __init__(self, url: str, client_id: str, secret: str, now: datetime | None = None) -> None:
        self.http = HttpClient(
            self.name, url, secrets=(client_id, secret), errors=ERRORS, budget=self.limits.budget()
        )
        self._credentials = (client_id, secret)
        self.token = TokenAuth(
            self._new_token, margin_s=TOKEN_MARGIN_S, on_token=self.http.redact.add
        )
        self._now = now
        # Filled by the scan, so that transaction-id lookups in a later round need no request.
        self._refunds_by_reference: dict[str, list[dict[str, Any]]] = {}
        self._scanned: dict[str, dict[str, Any]] = {}
        self._emails: set[str] = set()
        self._refunds_seen: set[str] = set()
        self._everything: list[dict[str, Any]] | None = None  # see `_transactions`
        self._needed = 0  # requests the plan needed: the token and every page answered
        self._counting = threading.Lock()  # windows are read at once

    @classmethod
    def from_config(cls, config: Config) -> Self:
        url, client_id, secret = require(config, cls.settings, cls.name)
        return cls(url, client_id, secret)

    def claim(self, identifier: Identifier) -> Identifier | None:
        """Of the payment references, the transaction ids of orders paid with PayPal."""
        if identifier.kind == kinds.PAYMENT_REFERENCE:
            return references.claim(identifier)
        return super().claim(identifier)

    @property
    def now(self) -> datetime:
        return self._now or datetime.now(UTC)

    def check(self) -> None:
        self._authorized(
            "GET",
            "/v1/reporting/transactions",
            params=window_params(self.now - timedelta(days=1), self.now, page_size=1),
        )

    def collect(self, identifiers: Sequence[Identifier]) -> Collected:
        found, before = Collected(), self._needed
        emails = [i.value for i in identifiers if i.kind == kinds.EMAIL]
        tids = {i.value: i for i in identifiers if i.kind == references.TRANSACTION_ID}
        for email in emails:
            self._scan(email, found)
            with found.reading("invoices"):
                self._invoices(email, found)
        for ident in tids.values():
            with found.reading("transactions by id"):
                self._lookup(ident, found)
        found.need(self._needed - before)
        return found

    # -- erasure: PayPal has no API for it: its records are kept by PayPal, and a request is
    # prepared ----------------------------------------------------------------------------------

    _kept = (
        "PayPal keeps its transaction records itself and offers no API to erase them; the shop "
        "asks PayPal to restrict them (see the manual step)"
    )
    _basis = "PayPal's own legal duties as a payment processor; the shop's copy under art. 52 AWR"
    capabilities: ClassVar[dict[str, Capability]] = {
        "paypal_transaction": Capability(
            date="transaction_info.transaction_initiation_date", keeps=_kept, basis=_basis
        ),
        "paypal_invoice": Capability(date="detail.invoice_date", keeps=_kept, basis=_basis),
    }

    def plan_erasure(self, records: Sequence[Record], policy: Policy, today: date) -> list[Step]:
        steps = [self.step(r, self.decide(r, policy, today), policy) for r in records]
        if records:
            ids = sorted(r.id for r in records)
            steps.append(
                Step(
                    system=self.name,
                    record_type="erasure_request",
                    record_id="paypal",
                    action=Action.manual,
                    operation="manual",
                    reason="PayPal has no erasure API, and is an independent controller for its own "
                    "account holders",
                    instruction=(
                        "Send this request to PayPal's merchant support (paypal.com > Help > Contact, "
                        'as the merchant account): "Under art. 17 and 19 GDPR our customer has asked '
                        "us to erase their personal data. Please erase, or restrict where you must keep "
                        "them, the personal data in the following transactions and invoices of our "
                        f'account: {", ".join(ids)}." Tell the customer that for their own PayPal '
                        "account they must ask PayPal directly."
                    ),
                )
            )
        return steps

    # -- transactions -------------------------------------------------------------------------

    def _scan(self, email: str, found: Collected) -> None:
        """Every window of the last 3 years, newest first; exact payer e-mail matches. With an
        index: the indexed transactions by id, and a scan only of the time since its sync."""
        self._emails.add(email)
        matched: list[dict[str, Any]] = []
        latest = self.now
        oldest = self.now - HISTORY + timedelta(days=1)
        synced = self.index.cursors.get("transactions") if self.index else None
        if self.index is not None and synced:
            oldest = max(oldest, (parsed(synced) or self.now) - LOOKBACK)
            found.lookup.append(
                f"transactions: index (synced {self.index.synced_at}) and a scan since"
            )
            for tid, when in self.index.records_of(email, "paypal_transaction"):
                matched += self._by_id(tid, when)
        else:
            found.lookup.append("transactions: live scan of 31-day windows over 3 years (no index)")
        windows = list(SCAN.windows(oldest, latest))
        # The newest window first, alone: it shows whether the server honours windows at all
        # (`_transactions`); the others are independent reads, at once up to our limit.
        read = [list(self._transactions(*windows[0]))] if windows else []
        read += each(lambda w: list(self._transactions(*w)), windows[1:], self.limits.concurrent)
        for detail in chain.from_iterable(read):
            info = detail.get("transaction_info") or {}
            ref = info.get("paypal_reference_id")
            if ref:
                self._refunds_by_reference.setdefault(ref, []).append(detail)
            if same_email((detail.get("payer_info") or {}).get("email_address"), email):
                matched.append(detail)
        for detail in matched:
            tid = detail["transaction_info"]["transaction_id"]
            self._scanned[tid] = detail
            found.add("paypal_transaction", tid, "e-mail address of the PayPal payer", detail)
            self._add_refunds(tid, found)

    def _lookup(self, ident: Identifier, found: Collected) -> None:
        when = parsed(ident.context.get("date", "")) or self.now
        if when < self.now - HISTORY:
            found.notes.append(
                f"PayPal transaction {ident.value} ({ident.via}) is older than the 3 years "
                "PayPal's reporting covers."
            )
            return
        if ident.value in self._scanned:
            hits = [self._scanned[ident.value]]
        else:
            hits = self._by_id(ident.value, ident.context.get("date"))
        if not hits:
            found.notes.append(f"PayPal transaction {ident.value} ({ident.via}) was not found.")
        for detail in hits:
            payer = (detail.get("payer_info") or {}).get("email_address")
            why = f"transaction {ident.value}, named by {ident.via}"
            if payer and not any(same_email(payer, e) for e in self._emails):
                why += "; paid from a PayPal account with another e-mail address"
                found.notes.append(
                    f"Transaction {ident.value} was paid from a PayPal account whose e-mail "
                    "address differs from yours; the shop's order links it to you."
                )
            found.add("paypal_transaction", ident.value, why, detail)
            self._add_refunds(ident.value, found)

    def _by_id(self, tid: str, date_known: str | None) -> list[dict[str, Any]]:
        """One transaction by id, in a window from just before the date it is known by.
        `transaction_id` only narrows: the answer must be that very transaction."""
        when = parsed(date_known or "") or self.now
        start = max(when - timedelta(days=2), self.now - HISTORY + timedelta(days=1))
        end = min(start + WINDOW, self.now)
        found = self._transactions(start, end, transaction_id=tid)
        return [d for d in found if transaction_id(d) == tid][:1]

    # -- the scheduled sync: the stream declared in SYNC -----------------------------------------

    streams = tuple(SYNC)

    def changes(self, stream: str, cursor: str | None) -> Iterator[Batch]:
        declared = SYNC[stream]
        now = self.now  # fixed for the run: the last window ends here
        start = (parsed(cursor) or now) - LOOKBACK if cursor else now - HISTORY + timedelta(days=1)
        for lower, upper in declared.paging.windows(start, now):
            entries = [declared.entry(d) for d in self._transactions(lower, upper)]
            yield Batch(entries, stamp(upper))

    def _add_refunds(self, tid: str, found: Collected) -> None:
        if self.index is not None and self.index.cursors.get("transactions"):
            for rid, when in self.index.linked(
                references.TRANSACTION_ID, tid, "paypal_transaction"
            ):
                if rid != tid and rid not in self._refunds_seen:
                    self._refunds_seen.add(rid)
                    self._refunds_by_reference.setdefault(tid, []).extend(self._by_id(rid, when))
        for refund in self._refunds_by_reference.get(tid, []):
            rid = refund["transaction_info"]["transaction_id"]
            found.add("paypal_transaction", rid, f"refund of PayPal transaction {tid}", refund)

    def _transactions(
        self, start: datetime, end: datetime, **extra: str
    ) -> Iterator[dict[str, Any]]:
        """The transactions of a window. The window only narrows: a server seen answering
        transactions far outside it is taken to ignore it, and what it answered (all it has) is
        kept and windowed here, instead of reading everything again for every window."""
        if self._everything is not None:
            yield from (d for d in self._everything if within(d, start, end) and matches(d, extra))
            return
        details = list(self._read(start, end, **extra))
        if not extra and any(not within(d, start - SLACK, end + SLACK) for d in details):
            self._everything = details
        yield from (d for d in details if within(d, start - SLACK, end + SLACK))

    def _read(self, start: datetime, end: datetime, **extra: str) -> Iterator[dict[str, Any]]:
        """A window's transactions; one answered `RESULTSET_TOO_LARGE` is read as two halves."""
        return SCAN.read(start, end, lambda lower, upper: self._window(lower, upper, **extra))

    def _window(self, start: datetime, end: datetime, **extra: str) -> Iterator[dict[str, Any]]:
        """One window's transactions, page by page until `total_pages`."""

        def fetch(page: int) -> tuple[list[Any], int | None]:
            params = window_params(start, end, page=page, **extra)
            response = self._authorized("GET", TRANSACTIONS, params=params, allow=(400,))
            body = self.http.parse(response)
            if response.status_code == 400:
                if body and body.get("name") == "RESULTSET_TOO_LARGE":
                    raise TooManyResults(self.http.refusal(response))
                raise self.http.refusal(response)
            listed = search_items(body, "transaction_details", "transactions")
            return listed, page_count(body.get("total_pages"), "transactions")

        return PageNumber().items(fetch, self.name, TRANSACTIONS)

    # -- invoices -----------------------------------------------------------------------------

    def _invoices(self, email: str, found: Collected) -> None:
        path = "/v2/invoicing/search-invoices"

        def fetch(page: int) -> tuple[list[Any], int | None]:
            response = self._authorized(
                "POST",
                path,
                params={"page": page, "page_size": 100, "total_required": "true"},
                json_body={"recipient_email": email},
                read=True,  # a search: repeated when its answer is doubtful
            )
            body = self.http.parse(response)
            invoices = records_in(search_items(body, "items", "invoices"), self.name, "invoices")
            return invoices, page_count(body.get("total_pages"), "invoices")

        for invoice in PageNumber().items(fetch, self.name, path):
            recipients = invoice.get("primary_recipients") or []
            if any(
                same_email((r.get("billing_info") or {}).get("email_address"), email)
                for r in recipients
            ):
                found.add(
                    "paypal_invoice",
                    invoice["id"],
                    "e-mail address of the invoice's recipient",
                    invoice,
                )

    # -- auth ---------------------------------------------------------------------------------

    def _authorized(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.token.send(
            lambda auth: self.http.request(method, path, headers=auth, **kwargs)
        )
        self._count(response.status_code < 400)
        return response

    def _count(self, requests: int) -> None:
        with self._counting:
            self._needed += requests

    def _new_token(self) -> Token:
        """OAuth2 client credentials: a token that lives `expires_in` seconds."""
        self._count(1)
        body = self.http.json(
            "POST",
            "/v1/oauth2/token",
            data={"grant_type": "client_credentials"},
            auth=self._credentials,
            read=True,  # a new token changes nothing: repeated when in doubt
        )
        if not isinstance(body, dict) or not body.get("access_token"):
            raise SystemFailure(self.name, "token endpoint gave no access_token")
        lifetime = str(body.get("expires_in", ""))
        return Token(str(body["access_token"]), float(lifetime) if lifetime.isdigit() else None)
