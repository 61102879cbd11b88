"""WooCommerce Analytics' customer routes in the WooCommerce fake (`wc-analytics`), and the order
hooks that keep its tables (a base of `WooCommerceFake`).

Written from WooCommerce 10.0.2's own source (see `connectors.woocommerce.fake.analytics`; the
parameters and response fields are in `connectors.woocommerce.fake.analytics_query`).

Endpoints (namespace `wc-analytics`, read-only, authenticated like wc/v3: WooCommerce's key
authentication serves every `wp-json/wc-*` route, includes/class-wc-rest-authentication.php
`is_request_to_rest_api()`):
- `GET /wp-json/wc-analytics/reports/customers`: the only route of
  src/Admin/API/Reports/Customers/Controller.php (`register_routes()` of
  includes/rest-api/Controllers/Version1/class-wc-rest-reports-v1-controller.php: READABLE
  only). There is no `reports/customers/<id>` route and no DELETE, PUT or POST anywhere on the
  table: WordPress answers 404 `rest_no_route` ("No route was found matching the URL and request
  method.").
- `GET /wp-json/wc-analytics/customers` and `GET /wp-json/wc-analytics/customers/<id>`
  (src/Admin/API/Customers.php, a subclass of the same controller): the same rows; the id
  filter is `include` there instead of `customers`. `customers/<id>` (`(?P<id>[\\d-]+)`) takes
  the collection parameters too and answers a LIST of 0 or 1 rows (200 `[]` for an unknown id)
  with `X-WP-Total`/`X-WP-TotalPages` and no `Link`.
- Permission: `wc_rest_check_manager_permissions('reports', 'read')`, else 401
  `woocommerce_rest_cannot_view` "Sorry, you cannot list resources." (also for `customers/<id>`).
"""

from __future__ import annotations

import math
import re
from contextlib import AbstractContextManager
from typing import Any

from werkzeug.routing import Map, Rule

from connectors.woocommerce.fake.analytics import (
    ensure_built,
    order_deleted,
    order_saved,
    run_pending_imports,
)
from connectors.woocommerce.fake.analytics_query import ANALYTICS_API, joined, query, render
from connectors.woocommerce.fake.orders import OrderRoutes
from connectors.woocommerce.fake.rest import (
    CONTEXT,
    PAGE,
    PER_PAGE,
    Param,
    RestError,
    link_headers,
    not_found_route,
    validate,
)
from connectors.woocommerce.fake.routes import Ctx, Reply
from sandbox.data import JSON

__all__ = ["ANALYTICS_API", "ANALYTICS_URLS", "AnalyticsRoutes"]

ANALYTICS_URLS = Map(
    [
        Rule("/reports/customers", endpoint="analytics_report_customers", methods=["GET"]),
        Rule("/customers", endpoint="analytics_customers", methods=["GET"]),
        Rule("/customers/<cid>", endpoint="analytics_customer", methods=["GET"]),
    ],
    strict_slashes=False,
)
ORDERBY = (
    "username",
    "name",
    "country",
    "city",
    "state",
    "postcode",
    "date_registered",
    "date_last_active",
    "orders_count",
    "total_spend",
    "avg_order_value",
)
FILTER_EMPTY = ("email", "name", "country", "city", "state", "postcode")
DATE = Param("date")
NUMBERS = ("total_spend_min", "total_spend_max", "avg_order_value_min", "avg_order_value_max")
ARGS = {
    "context": CONTEXT,
    "page": PAGE,
    "per_page": PER_PAGE,
    "after": DATE,
    "before": DATE,
    "order": Param("enum", "desc", enum=("asc", "desc")),
    "orderby": Param("enum", "date_registered", enum=ORDERBY),
    "force_cache_refresh": Param("bool"),
    "registered_before": DATE,
    "registered_after": DATE,
    "match": Param("enum", "all", enum=("all", "any")),
    "search": Param("str"),
    "searchby": Param("enum", "name", enum=("name", "username", "email", "all")),
    **{f"{k}_{w}": Param("str") for k in ("name", "username", "email", "country")
       for w in ("includes", "excludes")},
    "last_active_before": DATE,
    "last_active_after": DATE,
    "orders_count_min": Param("int"),
    "orders_count_max": Param("int"),
    "last_order_before": DATE,
    "last_order_after": DATE,
    "users": Param("ints", []),
    "filter_empty": Param("enums", [], enum=FILTER_EMPTY),
}  # fmt: skip


def _numbers(source: dict[str, Any]) -> tuple[dict[str, float | None], dict[str, str]]:
    values: dict[str, float | None] = {}
    errors: dict[str, str] = {}
    for name in NUMBERS:
        raw = source.get(name)
        values[name] = None
        if raw is None:
            continue
        try:
            values[name] = float(str(raw).strip()) if str(raw).strip() else None
        except ValueError:
            values[name] = None
        if values[name] is None or not math.isfinite(values[name] or 0.0):
            errors[name] = f"{name} is not of type number."
    return values, errors


class AnalyticsRoutes(OrderRoutes):
    """The `wc-analytics` routes, and the order hooks that keep the table (a base of
    `WooCommerceFake`; the customer hooks are called from its customer routes)."""

    lock: AbstractContextManager[Any]
    _analytics_memo: tuple[int, int, dict[int, tuple[list[JSON], JSON]]] | None = None

    def run_analytics_imports(self) -> int:
        """Run every pending Analytics import now (see `run_pending_imports`)."""
        with self.lock:
            return run_pending_imports(self.store)

    def analytics_args(self, ctx: Ctx, ids: str) -> dict[str, Any]:
        specs = {**ARGS, ids: Param("ints", [])}
        numbers, errors = _numbers(dict(ctx.query))
        try:
            args = ctx.args(specs)
        except RestError as error:
            if not errors:
                raise
            error.data["params"].update(errors)
            error.data["details"].update(
                {k: {"code": "rest_invalid_type", "message": m, "data": None}
                 for k, m in errors.items()}
            )  # fmt: skip
            error.message = f"Invalid parameter(s): {', '.join(error.data['params'])}"
            raise
        if errors:
            raise RestError(
                "rest_invalid_param",
                f"Invalid parameter(s): {', '.join(errors)}",
                400,
                params=errors,
                details={k: {"code": "rest_invalid_type", "message": m, "data": None}
                         for k, m in errors.items()},
            )  # fmt: skip
        args |= numbers
        args["customers"] = list(dict.fromkeys(abs(i) for i in args.pop(ids)))
        args["users"] = list(dict.fromkeys(abs(i) for i in args["users"]))
        for key in ("orders_count_min", "orders_count_max"):
            if args[key] is not None:
                args[key] = abs(args[key])
        ctx.allow("list")
        return args

    def analytics_groups(self, args: dict[str, Any]) -> tuple[list[JSON], int]:
        a = ensure_built(self.store)
        memo = self._analytics_memo
        if memo is None or memo[0] != id(a) or memo[1] != a.version:
            memo = (id(a), a.version, joined(a))
            self._analytics_memo = memo
        return query(a, memo[2], args)

    def analytics_page(self, ctx: Ctx, args: dict[str, Any]) -> tuple[list[JSON], int, int, int]:
        groups, total = self.analytics_groups(args)
        per_page, page = args["per_page"], args["page"]
        pages = math.ceil(total / per_page)
        if page < 1 or page > pages:
            return [], 0, 0, 0
        chunk = groups[(page - 1) * per_page : page * per_page]
        return [render(ctx.root, g) for g in chunk], total, pages, page

    def analytics_listing(self, ctx: Ctx, collection: str, ids: str) -> Reply:
        args = self.analytics_args(ctx, ids)
        rows, total, pages, page = self.analytics_page(ctx, args)
        url = f"{ctx.root}{ANALYTICS_API}/{collection}"
        links = link_headers(url, ctx.query, page, pages)
        headers = [("X-WP-Total", str(total)), ("X-WP-TotalPages", str(pages))]
        return 200, rows, headers + [("Link", h) for h in links]

    def _analytics_report_customers(self, ctx: Ctx) -> Reply:
        return self.analytics_listing(ctx, "reports/customers", "customers")

    def _analytics_customers(self, ctx: Ctx) -> Reply:
        return self.analytics_listing(ctx, "customers", "include")

    def _analytics_customer(self, ctx: Ctx, cid: str) -> Reply:
        if not re.fullmatch(r"[\d-]+", cid):
            raise not_found_route()
        ident = validate({"id": cid}, {"id": Param("int")})["id"]
        args = self.analytics_args(ctx, "include")
        args["customers"] = [ident]
        rows, total, pages, _page = self.analytics_page(ctx, args)
        return 200, rows, [("X-WP-Total", str(total)), ("X-WP-TotalPages", str(pages))]

    # -- the order hooks (the customer hooks are in `WooCommerceFake`'s customer routes) -----
    def _order_update(self, ctx: Ctx, oid: int) -> Reply:
        ensure_built(self.store)
        order = self.orders_t.get(oid)
        before = order["status"] if order is not None else ""
        reply = super()._order_update(ctx, oid)
        if order is not None:
            order_saved(self.store, order, before)
        return reply

    def _order_delete(self, ctx: Ctx, oid: int) -> Reply:
        ensure_built(self.store)
        order = self.orders_t.get(oid)
        reply = super()._order_delete(ctx, oid)
        if order is not None and self.orders_t.get(oid) is None:
            order_deleted(self.store, order)
        return reply
