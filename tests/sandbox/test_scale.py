"""Scaled shops (`build_shop(..., scale=N)`, `sandbox.scale`) and the fakes' indexes on them.

A scale-3 shop is about three times the seeded one; every link between the systems holds for the
copies; the seeded records, the subject and the traps are exactly those of scale 1; the same
arguments build the same shop. The fakes' page requests (sorted indexes, memoised scans) give
what a plain scan of the store gives, also after writes and after the store's records were
replaced from outside.
"""

from __future__ import annotations

import base64
import copy
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from werkzeug.test import Client

from connectors.feedbackcompany import fake as feedbackcompany
from connectors.lightspeed.fake import app as lightspeed
from connectors.lightspeed.fake.shape import ref_id
from connectors.mollie.fake import app as mollie
from connectors.myparcel.fake import app as myparcel
from connectors.paypal.fake import app as paypal
from connectors.woocommerce.fake import app as woocommerce
from sandbox import credentials as cred
from sandbox.data import JSON, Shop, build_shop

TODAY = date.today()
KINDS = ("woocommerce", "lightspeed")
SYSTEMS = ("woocommerce", "lightspeed", "mollie", "paypal", "myparcel", "feedbackcompany")
WOO = "https://brandpunt.test"
WOO_KEYS = {
    "consumer_key": cred.WOOCOMMERCE_CONSUMER_KEY,
    "consumer_secret": cred.WOOCOMMERCE_CONSUMER_SECRET,
}


@pytest.fixture(scope="module")
def shops() -> dict[tuple[str, int], Shop]:
    return {(kind, n): build_shop(kind, 7, TODAY, scale=n) for kind in KINDS for n in (1, 3)}


def _basic(user: str, password: str = "") -> dict[str, str]:
    raw = f"{user}:{password}" if password else user
    return {"Authorization": "Basic " + base64.b64encode(raw.encode()).decode()}


def _orders(shop: Shop) -> list[JSON]:
    return shop.woocommerce.orders or shop.lightspeed.resources["orders"]


def _customers(shop: Shop) -> list[JSON]:
    return shop.woocommerce.customers or shop.lightspeed.resources["customers"]


def _duplicates(values: Any) -> list[Any]:
    return [v for v, n in Counter(values).items() if n > 1]


# -- the shop ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_a_scale_3_shop_is_about_three_times_as_large(
    shops: dict[tuple[str, int], Shop], kind: str
) -> None:
    one, three = shops[(kind, 1)], shops[(kind, 3)]
    sizes = {
        "orders": _orders,
        "customers": _customers,
        "mollie payments": lambda s: s.mollie.payments,
        "mollie customers": lambda s: s.mollie.customers,
        "paypal transactions": lambda s: s.paypal.transactions,
        "shipments": lambda s: s.myparcel.shipments,
    }
    if kind == "lightspeed":
        sizes["invitations"] = lambda s: s.feedbackcompany.invitations
    for name, of in sizes.items():
        ratio = len(of(three)) / len(of(one))
        assert 2.6 <= ratio <= 3.0, (name, len(of(one)), len(of(three)))


@pytest.mark.parametrize("kind", KINDS)
def test_the_seeded_records_subject_and_traps_are_those_of_scale_1(
    shops: dict[tuple[str, int], Shop], kind: str
) -> None:
    one, three = shops[(kind, 1)], shops[(kind, 3)]
    assert (three.subject_email, three.traps, three.bulk_email) == (
        one.subject_email,
        one.traps,
        one.bulk_email,
    )
    for system in SYSTEMS:
        before, after = getattr(one, system), getattr(three, system)
        for f in fields(before):
            old, new = getattr(before, f.name), getattr(after, f.name)
            if isinstance(old, list):  # copies are appended
                assert new[: len(old)] == old, (system, f.name)
            elif isinstance(old, dict):
                for key, value in old.items():
                    if isinstance(value, list):
                        assert new[key][: len(value)] == value, (system, f.name, key)
                    elif isinstance(value, dict):
                        assert {k: new[key][k] for k in value} == value, (system, f.name, key)
                    else:
                        assert new[key] == value, (system, f.name, key)
            else:
                assert new == old, (system, f.name)
    # no copy carries (or contains) the address of the subject or of a trap
    text_one = json.dumps([getattr(one, s).__dict__ for s in SYSTEMS], default=str).casefold()
    text_three = json.dumps([getattr(three, s).__dict__ for s in SYSTEMS], default=str).casefold()
    for address in [one.subject_email, *(v for v in one.traps.values() if "@" in v)]:
        assert text_three.count(address.casefold()) == text_one.count(address.casefold())


@pytest.mark.parametrize("kind", KINDS)
def test_the_same_arguments_build_the_same_shop(
    shops: dict[tuple[str, int], Shop], kind: str
) -> None:
    again = build_shop(kind, 7, TODAY, scale=3)
    for system in SYSTEMS:
        assert getattr(again, system) == getattr(shops[(kind, 3)], system), system


@pytest.mark.parametrize("kind", KINDS)
def test_copies_are_other_people_at_other_times(
    shops: dict[tuple[str, int], Shop], kind: str
) -> None:
    one, three = shops[(kind, 1)], shops[(kind, 3)]
    seeded = len(_orders(one))
    customers = _customers(three)
    assert not _duplicates(c["email"].casefold() for c in customers)
    copies = customers[len(_customers(one)) :]
    assert all(re.search(r"\.s[12]@", c["email"]) for c in copies)
    field = "date_created_gmt" if kind == "woocommerce" else "createdAt"
    stamp = (lambda v: v) if kind == "woocommerce" else (lambda v: v[:19])
    originals = {o["id"] % _step(one, three): o for o in _orders(one)}
    moved = []
    for order in _orders(three)[seeded:]:
        original = originals[order["id"] % _step(one, three)]
        delta = datetime.fromisoformat(stamp(order[field])) - datetime.fromisoformat(
            stamp(original[field])
        )
        moved.append(abs(delta))
    assert all(m > timedelta(0) for m in moved)  # no copy shares a second with its original
    assert sum(m > timedelta(days=30) for m in moved) > len(moved) / 3
    first = min(stamp(o[field]) for o in _orders(one))
    created = [stamp(o[field]) for o in _orders(three)]
    opened = datetime.fromisoformat(first) - timedelta(days=370)
    assert opened.isoformat() < min(created) and max(created) < TODAY.isoformat()
    every = [
        *(p.get("paidAt") or p["createdAt"] for p in three.mollie.payments),
        *(t["transaction_info"]["transaction_updated_date"] for t in three.paypal.transactions),
    ]
    assert max(every)[:10] <= TODAY.isoformat()  # nothing moved past today
    if kind == "woocommerce":  # a customer's last change is no older than their orders
        woo = three.woocommerce
        changed = {c["id"]: c["date_modified_gmt"] for c in woo.customers}
        for order in woo.orders[seeded:]:
            if order["customer_id"]:
                assert changed[order["customer_id"]] >= order["date_created_gmt"]


def _step(one: Shop, three: Shop) -> int:
    """The power of ten the copies' order ids were moved by."""
    orders = _orders(three)[len(_orders(one)) :]
    low = min(o["id"] for o in _orders(one))
    return next(10**p for p in range(1, 12) if orders[0]["id"] - low < 2 * 10**p)


@pytest.mark.parametrize("kind", KINDS)
def test_every_link_between_the_systems_holds(
    shops: dict[tuple[str, int], Shop], kind: str
) -> None:
    shop = shops[(kind, 3)]
    m, pp = shop.mollie, shop.paypal
    for rows in (m.payments, m.customers, m.refunds, m.chargebacks, m.mandates, m.subscriptions):
        assert not _duplicates(r["id"] for r in rows)
    payments = {p["id"]: p for p in m.payments}
    customers = {c["id"] for c in m.customers}
    assert all(r["paymentId"] in payments for r in (*m.refunds, *m.chargebacks))
    assert all(x["customerId"] in customers for x in (*m.mandates, *m.subscriptions))
    assert all(p["customerId"] in customers for p in m.payments if p.get("customerId"))
    transactions = {t["transaction_info"]["transaction_id"]: t for t in pp.transactions}
    assert len(transactions) == len(pp.transactions)
    for txn in pp.transactions:
        reference = txn["transaction_info"].get("paypal_reference_id")
        assert reference is None or reference in transactions
    orders = {o["id"]: o for o in _orders(shop)}
    by_number = {str(o["number"]): o for o in _orders(shop)}
    assert len(by_number) == len(orders)
    for order in _orders(shop):
        for kind_of, token in _payment_links(shop, order):
            if kind_of == "mollie":
                payment = payments[token]  # every Mollie payment id an order names exists
                assert payment["metadata"]["order_id"] == order["id"]
                assert payment["description"] == f"Order {order['number']}"
                assert payment["billingAddress"]["email"] == _email(order)
            elif kind_of == "mollie customer":
                assert token in customers
            else:
                info = transactions[token]["transaction_info"]
                assert info["custom_field"] == str(order["id"])
                assert info["invoice_id"].removeprefix("WC-") == str(order["number"])
    for payment in m.payments:
        order_id = (payment.get("metadata") or {}).get("order_id")
        assert order_id is None or order_id in orders
    shipments = {s["id"]: s for s in shop.myparcel.shipments}
    assert len(shipments) == len(shop.myparcel.shipments)
    assert not _duplicates(s["barcode"] for s in shipments.values() if s["barcode"])
    for shipment in shipments.values():
        reference = shipment["reference_identifier"]
        if reference is not None:  # every shipment reference is an order number
            order = by_number[reference]
            assert shipment["recipient"]["email"] == _email(order)
            assert shipment["options"]["label_description"].endswith(reference)
        for name in ("multi_collo_main_shipment_id", "parent_id"):
            assert shipment[name] is None or shipment[name] in shipments
        if shipment["parent_id"] is not None:
            parent = shipments[shipment["parent_id"]]
            assert shipment["options"]["label_description"] == f"Retour – {parent['barcode']}"
    invitations = {i["id"]: i for i in shop.feedbackcompany.invitations}
    for invitation in invitations.values():
        order = by_number[invitation["external_id"]]
        assert invitation["customer"]["email"] == _email(order)
    assert all(r["_invitation_id"] in invitations for r in shop.feedbackcompany.reviews)
    if kind == "woocommerce":
        _woocommerce_links(shop)
    else:
        _lightspeed_links(shop)


def _email(order: JSON) -> str:
    return str(order["billing"]["email"] if "billing" in order else order["email"])


def _payment_links(shop: Shop, order: JSON) -> Iterator[tuple[str, str]]:
    if shop.kind == "woocommerce":
        meta = {m["key"]: m["value"] for m in order["meta_data"]}
        if "_mollie_payment_id" in meta:
            yield "mollie", meta["_mollie_payment_id"]
        if "_mollie_customer_id" in meta:
            yield "mollie customer", meta["_mollie_customer_id"]
        if order["payment_method"] == "ppcp-gateway":
            yield "paypal", order["transaction_id"]
            for refund in meta.get("_ppcp_refunds", []):
                yield "paypal", refund
        return
    data = order.get("paymentData") or {}
    if order["paymentId"] == "mollie":
        yield "mollie", data["transaction_id"]
        if data.get("customer_id"):
            yield "mollie customer", data["customer_id"]
    elif order["paymentId"] == "paypal":
        yield "paypal", data["transaction_id"]


def _woocommerce_links(shop: Shop) -> None:
    woo = shop.woocommerce
    orders = {o["id"]: o for o in woo.orders}
    customers = {c["id"] for c in woo.customers}
    assert len(customers) == len(woo.customers)
    assert not _duplicates(c["username"] for c in woo.customers)
    comments = [n["id"] for notes in woo.order_notes.values() for n in notes]
    assert not _duplicates([*comments, *(r["id"] for r in woo.reviews)])
    assert set(woo.order_notes) <= set(orders) and set(woo.refunds) <= set(orders)
    for order in woo.orders:
        assert not order["customer_id"] or order["customer_id"] in customers
        assert order["order_key"] in order["payment_url"]
        assert {r["id"] for r in order["refunds"]} == {
            r["id"] for r in woo.refunds.get(order["id"], [])
        }
    for cid, rows in woo.downloads.items():
        assert cid in customers
        for row in rows:
            order = orders[row["order_id"]]
            assert (
                row["order_key"] == order["order_key"] and order["order_key"] in row["download_url"]
            )
    assert all(not user or user in customers for user in woo.review_user_ids.values())


def _lightspeed_links(shop: Shop) -> None:
    resources, children = shop.lightspeed.resources, shop.lightspeed.children
    for name, rows in resources.items():
        assert not _duplicates(r["id"] for r in rows), name
    ids = {name: {r["id"] for r in rows} for name, rows in resources.items()}
    for name in ("orders", "invoices", "shipments", "reviews", "tickets", "quotes"):
        for row in resources[name]:
            customer = ref_id(row.get("customer"))
            assert customer is None or customer in ids["customers"], name
    for name in ("invoices", "shipments"):
        assert all(ref_id(r["order"]) in ids["orders"] for r in resources[name])
    assert all(r["orderId"] in ids["orders"] for r in resources["returns"])
    assert all(o["id"] in children["orders/products"] for o in resources["orders"])
    assert set(children["tickets/messages"]) <= ids["tickets"]
    assert set(children["customers/metafields"]) <= ids["customers"]
    assert not _duplicates(o["number"] for o in resources["orders"])


# -- the fakes on a scaled shop ----------------------------------------------------------------


@pytest.fixture()
def woo_shop3(shops: dict[tuple[str, int], Shop]) -> Shop:
    shop = copy.copy(shops[("woocommerce", 3)])
    shop.woocommerce = copy.deepcopy(shop.woocommerce)
    return shop


def _woo_get(client: Client, path: str, **params: Any) -> tuple[Any, dict[str, str]]:
    response = client.get(
        f"/wp-json/wc/v3/{path}", query_string={**params, **WOO_KEYS}, base_url=WOO
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return json.loads(response.get_data()), dict(response.headers)


def _woo_pages(client: Client, path: str, **params: Any) -> list[JSON]:
    out, page, total = [], 1, 1
    while page <= total:
        rows, headers = _woo_get(client, path, **params, per_page=100, page=page)
        total = int(headers["X-WP-TotalPages"])
        out += rows
        page += 1
    return out


def test_woocommerce_orders_by_modification_date_page_like_a_scan(woo_shop3: Shop) -> None:
    store = woo_shop3.woocommerce
    client = Client(woocommerce.create_app(store, WOO))
    since = "2024-01-01T00:00:00"
    query = {"orderby": "modified", "order": "asc", "modified_after": since}
    fast = _woo_pages(client, "orders", **query, dates_are_gmt="true")
    expected = sorted(
        (o for o in store.orders if o["date_modified_gmt"] > since and o["status"] != "trash"),
        key=lambda o: (o["date_modified_gmt"], o["id"]),
    )
    assert [o["id"] for o in fast] == [o["id"] for o in expected]
    # the same query through the memoised scan (any narrowing filter takes that path)
    scanned = _woo_pages(client, "orders", **query, dates_are_gmt="true", exclude="1")
    assert [o["id"] for o in scanned] == [o["id"] for o in expected]
    newest = _woo_pages(client, "orders", before="2018-01-01T00:00:00", dates_are_gmt="true")
    wanted = [o for o in store.orders if o["date_created_gmt"] < "2018-01-01T00:00:00"]
    assert [o["id"] for o in newest] == [
        o["id"] for o in sorted(wanted, key=lambda o: (o["date_created_gmt"], o["id"]))[::-1]
    ]
    # a change through the API moves the order to the end of the modification order
    first = fast[0]["id"]
    response = client.put(
        f"/wp-json/wc/v3/orders/{first}",
        query_string=WOO_KEYS,
        base_url=WOO,
        json={"customer_note": "Graag na vijven"},
    )
    assert response.status_code == 200
    after = _woo_pages(client, "orders", **query, dates_are_gmt="true")
    assert after[-1]["id"] == first and len(after) == len(fast)
    # the store's records replaced from outside (same list, same length): served as they are now
    kept = copy.deepcopy(store.orders)
    for order in kept:
        order["date_modified_gmt"] = "2024-06-01T12:00:00"
    store.orders[:] = kept
    rows, headers = _woo_get(client, "orders", **query, dates_are_gmt="true", per_page=5)
    assert all(r["date_modified_gmt"] == "2024-06-01T12:00:00" for r in rows)
    assert int(headers["X-WP-Total"]) == sum(o["status"] != "trash" for o in kept)


def test_woocommerce_fields_limit_what_customers_and_orders_show(woo_shop3: Shop) -> None:
    client = Client(woocommerce.create_app(woo_shop3.woocommerce, WOO))
    wanted = "id,email,date_modified_gmt"
    rows = _woo_pages(client, "customers", _fields=wanted, role="all", orderby="id", order="asc")
    assert len(rows) == len(woo_shop3.woocommerce.customers)
    assert all(set(r) == {"id", "email", "date_modified_gmt"} for r in rows)
    assert [r["id"] for r in rows] == sorted(c["id"] for c in woo_shop3.woocommerce.customers)
    orders, _ = _woo_get(client, "orders", _fields="id,billing.email,_links", per_page=3)
    assert all(
        set(o) == {"id", "billing", "_links"} and set(o["billing"]) == {"email"} for o in orders
    )
    one, _ = _woo_get(client, f"orders/{orders[0]['id']}", _fields="id,status")
    assert set(one) == {"id", "status", "_links"}  # a single object keeps its links
    by_name = _woo_pages(client, "customers")
    assert len(by_name) == sum(c["role"] == "customer" for c in woo_shop3.woocommerce.customers)


def test_mollie_pages_walk_every_payment_once(shops: dict[tuple[str, int], Shop]) -> None:
    store = copy.deepcopy(shops[("woocommerce", 3)].mollie)
    client = Client(mollie.create_app(store, "http://mollie.test"))
    auth = {"Authorization": f"Bearer {cred.MOLLIE_API_KEY}"}
    for sort in ("desc", "asc"):
        seen: list[str] = []
        url: str | None = f"/v2/payments?limit=250&sort={sort}"
        while url:
            body = json.loads(client.get(url, headers=auth).get_data())
            seen += [p["id"] for p in body["_embedded"]["payments"]]
            nxt = body["_links"]["next"]
            url = nxt["href"].removeprefix("http://mollie.test") if nxt else None
        ordered = sorted(store.payments, key=lambda p: (p["createdAt"], p["id"]))
        expected = [p["id"] for p in ordered]
        assert seen == (expected[::-1] if sort == "desc" else expected)
    customer = store.customers[-1]
    body = json.loads(
        client.get(f"/v2/customers/{customer['id']}/payments", headers=auth).get_data()
    )
    mine = {p["id"] for p in store.payments if p.get("customerId") == customer["id"]}
    assert {p["id"] for p in body["_embedded"]["payments"]} == mine


def test_paypal_windows_find_every_recent_transaction(shops: dict[tuple[str, int], Shop]) -> None:
    store = shops[("woocommerce", 3)].paypal
    client = Client(paypal.create_app(store, "http://pp.test", today=TODAY))
    login = _basic(cred.PAYPAL_CLIENT_ID, cred.PAYPAL_CLIENT_SECRET)
    response = client.post(
        "/v1/oauth2/token", data={"grant_type": "client_credentials"}, headers=login
    )
    auth = {"Authorization": f"Bearer {json.loads(response.get_data())['access_token']}"}
    end = datetime.combine(TODAY, time(), UTC) - timedelta(days=2)
    start = end - timedelta(days=900)
    found: list[str] = []
    while start < end:
        stop = min(end, start + timedelta(days=31))
        page, pages = 1, 1
        while page <= pages:
            query = {
                "start_date": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "end_date": (stop - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "page_size": 500,
                "page": page,
            }
            body = json.loads(
                client.get(
                    "/v1/reporting/transactions", query_string=query, headers=auth
                ).get_data()
            )
            found += [t["transaction_info"]["transaction_id"] for t in body["transaction_details"]]
            pages, page = body["total_pages"], page + 1
        start = stop
    low, high = end - timedelta(days=900), end
    expected = [
        t["transaction_info"]["transaction_id"]
        for t in store.transactions
        if low
        <= datetime.fromisoformat(t["transaction_info"]["transaction_initiation_date"])
        < high
    ]
    assert sorted(found) == sorted(expected) and len(found) == len(set(found))


def test_myparcel_date_range_pages_in_id_order(shops: dict[tuple[str, int], Shop]) -> None:
    store = shops[("woocommerce", 3)].myparcel
    client = Client(myparcel.create_app(store, "http://mp.test", limits=False))
    auth = {"Authorization": "basic " + base64.b64encode(cred.MYPARCEL_API_KEY.encode()).decode()}
    got: list[int] = []
    page = 1
    while True:
        query = {"from": "2023-01-01", "to": "2024-06-30", "size": 200, "page": page}
        body = json.loads(client.get("/shipments", query_string=query, headers=auth).get_data())
        got += [s["id"] for s in body["data"]["shipments"]]
        if len(body["data"]["shipments"]) < 200:
            break
        page += 1
    expected = sorted(
        s["id"]
        for s in store.shipments
        if "2023-01-01 00:00:00" <= s["created"] <= "2024-06-30 23:59:59"
    )
    assert got == expected and body["data"]["results"] == len(expected)


def test_lightspeed_updated_at_min_pages_by_since_id(shops: dict[tuple[str, int], Shop]) -> None:
    store = copy.deepcopy(shops[("lightspeed", 3)].lightspeed)
    client = Client(lightspeed.create_app(store, "http://ls.test", per_second=None))
    auth = _basic(cred.LIGHTSPEED_API_KEY, cred.LIGHTSPEED_API_SECRET)
    since = "2024-01-01T00:00:00Z"
    got: list[int] = []
    last = 0
    while True:
        query = {"updated_at_min": since, "limit": 250, "since_id": last}
        rows = json.loads(
            client.get("/nl/orders.json", query_string=query, headers=auth).get_data()
        )["orders"]
        if not rows:
            break
        got += [r["id"] for r in rows]
        last = rows[-1]["id"]
    expected = sorted(
        o["id"] for o in store.resources["orders"] if o["updatedAt"] >= "2024-01-01T00:00:00+00:00"
    )
    assert got == expected
    count = client.get(
        "/nl/orders/count.json", query_string={"updated_at_min": since}, headers=auth
    )
    assert json.loads(count.get_data())["count"] == len(expected)
    order = store.resources["orders"][-1]
    body = json.loads(client.get(f"/nl/orders/{order['id']}.json", headers=auth).get_data())[
        "order"
    ]
    invoices = body["invoices"]["resource"]["embedded"]
    assert invoices and all(ref_id(i["order"]) == order["id"] for i in invoices)


def test_feedbackcompany_invitations_page_newest_first(shops: dict[tuple[str, int], Shop]) -> None:
    store = shops[("lightspeed", 3)].feedbackcompany
    client = Client(feedbackcompany.create_app(store, "http://fbc.test"))
    query = {
        "client_id": cred.FEEDBACKCOMPANY_CLIENT_ID,
        "client_secret": cred.FEEDBACKCOMPANY_CLIENT_SECRET,
        "grant_type": "authorization_code",
    }
    token = json.loads(client.get("/api/v2/oauth2/token", query_string=query).get_data())
    auth = {"Authorization": f"Bearer {token['access_token']}"}
    got: list[int] = []
    page = 1
    while True:
        body = json.loads(
            client.get(f"/api/v2/invitations?per_page=100&page={page}", headers=auth).get_data()
        )
        if not body["invitations"]:
            break
        got += [i["id"] for i in body["invitations"]]
        page += 1
    ordered = sorted(
        store.invitations, key=lambda i: (datetime.fromisoformat(i["date_created"]), i["id"])
    )
    assert got == [i["id"] for i in ordered[::-1]]
