"""WooCommerce (REST API wc/v3), signed by the official `woocommerce` package (`client.py`).

Endpoints: `customers?email=&role=all`, `customers/<id>/downloads`, `orders?customer=<id>`,
`orders?search=<e-mail>` (free text: every hit is checked on `billing.email`), `orders/<id>/notes`,
`orders/<id>/refunds`, `products/reviews?reviewer_email=` and `?reviewer=<id>` with the statuses
`all`, `spam` and `trash` (`all` leaves the last two out); WooCommerce Analytics' customer lookup
`wc-analytics/reports/customers?search=<e-mail>&searchby=email` (read-only: its rows are removed
by WooCommerce when an account is deleted, and otherwise by hand).
Every filter only narrows: an order is kept when its own `customer_id` is the person's account or
its `billing.email` is their address; a review when its `reviewer_email` is (a review shows no
account id, so `?reviewer=` alone proves nothing); an Analytics row by its `email` or `user_id`.
Paging: `per_page=100` (the maximum; 400 beyond), `page` until `X-WP-TotalPages`.
Rate limits: none in WooCommerce's wc/v3 itself (vendor-apis.md §1: its optional rate limiting is
the Store API's); hosts and WAFs send 429s, which the HTTP layer retries. A self-hosted shop is
spared: at most 4 requests in flight (`limits`), the notes and refunds of its orders read at once.
Auth: over https, Basic auth; over plain http, OAuth 1.0a signed by the official package against
the site's exact home URL (so `WOOCOMMERCE_URL` must be the URL the site is installed under), sent
through our pooled session (`client.py`, `benchmarks/woocommerce_connections.py`). What an order
reveals for the payment providers: `links.py`. The erasure: `erasure.py`; in batches of 100
and read back in as few calls as the API allows: `batch.py`. Order notes and a download's URL can carry
personal data, and do go into the package. Addresses: WordPress stores one only when its
`is_email()` accepts it, which allows ASCII only; the core refuses any other address it is given.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar, Self

import requests

from bridge.core import kinds
from bridge.core.config import Config, Setting
from bridge.core.connector import (
    Batch,
    Collected,
    Connector,
    IndexEntry,
    Stream,
    batches,
    require,
    same_email,
)
from bridge.core.errors import SystemFailure
from bridge.core.http import HttpClient, Limits
from bridge.core.models import Identifier, Record
from bridge.core.paging import Page, PageNumber, total
from bridge.core.parallel import each
from bridge.core.policy import Action, Policy
from bridge.core.steps import Step
from connectors.woocommerce import batch, erasure
from connectors.woocommerce.client import ERRORS, Rest, records
from connectors.woocommerce.links import order_links
from connectors.woocommerce.reviews import collect_reviews
from connectors.woocommerce.views import VIEWS

PER_PAGE = 100
LISTING = PageNumber()  # `page` until X-WP-TotalPages says it is the last, or an empty page
CUSTOMER_REREAD = timedelta(hours=20)  # customers have no date filter: re-read them daily


def _customer_id(order: dict[str, Any]) -> int | None:
    value = order.get("customer_id")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return int(value) if isinstance(value, str) and value.isdigit() else None


def _order_entry(item: dict[str, Any]) -> IndexEntry:
    links = tuple((kind, value) for kind, value, *_ in order_links(item))
    links += ((kinds.SHOP_CUSTOMER_ID, str(item.get("customer_id") or "")),)
    return IndexEntry(
        "order", str(item["id"]), (item.get("billing") or {}).get("email"),
        item.get("date_created_gmt"), tuple(link for link in links if link[1] not in ("", "0")),
    )  # fmt: skip


def _review_entry(item: dict[str, Any]) -> IndexEntry:
    return IndexEntry(
        "review", str(item["id"]), item.get("reviewer_email"), item.get("date_created_gmt")
    )


def _customer_entry(item: dict[str, Any]) -> IndexEntry:
    return IndexEntry("customer", str(item["id"]), item.get("email"), item.get("date_created_gmt"))


# The scheduled sync: orders by modification date, reviews by creation date, customers (no date
# filter) in full at most once a day, reading only the fields the index needs.
SYNC = {
    s.name: s
    for s in (
        Stream(
            "orders", "orders", PageNumber(size=PER_PAGE), _order_entry,
            cursor_field="date_modified_gmt", since="modified_after",
            params={"orderby": "modified", "order": "asc"},
        ),
        Stream(
            "reviews", "products/reviews", PageNumber(size=PER_PAGE), _review_entry,
            cursor_field="date_created_gmt", since="after",
            params={"orderby": "date_gmt", "order": "asc", "status": "all"},
        ),
        Stream(
            "customers", "customers", PageNumber(size=PER_PAGE), _customer_entry,
            params={"role": "all", "orderby": "id", "order": "asc",
                    "_fields": "id,email,date_created_gmt"},
        ),
    )
}  # fmt: skip


def _total_pages(response: requests.Response) -> int | None:
    """WordPress's page count: `X-WP-TotalPages: 3`."""
    return total(response.headers.get("X-WP-TotalPages"))


class WooCommerceConnector(Connector):
    name = "woocommerce"
    title = "WooCommerce (webshop)"
    role = "platform"
    settings = (
        Setting("WOOCOMMERCE_URL", "The shop's home URL, exactly as WordPress has it installed."),
        Setting(
            "WOOCOMMERCE_CONSUMER_KEY", "REST API consumer key (ck_…), read access.", secret=True
        ),
        Setting("WOOCOMMERCE_CONSUMER_SECRET", "REST API consumer secret (cs_…).", secret=True),
    )
    looks_up = frozenset({kinds.EMAIL})
    reveals = frozenset({kinds.SHOP_CUSTOMER_ID, kinds.ORDER_NUMBER, kinds.PAYMENT_REFERENCE})
    categories: ClassVar[dict[str, list[str]]] = {
        "customer": ["identity", "contact details", "addresses", "account"],
        "order": ["orders", "addresses", "contact details", "payment method", "IP address"],
        "order_note": ["order history", "communication"],
        "refund": ["payments"],
        "download": ["purchased downloads"],
        "review": ["reviews", "name", "e-mail address"],
        "analytics_customer": ["identity", "addresses", "e-mail address", "order statistics"],
    }
    views = VIEWS
    capabilities = erasure.CAPABILITIES
    batch_operations = batch.BATCHED
    limits = Limits(concurrent=4)  # self-hosted: no documented limit, a modest default

    def __init__(self, url: str, key: str, secret: str) -> None:
        self.http = HttpClient(
            self.name, url, secrets=(key, secret), errors=ERRORS, budget=self.limits.budget()
        )
        self.api = Rest(self.http, url, key, secret)
        self.analytics = Rest(self.http, url, key, secret, namespace="wc-analytics")
        self._pages_read = 0  # pages of listings read (the minimum counts each once: collect)

    @classmethod
    def from_config(cls, config: Config) -> Self:
        return cls(*require(config, cls.settings, cls.name))

    def check(self) -> None:
        self.api.get("customers", params={"per_page": 1, "role": "all"})

    def collect(self, identifiers: Sequence[Identifier]) -> Collected:
        """The minimum: each page of each listing read (a listing whose filter is ignored is
        read whole once, and matched locally for every later query), a customer's downloads,
        and per order its notes, and its refunds where it lists some (or does not say)."""
        found, before = Collected(), self._pages_read
        for ident in identifiers:
            if ident.kind == kinds.EMAIL:
                self._collect_email(ident.value, found)
        found.need(self._pages_read - before)
        return found

    def _collect_email(self, email: str, found: Collected) -> None:
        customers = [
            c
            for c in self._list("customers", {"email": email, "role": "all"})
            if same_email(c.get("email"), email)
        ]
        orders: dict[int, tuple[dict[str, Any], str]] = {}
        every: list[dict[str, Any]] | None = None  # all orders: a filter answered them all
        for customer in customers:
            cid = customer["id"]
            found.add("customer", cid, "e-mail address of the shop account", customer)
            found.reveal(kinds.SHOP_CUSTOMER_ID, cid, f"shop customer {cid}")
            # `customer` only narrows: the order itself must name the account
            listed = every if every is not None else self._list("orders", {"customer": cid})
            if any(_customer_id(o) != cid for o in listed):
                every = listed  # the filter is ignored: this is every order, read once
            for order in listed:
                if _customer_id(order) == cid:
                    orders[order["id"]] = (order, f"order of shop customer {cid}")
            found.need(1, "the customer's downloads")
            for download in self._list(f"customers/{cid}/downloads", paged=False):
                found.add(
                    "download",
                    f"{cid}:{download.get('download_id')}:{download.get('order_id')}",
                    f"download of shop customer {cid}",
                    download,
                )
        for order in every if every is not None else self._list("orders", {"search": email}):
            if order["id"] not in orders and same_email(
                order.get("billing", {}).get("email"), email
            ):
                orders[order["id"]] = (order, "e-mail address on the order (billing)")
        self._collect_orders(list(orders.values()), found)
        collect_reviews(self._list, email, [c["id"] for c in customers], found)
        with found.reading("analytics customers"):
            self._collect_analytics(email, {c["id"] for c in customers}, found)

    def _collect_analytics(self, email: str, accounts: set[int], found: Collected) -> None:
        """WooCommerce Analytics' copy of the person (`wc_customer_lookup`): a row per account,
        and a row per address used at a guest checkout. `search` only narrows: a row is the
        person's by its own `email`, or by its `user_id` being one of their accounts."""

        def fetch(page: int) -> tuple[list[Any], int | None]:
            self._pages_read += 1
            query = {"search": email, "searchby": "email", "per_page": PER_PAGE, "page": page}
            response = self.analytics.get("reports/customers", params=query)
            rows = self._json(response)
            if not isinstance(rows, list):
                raise SystemFailure(self.name, "unexpected answer to reports/customers")
            return rows, _total_pages(response)

        for row in LISTING.items(fetch, self.name, "reports/customers"):
            if not isinstance(row, dict):
                continue
            if same_email(row.get("email"), email):
                why = "e-mail address of the Analytics customer"
            elif row.get("user_id") in accounts:
                why = f"Analytics customer of shop customer {row['user_id']}"
            else:
                continue
            found.add("analytics_customer", row["id"], why, row)

    def _collect_orders(self, orders: list[tuple[dict[str, Any], str]], found: Collected) -> None:
        def children(order: dict[str, Any]) -> tuple[list[Any], list[Any]]:
            oid = order["id"]
            notes = self._list(f"orders/{oid}/notes", paged=False)
            # An order lists its refunds (`refunds`, documented in wc/v3): an empty list needs
            # no request; a missing one is read to be sure.
            if order.get("refunds") == []:
                return notes, []
            return notes, self._list(f"orders/{oid}/refunds", paged=False)

        found.need(sum(1 + (o.get("refunds") != []) for o, _ in orders), "notes and refunds")
        fetched = each(children, [o for o, _ in orders], self.limits.concurrent)
        for (order, why), (notes, refunds) in zip(orders, fetched, strict=True):
            number = str(order.get("number") or order["id"])
            found.add("order", order["id"], why, order)
            for note in notes:
                found.add(
                    "order_note", f"{order['id']}:{note['id']}", f"note on order {number}", note
                )
            for refund in refunds:
                found.add("refund", refund["id"], f"refund of order {number}", refund)
            self._reveal_order(order, number, found)

    def _reveal_order(self, order: dict[str, Any], number: str, found: Collected) -> None:
        via = f"shop order {number}"
        when = str(order.get("date_paid_gmt") or order.get("date_created_gmt") or "")
        for kind, value, where, context in order_links(order):
            found.reveal(kind, value, f"{via}{where}", date=when, **context)

    # -- the scheduled sync: the streams declared in SYNC ----------------------------------------

    streams = tuple(SYNC)

    def changes(self, stream: str, cursor: str | None) -> Iterator[Batch]:
        declared = SYNC[stream]
        if declared.cursor_field is None:
            yield from self._reread(declared, cursor)
            return
        query = dict(declared.params)
        # one second back: equal timestamps on both sides of a page break
        if cursor and declared.since:
            since = (datetime.fromisoformat(cursor) - timedelta(seconds=1)).isoformat(
                timespec="seconds"
            )
            query[declared.since] = since
            query["dates_are_gmt"] = "true"
        yield from batches(declared, self._pages(declared.path, query, declared.paging), cursor)

    def _reread(self, stream: Stream[PageNumber], cursor: str | None) -> Iterator[Batch]:
        """A stream without a date filter, read whole at most every CUSTOMER_REREAD; the time
        of a full read becomes the cursor once it is complete."""
        now = datetime.now(UTC)
        if cursor and now - datetime.fromisoformat(cursor) < CUSTOMER_REREAD:
            return
        for page in self._pages(stream.path, stream.params, stream.paging):
            yield Batch(
                [stream.entry(c) for c in page.items],
                now.isoformat(timespec="seconds") if page.last else cursor,
            )

    # -- erasure ------------------------------------------------------------------------------

    def plan_erasure(self, records: Sequence[Record], policy: Policy, today: date) -> list[Step]:
        return erasure.plan_steps(self.name, self.title, records, policy, today)

    def apply(self, step: Step, policy: Policy) -> str:
        path = erasure.endpoint(step)
        try:
            if step.operation == "put_order":
                if step.params.get("all_meta"):  # an expired retention: every meta key goes
                    order = self._json(self.api.get(path)) or {}
                    keys = {str(m.get("key")) for m in order.get("meta_data") or []}
                    step = step.model_copy(
                        update={"params": {"meta": sorted(keys | set(step.params["meta"]))}}
                    )
                self.api.put(path, erasure.order_payload(step, policy))
                return "restricted and stripped" if step.action.value == "retain" else "anonymised"
            self.api.delete(path, params={"force": "true"})
            return "deleted"
        except SystemFailure as exc:
            if erasure.gone(exc):
                return "already gone"
            raise

    def expire(self, step: Step, policy: Policy) -> Step:
        """An order whose term ended: anonymised (or deleted) as the policy now says."""
        decision = self.ended(step, policy)
        if step.record_type == "order" and decision.how == "anonymise":
            return erasure.expired_order(step)
        if step.record_type == "order" and decision.how == "delete":
            return step.model_copy(
                update={
                    "action": Action.delete,
                    "operation": "delete_order",
                    "until": None,
                    "fields": [],
                    "kept": [],
                    "removed": [],
                    "params": {},
                    "reason": f"the fiscal term of order {step.record_id} ended on "
                    f"{step.until}: deleted, as the policy says",
                }
            )
        return super().expire(step, policy)

    def address_of(self, record_type: str, record_id: str) -> str | None:
        if record_type not in ("customer", "order"):
            return None
        path = f"{record_type}s/{record_id}"
        try:
            record = self._json(self.api.get(path)) or {}
        except SystemFailure as exc:
            if erasure.gone(exc):
                return None
            raise
        email = (
            record.get("email")
            if record_type == "customer"
            else (record.get("billing") or {}).get("email")
        )
        return str(email) if email else None

    def apply_batch(self, steps: Sequence[Step], policy: Policy) -> dict[str, str | Exception]:
        return batch.apply(self, steps, policy)

    def fetch_many(self, steps: Sequence[Step]) -> dict[str, dict[str, Any] | Exception | None]:
        return batch.read_back(self, steps)

    def fetch(self, step: Step) -> dict[str, Any] | None:
        try:
            record = self._json(self.api.get(erasure.endpoint(step)))
        except SystemFailure as exc:
            if erasure.gone(exc):
                return None
            raise
        return erasure.verifiable(step, record) if isinstance(record, dict) else None

    def _list(
        self, endpoint: str, params: dict[str, Any] | None = None, *, paged: bool = True
    ) -> list[Any]:
        if not paged:
            body = self._json(self.api.get(endpoint, params=dict(params or {})))
            return records(body, endpoint)
        return [i for page in self._pages(endpoint, params or {}) for i in page.items]

    def _pages(
        self, endpoint: str, params: Mapping[str, Any], paging: PageNumber = LISTING
    ) -> Iterator[Page[Any]]:
        """A listing `per_page=100`, `page` until `X-WP-TotalPages` (or as `paging` says)."""

        def fetch(page: int) -> tuple[list[Any], int | None]:
            self._pages_read += 1
            query = {**params, "per_page": PER_PAGE, "page": page}
            response = self.api.get(endpoint, params=query)
            return records(self._json(response), endpoint), _total_pages(response)

        return paging.pages(fetch, self.name, endpoint)

    def _json(self, response: requests.Response) -> Any:
        return self.http.parse(response)
