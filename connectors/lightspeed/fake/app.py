"""A fake of the Lightspeed eCom (C-Series, "webshopapp") REST API for one shop.

Follows shared/reference/vendor-apis.md §2: `<base>/<language>/<resource>.json`, HTTP Basic with
the API key and secret (`sandbox.credentials.LIGHTSPEED_*`), JSON wrapped in the resource's
name (`{"customers": [...]}`, `{"customer": {...}}`, `{"count": N}`) except checkouts, which are
unwrapped; the error envelope and list parameters of `connectors.lightspeed.fake.rest`, the per-resource verbs,
filters and writable fields of `connectors.lightspeed.fake.resources`, the rate limits of `connectors.lightspeed.fake.ratelimit`
(`X-RateLimit-*` triples on every authenticated answer, 429 past a limit).

Served: customers, orders (+ `orders/{id}/products`, `orders/{id}/metafields`), invoices,
shipments, returns, reviews, subscriptions, contacts, tickets (+ `tickets/{id}/messages`),
quotes, checkouts, `customers/{id}/metafields`, `account/ratelimit`; each with `{id}` and
`count` where the official client has them. Links print as `{"resource": {"id", "url",
"link"}}` on the fake's own base URL; an order embeds its customer, invoices, shipments, products
and metafields (`embedded`), as in the documentation's example order.

Choices where the sources are silent:
- only the store's language (`nl`) exists: another language segment is a 404;
- an unknown path is a 404, a verb the resource lacks (DELETE or POST on orders, PUT on
  contacts, any create) a 405, both with the error envelope;
- DELETE answers 204 without a body. Deleting a customer leaves its orders, invoices,
  shipments, reviews, tickets, quotes and returns in place with `"customer": false`
  (`customerId` null): delete or anonymise those first, while `?customer=` still finds them.
  Deleting a ticket deletes its messages;
- an update sets `updatedAt` to the current time;
- the 401 message is "Unauthorized." (no rate-limit headers); keys are compared exactly.
"""

from __future__ import annotations

import hmac
import json
import re
import threading
import time
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from typing import Any

from werkzeug.wrappers import Request, Response

from connectors.lightspeed.fake.ratelimit import RateLimiter, Verdict
from connectors.lightspeed.fake.resources import CHECKOUT_PERSON, CHILDREN, KINDS, Kind
from connectors.lightspeed.fake.rest import (
    JSON,
    ListArgs,
    LsError,
    apply_filters,
    bad,
    common_filter,
    list_args,
    not_found,
    select,
)
from connectors.lightspeed.fake.shape import LS_HOST, ref_id, stamp
from connectors.lightspeed.fake.store import LightspeedStore
from sandbox.credentials import LIGHTSPEED_API_KEY, LIGHTSPEED_API_SECRET
from sandbox.indexes import Listing, Table, retrying

Reply = tuple[int, Any]
ORPHANED = ("orders", "invoices", "shipments", "reviews", "tickets", "quotes")


def record_id(record: JSON) -> int:
    return int(record["id"])


def customer_of(record: JSON) -> int | None:
    return ref_id(record.get("customer"))


def order_of(record: JSON) -> int | None:
    return ref_id(record.get("order"))


def positions(items: list[JSON], records: list[JSON]) -> list[int]:
    """Where `records` (these very objects) are in `items`."""
    where = {id(rec): p for p, rec in enumerate(items)}
    return [where[id(rec)] for rec in records]


def not_allowed() -> LsError:
    return LsError(405, "Method not allowed.")


class LightspeedFake:
    """The WSGI app; one lock serialises all reads and writes of the store."""

    def __init__(
        self,
        store: LightspeedStore,
        base_url: str,
        limits: tuple[int, int, int] = (300, 3000, 12000),
        per_second: int | None = 20,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store, self.base = store, base_url.rstrip("/")
        self.limiter = RateLimiter(limits, per_second, clock)
        self.lock = threading.RLock()
        self.tables = {name: Table(partial(self.items, name)) for name in KINDS}

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        request = Request(environ)
        headers: list[tuple[str, str]] = []
        try:
            key = self.authenticate(request)
            verdict = self.limiter.take(key)
            headers = verdict.headers
            if not verdict.allowed:
                raise LsError(429, "Too many requests.")
            with self.lock:
                status, body = retrying(
                    self.tables.values(), lambda: self.dispatch(request, verdict)
                )
        except LsError as error:
            status, body = error.status, error.body(request.method, request.path)
            if error.status == 401:
                headers = [("WWW-Authenticate", 'Basic realm="Lightspeed eCom API"')]
        if body is None:
            response = Response(status=status)
        else:
            text = json.dumps(body, ensure_ascii=False).replace(f"{LS_HOST}/", f"{self.base}/")
            response = Response(text, status, content_type="application/json; charset=utf-8")
        for name, value in headers:
            response.headers[name] = value
        return response(environ, start_response)

    @staticmethod
    def authenticate(request: Request) -> str:
        auth = request.authorization
        if (
            auth is None
            or auth.type != "basic"
            or not hmac.compare_digest(str(auth.username or ""), LIGHTSPEED_API_KEY)
            or not hmac.compare_digest(str(auth.password or ""), LIGHTSPEED_API_SECRET)
        ):
            raise LsError(401, "Unauthorized.")
        return LIGHTSPEED_API_KEY

    # -- routing --------------------------------------------------------------------------------
    def dispatch(self, request: Request, verdict: Verdict) -> Reply:
        match = re.fullmatch(r"/([a-z]{2})/([a-z/0-9_]+)\.json", request.path)
        if match is None or match.group(1) != self.store.language:
            raise not_found()
        parts = match.group(2).split("/")
        method = request.method
        query = {k: values[-1] for k, values in request.args.lists()}
        if parts == ["account", "ratelimit"]:
            if method != "GET":
                raise not_allowed()
            return 200, RateLimiter.account_ratelimit(verdict.state)
        name = parts[0]
        if name not in KINDS:
            raise not_found()
        kind, items = KINDS[name], self.items(name)
        rest = parts[1:]
        if len(rest) >= 2:
            if not rest[0].isdigit() or f"{name}/{rest[1]}" not in CHILDREN:
                raise not_found()
            self.find(items, int(rest[0]))
            name = f"{name}/{rest[1]}"
            kind = CHILDREN[name]
            items = self.store.children.setdefault(name, {}).setdefault(int(rest[0]), [])
            rest = rest[2:]
        if len(rest) > 1:
            raise not_found()
        if not rest:
            return self.collection(method, name, kind, items, query)
        if rest[0] == "count":
            if method != "GET" or "count" not in kind.verbs:
                raise not_allowed()
            listing, start = self.listing(name, kind, items, query, list_args(query))
            return 200, {"count": len(listing) - start}
        if not rest[0].isdigit():
            raise not_found()
        return self.item(method, name, kind, items, int(rest[0]), request, query)

    def collection(
        self, method: str, name: str, kind: Kind, items: list[JSON], query: dict[str, str]
    ) -> Reply:
        if method != "GET":
            raise not_allowed()
        args = list_args(query)
        listing, start = self.listing(name, kind, items, query, args)
        start += (args.page - 1) * args.limit
        orders = kind is KINDS["orders"]
        out = [
            select(self.render(kind, row, orders), args.fields)
            for row in listing.page(start, start + args.limit)
        ]
        return 200, {kind.plural: out} if kind.wrapped else out

    def listing(
        self, name: str, kind: Kind, items: list[JSON], query: dict[str, str], args: ListArgs
    ) -> tuple[Listing, int]:
        """The records a list asks for (its filters and dates; sorted by id), and where the
        ones after `since_id` start. For a resource the scan runs once per query, so the next
        pages (by `page` or by `since_id`) read only themselves."""

        def compute(rows: list[JSON]) -> list[int]:
            rows = apply_filters(rows, kind.filters, query)
            rows = common_filter(rows, replace(args, since_id=None))
            return positions(items, sorted(rows, key=lambda i: i["id"]))

        if name in self.tables:
            filters = tuple(sorted((k, v) for k, v in query.items() if k in kind.filters))
            listing = self.tables[name].memo((filters, args.bounds), compute)
        else:  # a parent's children: a short list
            listing = Listing([items[p] for p in compute(items)])
        since = args.since_id
        start = 0 if since is None else bisect_right(listing.records, since, key=record_id)
        return listing, start

    def item(
        self,
        method: str,
        name: str,
        kind: Kind,
        items: list[JSON],
        ident: int,
        request: Request,
        query: dict[str, str],
    ) -> Reply:
        verb = {"GET": "get", "PUT": "update", "DELETE": "delete"}.get(method, "")
        if verb not in kind.verbs:
            raise not_allowed()
        table = self.tables.get(name)
        found = table.get(ident) if table is not None else None
        found = found or self.find(items, ident)
        if verb == "delete":
            items.remove(found)
            self.cascade(name, ident)
            return 204, None
        if verb == "update":
            body = self.body(request, kind)
            if table is None:
                self.update(kind, found, body)
            else:
                with table.changing(found):
                    self.update(kind, found, body)
        fields = tuple(f.strip() for f in query.get("fields", "").split(",") if f.strip())
        rendered = select(self.render(kind, found, name == "orders"), fields)
        return 200, {kind.singular: rendered} if kind.wrapped else rendered

    # -- the store ------------------------------------------------------------------------------
    def items(self, name: str) -> list[JSON]:
        return self.store.resources.setdefault(name, [])

    @staticmethod
    def find(items: list[JSON], ident: int) -> JSON:
        for item in items:
            if item["id"] == ident:
                return item
        raise not_found()

    def render(self, kind: Kind, item: JSON, embed: bool) -> JSON:
        """An order with its customer, invoices, shipments, products and metafields embedded
        (`embed`); anything else as stored."""
        if not embed:
            return item
        oid = item["id"]
        out = dict(item)
        customer_id = ref_id(item.get("customer"))
        customer = None if customer_id is None else self.tables["customers"].get(customer_id)
        if customer is not None:
            out["customer"] = {"resource": {**item["customer"]["resource"], "embedded": customer}}
        children = self.store.children
        parts = {
            "invoices": self.tables["invoices"].group("order", order_of, oid),
            "shipments": self.tables["shipments"].group("order", order_of, oid),
            "products": children.get("orders/products", {}).get(oid, []),
            "metafields": children.get("orders/metafields", {}).get(oid, []),
        }
        for key, embedded in parts.items():
            if isinstance(item.get(key), dict):
                out[key] = {"resource": {**item[key]["resource"], "embedded": embedded}}
        return out

    @staticmethod
    def body(request: Request, kind: Kind) -> JSON:
        try:
            parsed = json.loads(request.get_data() or b"null")
        except ValueError:
            raise bad() from None
        if isinstance(parsed, dict) and isinstance(parsed.get(kind.singular), dict):
            return dict(parsed[kind.singular])
        if not kind.wrapped and isinstance(parsed, dict):
            return parsed
        raise bad()

    def update(self, kind: Kind, item: JSON, body: JSON) -> None:
        changes = {k: spec.check(k, body[k]) for k, spec in kind.writable.items() if k in body}
        changes = {k: v for k, v in changes.items() if kind.writable[k].kind != "ignored"}
        if kind.plural == "customers" and "email" in changes:
            taken = any(
                str(c.get("email", "")).casefold() == changes["email"].casefold()
                for c in self.items("customers")
                if c["id"] != item["id"]
            )
            if taken:
                raise bad("Email address is already in use.")
        now = stamp(datetime.now(UTC))
        if not kind.wrapped:  # checkouts: person fields live in `customer`
            person = item.setdefault("customer", {}) or {}
            item["customer"] = person
            for key in CHECKOUT_PERSON:
                if key in changes:
                    person[key] = changes.pop(key)
            for key in ("billing_address", "shipping_address"):
                if key in changes:
                    item[key] = {**(item.get(key) or {}), **changes.pop(key)}
            item.update(changes, updated_at=now)
            return
        item.update(changes)
        if "updatedAt" in item:
            item["updatedAt"] = now

    def cascade(self, name: str, ident: int) -> None:
        """What goes with (or is orphaned by) a deleted record."""
        if name == "tickets":
            self.store.children.get("tickets/messages", {}).pop(ident, None)
        if name != "customers":
            return
        for resource in ORPHANED:  # a scan: deletions are rare, and the record is gone already
            for row in self.items(resource):
                if customer_of(row) == ident:
                    row["customer"] = False
            self.tables[resource].touched()
        for row in self.items("returns"):
            if row.get("customerId") == ident:
                row["customerId"] = None
        self.tables["returns"].touched()
        for row in self.items("checkouts"):
            if isinstance(row.get("customer"), dict) and row["customer"].get("id") == ident:
                row["customer"]["id"] = None
        self.store.children.get("customers/metafields", {}).pop(ident, None)


def create_app(
    store: LightspeedStore,
    base_url: str,
    *,
    limits: tuple[int, int, int] = (300, 3000, 12000),
    per_second: int | None = 20,
    clock: Callable[[], float] = time.time,
) -> LightspeedFake:
    """The fake as a WSGI app serving `store` at `base_url` (`http://127.0.0.1:PORT`)."""
    return LightspeedFake(store, base_url, limits, per_second, clock)
