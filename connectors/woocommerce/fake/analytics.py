"""WooCommerce Analytics' customer lookup (`wc_customer_lookup`) in the WooCommerce fake.

Written from WooCommerce 10.0.2's own source (github.com/WP-a2z/woocommerce, commit b14459dd7,
"woocommerce 10.0.2"); what was confirmed there, by file:

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

How the table is kept (Customers/DataStore.php `init()`, src/Internal/Admin/Schedulers/
OrdersScheduler.php, CustomersScheduler.php, src/Admin/Schedulers/SchedulerTraits.php,
src/Admin/API/Reports/Orders/Stats/DataStore.php, src/Admin/Overrides/Order.php):
- A registered customer's row (role `customer` only: `is_valid_customer()`) is written at
  once on `woocommerce_new_customer`, `woocommerce_update_customer`, `profile_update` and a
  `wc_last_active` meta change (`update_registered_customer()`: the account's names (else the
  billing names), e-mail and billing city/state/postcode/country; it keeps the row's id).
- Deleting a user (`delete_user`) deletes the rows with that `user_id` and nothing else: guest
  rows of the same person (from guest checkouts, found by e-mail) stay. WooCommerce then sets
  the orders' `customer_id` to 0 by direct SQL (`wc_reset_order_customer_id_on_deleted_user()`
  in includes/wc-user-functions.php), which queues no import.
- Every order save that fires `woocommerce_update_order` (all of them except a status change
  to or from `trash`, and a draft becoming a real order, which fires `woocommerce_new_order`:
  src/Internal/DataStores/Orders/OrdersTableDataStore.php `update()`) schedules one import of
  the order with Action Scheduler `time() + 5` seconds later, unless one is already pending
  (`schedule_action()`/`has_existing_jobs()`). Trashing an order (`trash_order()`, direct SQL)
  queues none.
- The import (`OrdersScheduler::import()`), reading the order as it is when it runs (skipped if
  it was deleted meanwhile): `get_report_customer_id()` = `get_or_create_customer_from_order()`:
  for an order without a user the lookup id already in its `wc_order_stats` row, else the guest
  row (user_id NULL) with its billing e-mail, compared case-insensitively; for a user's order
  the row with that user_id; if none, it INSERTS a row from the order: the billing (else
  shipping) names, billing e-mail, city, state, postcode, country, and `date_last_active` = the
  order's date (a user's order: the account's names and e-mail, user_id, username). Then the
  `wc_order_stats` row is written with that id, and `sync_order_customer()` overwrites the row
  with the order's data if this order is the row's newest in `wc_order_stats`. An empty billing
  e-mail looks nothing up (a new row each time there is no stats row); `deleted@site.invalid`
  is an address like any other (it finds a guest row with that address, e.g. one the WordPress
  privacy eraser anonymised). Nothing skips such orders.
- So an order that already has a `wc_order_stats` row keeps pointing at its old lookup id:
  updating a deleted user's orders does NOT bring the deleted row back (the UPDATE of the
  newest order's data hits no row). A guest row IS created again for an order that has no
  stats row yet: one whose import was still pending, or one older than Analytics when the
  historical import was never run (`historical_import=False` here).
- Force-deleting an order deletes its stats row and then the lookup row if no stats row of that
  customer is left (`sync_on_order_delete()`; its refunds still count at that moment).
- The WordPress privacy eraser anonymises the row (`anonymize_customer()`, `[deleted]`,
  `deleted@site.invalid`); it is not reachable over REST and not modelled.

The fake: the rows are built from the store the first time anything needs them, as the live
hooks would have left them (registrations and imports in date order, then each customer's
`wc_last_active` update); see `sandbox.data.WooAnalytics` for the state. Pending imports run
at the start of the first request (any `wp-json` request, as WP-Cron runs on traffic) once
`store.analytics.import_delay_s` has passed: the default 0 means the next request after the
write. `run_pending_imports(store)` (or `WooCommerceFake.run_analytics_imports()`) runs them all
at once; `lookup_rows(store)` gives the table. The hooks sit on the fake's writes: `PUT orders/
<id>` and `DELETE orders/<id>` (it serves no order creation or batch), `PUT customers/<id>` and
`DELETE customers/<id>?force=true`. Not modelled: `wc_last_active` updates when an
order is moved to another customer, the Reports cache (every change invalidates it).
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

from werkzeug.routing import Map, Rule

from connectors.woocommerce.fake.orders import OrderRoutes
from connectors.woocommerce.fake.rest import (
    CONTEXT,
    PAGE,
    PER_PAGE,
    Param,
    RestError,
    contains,
    fold,
    link_headers,
    not_found_route,
    parse_date,
    validate,
)
from connectors.woocommerce.fake.routes import TZ, Ctx, Reply
from sandbox.data import JSON, WooAnalytics, WooStore

ANALYTICS_API = "/wp-json/wc-analytics"
ANALYTICS_URLS = Map(
    [
        Rule("/reports/customers", endpoint="analytics_report_customers", methods=["GET"]),
        Rule("/customers", endpoint="analytics_customers", methods=["GET"]),
        Rule("/customers/<cid>", endpoint="analytics_customer", methods=["GET"]),
    ],
    strict_slashes=False,
)
# `get_excluded_report_order_statuses()`: the option's default plus auto-draft and trash.
EXCLUDED = frozenset({"wc-pending", "wc-failed", "wc-cancelled", "wc-auto-draft", "wc-trash"})
DRAFTS = ("new", "auto-draft", "draft", "checkout-draft")
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


# -- dates --------------------------------------------------------------------------------------
def _sql(iso: str | None) -> str | None:
    """A stored ISO date as MySQL writes it."""
    return iso.replace("T", " ") if iso else None


def _shifted(sql: str | None) -> str | None:
    """`wc_rest_prepare_date_response($date, false)`: the stored value read as UTC, in site time."""
    if not sql:
        return None
    when = datetime.fromisoformat(sql).replace(tzinfo=UTC).astimezone(TZ)
    return when.strftime("%Y-%m-%dT%H:%M:%S")


def _plain(sql: str | None) -> str | None:
    """`wc_rest_prepare_date_response($date)`: the stored value as it is."""
    return sql.replace(" ", "T") if sql else None


def _version(order: JSON) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", str(order.get("version") or "99")))


def _php_empty(value: Any) -> bool:
    return value in (None, "", "0", 0, [], False)


def _pad(text: Any) -> str:
    """The collation's form, trailing spaces ignored (PAD SPACE)."""
    return fold(text).rstrip(" ")


def _mysql_number(text: str) -> float:
    """What MySQL makes of a string compared with a number: its numeric prefix, else 0."""
    match = re.match(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", text)
    return float(match.group(0)) if match else 0.0


# -- the table and its hooks --------------------------------------------------------------------
class _Importer:
    """The DataStore functions over the store's tables (one instance per batch of changes)."""

    def __init__(self, store: WooStore) -> None:
        self.store, self.a = store, store.analytics
        self.users = {c["id"]: c for c in store.customers}
        self.guests: dict[str, list[int]] = {}  # folded e-mail -> ids of guest rows
        self.by_user: dict[int, int] = {}
        self.rows: dict[int, JSON] = {}
        for row in self.a.customer_lookup:
            self._index(row)
        self.last: dict[int, tuple[str, int]] | None = None  # customer id -> newest stats row

    def _index(self, row: JSON) -> None:
        self.rows[row["customer_id"]] = row
        if row["user_id"] is None:
            self.guests.setdefault(_pad(row["email"] or ""), []).append(row["customer_id"])
        else:
            self.by_user[row["user_id"]] = row["customer_id"]

    def _unindex(self, row: JSON) -> None:
        self.rows.pop(row["customer_id"], None)
        if row["user_id"] is None:
            ids = self.guests.get(_pad(row["email"] or ""), [])
            if row["customer_id"] in ids:
                ids.remove(row["customer_id"])
        elif self.by_user.get(row["user_id"]) == row["customer_id"]:
            del self.by_user[row["user_id"]]

    def _changed(self) -> None:
        self.a.version += 1

    # rows
    def insert(self, data: JSON) -> int:
        cid = self.a.next_customer_id
        self.a.next_customer_id += 1
        row = {"customer_id": cid, "user_id": None, "username": "", "first_name": "",
               "last_name": "", "email": None, "date_last_active": None,
               "date_registered": None, "country": "", "postcode": "", "city": "", "state": "",
               **data}  # fmt: skip
        self.a.customer_lookup.append(row)
        self._index(row)
        self._changed()
        return cid

    def update(self, cid: int, data: JSON) -> None:
        row = self.rows.get(cid)
        if row is None:  # `$wpdb->update()` of no row
            return
        self._unindex(row)
        row.update(data)
        self._index(row)
        self._changed()

    def delete(self, rows: Iterable[JSON]) -> None:
        for row in list(rows):
            self._unindex(row)
            self.a.customer_lookup.remove(row)
            self._changed()

    def guest_id(self, email: str) -> int | None:
        ids = self.guests.get(_pad(email), [])
        return min(ids) if ids else None

    # `update_registered_customer()`
    def registered(self, user: JSON) -> None:
        if user.get("role") != "customer":
            return
        billing = user.get("billing") or {}
        first, last = user.get("first_name", ""), user.get("last_name", "")
        first = billing.get("first_name", "") if _php_empty(first) else first
        last = billing.get("last_name", "") if _php_empty(last) else last
        active = next(
            (m["value"] for m in user.get("meta_data", []) if m["key"] == "wc_last_active"), None
        )
        stamp = int(_mysql_number(str(active))) if active not in (None, "", "0") else 0
        data = {
            "user_id": user["id"],
            "username": user.get("username", ""),
            "first_name": first,
            "last_name": last,
            "email": user.get("email", ""),
            "city": billing.get("city", ""),
            "state": billing.get("state", ""),
            "postcode": billing.get("postcode", ""),
            "country": billing.get("country", ""),
            "date_registered": _sql(user.get("date_created")),
            "date_last_active": (
                datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%d %H:%M:%S") if stamp else None
            ),
        }
        existing = self.by_user.get(user["id"])
        if existing is None:
            self.insert(data)
        else:  # REPLACE keeping the id
            row = self.rows[existing]
            self._unindex(row)
            row.update(data)
            self._index(row)
            self._changed()

    # `get_existing_customer_id_from_order()`
    def existing_id(self, order: JSON) -> int | None:
        uid = order.get("customer_id") or 0
        if not uid:
            stats = self.a.order_stats.get(order["id"])
            if stats and stats["customer_id"]:
                return int(stats["customer_id"])
            email = (order.get("billing") or {}).get("email", "")
            return self.guest_id(email) if email else None
        return self.by_user.get(uid)

    # `get_customer_order_data_and_format()`; None where `new WC_Customer()` would throw
    def order_data(self, order: JSON) -> JSON | None:
        billing, shipping = order.get("billing") or {}, order.get("shipping") or {}
        uid = order.get("customer_id") or 0
        user = self.users.get(uid) if uid else None
        if uid:
            first, last = (user or {}).get("first_name", ""), (user or {}).get("last_name", "")
        else:
            first = billing.get("first_name", "") or shipping.get("first_name", "")
            last = billing.get("last_name", "") or shipping.get("last_name", "")
        data = {
            "first_name": first,
            "last_name": last,
            "email": billing.get("email", ""),
            "city": billing.get("city", ""),
            "state": billing.get("state", ""),
            "postcode": billing.get("postcode", ""),
            "country": billing.get("country", ""),
            "date_last_active": _sql(order.get("date_created_gmt")),
        }
        if uid:
            if user is None:
                return None
            data |= {
                "email": user.get("email", ""),
                "user_id": uid,
                "username": user.get("username", ""),
                "date_registered": _sql(user.get("date_created")),
            }
        return data

    # `get_or_create_customer_from_order()`; None: the import fails here
    def report_customer_id(self, order: JSON) -> int | None:
        existing = self.existing_id(order)
        if existing:
            return existing
        data = self.order_data(order)
        return None if data is None else self.insert(data)

    # `wc_order_stats`
    def write_stats(self, oid: int, parent: int, cid: int, when: JSON, total: float,
                    status: str) -> None:  # fmt: skip
        old = self.a.order_stats.get(oid)
        gmt = _sql(when.get("date_created_gmt")) or ""
        new = {
            "order_id": oid,
            "parent_id": parent,
            "date_created": _sql(when.get("date_created")),
            "date_created_gmt": gmt,
            "total_sales": total,
            "status": f"wc-{status}",
            "customer_id": cid,
        }
        self.a.order_stats[oid] = new
        self._changed()
        if self.last is None:
            return
        moved = old is not None and (old["customer_id"], old["date_created_gmt"]) != (cid, gmt)
        if moved and old is not None and self.last.get(old["customer_id"], ("", 0))[1] == oid:
            self.last = None  # a customer's newest row changed: recount when asked
            return
        if cid:
            key = (gmt, oid)
            if key > self.last.get(cid, ("", 0)):
                self.last[cid] = key

    def newest_order(self, cid: int) -> int | None:
        """`get_last_order()`: the customer's newest stats row (refunds included)."""
        if self.last is None:
            last: dict[int, tuple[str, int]] = {}
            for stats in self.a.order_stats.values():
                key = (stats["date_created_gmt"] or "", stats["order_id"])
                if stats["customer_id"] and key > last.get(stats["customer_id"], ("", 0)):
                    last[stats["customer_id"]] = key
            self.last = last
        found = self.last.get(cid)
        return found[1] if found else None

    # `OrdersScheduler::import()`
    def import_order(self, order: JSON, refunds: bool = True) -> None:
        if not order.get("date_created"):
            return
        cid = self.report_customer_id(order)
        if cid is None:
            return
        self.write_stats(order["id"], 0, cid, order, float(order.get("total") or 0),
                         order["status"])  # fmt: skip
        self.sync_order_customer(order)
        for refund in self.store.refunds.get(order["id"], []) if refunds else []:
            self.refund_stats(order, refund, cid)

    def refund_stats(self, order: JSON, refund: JSON, cid: int) -> None:
        amount = -float(refund.get("amount") or 0)
        self.write_stats(refund["id"], order["id"], cid, refund, amount, order["status"])

    def sync_order_customer(self, order: JSON) -> None:
        cid = self.existing_id(order)
        if not cid:
            return
        if self.newest_order(cid) != order["id"]:
            return
        data = self.order_data(order)
        if data is not None:
            self.update(cid, data)

    # `OrdersStatsDataStore::delete_order()` + `sync_on_order_delete()`
    def order_deleted(self, order: JSON) -> None:
        cid = self.existing_id(order) or 0
        self.a.order_stats.pop(order["id"], None)
        self.last = None
        self._changed()
        if cid and not any(s["customer_id"] == cid for s in self.a.order_stats.values()):
            row = self.rows.get(cid)
            if row is not None:
                self.delete([row])
        for refund in self.store.refunds.get(order["id"], []):
            self.a.order_stats.pop(refund["id"], None)


def ensure_built(store: WooStore) -> WooAnalytics:
    """The analytics tables, built on first use as the live hooks would have left them."""
    a = store.analytics
    if a.built:
        return a
    a.customer_lookup, a.order_stats, a.next_customer_id = [], {}, 1
    a.built = True
    importer = _Importer(store)
    events: list[tuple[str, int, int, Any]] = []
    for user in store.customers:
        if user.get("role") == "customer":
            events.append((user.get("date_created_gmt") or "", 0, user["id"], user))
    for order in store.orders:
        if not a.historical_import and _version(order) < (4, 0):
            continue
        events.append((order.get("date_created_gmt") or "", 1, order["id"], order))
        for refund in store.refunds.get(order["id"], []):
            events.append((refund.get("date_created_gmt") or "", 2, refund["id"], (order, refund)))
    importer.last = {}
    for _when, kind, _ident, item in sorted(events, key=lambda e: e[:3]):
        if kind == 0:
            importer.registered(item)
        elif kind == 1:
            importer.import_order(item, refunds=False)
        else:
            order, refund = item
            cid = importer.report_customer_id(order)
            if cid is not None:
                importer.refund_stats(order, refund, cid)
    for user in store.customers:  # their `wc_last_active` updates, after their orders
        importer.registered(user)
    return a


def lookup_rows(store: WooStore) -> list[JSON]:
    """The `wc_customer_lookup` rows (built if needed)."""
    return ensure_built(store).customer_lookup


def queue_order_import(store: WooStore, order_id: int, now: float | None = None) -> None:
    """`OrdersScheduler::possibly_schedule_import()`: one pending import per order."""
    a = ensure_built(store)
    if any(job["order_id"] == order_id for job in a.queue):
        return
    now = time.monotonic() if now is None else now
    a.queue.append({"order_id": order_id, "due": now + a.import_delay_s})


def _run(store: WooStore, jobs: list[JSON]) -> int:
    a = store.analytics
    for job in jobs:
        a.queue.remove(job)
    wanted = {job["order_id"] for job in jobs}
    orders = {o["id"]: o for o in store.orders if o["id"] in wanted}
    importer = _Importer(store)
    for job in sorted(jobs, key=lambda j: j["due"]):
        order = orders.get(job["order_id"])
        if order is not None:
            importer.import_order(order)
    return len(jobs)


def run_due_imports(store: WooStore, now: float | None = None) -> int:
    """Run the pending imports that are due (the fake calls this at the start of a request)."""
    a = store.analytics
    if not a.queue:
        return 0
    now = time.monotonic() if now is None else now
    return _run(store, [job for job in a.queue if job["due"] <= now])


def run_pending_imports(store: WooStore) -> int:
    """Run every pending import now, due or not (as Action Scheduler does once the shop gets
    traffic after the delay); returns how many ran."""
    return _run(store, list(store.analytics.queue))


def order_saved(store: WooStore, order: JSON, status_before: str) -> None:
    """After a REST save of `order`: queue its import when WooCommerce fires
    `woocommerce_update_order` (not for a move to or from the trash, nor a draft turning
    into a real order)."""
    status = order["status"]
    if status != status_before and (
        "trash" in (status, status_before) or (status_before in DRAFTS and status not in DRAFTS)
    ):
        return
    queue_order_import(store, order["id"])


def order_deleted(store: WooStore, order: JSON) -> None:
    """After `order` was deleted for good."""
    ensure_built(store)
    _Importer(store).order_deleted(order)


def user_deleted(store: WooStore, user_id: int) -> None:
    """`delete_user`: the rows with that user_id go (call before the account is removed)."""
    ensure_built(store)
    importer = _Importer(store)
    importer.delete([r for r in store.analytics.customer_lookup if r["user_id"] == user_id])


def customer_saved(store: WooStore, customer: JSON) -> None:
    """`woocommerce_update_customer`/`profile_update`: rewrite a customer's row."""
    ensure_built(store)
    _Importer(store).registered(customer)


# -- the query ----------------------------------------------------------------------------------
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
        codes = {_pad(v) for v in values}
        return lambda r, s: (_pad(r["country"]) in codes) == inside
    ids = {_mysql_number(v) for v in values}
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
        if not _php_empty(before) or not _php_empty(after):
            preds.append(
                _between(get, _dt(after) if after else None, _dt(before) if before else None)
            )
    for field in ("name", "username", "email", "country"):
        for kind in ("includes", "excludes"):
            raw = args[f"{field}_{kind}"]
            if not _php_empty(raw):
                preds.append(_member(field, raw.split(","), kind == "includes"))
    term = args["search"]
    if not _php_empty(term):
        preds.append(_search(args["searchby"], term))
    wanted_empty = args["filter_empty"]
    if wanted_empty:

        def filled(r: JSON, s: JSON | None) -> bool:
            values = [_name(r) if f == "name" else r[f] for f in wanted_empty]
            return all(v is not None and _pad(v) != "" for v in values)

        preds.append(filled)
    for key, column in (("customers", "customer_id"), ("users", "user_id")):
        if args[key]:
            preds.append(_listed(column, set(args[key])))
    return preds, not _php_empty(args["before"]) or not _php_empty(args["after"])


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


def _joined(a: WooAnalytics) -> dict[int, tuple[list[JSON], JSON]]:
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
        return (1, value if isinstance(value, int | float) else _pad(value))

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
        "date_registered": _shifted(row["date_registered"]),
        "date_last_active": _plain(row["date_last_active"]),
        "date_last_order": group["date_last_order"],
        "orders_count": group["orders_count"],
        "total_spend": float(group["total_spend"] or 0.0),
        "avg_order_value": float(group["avg_order_value"] or 0.0),
        "date_registered_gmt": _plain(row["date_registered"]),
        "date_last_active_gmt": _shifted(row["date_last_active"]),
    }
    if row["user_id"]:
        out["_links"] = {
            "customer": [{"href": f"{root}{ANALYTICS_API}/customers/{row['customer_id']}"}],
            "collection": [{"href": f"{root}{ANALYTICS_API}/customers"}],
        }
    return out


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
            memo = (id(a), a.version, _joined(a))
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
