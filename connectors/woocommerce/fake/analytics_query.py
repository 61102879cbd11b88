"""WooCommerce Analytics' customer report in the WooCommerce fake: which rows of
`wc_customer_lookup` a request asks for (`query()`) and how each is shown (`render()`).

Written from WooCommerce 10.0.2's own source (see `connectors.woocommerce.fake.analytics`).

Parameters (`get_collection_params()` of the Customers controller and of
src/Admin/API/Reports/GenericController.php; filters in `add_sql_query_params()` of
src/Admin/API/Reports/Customers/DataStore.php):
- `context`, `page` (>= 1), `per_page` (1..100, default 10), `order` (asc|desc, default desc),
  `orderby` (username, name, country, city, state, postcode, date_registered (default),
  date_last_active, orders_count, total_spend, avg_order_value), `match` (all|any: how the
  filters combine), `force_cache_refresh`.
- `search` with `searchby` (name (default): `CONCAT_WS(' ', first_name, last_name) LIKE
  %search%`; username; email; all: first, last, username and e-mail). An empty `search` (PHP
  `empty()`: also "0") filters nothing.
- `name_includes`/`_excludes`, `username_includes`/`_excludes`, `email_includes`/`_excludes`:
  despite their names these are comma-separated CUSTOMER IDS (`customer_id IN (...)`: "the
  others will be a list of customer ids"), so `email_includes=jan@example.nl` matches nothing;
  `country_includes`/`_excludes`: country codes.
- `customers` (`include` on `wc-analytics/customers`): lookup ids; `users`: WordPress user ids
  (`user_id IN (...)`: never a guest row).
- `registered_before`/`_after`, `last_active_before`/`_after` (the row's dates), `before`/`after`
  (the dates of the orders counted), `last_order_before`/`_after` (the newest order counted):
  inclusive; a given date-time's offset is dropped, not converted (`new DateTime()->format()`).
- `orders_count_min`/`_max`, `total_spend_min`/`_max`, `avg_order_value_min`/`_max`: strictly
  greater/less when only one of a pair is given, inclusive when both are (`$or_equal`).
- `filter_empty[]` (email, name, country, city, state, postcode): leave out rows where that
  field is empty.
Not served here: the `*_between` forms, the `reports/customers/stats` and `.../export` routes
and the other reports.

Response fields (`report_columns` and `prepare_item_for_response()`), in this order: id (the
lookup's `customer_id`, not the user id), user_id (0 for a guest), username ("" for a guest),
name (`CONCAT_WS(' ', first, last)`: "Jan " when the last name is empty), email, country, city,
state, postcode, date_registered, date_last_active, date_last_order (`Y-m-d H:i:s`, site time,
not in the schema but returned), orders_count, total_spend, avg_order_value (floats; 0 when
there are no orders), date_registered_gmt, date_last_active_gmt, and `_links` (`customer` and
`collection`, to `wc-analytics/customers/<id>`) only on a registered customer's row. The dates
go through `wc_rest_prepare_date_response()` as WooCommerce does it, with its swaps kept: the
stored `date_registered` (the user's registration in site time) is shown as
`date_registered_gmt` and again shifted by the site offset as `date_registered`; the stored
`date_last_active` (GMT) is shown as `date_last_active` and shifted as `date_last_active_gmt`.
The counts join `wc_order_stats` without the statuses Analytics excludes (pending, failed,
cancelled, and auto-draft, trash); refunds subtract from `total_spend` and do not count as
orders. Paging: `X-WP-Total`, `X-WP-TotalPages` and `Link` prev/next
(`add_pagination_headers()`); a page past the last answers `[]` with `X-WP-Total: 0` and
`X-WP-TotalPages: 0` (`get_noncached_data()` returns its empty result). Ties in the sort go by
`customer_id` (MySQL leaves them undefined). Text compares and sorts fold case and accents
(`utf8mb4_unicode_520_ci`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from connectors.woocommerce.fake.analytics_values import (
    mysql_number,
    pad,
    php_empty,
    plain,
    shifted,
)
from connectors.woocommerce.fake.rest import contains, parse_date
from connectors.woocommerce.fake.store import WooAnalytics
from sandbox.data import JSON

ANALYTICS_API = "/wp-json/wc-analytics"
# `get_excluded_report_order_statuses()`: the option's default plus auto-draft and trash.
EXCLUDED = frozenset({"wc-pending", "wc-failed", "wc-cancelled", "wc-auto-draft", "wc-trash"})
Pred = Callable[[JSON, JSON | None], bool]


def _dt(value: str) -> str:
    """A date-time argument as `new DateTime($arg)->format('Y-m-d H:i:s')`: offset dropped."""
    parsed = parse_date(value)
    assert parsed is not None
    return parsed[0].strftime("%Y-%m-%d %H:%M:%S")


def _between(get: Callable[[JSON, JSON | None], str | None], low: str | None,
             high: str | None) -> Pred:  # fmt: skip
    def pred(row: JSON, stats: JSON | None) -> bool:
        value = get(row, stats)
        if value is None:
            return False
        return (high is None or value <= high) and (low is None or value >= low)

    return pred


def _name(row: JSON) -> str:
    return f"{row['first_name']} {row['last_name']}"


def _member(field: str, values: list[str], inside: bool) -> Pred:
    """`country IN (...)`, or for the other `*_includes`: `customer_id IN (...)` (numbers)."""
    if field == "country":
        codes = {pad(v) for v in values}
        return lambda r, s: (pad(r["country"]) in codes) == inside
    ids = {mysql_number(v) for v in values}
    return lambda r, s: (float(r["customer_id"]) in ids) == inside


def _search(searchby: str, term: str) -> Pred:
    """`<column> LIKE %term%` for `searchby` (`CONCAT_WS` skips NULLs, keeps "")."""
    if searchby == "email":
        return lambda r, s: r["email"] is not None and contains(r["email"], term)
    if searchby == "username":
        return lambda r, s: contains(r["username"], term)
    if searchby == "all":
        return lambda r, s: contains(
            " ".join(
                v for v in (r["first_name"], r["last_name"], r["username"], r["email"])
                if v is not None
            ),
            term,
        )  # fmt: skip
    return lambda r, s: contains(_name(r), term)


def _where(args: dict[str, Any]) -> tuple[list[Pred], bool]:
    """The WHERE conditions (`add_time_period_sql_params()`, `add_sql_query_params()`), and
    whether one of them looks at the joined `wc_order_stats` rows (`before`/`after`)."""
    preds: list[Pred] = []
    dates: list[tuple[str, Callable[[JSON, JSON | None], str | None]]] = [
        ("registered", lambda r, s: r["date_registered"]),
        ("order", lambda r, s: s["date_created"] if s else None),
        ("last_active", lambda r, s: r["date_last_active"]),
    ]
    for name, get in dates:
        before = args["before" if name == "order" else f"{name}_before"]
        after = args["after" if name == "order" else f"{name}_after"]
        if not php_empty(before) or not php_empty(after):
            preds.append(
                _between(get, _dt(after) if after else None, _dt(before) if before else None)
            )
    for field in ("name", "username", "email", "country"):
        for kind in ("includes", "excludes"):
            raw = args[f"{field}_{kind}"]
            if not php_empty(raw):
                preds.append(_member(field, raw.split(","), kind == "includes"))
    term = args["search"]
    if not php_empty(term):
        preds.append(_search(args["searchby"], term))
    wanted_empty = args["filter_empty"]
    if wanted_empty:

        def filled(r: JSON, s: JSON | None) -> bool:
            values = [_name(r) if f == "name" else r[f] for f in wanted_empty]
            return all(v is not None and pad(v) != "" for v in values)

        preds.append(filled)
    for key, column in (("customers", "customer_id"), ("users", "user_id")):
        if args[key]:
            preds.append(_listed(column, set(args[key])))
    return preds, not php_empty(args["before"]) or not php_empty(args["after"])


def _listed(column: str, ids: set[int]) -> Pred:
    return lambda r, s: r[column] in ids


def _having(args: dict[str, Any]) -> list[Callable[[JSON], bool]]:
    """The HAVING conditions: the newest order's date, then the numbers."""
    preds: list[Callable[[JSON], bool]] = []
    before, after = args["last_order_before"], args["last_order_after"]
    if before or after:
        newest = _between(
            lambda g, s: g["date_last_order"], _dt(after) if after else None,
            _dt(before) if before else None,
        )  # fmt: skip
        preds.append(lambda g: newest(g, None))
    for name, column in (("orders_count", "count"), ("total_spend", "sum"),
                         ("avg_order_value", "avg")):  # fmt: skip
        low, high = args[f"{name}_min"], args[f"{name}_max"]
        if low is None and high is None:
            continue
        both = low is not None and high is not None

        def pred(
            g: JSON, lo: Any = low, hi: Any = high, col: str = column, eq: bool = both
        ) -> bool:
            value = g[col]
            if value is None:
                return False
            ok_low = lo is None or (value >= lo if eq else value > lo)
            ok_high = hi is None or (value <= hi if eq else value < hi)
            return ok_low and ok_high

        preds.append(pred)
    return preds


def _aggregate(real: list[JSON]) -> JSON:
    """The grouped columns over a customer's joined `wc_order_stats` rows."""
    count = len(real)
    orders = sum(1 for s in real if s["parent_id"] == 0)
    total = sum(s["total_sales"] for s in real) if real else None
    return {
        "orders_count": orders,
        "total_spend": total,
        "avg_order_value": None if orders == 0 or total is None else total / orders,
        "date_last_order": max((s["date_created"] for s in real), default=None),
        "count": count,  # `COUNT(order_id)`, `SUM(total_sales)` and their ratio: the HAVING
        "sum": total,
        "avg": None if count == 0 or total is None else total / count,
    }


NO_ORDERS = _aggregate([])


def joined(a: WooAnalytics) -> dict[int, tuple[list[JSON], JSON]]:
    """`wc_order_stats` rows by customer id, without the excluded statuses (the LEFT JOIN),
    with their aggregate."""
    rows: dict[int, list[JSON]] = {}
    for stats in a.order_stats.values():
        if stats["status"] not in EXCLUDED and stats["customer_id"]:
            rows.setdefault(stats["customer_id"], []).append(stats)
    return {cid: (mine, _aggregate(mine)) for cid, mine in rows.items()}


def query(a: WooAnalytics, joined: dict[int, tuple[list[JSON], JSON]], args: dict[str, Any]) -> tuple[list[JSON], int]:  # fmt: skip
    """The grouped rows that pass the filters, sorted (`get_noncached_data()`), and their count.

    As SQL does it: WHERE on each (lookup row, joined stats row or NULL) pair, GROUP BY the
    lookup row, HAVING on the groups."""
    combine = any if args["match"] == "any" else all
    (where, per_order), having = _where(args), _having(args)
    found: list[JSON] = []
    for row in a.customer_lookup:
        mine, totals = joined.get(row["customer_id"], ([], NO_ORDERS))
        if per_order:
            stats: list[JSON | None] = list(mine) or [None]
            stats = [s for s in stats if combine(p(row, s) for p in where)]
            if not stats:
                continue
            totals = _aggregate([s for s in stats if s is not None])
        elif where and not combine(p(row, None) for p in where):
            continue
        group = {"row": row, **totals}
        if having and not combine(p(group) for p in having):
            continue
        found.append(group)
    column = args["orderby"]

    def key(g: JSON) -> tuple[int, Any]:
        value = (
            g[column]
            if column in ("orders_count", "total_spend", "avg_order_value")
            else (_name(g["row"]) if column == "name" else g["row"][column])
        )
        if value is None:
            return (0, "")
        return (1, value if isinstance(value, int | float) else pad(value))

    found.sort(key=lambda g: g["row"]["customer_id"])
    found.sort(key=key, reverse=args["order"] == "desc")
    return found, len(found)


def render(root: str, group: JSON) -> JSON:
    """One row as `prepare_item_for_response()` shows it."""
    row = group["row"]
    out = {
        "id": row["customer_id"],
        "user_id": row["user_id"] or 0,
        "username": row["username"],
        "name": _name(row),
        "email": row["email"],
        "country": row["country"],
        "city": row["city"],
        "state": row["state"],
        "postcode": row["postcode"],
        "date_registered": shifted(row["date_registered"]),
        "date_last_active": plain(row["date_last_active"]),
        "date_last_order": group["date_last_order"],
        "orders_count": group["orders_count"],
        "total_spend": float(group["total_spend"] or 0.0),
        "avg_order_value": float(group["avg_order_value"] or 0.0),
        "date_registered_gmt": plain(row["date_registered"]),
        "date_last_active_gmt": shifted(row["date_last_active"]),
    }
    if row["user_id"]:
        out["_links"] = {
            "customer": [{"href": f"{root}{ANALYTICS_API}/customers/{row['customer_id']}"}],
            "collection": [{"href": f"{root}{ANALYTICS_API}/customers"}],
        }
    return out
