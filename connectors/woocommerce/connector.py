"""WooCommerce (REST API wc/v3), on the official `woocommerce` client.

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
Rate limits: none in WooCommerce itself; hosts and WAFs send 429s, which the HTTP layer retries.
Auth: over https, Basic auth; over plain http, OAuth 1.0a signed by the official client against
the site's exact home URL (so `WOOCOMMERCE_URL` must be the URL the site is installed under).
Quirks: the client opens a new connection per call; we keep its URL building and signing but send
through our pooled session (see `benchmarks/woocommerce_connections.py`). Order notes and a
download's URL can carry personal data, and do go into the package.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar, Self

import requests
from requests.auth import HTTPBasicAuth
from woocommerce import API

from bridge.core import kinds
from bridge.core.config import Config, Setting
from bridge.core.connector import (
    Batch,
    Collected,
    Connector,
    IndexEntry,
    pages,
    records_in,
    require,
    same_email,
)
from bridge.core.errors import SystemFailure
from bridge.core.http import HttpClient
from bridge.core.models import Identifier, Record
from bridge.core.policy import Action, Policy
from bridge.core.steps import Step
from connectors.woocommerce import erasure

PER_PAGE = 100
REVIEW_STATUSES = ("all", "spam", "trash")
CUSTOMER_REREAD = timedelta(hours=20)  # customers have no date filter: re-read them daily

# What the payment plugins store on an order (vendor-apis.md §8): method prefix -> id kind.
_TRANSACTION_KINDS: tuple[tuple[str, Callable[[str], str | None]], ...] = (
    (
        "mollie_wc_gateway_",
        lambda tid: kinds.MOLLIE_ORDER_ID if tid.startswith("ord_") else kinds.MOLLIE_PAYMENT_ID,
    ),
    ("ppcp-", lambda tid: kinds.PAYPAL_TRANSACTION_ID),
)
_META_KINDS = {
    "_mollie_payment_id": kinds.MOLLIE_PAYMENT_ID,
    "_mollie_order_id": kinds.MOLLIE_ORDER_ID,
    "_mollie_customer_id": kinds.MOLLIE_CUSTOMER_ID,
    "_ppcp_paypal_order_id": kinds.PAYPAL_ORDER_ID,
}


def wp_error(response: requests.Response) -> str:
    """WordPress's error body: `{"code": "...", "message": "...", "data": {"status": N}}`."""
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    if not isinstance(body, dict):
        return f"HTTP {response.status_code}"
    return f"HTTP {response.status_code} {body.get('code', '')}: {body.get('message', '')}"


def _records(body: Any, endpoint: str) -> list[dict[str, Any]]:
    """A listing's records: a JSON array of objects with an id (downloads carry
    `download_id`); anything else is a failure of that listing, never an empty one."""
    what = endpoint.split("?")[0]
    if isinstance(body, list) and all(isinstance(i, dict) and "download_id" in i for i in body):
        return body
    return records_in(body, "woocommerce", what)


def _customer_id(order: dict[str, Any]) -> int | None:
    value = order.get("customer_id")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return int(value) if isinstance(value, str) and value.isdigit() else None


def order_links(order: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(kind, value, where) of the identifiers an order reveals for the next systems."""
    links = [(kinds.ORDER_NUMBER, str(order.get("number") or order["id"]), "")]
    method = str(order.get("payment_method") or "")
    tid = str(order.get("transaction_id") or "")
    for prefix, kind_of in _TRANSACTION_KINDS:
        kind = kind_of(tid) if tid and method.startswith(prefix) else None
        if kind:
            links.append((kind, tid, f" ({method})"))
    prefixed = kinds.by_prefix(tid)
    if prefixed and not any(value == tid for _, value, _ in links):
        links.append((prefixed, tid, f" ({method or 'transaction id'})"))
    for meta in order.get("meta_data") or []:
        kind = _META_KINDS.get(str(meta.get("key")))
        if kind and isinstance(meta.get("value"), str) and meta["value"]:
            links.append((kind, meta["value"], f" (meta {meta['key']})"))
    return links


class _PooledAPI(API):
    """The official client, sending through our session instead of a new connection per call."""

    def __init__(
        self, http: HttpClient, url: str, key: str, secret: str, version: str = "wc/v3"
    ) -> None:
        super().__init__(url=url, consumer_key=key, consumer_secret=secret, version=version)
        self.http = http

    def _API__request(  # the client's private hook; name-mangled form of `__request`
        self, method: str, endpoint: str, data: Any, params: dict[str, Any] | None = None
    ) -> requests.Response:
        url = self._API__get_url(endpoint)
        params = dict(params or {})
        if self.is_ssl and not self.query_string_auth:
            return self.http.request(
                method, url, params=params, json_body=data, auth=HTTPBasicAuth(*self._keys())
            )
        if self.is_ssl:
            params.update(zip(("consumer_key", "consumer_secret"), self._keys(), strict=True))
            return self.http.request(method, url, params=params, json_body=data)
        return self.http.request(
            method,
            url,
            params=params,
            json_body=data,
            sign=lambda m, u: self._API__get_oauth_url(u, m),
        )

    def _keys(self) -> tuple[str, str]:
        return (self.consumer_key, self.consumer_secret)


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
    reveals = frozenset(
        {
            kinds.SHOP_CUSTOMER_ID,
            kinds.ORDER_NUMBER,
            kinds.MOLLIE_PAYMENT_ID,
            kinds.MOLLIE_ORDER_ID,
            kinds.MOLLIE_CUSTOMER_ID,
            kinds.PAYPAL_TRANSACTION_ID,
            kinds.PAYPAL_ORDER_ID,
        }
    )
    categories: ClassVar[dict[str, list[str]]] = {
        "customer": ["identity", "contact details", "addresses", "account"],
        "order": ["orders", "addresses", "contact details", "payment method", "IP address"],
        "order_note": ["order history", "communication"],
        "refund": ["payments"],
        "download": ["purchased downloads"],
        "review": ["reviews", "name", "e-mail address"],
        "analytics_customer": ["identity", "addresses", "e-mail address", "order statistics"],
    }
    capabilities = erasure.CAPABILITIES

    def __init__(self, url: str, key: str, secret: str) -> None:
        self.http = HttpClient(self.name, url, secrets=(key, secret), error_message=wp_error)
        self.api = _PooledAPI(self.http, url, key, secret)
        self.analytics = _PooledAPI(self.http, url, key, secret, version="wc-analytics")

    @classmethod
    def from_config(cls, config: Config) -> Self:
        return cls(*require(config, cls.settings, cls.name))

    def check(self) -> None:
        self.api.get("customers", params={"per_page": 1, "role": "all"})

    def collect(self, identifiers: Sequence[Identifier]) -> Collected:
        found = Collected()
        for ident in identifiers:
            if ident.kind == kinds.EMAIL:
                self._collect_email(ident.value, found)
        return found

    def _collect_email(self, email: str, found: Collected) -> None:
        customers = [
            c
            for c in self._list("customers", {"email": email, "role": "all"})
            if same_email(c.get("email"), email)
        ]
        orders: dict[int, tuple[dict[str, Any], str]] = {}
        for customer in customers:
            cid = customer["id"]
            found.add("customer", cid, "e-mail address of the shop account", customer)
            found.reveal(kinds.SHOP_CUSTOMER_ID, cid, f"shop customer {cid}")
            # `customer` only narrows: the order itself must name the account
            for order in self._list("orders", {"customer": cid}):
                if _customer_id(order) == cid:
                    orders[order["id"]] = (order, f"order of shop customer {cid}")
            for download in self._list(f"customers/{cid}/downloads", paged=False):
                found.add(
                    "download",
                    f"{cid}:{download.get('download_id')}:{download.get('order_id')}",
                    f"download of shop customer {cid}",
                    download,
                )
        for order in self._list("orders", {"search": email}):
            if order["id"] not in orders and same_email(
                order.get("billing", {}).get("email"), email
            ):
                orders[order["id"]] = (order, "e-mail address on the order (billing)")
        self._collect_orders(list(orders.values()), found)
        self._collect_reviews(email, [c["id"] for c in customers], found)
        with found.reading("analytics customers"):
            self._collect_analytics(email, {c["id"] for c in customers}, found)

    def _collect_analytics(self, email: str, accounts: set[int], found: Collected) -> None:
        """WooCommerce Analytics' copy of the person (`wc_customer_lookup`): a row per account,
        and a row per address used at a guest checkout. `search` only narrows: a row is the
        person's by its own `email`, or by its `user_id` being one of their accounts."""

        def fetch(page: int) -> tuple[list[Any], int | None]:
            query = {"search": email, "searchby": "email", "per_page": PER_PAGE, "page": page}
            response = self.analytics.get("reports/customers", params=query)
            total = response.headers.get("X-WP-TotalPages")
            rows = self._json(response)
            if not isinstance(rows, list):
                raise SystemFailure(self.name, "unexpected answer to reports/customers")
            return rows, int(total) if total and total.isdigit() else None

        for row in pages(fetch, self.name):
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

        with ThreadPoolExecutor(max_workers=4, thread_name_prefix="children") as pool:
            fetched = list(pool.map(children, [o for o, _ in orders]))
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
        for kind, value, where in order_links(order):
            found.reveal(kind, value, f"{via}{where}", date=when)

    # -- the scheduled sync: orders by modification date, reviews by creation date, customers
    # (no date filter) in full at most once a day, reading only the fields the index needs ------

    streams = ("orders", "reviews", "customers")

    def changes(self, stream: str, cursor: str | None) -> Iterator[Batch]:
        if stream == "customers":
            yield from self._customer_changes(cursor)
            return
        date_field = "date_modified_gmt" if stream == "orders" else "date_created_gmt"
        query: dict[str, Any] = {
            "orderby": "modified" if stream == "orders" else "date_gmt",
            "order": "asc",
        }
        if stream == "reviews":
            query["status"] = "all"
        if cursor:  # one second back: equal timestamps on both sides of a page break
            since = (datetime.fromisoformat(cursor) - timedelta(seconds=1)).isoformat(
                timespec="seconds"
            )
            query["modified_after" if stream == "orders" else "after"] = since
            query["dates_are_gmt"] = "true"
        endpoint = "orders" if stream == "orders" else "products/reviews"
        page, total = 1, 1
        while page <= total:
            response = self.api.get(endpoint, params={**query, "per_page": PER_PAGE, "page": page})
            items = _records(self._json(response), endpoint)
            header = response.headers.get("X-WP-TotalPages", "")
            total = (
                int(header) if header.isdigit() else (page + 1 if len(items) == PER_PAGE else page)
            )
            stamps = [str(i.get(date_field) or "") for i in items]
            cursor = max([cursor or "", *stamps]) or None
            yield Batch([self._entry(stream, i) for i in items], cursor)
            page += 1

    def _customer_changes(self, cursor: str | None) -> Iterator[Batch]:
        now = datetime.now(UTC)
        if cursor and now - datetime.fromisoformat(cursor) < CUSTOMER_REREAD:
            return
        query = {
            "role": "all",
            "orderby": "id",
            "order": "asc",
            "_fields": "id,email,date_created_gmt",
        }
        page, total = 1, 1
        while page <= total:
            response = self.api.get(
                "customers", params={**query, "per_page": PER_PAGE, "page": page}
            )
            items = _records(self._json(response), "customers")
            header = response.headers.get("X-WP-TotalPages", "")
            total = int(header) if header.isdigit() else page + (len(items) == PER_PAGE)
            done = page >= total
            # the time of this full read becomes the cursor once it is complete
            yield Batch(
                [self._entry("customers", c) for c in items],
                now.isoformat(timespec="seconds") if done else cursor,
            )
            page += 1

    @staticmethod
    def _entry(stream: str, item: dict[str, Any]) -> IndexEntry:
        if stream == "orders":
            links = tuple((kind, value) for kind, value, _ in order_links(item))
            links += ((kinds.SHOP_CUSTOMER_ID, str(item.get("customer_id") or "")),)
            return IndexEntry(
                "order", str(item["id"]), (item.get("billing") or {}).get("email"),
                item.get("date_created_gmt"), tuple(link for link in links if link[1] not in ("", "0")),
            )  # fmt: skip
        if stream == "reviews":
            return IndexEntry(
                "review", str(item["id"]), item.get("reviewer_email"), item.get("date_created_gmt")
            )
        return IndexEntry(
            "customer", str(item["id"]), item.get("email"), item.get("date_created_gmt")
        )

    def _collect_reviews(self, email: str, customer_ids: Iterable[int], found: Collected) -> None:
        seen: set[int] = set()
        unproven: set[int] = set()
        queries: list[tuple[dict[str, Any], str]] = [
            ({"reviewer_email": email}, "e-mail address on the review")
        ]
        queries += [({"reviewer": cid}, f"review by shop customer {cid}") for cid in customer_ids]
        for query, why in queries:
            for status in REVIEW_STATUSES:
                for review in self._list("products/reviews", {**query, "status": status}):
                    if review["id"] in seen:
                        continue
                    # The filters only narrow, and a review shows no account id of its own:
                    # only its address can prove that it is the person's.
                    if not same_email(review.get("reviewer_email"), email):
                        if "reviewer" in query and review.get("reviewer_email") is None:
                            unproven.add(review["id"])
                        continue
                    seen.add(review["id"])
                    found.add("review", review["id"], why, review)
        if unproven - seen:
            found.notes.append(
                f"The shop lists {len(unproven - seen)} review(s) under your account that show "
                "no e-mail address: they cannot be proven to be yours and are not in this package."
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
            return _records(body, endpoint)

        def fetch(page: int) -> tuple[list[Any], int | None]:
            query = {**(params or {}), "per_page": PER_PAGE, "page": page}
            response = self.api.get(endpoint, params=query)
            total = response.headers.get("X-WP-TotalPages")
            items = _records(self._json(response), endpoint)
            return items, int(total) if total and total.isdigit() else None

        return list(pages(fetch, self.name))

    def _json(self, response: requests.Response) -> Any:
        return self.http.parse(response)
