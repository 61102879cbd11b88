"""The Lightspeed eCom fake over plain HTTP, and the seeded Lightspeed shop's traps."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import requests
from ls_fixtures import AUTH, RunningLs, serve_lightspeed

from connectors.lightspeed.fake.shape import ref_id
from connectors.lightspeed.seed.shop import lightspeed_shop_orders
from sandbox.data import Shop, build_shop

UNLIMITED = {"limits": (10**6, 10**6, 10**6), "per_second": None}


@pytest.fixture(scope="module")
def ls_shop() -> Shop:
    return build_shop("lightspeed", seed=7, today=date.today())


@pytest.fixture(scope="module")
def ls(ls_shop: Shop) -> Iterator[RunningLs]:
    """A fake shared by the module's read-only tests."""
    with serve_lightspeed(ls_shop, **UNLIMITED) as running:
        yield running


@pytest.fixture()
def fresh_ls(ls_shop: Shop) -> Iterator[RunningLs]:
    """A fake of its own, for tests that change the store."""
    with serve_lightspeed(ls_shop, **UNLIMITED) as running:
        yield running


def _orders_of(shop: Shop, email: str) -> list[dict[str, Any]]:
    return [o for o in shop.lightspeed.resources["orders"] if o["email"].casefold() == email]


# -- auth, envelopes ------------------------------------------------------------------------------
def test_bad_or_missing_key_is_401_with_the_error_envelope(ls: RunningLs) -> None:
    for auth in ((AUTH[0], "wrong-secret"), None):
        response = ls.call("GET", "customers", auth=auth)
        assert response.status_code == 401
        assert response.json() == {
            "error": {
                "code": 401,
                "method": "READ",
                "request": "/nl/customers.json",
                "message": "Unauthorized.",
            }
        }
        assert "X-RateLimit-Remaining" not in response.headers


def test_responses_are_wrapped_in_the_resource_name(ls: RunningLs) -> None:
    customers = ls.ok("customers", limit=3)
    assert list(customers) == ["customers"] and len(customers["customers"]) == 3
    one = ls.ok(f"customers/{customers['customers'][0]['id']}")
    assert list(one) == ["customer"]
    assert ls.ok("customers/count") == {"count": len(ls.store.resources["customers"])}
    checkouts = ls.ok("checkouts", limit=2)  # the checkout API is unwrapped
    assert isinstance(checkouts, list) and len(checkouts) == 2
    assert ls.ok(f"checkouts/{checkouts[0]['id']}")["id"] == checkouts[0]["id"]
    assert ls.ok("checkouts/count") == {"count": len(ls.store.resources["checkouts"])}


def test_unknown_language_path_and_id_are_404(ls: RunningLs) -> None:
    assert requests.get(f"{ls.url}/en/orders.json", auth=AUTH, timeout=10).status_code == 404
    response = ls.get("orders/1")
    assert response.status_code == 404
    assert response.json()["error"]["request"] == "/nl/orders/1.json"
    assert ls.get("products").status_code == 404


def test_order_links_and_embedded_parts(ls: RunningLs) -> None:
    subject = ls.customer_id(ls.shop.subject_email)
    order = ls.ok("orders", customer=subject, limit=1)["orders"][0]
    customer = order["customer"]["resource"]
    assert customer["id"] == subject
    assert customer["link"] == f"{ls.url}/nl/customers/{subject}.json"
    assert customer["embedded"]["email"] == ls.shop.subject_email
    invoices = order["invoices"]["resource"]
    assert invoices["url"] == f"invoices?order={order['id']}"
    assert invoices["link"] == f"{ls.url}/nl/invoices.json?order={order['id']}"
    assert invoices["embedded"][0]["order"]["resource"]["id"] == order["id"]
    assert order["products"]["resource"]["embedded"]
    linked = ls.ok("invoices", order=order["id"])["invoices"]
    assert [i["id"] for i in linked] == [i["id"] for i in invoices["embedded"]]
    assert "webshopapp.com" not in json.dumps(order)


# -- paging, counts, filters ----------------------------------------------------------------------
def test_limit_250_pages_through_the_bulk_customers_orders(ls: RunningLs) -> None:
    bulk = ls.customer_id(ls.shop.bulk_email)
    assert ls.ok("orders/count", customer=bulk) == {"count": 260}
    pages = [ls.ok("orders", customer=bulk, limit=250, page=p)["orders"] for p in (1, 2, 3)]
    assert [len(p) for p in pages] == [250, 10, 0]
    ids = [o["id"] for o in pages[0] + pages[1]]
    assert ids == sorted(ids) and len(set(ids)) == 260
    assert all(o["customer"]["resource"]["id"] == bulk for o in pages[0])
    default = ls.ok("orders", customer=bulk)["orders"]
    assert len(default) == 50


def test_limit_over_250_is_400(ls: RunningLs) -> None:
    response = ls.get("orders", limit=251)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == 400 and error["method"] == "READ"
    assert ls.get("orders", page=0).status_code == 400
    assert ls.get("orders", customer="abc").status_code == 400


def test_email_filters_are_case_insensitive_substrings(ls: RunningLs) -> None:
    shop = ls.shop
    found = {c["email"] for c in ls.ok("customers", email=shop.subject_email)["customers"]}
    assert found == {shop.subject_email, shop.traps["containment"]}
    upper = ls.ok("customers", email=shop.subject_email.upper())["customers"]
    assert {c["email"] for c in upper} == found
    orders = ls.ok("orders", email=shop.subject_email, limit=250)["orders"]
    mine = _orders_of(shop, shop.subject_email) + _orders_of(shop, shop.traps["containment"])
    assert {o["id"] for o in orders} == {o["id"] for o in mine}
    assert any(o["customer"] is False for o in orders)  # guest orders: found by e-mail only
    count = ls.ok("orders/count", email=shop.subject_email)["count"]
    assert count == len(orders)


def test_number_filter_matches_the_shared_prefix(ls: RunningLs) -> None:
    traps = ls.shop.traps
    numbers = {o["number"] for o in ls.ok("orders", number=traps["shared_prefix_of"])["orders"]}
    assert {traps["shared_prefix_of"], traps["shared_prefix"]} <= numbers


def test_subscriptions_have_no_email_filter(ls: RunningLs) -> None:
    total = len(ls.store.resources["subscriptions"])
    ignored = ls.ok("subscriptions/count", email=ls.shop.subject_email)
    assert ignored == {"count": total}


def test_since_id_and_date_filters(ls: RunningLs) -> None:
    orders = sorted(ls.store.resources["orders"], key=lambda o: o["id"])
    middle = orders[len(orders) // 2]["id"]
    after = ls.ok("orders", since_id=middle, limit=250)["orders"]
    assert after[0]["id"] == next(o["id"] for o in orders if o["id"] > middle)
    assert ls.ok("orders/count", since_id=middle)["count"] == sum(o["id"] > middle for o in orders)
    cutoff = (datetime.now(UTC) - timedelta(days=30)).replace(microsecond=0)
    expected = sum(datetime.fromisoformat(o["updatedAt"]) >= cutoff for o in orders)
    for value in (cutoff.strftime("%Y-%m-%d %H:%M:%S"), cutoff.isoformat()):
        assert ls.ok("orders/count", updated_at_min=value)["count"] == expected
    recent = ls.ok("orders", updated_at_min=cutoff.isoformat(), limit=250)["orders"]
    assert len(recent) == expected
    assert all(datetime.fromisoformat(o["updatedAt"]) >= cutoff for o in recent)
    assert ls.get("orders", created_at_max="yesterday").status_code == 400


def test_fields_selects_top_level_fields(ls: RunningLs) -> None:
    rows = ls.ok("customers", fields="id,email", limit=2)["customers"]
    assert all(set(r) == {"id", "email"} for r in rows)


def test_children_are_served_under_their_parent(ls: RunningLs) -> None:
    subject = ls.customer_id(ls.shop.subject_email)
    (ticket,) = ls.ok("tickets", customer=subject)["tickets"]
    messages = ls.ok(f"tickets/{ticket['id']}/messages")["ticketMessages"]
    assert len(messages) == 3 and messages[0]["from"] == "customer"
    metafields = ls.ok(f"customers/{subject}/metafields")["customerMetafields"]
    assert metafields[0]["key"] == "kangaroo_member_id"
    assert ls.get("tickets/1/messages").status_code == 404


# -- writes ---------------------------------------------------------------------------------------
def test_orders_cannot_be_deleted(ls: RunningLs) -> None:
    order = ls.store.resources["orders"][0]
    response = ls.call("DELETE", f"orders/{order['id']}")
    assert response.status_code == 405
    assert response.json()["error"]["method"] == "DELETE"
    assert ls.get(f"orders/{order['id']}").status_code == 200
    assert (
        ls.call("DELETE", f"contacts/{ls.store.resources['contacts'][0]['id']}").status_code == 405
    )


def test_order_update_changes_only_the_writable_fields(fresh_ls: RunningLs) -> None:
    order = fresh_ls.store.resources["orders"][-1]
    path = f"orders/{order['id']}"
    body = {"order": {"email": "x@example.invalid", "memo": "AVG-verzoek", "firstname": "X"}}
    response = fresh_ls.call("PUT", path, json=body)
    assert response.status_code == 200
    updated = response.json()["order"]
    assert updated["memo"] == "AVG-verzoek"
    assert updated["email"] == order["email"] != "x@example.invalid"
    assert updated["firstname"] != "X"
    bad = fresh_ls.call("PUT", path, json={"order": {"status": "erased"}})
    assert bad.status_code == 400 and bad.json()["error"]["method"] == "UPDATE"
    assert fresh_ls.call("PUT", path, json={"memo": "unwrapped"}).status_code == 400


def test_customer_update_and_delete_orphan_the_orders(fresh_ls: RunningLs) -> None:
    shop = fresh_ls.shop
    subject = fresh_ls.customer_id(shop.subject_email)
    taken = {"customer": {"email": shop.traps["containment"]}}
    assert fresh_ls.call("PUT", f"customers/{subject}", json=taken).status_code == 400
    renamed = {"customer": {"firstname": "Verwijderd", "addressBillingCountry": "nl"}}
    response = fresh_ls.call("PUT", f"customers/{subject}", json=renamed)
    assert response.json()["customer"]["firstname"] == "Verwijderd"
    before = fresh_ls.ok("orders/count", customer=subject)["count"]
    assert before >= 12
    response = fresh_ls.call("DELETE", f"customers/{subject}")
    assert response.status_code == 204 and response.content == b""
    assert fresh_ls.get(f"customers/{subject}").status_code == 404
    assert fresh_ls.ok("orders/count", customer=subject) == {"count": 0}
    kept = fresh_ls.ok("orders", email=shop.subject_email, limit=250)["orders"]
    assert all(o["customer"] is False for o in kept if o["email"].casefold() == shop.subject_email)
    assert fresh_ls.ok("reviews/count", customer=subject) == {"count": 0}


@pytest.mark.parametrize("resource", ["reviews", "subscriptions", "tickets", "checkouts"])
def test_delete_removes_the_record(fresh_ls: RunningLs, resource: str) -> None:
    row = fresh_ls.store.resources[resource][0]
    total = len(fresh_ls.store.resources[resource])
    response = fresh_ls.call("DELETE", f"{resource}/{row['id']}")
    assert response.status_code == 204
    assert fresh_ls.get(f"{resource}/{row['id']}").status_code == 404
    assert fresh_ls.ok(f"{resource}/count") == {"count": total - 1}
    if resource == "tickets":
        assert fresh_ls.get(f"tickets/{row['id']}/messages").status_code == 404
        assert row["id"] not in fresh_ls.store.children["tickets/messages"]


def test_review_update(fresh_ls: RunningLs) -> None:
    review = fresh_ls.store.resources["reviews"][0]
    body = {"review": {"name": "Anoniem", "isVisible": False}}
    updated = fresh_ls.call("PUT", f"reviews/{review['id']}", json=body).json()["review"]
    assert (updated["name"], updated["isVisible"]) == ("Anoniem", False)
    bad = {"review": {"score": 9}}
    assert fresh_ls.call("PUT", f"reviews/{review['id']}", json=bad).status_code == 400


# -- rate limits ----------------------------------------------------------------------------------
class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_rate_limit_headers_and_429(ls_shop: Shop) -> None:
    clock = Clock(1_800_000_000.0)  # 2027-01-15 08:00:00 UTC, on a 5-minute mark
    with serve_lightspeed(ls_shop, limits=(5, 100, 1000), per_second=None, clock=clock) as ls:
        seen = []
        for _ in range(5):
            response = ls.get("customers/count")
            assert response.status_code == 200
            assert response.headers["X-RateLimit-Limit"] == "5/100/1000"
            assert response.headers["X-RateLimit-Reset"] == "300/3600/57600"
            seen.append(response.headers["X-RateLimit-Remaining"])
        assert seen == ["4/99/999", "3/98/998", "2/97/997", "1/96/996", "0/95/995"]
        refused = ls.get("customers/count")
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == 429
        assert refused.headers["X-RateLimit-Remaining"] == "0/95/995"
        clock.now += 301  # the next 5-minute window
        again = ls.ok("account/ratelimit")["accountRatelimit"]
        assert again["limit5Min"] == {
            "limit": 5,
            "remaining": 4,
            "reset": 299,
            "resetTime": "2027-01-15T08:10:00+00:00",
        }
        assert again["limitHour"]["remaining"] == 94


def test_per_second_limit(ls_shop: Shop) -> None:
    clock = Clock(1_800_000_000.0)
    with serve_lightspeed(ls_shop, per_second=20, clock=clock) as ls:
        statuses = [ls.get("contacts/count").status_code for _ in range(21)]
        assert statuses == [200] * 20 + [429]
        clock.now += 1.0
        assert ls.get("contacts/count").status_code == 200


# -- the seeded shop ------------------------------------------------------------------------------
def test_build_shop_is_deterministic() -> None:
    day = date(2026, 3, 15)
    one, two = build_shop("lightspeed", seed=7, today=day), build_shop("lightspeed", 7, day)
    assert json.dumps(one.lightspeed.resources) == json.dumps(two.lightspeed.resources)
    assert one.lightspeed.children == two.lightspeed.children
    assert one.mollie == two.mollie and one.paypal == two.paypal
    assert one.traps == two.traps
    other = build_shop("lightspeed", seed=8, today=day)
    assert json.dumps(other.lightspeed.resources) != json.dumps(one.lightspeed.resources)


def test_subject_history_and_traps(ls_shop: Shop) -> None:
    shop, res = ls_shop, ls_shop.lightspeed.resources
    subject, traps = shop.subject_email, shop.traps
    (customer,) = [c for c in res["customers"] if c["email"] == subject]
    registered = datetime.fromisoformat(customer["createdAt"])
    mine = _orders_of(shop, subject)
    assert len(mine) >= 12
    created = sorted(datetime.fromisoformat(o["createdAt"]) for o in mine)
    now = datetime.now(UTC)
    assert (now - created[0]).days > 7.5 * 365 and sum(
        (now - c).days > 7 * 365 for c in created
    ) >= 2
    first = min(mine, key=lambda o: o["createdAt"])
    assert first["customer"] is False and first["number"] == traps["shared_prefix_of"]
    assert datetime.fromisoformat(first["createdAt"]) < registered
    assert any(o["email"] == traps["case"] and o["email"] != subject for o in mine)
    lookalike = [c for c in res["customers"] if c["email"] == traps["containment"]]
    assert lookalike and subject in traps["containment"]
    prefix = next(o for o in res["orders"] if o["number"] == traps["shared_prefix"])
    assert prefix["email"] == traps["containment"]
    assert traps["shared_prefix"].startswith(traps["shared_prefix_of"])
    mention = next(o for o in res["orders"] if o["number"] == traps["note_mention_order"])
    assert mention["email"] == traps["note_mention"] and subject in mention["comment"]
    bulk = [o for o in res["orders"] if o["email"] == shop.bulk_email]
    assert len(bulk) == 260
    cid = customer["id"]
    for name in ("invoices", "shipments", "reviews", "tickets", "quotes"):
        assert any(ref_id(r.get("customer")) == cid for r in res[name]), name
    assert any(r["customerId"] == cid for r in res["returns"])
    assert any(s["email"] == subject for s in res["subscriptions"])
    assert any(c["customer"]["email"] == subject for c in res["checkouts"])
    assert any(c["email"] == subject for c in res["contacts"])
    assert any(i["isCreditNote"] and ref_id(i["customer"]) == cid for i in res["invoices"])


def test_orders_carry_their_payment_ids(ls_shop: Shop) -> None:
    shop = ls_shop
    payments = {p["id"] for p in shop.mollie.payments}
    captures = {t["transaction_info"]["transaction_id"] for t in shop.paypal.transactions}
    orders = shop.lightspeed.resources["orders"]
    for order in orders:
        data = order["paymentData"]
        if order["paymentId"] == "mollie":
            assert data["transaction_id"] in payments
            assert data["method"] in ("ideal", "creditcard", "bancontact")
        elif order["paymentId"] == "paypal":
            assert data["transaction_id"] in captures
        else:
            assert order["paymentId"] == "invoice" and data == {"method": "invoice"}
    mine = _orders_of(shop, shop.subject_email)
    assert {o["paymentId"] for o in mine} >= {"mollie", "paypal"}
    assert shop.traps["paypal_other_email"] in {
        t["payer_info"]["email_address"] for t in shop.paypal.transactions
    }
    subject_customers = [
        c for c in shop.mollie.customers if c["email"].casefold() == shop.subject_email
    ]
    assert len(subject_customers) == 2
    assert all(
        not t["transaction_info"]["invoice_id"].startswith("WC-") for t in shop.paypal.transactions
    )


def test_lightspeed_shop_orders(ls_shop: Shop) -> None:
    orders = lightspeed_shop_orders(ls_shop)
    assert len(orders) == len(ls_shop.lightspeed.resources["orders"])
    first = next(o for o in orders if o.number == ls_shop.traps["shared_prefix_of"])
    assert (first.email, first.first_name, first.last_name) == (
        ls_shop.subject_email,
        "Ria",
        "Jansen",
    )
    assert (first.street, first.house_number, first.postcode) == (
        "Oudegracht",
        "231-bis",
        "3511 NK",
    )
    assert {o.status for o in orders} >= {"completed", "cancelled", "refunded", "processing"}
    assert all(o.created.tzinfo is not None and float(o.total) > 0 for o in orders)
