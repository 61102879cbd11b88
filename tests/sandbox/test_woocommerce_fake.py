"""The WooCommerce fake against the official `woocommerce` client, and the seeded shop's traps."""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
import woocommerce.oauth as sdk_oauth
from woo_fixtures import RunningWoo
from woocommerce.oauth import OAuth

from sandbox.credentials import WOOCOMMERCE_CONSUMER_KEY as KEY
from sandbox.credentials import WOOCOMMERCE_CONSUMER_SECRET as SECRET
from sandbox.data import build_shop

API = "/wp-json/wc/v3"


def _customer_id(woo: RunningWoo, email: str) -> int:
    response = woo.api().get("customers", params={"email": email, "role": "all"})
    assert response.status_code == 200, response.text
    (customer,) = response.json()
    return int(customer["id"])


def _all(woo: RunningWoo, endpoint: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a collection, paging by `X-WP-TotalPages`."""
    items: list[dict[str, Any]] = []
    page, pages = 1, 1
    while page <= pages:
        response = woo.api().get(endpoint, params={**params, "per_page": 100, "page": page})
        assert response.status_code == 200, response.text
        pages = int(response.headers["X-WP-TotalPages"])
        items += response.json()
        page += 1
    return items


# -- the official client ------------------------------------------------------------------------
def test_client_finds_customer_by_email(woo: RunningWoo) -> None:
    response = woo.api().get("customers", params={"email": woo.shop.subject_email})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=UTF-8"
    assert [c["email"] for c in response.json()] == [woo.shop.subject_email]
    assert response.json()[0]["_links"]["self"][0]["href"].startswith(woo.url)


def test_client_pages_through_all_orders_of_the_bulk_customer(woo: RunningWoo) -> None:
    customer = _customer_id(woo, woo.shop.bulk_email)
    first = woo.api().get("orders", params={"customer": customer, "per_page": 100})
    assert first.headers["X-WP-Total"] == "260"
    assert first.headers["X-WP-TotalPages"] == "3"
    assert 'rel="next"' in first.headers["Link"]
    seen = [o["id"] for o in _all(woo, "orders", customer=customer)]
    assert len(seen) == len(set(seen)) == 260
    mine = {o["id"] for o in woo.store.orders if o["customer_id"] == customer}
    assert set(seen) == mine


def test_page_past_the_end_is_empty(woo: RunningWoo) -> None:
    response = woo.api().get("orders", params={"per_page": 100, "page": 999})
    assert response.status_code == 200
    assert response.json() == []
    assert int(response.headers["X-WP-Total"]) == len(woo.store.orders)


def test_repeated_parameter_last_value_wins(woo: RunningWoo) -> None:
    # the client sends its params twice (signed URL + requests' params); here they differ
    url = f"{woo.url}{API}/customers?per_page=1&per_page=3"
    signed = OAuth(url, KEY, SECRET, version="wc/v3", method="GET").get_oauth_url()
    response = requests.get(signed, timeout=10)
    assert response.status_code == 200, response.text
    assert len(response.json()) == 3


# -- authentication ------------------------------------------------------------------------------
def test_wrong_secret_gives_401(woo: RunningWoo) -> None:
    response = woo.api(secret="cs_wrong").get("customers")
    assert response.status_code == 401
    assert response.json() == {
        "code": "woocommerce_rest_authentication_error",
        "message": "Invalid signature - provided signature does not match.",
        "data": {"status": 401},
    }


def test_unknown_key_gives_401(woo: RunningWoo) -> None:
    url = f"{woo.url}{API}/customers?"
    signed = OAuth(url, "ck_unknown", SECRET, version="wc/v3", method="GET").get_oauth_url()
    response = requests.get(signed, timeout=10)
    assert response.status_code == 401
    assert response.json()["message"] == "Consumer key is invalid."


def test_signature_is_checked_against_the_site_url(woo: RunningWoo) -> None:
    response = woo.api(url=f"http://localhost:{woo.port}").get("customers")
    assert response.status_code == 401
    assert response.json()["code"] == "woocommerce_rest_authentication_error"


def test_hmac_sha1_is_accepted(woo: RunningWoo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sdk_oauth, "sha256", hashlib.sha1)
    oauth = OAuth(f"{woo.url}{API}/customers", KEY, SECRET, version="wc/v3", method="GET")
    params: OrderedDict[str, Any] = OrderedDict(
        oauth_consumer_key=KEY,
        oauth_timestamp=int(time.time()),
        oauth_nonce=oauth.generate_nonce(),
        oauth_signature_method="HMAC-SHA1",
    )
    params["oauth_signature"] = oauth.generate_oauth_signature(params, oauth.url)
    response = requests.get(f"{oauth.url}?{urlencode(params)}", timeout=10)
    assert response.status_code == 200, response.text


def test_old_timestamp_and_reused_nonce_give_401(woo: RunningWoo) -> None:
    url = f"{woo.url}{API}/customers?"
    old = int(time.time()) - 16 * 60
    signed = OAuth(url, KEY, SECRET, version="wc/v3", oauth_timestamp=old).get_oauth_url()
    response = requests.get(signed, timeout=10)
    assert (response.status_code, response.json()["message"]) == (401, "Invalid timestamp.")
    signed = OAuth(url, KEY, SECRET, version="wc/v3").get_oauth_url()
    assert requests.get(signed, timeout=10).status_code == 200
    again = requests.get(signed, timeout=10)
    assert again.status_code == 401
    assert again.json()["message"] == "Invalid nonce - nonce has already been used."


def test_basic_auth_only_counts_over_https(woo: RunningWoo) -> None:
    url = f"{woo.url}{API}/customers"
    plain = requests.get(url, auth=(KEY, SECRET), timeout=10)
    assert plain.status_code == 401
    assert plain.json()["code"] == "woocommerce_rest_cannot_view"
    proxied = requests.get(
        url, auth=(KEY, SECRET), headers={"X-Forwarded-Proto": "https"}, timeout=10
    )
    assert proxied.status_code == 200
    assert proxied.json()[0]["_links"]["self"][0]["href"].startswith("https://")
    query = {"consumer_key": KEY, "consumer_secret": SECRET}
    assert requests.get(url, params=query, timeout=10).status_code == 401
    forwarded = {"X-Forwarded-Proto": "https"}
    assert requests.get(url, params=query, headers=forwarded, timeout=10).status_code == 200
    wrong = requests.get(url, auth=(KEY, "cs_wrong"), headers=forwarded, timeout=10)
    assert (wrong.status_code, wrong.json()["message"]) == (401, "Consumer secret is invalid.")


# -- parameters and errors ----------------------------------------------------------------------
@pytest.mark.parametrize("per_page", [101, 0, "ten"])
def test_per_page_out_of_range_gives_400(woo: RunningWoo, per_page: object) -> None:
    response = woo.api().get("orders", params={"per_page": per_page})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "rest_invalid_param"
    assert set(body["data"]["params"]) == {"per_page"}


def test_email_that_is_not_an_address_gives_400(woo: RunningWoo) -> None:
    response = woo.api().get("customers", params={"email": "not-an-address"})
    assert response.status_code == 400
    assert response.json()["data"]["params"] == {"email": "Invalid email address."}


def test_unknown_route_and_id_give_404(woo: RunningWoo) -> None:
    response = woo.api().get("coupons/1")
    assert (response.status_code, response.json()["code"]) == (404, "rest_no_route")
    response = woo.api().get("orders/1")
    assert response.status_code == 404
    assert response.json()["code"] == "woocommerce_rest_shop_order_invalid_id"
    response = woo.api().get("customers/999999")
    assert (response.status_code, response.json()["code"]) == (404, "woocommerce_rest_invalid_id")


# -- finding a person ---------------------------------------------------------------------------
def test_customer_email_is_exact_and_case_insensitive(woo: RunningWoo) -> None:
    shop = woo.shop
    upper = woo.api().get("customers", params={"email": shop.traps["case"]}).json()
    assert [c["email"] for c in upper] == [shop.subject_email]
    found = woo.api().get("customers", params={"email": shop.traps["containment"]}).json()
    assert [c["email"] for c in found] == [shop.traps["containment"]]
    search = woo.api().get("customers", params={"search": shop.subject_email}).json()
    assert {c["email"] for c in search} == {shop.subject_email, shop.traps["containment"]}


def test_customers_role_defaults_to_customer(woo: RunningWoo) -> None:
    admins = [c for c in woo.store.customers if c["role"] == "administrator"]
    email = admins[0]["email"]
    assert woo.api().get("customers", params={"email": email}).json() == []
    found = woo.api().get("customers", params={"email": email, "role": "all"}).json()
    assert [c["role"] for c in found] == ["administrator"]


def test_order_search_finds_note_mention_and_look_alikes(woo: RunningWoo) -> None:
    shop = woo.shop
    found = _all(woo, "orders", search=shop.subject_email)
    numbers = {o["number"] for o in found}
    assert shop.traps["note_mention_order"] in numbers
    emails = {o["billing"]["email"] for o in found}
    assert {shop.subject_email, shop.traps["case"], shop.traps["containment"]} <= emails
    mine = [o for o in found if o["billing"]["email"].lower() == shop.subject_email]
    assert len(mine) == 14


def test_reviews_status_all_leaves_out_spam_and_trash(woo: RunningWoo) -> None:
    email = woo.shop.subject_email

    def statuses(status: str) -> list[str]:
        params = {"reviewer_email": email, "status": status}
        response = woo.api().get("products/reviews", params=params)
        assert response.status_code == 200, response.text
        return sorted(r["status"] for r in response.json())

    assert statuses("all") == ["approved", "approved", "hold"]
    assert statuses("spam") == ["spam"]
    assert statuses("trash") == ["trash"]
    assert statuses("approved") == ["approved", "approved"]
    review = woo.api().get("products/reviews", params={"reviewer_email": email}).json()[0]
    assert review["review"].startswith("<p>") and review["review"].endswith("</p>\n")


def test_downloads_carry_the_email_in_the_url(woo: RunningWoo) -> None:
    customer = _customer_id(woo, woo.shop.subject_email)
    downloads = woo.api().get(f"customers/{customer}/downloads").json()
    assert downloads
    assert all(d["download_url"].startswith(f"{woo.url}/?download_file=") for d in downloads)
    assert all("email=jan%40devries.example.nl" in d["download_url"] for d in downloads)


def test_notes_and_refunds_of_an_order(woo: RunningWoo) -> None:
    order = next(o for o in woo.store.orders if o["refunds"] and o["customer_id"])
    notes = woo.api().get(f"orders/{order['id']}/notes").json()
    assert notes and all(n["author"] for n in notes)
    assert notes == sorted(notes, key=lambda n: n["date_created_gmt"], reverse=True)
    refunds = woo.api().get(f"orders/{order['id']}/refunds").json()
    assert [r["id"] for r in refunds] == [r["id"] for r in order["refunds"]]


# -- changing things ----------------------------------------------------------------------------
def test_delete_customer_needs_force_and_keeps_orders(fresh_woo: RunningWoo) -> None:
    api, email = fresh_woo.api(), fresh_woo.shop.subject_email
    customer = _customer_id(fresh_woo, email)
    response = api.delete(f"customers/{customer}")
    assert response.status_code == 501
    assert response.json()["code"] == "woocommerce_rest_trash_not_supported"
    response = api.delete(f"customers/{customer}", params={"force": True})
    assert response.status_code == 200
    assert response.json()["email"] == email
    assert api.get(f"customers/{customer}").status_code == 404
    assert api.get(f"customers/{customer}/downloads").status_code == 404
    left = _all(fresh_woo, "orders", search=email)
    mine = [o for o in left if o["billing"]["email"] == email]
    assert len(mine) == 13 and all(o["customer_id"] == 0 for o in mine)


def test_put_order_rules(fresh_woo: RunningWoo) -> None:
    api = fresh_woo.api()
    order = next(o for o in fresh_woo.store.orders if o["status"] == "completed")
    path = f"orders/{order['id']}"
    response = api.put(path, {"billing": {"email": ""}})
    assert response.status_code == 400
    assert response.json()["code"] == "rest_invalid_param"
    body = {
        "billing": {"email": "deleted@site.invalid", "phone": ""},
        "customer_ip_address": "10.0.0.1",
        "meta_data": [{"key": "is_vat_exempt", "value": None}, {"key": "gdpr", "value": "x"}],
    }
    changed = api.put(path, body).json()
    assert changed["billing"]["email"] == "deleted@site.invalid"
    assert changed["billing"]["first_name"] == order["billing"]["first_name"]
    assert changed["customer_ip_address"] == order["customer_ip_address"]
    keys = [m["key"] for m in changed["meta_data"]]
    assert "gdpr" in keys and "is_vat_exempt" not in keys and keys == sorted(keys)
    note = api.post(f"{path}/notes", {"note": "Gegevens geanonimiseerd."})
    assert note.status_code == 201 and note.json()["author"] == "WooCommerce"
    nid = note.json()["id"]
    assert api.delete(f"{path}/notes/{nid}").status_code == 501
    assert api.delete(f"{path}/notes/{nid}", params={"force": True}).status_code == 200
    assert api.delete(path).json()["status"] == "trash"
    assert api.delete(path, params={"force": True}).status_code == 200
    assert api.get(path).status_code == 404


def test_review_trash_then_force_delete(fresh_woo: RunningWoo) -> None:
    api = fresh_woo.api()
    review = next(r for r in fresh_woo.store.reviews if r["status"] == "approved")
    path = f"products/reviews/{review['id']}"
    trashed = api.delete(path)
    assert (trashed.status_code, trashed.json()["status"]) == (200, "trash")
    assert api.delete(path).status_code == 410
    gone = api.delete(path, params={"force": True}).json()
    assert gone["deleted"] is True and gone["previous"]["id"] == review["id"]
    assert api.get(path).status_code == 404


# -- the seeded shop ----------------------------------------------------------------------------
def test_build_shop_is_deterministic() -> None:
    day = date(2025, 6, 30)
    assert build_shop(seed=7, today=day) == build_shop(seed=7, today=day)
    assert build_shop(seed=8, today=day) != build_shop(seed=7, today=day)


def test_shop_has_its_traps(woo_shop: Any) -> None:
    shop, store = woo_shop, woo_shop.woocommerce
    assert 250 <= len(store.customers) <= 350 and 1300 <= len(store.orders) <= 1700
    subject = next(c for c in store.customers if c["email"] == shop.subject_email)
    assert subject["role"] == "customer"
    theirs = [o for o in store.orders if o["billing"]["email"].lower() == shop.subject_email]
    assert len([o for o in theirs if o["customer_id"] == subject["id"]]) >= 12
    guests = [o for o in theirs if o["customer_id"] == 0]
    assert {o["billing"]["email"] for o in guests} == {shop.subject_email, shop.traps["case"]}
    assert shop.traps["case"] != shop.subject_email
    created = sorted(datetime.fromisoformat(o["date_created"]) for o in theirs)
    today = datetime.combine(shop.today, datetime.min.time())
    assert created[0] < today - timedelta(days=7 * 365) < created[-1]
    assert created[-1] > today - timedelta(days=30)
    assert any(store.refunds.get(o["id"]) for o in theirs)
    assert any(store.order_notes.get(o["id"]) for o in theirs)
    assert store.downloads[subject["id"]]
    reviews = [r for r in store.reviews if r["reviewer_email"] == shop.subject_email]
    assert {"approved", "hold", "spam", "trash"} <= {r["status"] for r in reviews}
    lookalike = next(c for c in store.customers if c["email"] == shop.traps["containment"])
    assert shop.subject_email in lookalike["email"]
    assert any(o["customer_id"] == lookalike["id"] for o in store.orders)
    assert any(r["reviewer_email"] == lookalike["email"] for r in store.reviews)
    mention = next(o for o in store.orders if o["number"] == shop.traps["note_mention_order"])
    assert shop.subject_email in mention["customer_note"]
    assert mention["billing"]["email"] == shop.traps["note_mention"]
    prefix = next(o for o in store.orders if o["number"] == shop.traps["shared_prefix"])
    assert prefix["billing"]["email"] == shop.traps["containment"]
    assert prefix["number"].startswith(shop.traps["shared_prefix_of"])
    first = next(o for o in store.orders if o["number"] == shop.traps["shared_prefix_of"])
    assert first["billing"]["email"] == shop.subject_email
    bulk = next(c for c in store.customers if c["email"] == shop.bulk_email)
    assert sum(o["customer_id"] == bulk["id"] for o in store.orders) == 260
    assert {c["role"] for c in store.customers} >= {"customer", "subscriber", "administrator"}
