"""The WooCommerce fake's batch endpoints (`<resource>/batch`), as WooCommerce's `batch_items()`."""

from __future__ import annotations

import base64
import copy
from typing import Any

import pytest
import requests
from werkzeug.test import Client
from woo_fixtures import RunningWoo
from woocommerce.oauth import OAuth

from connectors.woocommerce.fake.app import create_app
from sandbox.credentials import WOOCOMMERCE_CONSUMER_KEY as KEY
from sandbox.credentials import WOOCOMMERCE_CONSUMER_SECRET as SECRET
from sandbox.faults import Faults

API = "/wp-json/wc/v3"
UNKNOWN = 987654321
TOO_LARGE = {
    "code": "woocommerce_rest_request_entity_too_large",
    "message": "Unable to accept more than 100 items for this request.",
    "data": {"status": 413},
}
# resource path -> (store attribute, unknown-id code and status in an update, and in a delete)
RESOURCES = {
    "orders": ("orders", ("woocommerce_rest_shop_order_invalid_id", 404), 404),
    "customers": ("customers", ("woocommerce_rest_invalid_id", 400), 400),
    "products/reviews": ("reviews", ("woocommerce_rest_review_invalid_id", 404), 404),
}


def _snapshot(records: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {r["id"]: copy.deepcopy(r) for r in records}


def _unchanged_but(
    before: dict[int, dict[str, Any]], records: list[dict[str, Any]], changed: set[int]
) -> dict[int, dict[str, Any]]:
    """Assert the records other than `changed` are as they were; the records now, by id."""
    after = {r["id"]: r for r in records}
    for ident in set(before) | set(after):
        if ident not in changed:
            assert after.get(ident) == before.get(ident), ident
    return after


def test_orders_batch_updates_and_deletes_per_item(fresh_woo: RunningWoo) -> None:
    api, store = fresh_woo.api(), fresh_woo.store
    live = [o for o in store.orders if o["status"] in ("processing", "on-hold", "cancelled")]
    first, second, third = live[0]["id"], live[1]["id"], live[2]["id"]
    before = _snapshot(store.orders)
    data = {
        "update": [
            {"id": first, "customer_note": "Batch note", "billing": {"phone": "000"}},
            {"id": UNKNOWN, "customer_note": "nobody"},
            {"id": second, "status": "completed"},
        ],
        "delete": [third, UNKNOWN],
    }
    response = api.post("orders/batch", data)  # the official client, unmodified
    assert response.status_code == 200, response.text
    body = response.json()
    assert list(body) == ["update", "delete"]
    updated, missing, completed = body["update"]
    assert missing == {
        "id": UNKNOWN,
        "error": {
            "code": "woocommerce_rest_shop_order_invalid_id",
            "message": "Invalid ID.",
            "data": {"status": 404},
        },
    }
    assert updated == api.get(f"orders/{first}").json()
    assert updated["customer_note"] == "Batch note" and updated["billing"]["phone"] == "000"
    assert updated["billing"]["email"] == before[first]["billing"]["email"]
    assert completed == api.get(f"orders/{second}").json()
    assert completed["status"] == "completed" and completed["date_completed"]
    notes = [n["note"] for n in api.get(f"orders/{second}/notes").json()]
    assert any(n.startswith("Order status changed from") for n in notes)
    deleted, not_found = body["delete"]
    assert deleted["id"] == third and deleted["status"] == before[third]["status"]
    assert "_links" in deleted
    assert not_found["id"] == UNKNOWN
    assert not_found["error"]["code"] == "woocommerce_rest_shop_order_invalid_id"
    # batch delete forces: the order is gone, not in the trash
    after = _unchanged_but(before, store.orders, {first, second, third})
    assert third not in after
    assert api.get(f"orders/{third}").status_code == 404
    trash = api.get("orders", params={"status": "trash", "include": third}).json()
    assert trash == []


def test_customers_batch_updates_and_deletes_per_item(fresh_woo: RunningWoo) -> None:
    api, store = fresh_woo.api(), fresh_woo.store
    shop = fresh_woo.shop
    plain = [
        c for c in store.customers if c["role"] == "customer" and c["email"] != shop.bulk_email
    ]
    kept, gone = plain[0]["id"], plain[1]["id"]
    their_orders = {o["id"] for o in store.orders if o["customer_id"] == gone}
    before, orders_before = _snapshot(store.customers), _snapshot(store.orders)
    data = {
        "update": [{"id": kept, "first_name": "Batched"}, {"id": UNKNOWN, "first_name": "X"}],
        "delete": [gone, UNKNOWN, 0],  # 0 is skipped, as `batch_items()` does
    }
    response = api.post("customers/batch", data)
    assert response.status_code == 200, response.text
    body = response.json()
    updated, missing = body["update"]
    assert updated == api.get(f"customers/{kept}").json()
    assert updated["first_name"] == "Batched"
    assert missing["id"] == UNKNOWN
    assert missing["error"]["code"] == "woocommerce_rest_invalid_id"
    assert missing["error"]["data"] == {"status": 400}
    assert len(body["delete"]) == 2
    assert body["delete"][0]["id"] == gone and body["delete"][0]["email"] == before[gone]["email"]
    assert body["delete"][1]["id"] == UNKNOWN and "error" in body["delete"][1]
    _unchanged_but(before, store.customers, {kept, gone})
    assert api.get(f"customers/{gone}").status_code == 404
    # the account goes, its orders stay (as guest orders)
    orders = _unchanged_but(orders_before, store.orders, their_orders)
    assert all(orders[i]["customer_id"] == 0 for i in their_orders)


def test_reviews_batch_updates_and_deletes_per_item(fresh_woo: RunningWoo) -> None:
    api, store = fresh_woo.api(), fresh_woo.store
    approved = [r for r in store.reviews if r["status"] == "approved"]
    held, gone = approved[0]["id"], approved[1]["id"]
    before = _snapshot(store.reviews)
    data = {
        "update": [{"id": held, "status": "hold"}, {"id": UNKNOWN, "status": "hold"}],
        "delete": [gone, UNKNOWN],
    }
    response = api.post("products/reviews/batch", data)
    assert response.status_code == 200, response.text
    body = response.json()
    updated, missing = body["update"]
    got = api.get(f"products/reviews/{held}", params={"context": "edit"}).json()
    assert updated == got and updated["status"] == "hold"
    assert missing == {
        "id": UNKNOWN,
        "error": {
            "code": "woocommerce_rest_review_invalid_id",
            "message": "Invalid review ID.",
            "data": {"status": 404},
        },
    }
    deleted, not_found = body["delete"]
    assert deleted["deleted"] is True and deleted["previous"]["id"] == gone
    assert not_found["id"] == UNKNOWN and not_found["error"]["data"]["status"] == 404
    _unchanged_but(before, store.reviews, {held, gone})
    assert api.get(f"products/reviews/{gone}").status_code == 404
    trash = api.get("products/reviews", params={"status": "trash", "include": gone}).json()
    assert trash == []


@pytest.mark.parametrize("resource", list(RESOURCES))
def test_more_than_100_items_is_refused_whole(fresh_woo: RunningWoo, resource: str) -> None:
    attribute, _, _ = RESOURCES[resource]
    records = getattr(fresh_woo.store, attribute)
    before = copy.deepcopy(records)
    ids = [r["id"] for r in records[:60]]
    data = {"update": [{"id": i} for i in ids[:50]], "delete": ids[:51]}  # 101 in all
    response = fresh_woo.api().post(f"{resource}/batch", data)
    assert (response.status_code, response.json()) == (413, TOO_LARGE)
    assert records == before


@pytest.mark.parametrize("resource", list(RESOURCES))
def test_100_items_are_answered_item_by_item(fresh_woo: RunningWoo, resource: str) -> None:
    _, (code, status), delete_status = RESOURCES[resource]
    deletes = [UNKNOWN - i for i in range(1, 41)]
    data = {"update": [{"id": UNKNOWN + i} for i in range(60)], "delete": deletes}  # 100 in all
    response = fresh_woo.api().post(f"{resource}/batch", data)
    assert response.status_code == 200, response.text
    body = response.json()
    assert [u["id"] for u in body["update"]] == [UNKNOWN + i for i in range(60)]
    assert {(u["error"]["code"], u["error"]["data"]["status"]) for u in body["update"]} == {
        (code, status)
    }
    assert [d["id"] for d in body["delete"]] == deletes
    assert {d["error"]["data"]["status"] for d in body["delete"]} == {delete_status}


def test_batch_accepts_put_and_patch(fresh_woo: RunningWoo) -> None:
    api, store = fresh_woo.api(), fresh_woo.store
    one, two = store.orders[0]["id"], store.orders[1]["id"]
    put = api.put("orders/batch", {"update": [{"id": one, "customer_note": "put"}]})
    assert put.status_code == 200 and put.json()["update"][0]["customer_note"] == "put"
    url = f"{fresh_woo.url}{API}/orders/batch"
    signed = OAuth(url, KEY, SECRET, version="wc/v3", method="PATCH").get_oauth_url()
    patch = requests.patch(
        signed, json={"update": [{"id": two, "customer_note": "patch"}]}, timeout=10
    )
    assert patch.status_code == 200, patch.text
    assert api.get(f"orders/{two}").json()["customer_note"] == "patch"


def test_batch_edge_cases(fresh_woo: RunningWoo) -> None:
    api = fresh_woo.api()
    assert api.post("orders/batch", {}).json() == []  # PHP's empty array
    created = api.post("customers/batch", {"create": [{"email": "new@example.com"}]}).json()
    assert list(created) == ["create"]
    assert created["create"][0]["id"] == 0
    assert created["create"][0]["error"]["data"]["status"] == 501
    anonymous = requests.post(
        f"{fresh_woo.url}{API}/orders/batch", json={"delete": [1]}, timeout=10
    )
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "woocommerce_rest_cannot_batch"


def test_one_batch_is_one_request_in_the_log(fresh_woo: RunningWoo) -> None:
    store = copy.deepcopy(fresh_woo.shop.woocommerce)
    faults = Faults(create_app(store, "https://shop.example"))
    client = Client(faults)
    auth = base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
    ids = [o["id"] for o in store.orders[:30]]
    data = {"update": [{"id": i, "customer_note": "n"} for i in ids[:20]], "delete": ids[20:]}
    response = client.post(
        f"{API}/orders/batch",
        json=data,
        base_url="https://shop.example",
        headers={"Authorization": f"Basic {auth}"},
    )
    assert response.status_code == 200, response.text
    assert len(response.json["update"]) == 20 and len(response.json["delete"]) == 10
    assert faults.requests == [("POST", f"{API}/orders/batch")]
