"""WooCommerce Analytics' customer lookup (`wc_customer_lookup`) in the WooCommerce fake.

Written from WooCommerce 10.0.2's own source (github.com/WP-a2z/woocommerce, commit b14459dd7,
"woocommerce 10.0.2"); what was confirmed there is written down, by file, beside the code
that follows it: the endpoints in `connectors.woocommerce.fake.analytics_routes`, their
parameters and response fields in `.analytics_query`, how the tables are kept here (the hooks
and the order imports; the DataStore functions in `.analytics_tables`), the values as MySQL and
PHP see them in `.analytics_values`.

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
`wc_last_active` update); see `connectors.woocommerce.fake.store.WooAnalytics` for the state.
Pending imports run at the start of the first request (any `wp-json` request, as WP-Cron runs on
traffic) once `store.analytics.import_delay_s` has passed: the default 0 means the next request
after the write. `run_pending_imports(store)` (or `WooCommerceFake.run_analytics_imports()`)
runs them all at once; `lookup_rows(store)` gives the table. The hooks sit on the fake's writes
(`connectors.woocommerce.fake.analytics_routes` and the customer routes of the app): `PUT
orders/<id>` and `DELETE orders/<id>` (it serves no order creation or batch), `PUT
customers/<id>` and `DELETE customers/<id>?force=true`. Not modelled: `wc_last_active` updates
when an order is moved to another customer, the Reports cache (every change invalidates it).
"""

from __future__ import annotations

import time
from typing import Any

from connectors.woocommerce.fake.analytics_tables import Importer
from connectors.woocommerce.fake.analytics_values import wc_version
from connectors.woocommerce.fake.store import WooAnalytics, WooStore
from sandbox.data import JSON

DRAFTS = ("new", "auto-draft", "draft", "checkout-draft")


def ensure_built(store: WooStore) -> WooAnalytics:
    """The analytics tables, built on first use as the live hooks would have left them."""
    a = store.analytics
    if a.built:
        return a
    a.customer_lookup, a.order_stats, a.next_customer_id = [], {}, 1
    a.built = True
    importer = Importer(store)
    events: list[tuple[str, int, int, Any]] = []
    for user in store.customers:
        if user.get("role") == "customer":
            events.append((user.get("date_created_gmt") or "", 0, user["id"], user))
    for order in store.orders:
        if not a.historical_import and wc_version(order) < (4, 0):
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
    importer = Importer(store)
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
    Importer(store).order_deleted(order)


def user_deleted(store: WooStore, user_id: int) -> None:
    """`delete_user`: the rows with that user_id go (call before the account is removed)."""
    ensure_built(store)
    importer = Importer(store)
    importer.delete([r for r in store.analytics.customer_lookup if r["user_id"] == user_id])


def customer_saved(store: WooStore, customer: JSON) -> None:
    """`woocommerce_update_customer`/`profile_update`: rewrite a customer's row."""
    ensure_built(store)
    Importer(store).registered(customer)
