"""A fake of the WooCommerce REST API wc/v3 as a WooCommerce 10.0.2 site (HPOS on) serves it.

Follows the official wc/v3 docs (shared/specs/woocommerce/*.md: fields, parameters, examples), the
behaviour observed on a real WooCommerce 10.0.2 (shared/reference/vendor-apis.md §9) and, where
both are silent, WooCommerce's own REST controllers. Key authentication is in `connectors.woocommerce.fake.auth`
(OAuth 1.0a over http, Basic/query keys over https only); WordPress REST conventions (errors,
parameter validation, `X-WP-Total`/`X-WP-TotalPages`/`Link` paging, last value wins) in
`connectors.woocommerce.fake.rest`. Responses are `application/json; charset=UTF-8`, encoded like `wp_json_encode`
(`\\/` and `\\uXXXX` escapes); URLs of the store's `site_url` are served on the fake's base URL.

Choices where the docs are silent:
- `orders?search=` matches as the HPOS order search does: the order id, a prefix of the billing
  e-mail, any order item name, or a substring of the billing or shipping address (all fields,
  e-mail and phone included), ignoring case and accents. It also matches the customer note: the
  real HPOS search does not, this fake does by default (`search_customer_note=False` turns it
  off) so that a note naming someone's address turns up as it would on a CPT-store shop.
- A page past the last gives `[]` with the totals (the CRUD controllers do not return 400 there).
- Order notes and customer downloads are not paged (their controllers return everything).
- `products/reviews` `status=all` means approved + hold; `trash` and `spam` must be asked for.
  `DELETE` without `force` trashes a review (200; again: 410); with it, `{"deleted", "previous"}`.
- `PUT orders/<id>` and `PUT customers/<id>` merge `billing`/`shipping` field by field (an
  address e-mail must pass `is_email()`, so "" gives 400) and apply `meta_data` entries as
  `WC_Data::update_meta_data()` does (by `id`, else by `key`; `"value": null` deletes the key);
  read-only fields (`customer_ip_address`, `customer_user_agent`, dates, totals) are ignored; a
  status change adds WooCommerce's "Order status changed from X to Y." note.
- `DELETE customers/<id>` needs `force=true` (else 501) and leaves the orders, with
  `customer_id` 0 and their billing e-mail; the customer's downloads go with the account.
- Parameters are validated before the permission check (400 comes before 401), as in WordPress.
- Route handlers: customers here, orders/notes/refunds in `connectors.woocommerce.fake.orders`, products and
  reviews in `connectors.woocommerce.fake.catalog`, shared helpers in `connectors.woocommerce.fake.routes`.
- WooCommerce Analytics' customer lookup (`wc-analytics/reports/customers`,
  `wc-analytics/customers[/<id>]`) and the order imports that keep it: `connectors.woocommerce.fake.analytics`.
- `_fields` works as WordPress's `rest_filter_response_fields` (see `only_fields`).
- Large stores: listings read only their page (`sandbox.indexes`): orders sorted by date,
  `modified` or id, narrowed only by GMT dates of that field (`dates_are_gmt=true`), are a range
  of a sorted index; other listings are scanned once per query and paged from the memo.
- Batch endpoints (`POST`/`PUT`/`PATCH` `orders/batch`, `customers/batch`,
  `products/reviews/batch`, `{"create", "update", "delete"}`, 100 items in all, else 413): the
  single-item update and delete handlers per item, errors per item (`connectors.woocommerce.fake.batch`).
- Not served: creating customers, orders, refunds or reviews (also in a batch: an error item),
  line-item edits in `PUT orders/<id>` (ignored), `_embed`/`_jsonp`, coupons and the other
  resources.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any
from urllib.parse import quote, urlsplit

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from connectors.woocommerce.fake.analytics import customer_saved, run_due_imports, user_deleted
from connectors.woocommerce.fake.analytics_routes import (
    ANALYTICS_API,
    ANALYTICS_URLS,
    AnalyticsRoutes,
)
from connectors.woocommerce.fake.auth import WooAuth
from connectors.woocommerce.fake.batch import BatchRoutes
from connectors.woocommerce.fake.catalog import CatalogRoutes
from connectors.woocommerce.fake.rest import (
    CONTEXT,
    FORCE,
    Param,
    RestError,
    contains,
    fold,
    not_found_route,
    php_query,
)
from connectors.woocommerce.fake.routes import (
    API,
    CUSTOMER_ARGS,
    EDIT,
    Ctx,
    Reply,
    in_order,
    meta_update,
    now_local,
    positions,
    query_key,
    sort_by,
    stamp,
)
from connectors.woocommerce.fake.store import WooStore
from sandbox.credentials import WOOCOMMERCE_CONSUMER_KEY, WOOCOMMERCE_CONSUMER_SECRET
from sandbox.data import JSON
from sandbox.environ import ORIGINAL_QUERY
from sandbox.indexes import Table, retrying

URLS = Map(
    [Rule(path, endpoint=endpoint, methods=methods) for path, endpoint, methods in (
        ("/customers", "customers", ["GET"]),
        ("/customers/batch", "customers_batch", EDIT),
        ("/customers/<int:cid>", "customer", ["GET"]),
        ("/customers/<int:cid>", "customer_update", EDIT),
        ("/customers/<int:cid>", "customer_delete", ["DELETE"]),
        ("/customers/<int:cid>/downloads", "downloads", ["GET"]),
        ("/orders", "orders", ["GET"]),
        ("/orders/batch", "orders_batch", EDIT),
        ("/orders/<int:oid>", "order", ["GET"]),
        ("/orders/<int:oid>", "order_update", EDIT),
        ("/orders/<int:oid>", "order_delete", ["DELETE"]),
        ("/orders/<int:oid>/notes", "notes", ["GET"]),
        ("/orders/<int:oid>/notes", "note_create", ["POST"]),
        ("/orders/<int:oid>/notes/<int:nid>", "note", ["GET"]),
        ("/orders/<int:oid>/notes/<int:nid>", "note_delete", ["DELETE"]),
        ("/orders/<int:oid>/refunds", "refunds", ["GET"]),
        ("/orders/<int:oid>/refunds/<int:rid>", "refund", ["GET"]),
        ("/products", "products", ["GET"]),
        ("/products/<int:pid>", "product", ["GET"]),
        ("/products/reviews", "reviews", ["GET"]),
        ("/products/reviews/batch", "reviews_batch", EDIT),
        ("/products/reviews/<int:rid>", "review", ["GET"]),
        ("/products/reviews/<int:rid>", "review_update", EDIT),
        ("/products/reviews/<int:rid>", "review_delete", ["DELETE"]),
    )],
    strict_slashes=False,
)  # fmt: skip


class WooCommerceFake(AnalyticsRoutes, CatalogRoutes, BatchRoutes):
    """The WSGI app; one lock serialises all reads and writes of the store."""

    def __init__(self, store: WooStore, base_url: str, search_customer_note: bool = True) -> None:
        self.store, self.base = store, base_url.rstrip("/")
        self.search_customer_note = search_customer_note
        self.auth = WooAuth(WOOCOMMERCE_CONSUMER_KEY, WOOCOMMERCE_CONSUMER_SECRET)
        self.lock = threading.RLock()
        self.home_path = urlsplit(self.base).path.rstrip("/")
        self.orders_t = Table(lambda: self.store.orders)
        self.customers_t = Table(lambda: self.store.customers)
        self.reviews_t = Table(lambda: self.store.reviews)
        self.comment_ids: tuple[int, int] | None = None  # (highest comment id, reviews seen)
        self.order_texts: dict[
            int, tuple[JSON, str, str]
        ] = {}  # order id -> (order, e-mail, search text)

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        request = Request(environ)
        https = (
            request.scheme == "https"
            or request.headers.get("X-Forwarded-Proto", "").lower() == "https"
        )
        root = f"https://{self.base.split('://', 1)[1]}" if https else self.base
        path = request.path
        if not path.startswith(f"{self.home_path}/wp-json/"):
            return Response("<h1>Not Found</h1>", 404, mimetype="text/html")(
                environ, start_response
            )
        headers: list[tuple[str, str]] = []
        try:
            status, body, headers = self.dispatch(request, path[len(self.home_path) :], root, https)
        except RestError as error:
            status, body = error.status, error.body()
        text = json.dumps(body).replace(self.store.site_url, root).replace("/", "\\/")
        response = Response(text, status, content_type="application/json; charset=UTF-8")
        response.headers.add("Link", f'<{root}/wp-json/>; rel="https://api.w.org/"')
        for name, value in headers:
            response.headers.add(name, value)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Robots-Tag"] = "noindex"
        response.headers["Access-Control-Expose-Headers"] = "X-WP-Total, X-WP-TotalPages, Link"
        return response(environ, start_response)

    def dispatch(self, request: Request, path: str, root: str, https: bool) -> Reply:
        with self.lock:  # Action Scheduler runs on traffic: the due Analytics imports first
            run_due_imports(self.store)
        analytics = path.startswith(f"{ANALYTICS_API}/")
        if not analytics and not path.startswith(f"{API}/") and path.rstrip("/") != API:
            raise not_found_route()
        raw_uri = (
            request.environ.get("REQUEST_URI")
            or request.environ.get("RAW_URI")
            or quote(request.path)
        )
        query = php_query(request.query_string.decode("latin-1"))
        # Hostile mode (`sandbox.hostile`) takes ignored parameters out of the query; the
        # OAuth signature covers the query as the client sent it.
        signed = request.environ.get(ORIGINAL_QUERY)
        form = dict(request.form) if request.mimetype == "application/x-www-form-urlencoded" else {}
        auth = self.auth.authenticate(
            method=request.method,
            home_url=self.base,
            raw_path=raw_uri.split("?", 1)[0],
            query=query if signed is None else php_query(signed),
            form=form,
            authorization=request.headers.get("Authorization", ""),
            https=https,
        )
        if auth.error:
            raise auth.error
        try:
            route = path[len(ANALYTICS_API if analytics else API) :].rstrip("/") or "/"
            urls = ANALYTICS_URLS if analytics else URLS
            endpoint, ids = urls.bind("fake").match(route, method=request.method)
        except HTTPException:
            raise not_found_route() from None
        body: JSON = {}
        if request.method in ("PUT", "POST", "PATCH") and request.get_data():
            try:
                parsed = json.loads(request.get_data())
            except ValueError:
                raise RestError("rest_invalid_json", "Invalid JSON body passed.", 400) from None
            body = parsed if isinstance(parsed, dict) else {}
        ctx = Ctx(request.method, query, {**form, **body}, root, auth.user)
        with self.lock:
            handler: Callable[..., Reply] = getattr(self, f"_{endpoint}")
            tables = (self.orders_t, self.customers_t, self.reviews_t)
            status, out, headers = retrying(tables, lambda: handler(ctx, **ids))
        if status < 400:
            out = only_fields(out, query.get("_fields"))
        return status, out, headers

    # -- customers ------------------------------------------------------------------------------
    def customer_out(self, ctx: Ctx, customer: JSON) -> JSON:
        meta = sorted(customer["meta_data"], key=lambda m: (m["key"], m["id"]))
        return {
            **customer,
            "meta_data": meta,
            "_links": ctx.links(f"customers/{customer['id']}", "customers"),
        }

    def _customers(self, ctx: Ctx) -> Reply:
        args = ctx.args(CUSTOMER_ARGS)
        ctx.allow("list")
        rows = self.customers_t.memo(
            ("customers", query_key(args)),
            lambda items: positions(items, self.customer_scan(args)),
        )
        return self.page(ctx, rows, args, "customers", partial(self.customer_out, ctx))

    def customer_scan(self, args: dict[str, Any]) -> list[JSON]:
        users = self.pick(self.store.customers, args)
        if args["role"] != "all":
            users = [u for u in users if u["role"] == args["role"]]
        term = args["search"].strip("*")
        if args["email"]:
            users = [u for u in users if fold(u["email"]) == fold(args["email"])]
        elif term:
            users = [u for u in users if self.user_matches(u, term)]
        keys: dict[str, Callable[[JSON], Any]] = {
            "id": lambda u: u["id"], "registered_date": lambda u: (u["date_created"], u["id"]),
            "include": lambda u: in_order(args["include"], u["id"]),
            "name": lambda u: fold(f"{u['first_name']} {u['last_name']}".strip() or u["username"]),
        }  # fmt: skip
        return sort_by(users, keys[args["orderby"]], args["order"])

    @staticmethod
    def user_matches(user: JSON, term: str) -> bool:
        """`WP_User_Query` search with `*term*`: the columns depend on what the term looks like."""
        if "@" in term:
            return contains(user["email"], term)
        if term.isdigit():
            return contains(user["username"], term) or str(user["id"]) == term
        if term.startswith(("http://", "https://")):
            return False
        name = f"{user['first_name']} {user['last_name']}"
        return any(contains(v, term) for v in (user["username"], user["email"], name))

    def _customer(self, ctx: Ctx, cid: int) -> Reply:
        ctx.args({"context": CONTEXT})
        ctx.allow("view")
        customer = self.get_customer(cid, "woocommerce_rest_invalid_id", "Invalid resource ID.")
        return 200, self.customer_out(ctx, customer), []

    def get_customer(self, cid: int, code: str, message: str, status: int = 404) -> JSON:
        customer = self.customers_t.get(cid)
        if customer is None:
            raise RestError(code, message, status)
        return customer

    def _customer_update(self, ctx: Ctx, cid: int) -> Reply:
        body = ctx.body
        ctx.args({"email": Param("email")}, {k: v for k, v in body.items() if k == "email"})
        self.check_addresses(body)
        ctx.allow("edit")
        customer = self.get_customer(
            cid, "woocommerce_rest_invalid_id", "Invalid resource ID.", 400
        )
        if body.get("username") and body["username"] != customer["username"]:
            raise RestError(
                "woocommerce_rest_customer_invalid_argument", "Username isn't editable.", 400
            )
        if "email" in body and any(
            fold(c["email"]) == fold(body["email"]) and c["id"] != cid for c in self.store.customers
        ):
            raise RestError(
                "woocommerce_rest_customer_invalid_email", "Email address is invalid.", 400
            )
        with self.customers_t.changing(customer):
            self.address_update(customer, body)
            customer.update(
                {k: str(body[k]) for k in ("email", "first_name", "last_name") if k in body}
            )
            meta_update(customer["meta_data"], body.get("meta_data"))
            customer.update(stamp("date_modified", now_local()))
        customer_saved(self.store, customer)  # Analytics' `woocommerce_update_customer` hook
        return 200, self.customer_out(ctx, customer), []

    def _customer_delete(self, ctx: Ctx, cid: int) -> Reply:
        args = ctx.args({"force": FORCE, "reassign": Param("int")})
        ctx.allow("delete")
        if not args["force"]:
            raise RestError(
                "woocommerce_rest_trash_not_supported", "Customers do not support trashing.", 501
            )
        customer = self.get_customer(
            cid, "woocommerce_rest_invalid_id", "Invalid resource id.", 400
        )
        reassign = args["reassign"]
        if reassign and (reassign == cid or self.customers_t.get(reassign) is None):
            raise RestError(
                "woocommerce_rest_customer_invalid_reassign",
                "Invalid resource id for reassignment.",
                400,
            )
        previous = self.customer_out(ctx, customer)
        orders = self.orders_t.group("customer", lambda o: o["customer_id"], cid)
        user_deleted(self.store, cid)  # Analytics' `delete_user` hook: the lookup row goes
        self.store.customers.remove(customer)
        self.store.downloads.pop(cid, None)
        for order in orders:
            with self.orders_t.changing(order):
                order["customer_id"] = 0
        return 200, previous, []

    def _downloads(self, ctx: Ctx, cid: int) -> Reply:
        ctx.args({"context": CONTEXT})
        self.get_customer(cid, "woocommerce_rest_customer_invalid", "Resource does not exist.")
        ctx.allow("list")
        rows = [{**d, "_links": {
            "collection": [{"href": f"{ctx.root}{API}/customers/{cid}/downloads"}],
            "product": [{"href": f"{ctx.root}{API}/products/{d['product_id']}"}],
            "order": [{"href": f"{ctx.root}{API}/orders/{d['order_id']}"}]}}
            for d in self.store.downloads.get(cid, [])]  # fmt: skip
        return 200, rows, []


def only_fields(body: Any, raw: Any) -> Any:
    """WordPress's `_fields` (`rest_filter_response_fields`): keep only the named top-level
    fields, or `a.b` nested ones. In a list each item is filtered, `_links` with it (a
    collection's items carry their links in their data); a single object keeps its `_links`
    (added after the filter). Without `_fields` the body is unchanged; errors are not filtered."""
    text = ",".join(raw.values()) if isinstance(raw, dict) else raw
    names = [f.strip() for f in str(text or "").split(",") if f.strip()]
    if not names or not isinstance(body, list | dict):
        return body
    tree: JSON = {}
    for name in names:
        node = tree
        for part in name.split("."):
            node = node.setdefault(part, {})

    def keep(value: Any, node: JSON) -> Any:
        if not node or not isinstance(value, dict):
            return value
        return {k: keep(v, node[k]) for k, v in value.items() if k in node}

    if isinstance(body, list):
        return [keep(item, tree) for item in body]
    links = {"_links": body["_links"]} if "_links" in body else {}
    return {**keep(body, tree), **links}


def create_app(
    store: WooStore, base_url: str, *, search_customer_note: bool = True
) -> WooCommerceFake:
    """The fake as a WSGI app serving `store` for a site whose home URL is `base_url`."""
    return WooCommerceFake(store, base_url, search_customer_note)
