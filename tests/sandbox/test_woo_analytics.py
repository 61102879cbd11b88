"""WooCommerce Analytics' customer lookup in the WooCommerce fake (`connectors.woocommerce.fake.analytics`).

The expectations are derived from the seeded store's customers and orders, as WooCommerce's
Analytics import derives the table from them, not read back from the table the fake built.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from woo_fixtures import RunningWoo
from woocommerce import API

from connectors.woocommerce.fake.analytics import run_pending_imports
from sandbox.credentials import WOOCOMMERCE_CONSUMER_KEY as KEY
from sandbox.credentials import WOOCOMMERCE_CONSUMER_SECRET as SECRET

JSON = dict[str, Any]
FIELDS = [
    "id", "user_id", "username", "name", "email", "country", "city", "state", "postcode",
    "date_registered", "date_last_active", "date_last_order", "orders_count", "total_spend",
    "avg_order_value", "date_registered_gmt", "date_last_active_gmt",
]  # fmt: skip
EXCLUDED = {"pending", "failed", "cancelled", "trash"}
NO_ROUTE = {
    "code": "rest_no_route",
    "message": "No route was found matching the URL and request method.",
    "data": {"status": 404},
}


def analytics(woo: RunningWoo, secret: str = SECRET) -> API:
    return API(url=woo.url, consumer_key=KEY, consumer_secret=secret, version="wc-analytics",
               timeout=10)  # fmt: skip


def rows(woo: RunningWoo, **params: Any) -> list[JSON]:
    response = analytics(woo).get("reports/customers", params={"per_page": 100, **params})
    assert response.status_code == 200, response.text
    return list(response.json())


def by_email(woo: RunningWoo, email: str) -> list[JSON]:
    return rows(woo, search=email, searchby="email")


def exactly(woo: RunningWoo, email: str) -> list[JSON]:
    """The rows with this e-mail address (any case): `searchby=email` is a LIKE %...%."""
    return [r for r in by_email(woo, email) if r["email"].casefold() == email.casefold()]


def user_id(woo: RunningWoo, email: str) -> int:
    response = woo.api().get("customers", params={"email": email, "role": "all"})
    (customer,) = response.json()
    return int(customer["id"])


def counted(orders: list[JSON]) -> int:
    return sum(1 for o in orders if o["status"] not in EXCLUDED)


# -- listing, search, paging ---------------------------------------------------------------------
def test_listing_holds_every_customer_and_guest_and_pages(woo: RunningWoo) -> None:
    store = woo.store
    roles = {c["id"]: c["role"] for c in store.customers}
    registered = {c for c, role in roles.items() if role == "customer"}
    # users of other roles get a row from their first order; guests one per e-mail (any case)
    others = {o["customer_id"] for o in store.orders if o["customer_id"]} - registered
    guests = {o["billing"]["email"].casefold() for o in store.orders if not o["customer_id"]}
    expected = len(registered) + len(others) + len(guests)
    first = analytics(woo).get("reports/customers", params={"per_page": 50})
    assert first.status_code == 200
    assert first.headers["X-WP-Total"] == str(expected)
    assert first.headers["X-WP-TotalPages"] == str(-(-expected // 50))
    next_link = r'/wp-json/wc-analytics/reports/customers\?per_page=50&[^>]*&page=2>; rel="next"'
    assert re.search(next_link, first.headers["Link"])
    items = first.json()
    assert list(items[0]) == [*FIELDS, "_links"]
    dates = [i["date_registered"] for i in items]
    assert None not in dates and dates == sorted(dates, reverse=True)  # date_registered desc
    seen: list[int] = []
    for page in range(1, -(-expected // 100) + 1):
        seen += [i["id"] for i in rows(woo, page=page)]
    assert len(seen) == len(set(seen)) == expected
    past = analytics(woo).get("reports/customers", params={"per_page": 100, "page": 99})
    assert past.status_code == 200 and past.json() == []
    assert (past.headers["X-WP-Total"], past.headers["X-WP-TotalPages"]) == ("0", "0")


def test_search_by_name_and_by_email_finds_the_registered_and_the_guest_row(
    woo: RunningWoo,
) -> None:
    subject, variant = woo.shop.subject_email, woo.shop.traps["case"]
    uid = user_id(woo, subject)
    named = rows(woo, search="DE VRIES")  # searchby=name, case-insensitive LIKE %...%
    assert named and all("de vries" in r["name"].lower() for r in named)
    assert {(r["user_id"], r["email"]) for r in named} >= {(uid, subject), (0, variant)}
    found = {r["email"]: r for r in by_email(woo, subject)}
    # LIKE %jan@devries...%: the look-alike dejan@ is in it too; the guest row has the e-mail of
    # the subject's newest guest order (the case variant)
    assert set(found) == {subject, variant, woo.shop.traps["containment"]}
    mine = [o for o in woo.store.orders if o["customer_id"] == uid]
    as_guest = [
        o for o in woo.store.orders
        if not o["customer_id"] and o["billing"]["email"].casefold() == subject.casefold()
    ]  # fmt: skip
    assert found[subject]["user_id"] == uid and found[subject]["orders_count"] == counted(mine)
    assert found[variant]["user_id"] == 0 and found[variant]["username"] == ""
    assert found[variant]["orders_count"] == counted(as_guest) == 2
    assert found[variant]["date_registered"] is None and "_links" not in found[variant]
    assert found[subject]["_links"]["customer"][0]["href"] == (
        f"{woo.url}/wp-json/wc-analytics/customers/{found[subject]['id']}"
    )
    newest = max(as_guest, key=lambda o: (o["date_created_gmt"], o["id"]))
    assert found[variant]["city"] == newest["billing"]["city"]
    assert found[variant]["date_last_active"] == newest["date_created_gmt"]
    by_username = rows(woo, search=found[subject]["username"], searchby="username")
    username = found[subject]["username"]  # "jandevries": in "dejandevries" too
    assert {r["email"] for r in by_username} == {subject, woo.shop.traps["containment"]}
    assert all(username in r["username"] for r in by_username)


def test_id_filters_and_the_email_includes_quirk(woo: RunningWoo) -> None:
    subject = woo.shop.subject_email
    uid = user_id(woo, subject)
    (registered,) = rows(woo, users=str(uid))
    assert registered["email"] == subject
    assert [r["id"] for r in rows(woo, customers=registered["id"])] == [registered["id"]]
    # `email_includes` is a list of customer ids in WooCommerce: an address matches nothing
    assert rows(woo, email_includes=subject) == []
    assert [r["id"] for r in rows(woo, email_includes=str(registered["id"]))] == [registered["id"]]
    excluded = rows(woo, email_excludes=str(registered["id"]), search="de vries")
    assert registered["id"] not in {r["id"] for r in excluded} and excluded


def test_single_row_route_answers_a_list(woo: RunningWoo) -> None:
    (registered,) = rows(woo, users=str(user_id(woo, woo.shop.subject_email)))
    one = analytics(woo).get(f"customers/{registered['id']}")
    assert one.status_code == 200 and one.headers["X-WP-Total"] == "1"
    assert [r["id"] for r in one.json()] == [registered["id"]]
    unknown = analytics(woo).get("customers/999999")
    assert (unknown.status_code, unknown.json(), unknown.headers["X-WP-Total"]) == (200, [], "0")
    nested = analytics(woo).get(f"reports/customers/{registered['id']}")
    assert (nested.status_code, nested.json()) == (404, NO_ROUTE)


@pytest.mark.parametrize(
    ("method", "path"),
    [("delete", "reports/customers"), ("delete", "customers/{id}"),
     ("delete", "reports/customers/{id}"), ("put", "customers/{id}"),
     ("post", "reports/customers")],
)  # fmt: skip
def test_the_table_has_no_write_route(woo: RunningWoo, method: str, path: str) -> None:
    (registered,) = rows(woo, users=str(user_id(woo, woo.shop.subject_email)))
    api = analytics(woo)
    target = path.format(id=registered["id"])
    if method == "delete":
        response = api.delete(target, params={"force": "true"})
    else:
        response = getattr(api, method)(target, {"email": "x@example.org"})
    assert (response.status_code, response.json()) == (404, NO_ROUTE)
    assert [r["id"] for r in rows(woo, customers=registered["id"])] == [registered["id"]]


def test_bad_parameters_and_keys_are_refused(woo: RunningWoo) -> None:
    bad = analytics(woo).get("reports/customers", params={"searchby": "phone", "search": "06"})
    assert bad.status_code == 400 and bad.json()["code"] == "rest_invalid_param"
    assert analytics(woo, secret="cs_wrong").get("reports/customers").status_code == 401


# -- how the table follows the shop -------------------------------------------------------------
def test_deleting_the_account_removes_only_the_registered_row(fresh_woo: RunningWoo) -> None:
    subject, variant = fresh_woo.shop.subject_email, fresh_woo.shop.traps["case"]
    uid = user_id(fresh_woo, subject)
    before = {r["email"]: r for r in by_email(fresh_woo, subject)}
    assert before[subject]["user_id"] == uid
    response = fresh_woo.api().delete(f"customers/{uid}", params={"force": True})
    assert response.status_code == 200
    assert rows(fresh_woo, users=str(uid)) == []
    after = {r["email"]: r for r in by_email(fresh_woo, subject)}
    assert subject not in after
    # the guest row of the same person (guest checkouts) stays, name and address and all
    assert after[variant] == before[variant]
    assert after[variant]["name"] == "Jan de Vries" and after[variant]["postcode"]


def test_updating_imported_orders_after_deletion_brings_no_row_back(
    fresh_woo: RunningWoo,
) -> None:
    subject = fresh_woo.shop.subject_email
    uid = user_id(fresh_woo, subject)
    mine = [o for o in fresh_woo.store.orders if o["customer_id"] == uid]
    before = by_email(fresh_woo, subject)
    assert fresh_woo.api().delete(f"customers/{uid}", params={"force": True}).status_code == 200
    newest = max(mine, key=lambda o: (o["date_created_gmt"], o["id"]))
    for order in (newest, mine[0]):
        response = fresh_woo.api().put(f"orders/{order['id']}", {"billing": {"city": "Zwolle"}})
        assert response.status_code == 200
    assert fresh_woo.store.analytics.queue  # the imports are pending until the next request
    after = by_email(fresh_woo, subject)  # they run first: the orders' stats rows still point
    assert not fresh_woo.store.analytics.queue  # at the deleted row, which stays deleted
    assert [r for r in after if r["user_id"] == uid] == []
    assert after == [r for r in before if r["user_id"] != uid]
    assert "Zwolle" not in {r["city"] for r in after}


def test_an_order_without_stats_row_recreates_a_guest_row_when_its_import_runs(
    fresh_woo: RunningWoo,
) -> None:
    store = fresh_woo.store
    store.analytics.historical_import = False  # orders from before WooCommerce 4.0: no stats
    store.analytics.built = False  # the sandbox built the tables at start: build them again
    store.analytics.import_delay_s = 3600.0
    as_guest = {o["billing"]["email"].casefold() for o in store.orders if not o["customer_id"]}
    customer, order = next(
        (c, o)
        for c in store.customers
        if c["role"] == "customer" and c["email"].casefold() not in as_guest
        for o in store.orders
        if o["customer_id"] == c["id"] and o["version"].split(".")[0] in ("2", "3")
    )
    email = customer["email"]
    assert [r["user_id"] for r in exactly(fresh_woo, email)] == [customer["id"]]
    response = fresh_woo.api().delete(f"customers/{customer['id']}", params={"force": True})
    assert response.status_code == 200
    assert exactly(fresh_woo, email) == []
    billing = {"address_1": "", "phone": ""}
    assert fresh_woo.api().put(f"orders/{order['id']}", {"billing": billing}).status_code == 200
    assert exactly(fresh_woo, email) == []  # not due yet
    assert run_pending_imports(store) == 1  # Action Scheduler's turn
    (row,) = exactly(fresh_woo, email)
    b = order["billing"]
    assert row["user_id"] == 0 and row["username"] == "" and row["date_registered"] is None
    assert (row["name"], row["email"], row["city"], row["postcode"], row["country"]) == (
        f"{b['first_name']} {b['last_name']}", b["email"], b["city"], b["postcode"], b["country"],
    )  # fmt: skip
    assert row["date_last_active"] == order["date_created_gmt"]
    assert row["orders_count"] == counted([order])


def test_a_guest_row_follows_its_newest_order_once_imported(fresh_woo: RunningWoo) -> None:
    store, variant = fresh_woo.store, fresh_woo.shop.traps["case"]
    (guest,) = [r for r in by_email(fresh_woo, variant) if r["user_id"] == 0]
    orders = sorted(
        (o for o in store.orders
         if not o["customer_id"] and o["billing"]["email"].casefold() == variant.casefold()),
        key=lambda o: (o["date_created_gmt"], o["id"]),
    )  # fmt: skip
    older, newest = orders[0], orders[-1]
    api = fresh_woo.api()
    assert api.put(f"orders/{older['id']}", {"billing": {"city": "Assen"}}).status_code == 200
    (row,) = [r for r in by_email(fresh_woo, variant) if r["id"] == guest["id"]]
    assert row == guest  # an older order's import leaves the row alone
    store.analytics.import_delay_s = 3600.0
    change = {"billing": {"first_name": "J.", "city": "Assen", "postcode": "9401 AA"}}
    assert api.put(f"orders/{newest['id']}", change).status_code == 200
    (row,) = [r for r in by_email(fresh_woo, variant) if r["id"] == guest["id"]]
    assert row == guest  # pending
    run_pending_imports(store)
    (row,) = [r for r in by_email(fresh_woo, variant) if r["id"] == guest["id"]]
    assert (row["name"], row["city"], row["postcode"]) == ("J. de Vries", "Assen", "9401 AA")
    # moving an order to the trash fires no update hook: nothing is queued
    assert api.put(f"orders/{newest['id']}", {"status": "trash"}).status_code == 200
    assert store.analytics.queue == []


def test_force_deleting_a_guests_only_order_removes_the_guest_row(fresh_woo: RunningWoo) -> None:
    store = fresh_woo.store
    counts: dict[str, list[JSON]] = {}
    for order in store.orders:
        if not order["customer_id"]:
            counts.setdefault(order["billing"]["email"].casefold(), []).append(order)
    email, (order,) = next(
        (e, os) for e, os in counts.items() if len(os) == 1 and not store.refunds.get(os[0]["id"])
    )
    assert len(exactly(fresh_woo, email)) == 1
    assert fresh_woo.api().delete(f"orders/{order['id']}").status_code == 200  # trash: no change
    assert len(exactly(fresh_woo, email)) == 1
    response = fresh_woo.api().delete(f"orders/{order['id']}", params={"force": True})
    assert response.status_code == 200
    assert exactly(fresh_woo, email) == []
