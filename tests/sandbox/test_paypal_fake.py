"""The PayPal fake (OAuth, Transaction Search, Invoicing) against PayPal's own OpenAPI documents."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from connectors.paypal.fake.app import create_app, error_body
from connectors.paypal.fake.store import PayPalStore
from sandbox.credentials import PAYPAL_CLIENT_ID, PAYPAL_CLIENT_SECRET
from sandbox.data import Shop

try:  # tests/sandbox imported as a package, or as a plain directory on sys.path
    from .openapi_check import validate_response, validate_schema
    from .payments_fixtures import CONTAINMENT, SUBJECT, TODAY, serve, small_shop, spec
except ImportError:
    from openapi_check import validate_response, validate_schema
    from payments_fixtures import CONTAINMENT, SUBJECT, TODAY, serve, small_shop, spec

TXNS = "/v1/reporting/transactions"
SEARCH = "/v2/invoicing/search-invoices"


@pytest.fixture(scope="module")
def reporting() -> dict[str, Any]:
    return spec("paypal/reporting_transactions_v1.json")


@pytest.fixture(scope="module")
def invoicing() -> dict[str, Any]:
    return spec("paypal/invoicing_v2.json")


@pytest.fixture(scope="module")
def shop() -> Shop:
    return small_shop()


@pytest.fixture(scope="module")
def base(shop: Shop) -> Iterator[str]:
    with serve(lambda url: create_app(shop.paypal, url, today=TODAY)) as url:
        yield url


@pytest.fixture(scope="module")
def bearer(base: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {get_token(base)}"}


def get_token(
    base: str, client_id: str = PAYPAL_CLIENT_ID, secret: str = PAYPAL_CLIENT_SECRET
) -> str:
    resp = requests.post(
        base + "/v1/oauth2/token",
        auth=(client_id, secret),
        data={"grant_type": "client_credentials"},
        timeout=10,
    )
    assert resp.status_code == 200, resp.text
    return str(resp.json()["access_token"])


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def now_on_today() -> datetime:
    return datetime.combine(TODAY, datetime.now(UTC).time(), UTC)


def search(reporting: dict[str, Any], base: str, headers: dict[str, str], **params: Any) -> Any:
    resp = requests.get(base + TXNS, headers=headers, params=params, timeout=30)
    assert resp.headers["Content-Type"].startswith("application/json")
    body = resp.json()
    if resp.status_code == 200 and not body["transaction_details"]:
        # PayPal answers an empty window with `[]`; its spec says minItems 1 (a spec slip).
        validate_response(
            reporting,
            "get",
            TXNS,
            200,
            {k: v for k, v in body.items() if k != "transaction_details"},
        )
    else:
        validate_response(reporting, "get", TXNS, resp.status_code, body)
    return resp.status_code, body


def scan(
    reporting: dict[str, Any], base: str, headers: dict[str, str], fields: str = "all"
) -> list[Any]:
    """Every transaction of the last three years, in 31-day windows (as a client must)."""
    found: list[Any] = []
    start = now_on_today().replace(year=TODAY.year - 3) + timedelta(days=1)
    end_all = now_on_today()
    while start < end_all:
        end = min(start + timedelta(days=31), end_all)
        status, body = search(
            reporting,
            base,
            headers,
            start_date=stamp(start),
            end_date=stamp(end),
            fields=fields,
            page_size=500,
        )
        assert status == 200 and body["total_pages"] <= 1
        found.extend(body["transaction_details"])
        start = end + timedelta(seconds=1)
    return found


def test_token_and_bad_credentials(base: str) -> None:
    resp = requests.post(
        base + "/v1/oauth2/token",
        auth=(PAYPAL_CLIENT_ID, PAYPAL_CLIENT_SECRET),
        data={"grant_type": "client_credentials"},
        timeout=10,
    )
    body = resp.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 32400
    assert "https://uri.paypal.com/services/reporting/search/read" in body["scope"].split()
    assert {"access_token", "app_id", "nonce"} <= set(body)
    resp = requests.post(
        base + "/v1/oauth2/token",
        auth=(PAYPAL_CLIENT_ID, "wrong"),
        data={"grant_type": "client_credentials"},
        timeout=10,
    )
    assert resp.status_code == 401
    assert resp.json() == {
        "error": "invalid_client",
        "error_description": "Client Authentication failed",
    }


def test_expired_token_is_refused_and_a_new_one_works(
    reporting: dict[str, Any], shop: Shop
) -> None:
    with serve(lambda url: create_app(shop.paypal, url, token_ttl_s=1, today=TODAY)) as url:
        headers = {"Authorization": f"Bearer {get_token(url)}"}
        window = {
            "start_date": stamp(now_on_today() - timedelta(days=30)),
            "end_date": stamp(now_on_today()),
        }
        assert search(reporting, url, headers, **window)[0] == 200
        time.sleep(1.3)
        status, body = search(reporting, url, headers, **window)
        assert (status, body["name"]) == (401, "AUTHENTICATION_FAILURE")
        fresh = {"Authorization": f"Bearer {get_token(url)}"}
        assert search(reporting, url, fresh, **window)[0] == 200


def test_missing_token_is_refused(
    reporting: dict[str, Any], base: str, invoicing: dict[str, Any]
) -> None:
    status, body = search(
        reporting, base, {}, start_date="2026-01-01T00:00:00Z", end_date="2026-01-02T00:00:00Z"
    )
    assert (status, body["name"]) == (401, "AUTHENTICATION_FAILURE")
    resp = requests.post(base + SEARCH, json={"recipient_email": SUBJECT}, timeout=10)
    assert resp.status_code == 401
    validate_response(invoicing, "post", SEARCH, 401, resp.json())


def test_window_rules(reporting: dict[str, Any], base: str, bearer: dict[str, str]) -> None:
    now = now_on_today()
    cases = [
        (
            {"start_date": stamp(now - timedelta(days=32)), "end_date": stamp(now)},
            "end_date",
            "31 days",
        ),
        (
            {
                "start_date": stamp(now - timedelta(days=3 * 365 + 5)),
                "end_date": stamp(now - timedelta(days=3 * 365 - 20)),
            },
            "start_date",
            "3 years",
        ),
        (
            {"start_date": stamp(now), "end_date": stamp(now - timedelta(days=1))},
            "end_date",
            "greater than start",
        ),
        ({"end_date": stamp(now)}, "start_date", "MISSING_REQUIRED_PARAMETER"),
        (
            {"start_date": "2026-01-01", "end_date": stamp(now)},
            "start_date",
            "INVALID_PARAMETER_SYNTAX",
        ),
        (
            {
                "start_date": stamp(now - timedelta(days=2)),
                "end_date": stamp(now),
                "page_size": 501,
            },
            "page_size",
            "INVALID_PARAMETER_VALUE",
        ),
        (
            {
                "start_date": stamp(now - timedelta(days=2)),
                "end_date": stamp(now),
                "fields": "email",
            },
            "fields",
            "INVALID_PARAMETER_VALUE",
        ),
    ]
    for params, field, issue in cases:
        status, body = search(reporting, base, bearer, **params)
        assert (status, body["name"]) == (400, "INVALID_REQUEST"), params
        assert body["details"][0]["field"] == field and issue in body["details"][0]["issue"]
    exactly_31 = {"start_date": stamp(now - timedelta(days=31)), "end_date": stamp(now)}
    assert search(reporting, base, bearer, **exactly_31)[0] == 200


def test_scan_finds_every_visible_transaction_and_the_subjects(
    reporting: dict[str, Any], base: str, bearer: dict[str, str], shop: Shop
) -> None:
    found = scan(reporting, base, bearer)
    horizon = now_on_today().replace(year=TODAY.year - 3) + timedelta(days=1)
    expected = [
        t
        for t in shop.paypal.transactions
        if datetime.fromisoformat(t["transaction_info"]["transaction_initiation_date"]) >= horizon
    ]
    assert sorted(t["transaction_info"]["transaction_id"] for t in found) == sorted(
        t["transaction_info"]["transaction_id"] for t in expected
    )
    assert all({"payer_info", "shipping_info", "cart_info"} <= set(t) for t in found)
    subject_orders = {
        str(o["id"]) for o in shop.woocommerce.orders if o["billing"]["email"] == SUBJECT
    }
    mine = [t for t in found if t["transaction_info"].get("custom_field") in subject_orders]
    payer_emails = {t["payer_info"]["email_address"] for t in mine}
    assert (
        len(mine) >= 2
        and SUBJECT in payer_emails
        and shop.traps["paypal_other_email"] in payer_emails
    )


def test_transaction_id_filter_and_fields(
    reporting: dict[str, Any], base: str, bearer: dict[str, str], shop: Shop
) -> None:
    on_paypal = [o for o in shop.woocommerce.orders if o["payment_method"] == "ppcp-gateway"]
    order = max(on_paypal, key=lambda o: str(o["date_paid_gmt"]))
    paid = datetime.fromisoformat(order["date_paid_gmt"]).replace(tzinfo=UTC)
    window = {
        "start_date": stamp(paid - timedelta(days=1)),
        "end_date": stamp(paid + timedelta(days=1)),
    }
    status, body = search(reporting, base, bearer, transaction_id=order["transaction_id"], **window)
    assert status == 200 and [
        t["transaction_info"]["transaction_id"] for t in body["transaction_details"]
    ] == [order["transaction_id"]]
    assert set(body["transaction_details"][0]) == {"transaction_info"}
    assert body["transaction_details"][0]["transaction_info"]["custom_field"] == str(order["id"])
    status, body = search(
        reporting,
        base,
        bearer,
        transaction_id=order["transaction_id"],
        fields="payer_info",
        **window,
    )
    assert set(body["transaction_details"][0]) == {"transaction_info", "payer_info"}


def test_paging_with_page_size(reporting: dict[str, Any], shop: Shop) -> None:
    store = PayPalStore(transactions=list(shop.paypal.transactions))
    start = now_on_today() - timedelta(days=30)
    template = shop.paypal.transactions[0]
    for n in range(7):
        info = dict(
            template["transaction_info"],
            transaction_id=f"PAGE{n:013d}",
            transaction_initiation_date=stamp(start + timedelta(days=n)),
        )
        store.transactions.append({**template, "transaction_info": info})
    with serve(lambda url: create_app(store, url, today=TODAY)) as url:
        headers = {"Authorization": f"Bearer {get_token(url)}"}
        window = {
            "start_date": stamp(start - timedelta(seconds=1)),
            "end_date": stamp(start + timedelta(days=7)),
        }
        seen: list[str] = []
        page, total_pages = 1, 1
        while page <= total_pages:
            _status, body = search(reporting, url, headers, page_size=3, page=page, **window)
            total_pages = body["total_pages"]
            assert body["total_items"] == 7 and total_pages == 3 and body["page"] == page
            assert any(link["rel"] == "next" for link in body["links"]) == (page < 3)
            seen.extend(
                t["transaction_info"]["transaction_id"] for t in body["transaction_details"]
            )
            page += 1
        assert seen == [f"PAGE{n:013d}" for n in range(7)]


def test_resultset_too_large(reporting: dict[str, Any]) -> None:
    start = now_on_today() - timedelta(days=20)
    store = PayPalStore()
    for n in range(10_001):
        moment = start + timedelta(seconds=n * 60)
        store.transactions.append(
            {
                "transaction_info": {
                    "transaction_id": f"BIG{n:014d}",
                    "transaction_event_code": "T0006",
                    "transaction_initiation_date": stamp(moment),
                    "transaction_amount": {"currency_code": "EUR", "value": "1.00"},
                    "transaction_status": "S",
                }
            }
        )
    with serve(lambda url: create_app(store, url, today=TODAY)) as url:
        headers = {"Authorization": f"Bearer {get_token(url)}"}
        resp = requests.get(
            url + TXNS,
            headers=headers,
            params={"start_date": stamp(start), "end_date": stamp(start + timedelta(days=8))},
            timeout=30,
        )
        body = resp.json()
        assert resp.status_code == 400
        assert body["name"] == "RESULTSET_TOO_LARGE"
        assert body["message"].startswith("Result set size is greater than the maximum limit")
        assert (body["total_items"], body["maximum_items"]) == (10_001, 10_000)
        # The saved spec's error schema predates this error name; check its parts instead.
        for link in body["links"]:
            validate_schema(reporting, "/components/schemas/error_link_description", link)
        assert isinstance(body["debug_id"], str)
        half = {"start_date": stamp(start), "end_date": stamp(start + timedelta(days=3))}
        status, body = search(reporting, url, headers, page_size=500, **half)
        assert status == 200 and body["total_items"] == 3 * 24 * 60 + 1 and body["total_pages"] == 9


def test_recent_transactions_appear_only_after_the_refresh(reporting: dict[str, Any]) -> None:
    now = datetime.now(UTC)
    store = PayPalStore()
    for name, age in (
        ("OLDENOUGH00000001", timedelta(hours=2)),
        ("TOOFRESH000000001", timedelta(minutes=10)),
    ):
        store.transactions.append(
            {
                "transaction_info": {
                    "transaction_id": name,
                    "transaction_initiation_date": stamp(now - age),
                    "transaction_status": "S",
                }
            }
        )
    with serve(lambda url: create_app(store, url)) as url:
        headers = {"Authorization": f"Bearer {get_token(url)}"}
        _status, body = search(
            reporting,
            url,
            headers,
            start_date=stamp(now - timedelta(days=1)),
            end_date=stamp(now + timedelta(hours=1)),
        )
        assert [t["transaction_info"]["transaction_id"] for t in body["transaction_details"]] == [
            "OLDENOUGH00000001"
        ]
        refreshed = datetime.fromisoformat(body["last_refreshed_datetime"])
        assert now - timedelta(hours=3) <= refreshed < now - timedelta(minutes=10)
        assert datetime.fromisoformat(body["end_date"]) <= refreshed


def test_invoice_search_by_recipient_email(
    invoicing: dict[str, Any], base: str, bearer: dict[str, str], shop: Shop
) -> None:
    for email in (SUBJECT, SUBJECT.upper()):
        resp = requests.post(
            base + SEARCH,
            headers=bearer,
            params={"total_required": "true"},
            json={"recipient_email": email},
            timeout=10,
        )
        body = resp.json()
        validate_response(invoicing, "post", SEARCH, resp.status_code, body)
        assert body["total_items"] >= 1 and len(body["items"]) == body["total_items"]
        for invoice in body["items"]:
            assert (
                invoice["primary_recipients"][0]["billing_info"]["email_address"].casefold()
                == SUBJECT
            )
            assert "items" not in invoice
    resp = requests.post(
        base + SEARCH,
        headers=bearer,
        json={"recipient_email": CONTAINMENT, "fields": ["items"]},
        timeout=10,
    )
    body = resp.json()
    validate_response(invoicing, "post", SEARCH, 200, body)
    assert "total_items" not in body and len(body["items"]) == 1 and body["items"][0]["items"]
    invoice_id = body["items"][0]["id"]
    resp = requests.get(f"{base}/v2/invoicing/invoices/{invoice_id}", headers=bearer, timeout=10)
    validate_response(invoicing, "get", "/v2/invoicing/invoices/{invoice_id}", 200, resp.json())
    resp = requests.get(
        f"{base}/v2/invoicing/invoices/INV2-NOPE-NOPE-NOPE-NOPE", headers=bearer, timeout=10
    )
    assert resp.status_code == 404
    validate_response(invoicing, "get", "/v2/invoicing/invoices/{invoice_id}", 404, resp.json())
    resp = requests.get(
        f"{base}/v2/invoicing/invoices",
        headers=bearer,
        params={"page_size": 2, "total_required": "true"},
        timeout=10,
    )
    body = resp.json()
    validate_response(invoicing, "get", "/v2/invoicing/invoices", 200, body)
    assert body["total_items"] == len(shop.paypal.invoices) and len(body["items"]) == 2


def test_invoice_search_errors(
    invoicing: dict[str, Any], base: str, bearer: dict[str, str]
) -> None:
    for params, body, issue in (
        ({"page_size": 101}, {}, "INVALID_INTEGER_MAX_VALUE"),
        ({"page": 0}, {}, "INVALID_INTEGER_MIN_VALUE"),
        ({}, {"recipient_email": "x" * 300}, "INVALID_STRING_MAX_LENGTH"),
        ({}, {"status": ["SOMETIMES"]}, "INVALID_PARAMETER_SYNTAX"),
    ):
        resp = requests.post(base + SEARCH, headers=bearer, params=params, json=body, timeout=10)
        assert resp.status_code == 400
        validate_response(invoicing, "post", SEARCH, 400, resp.json())
        assert resp.json()["details"][0]["issue"] == issue


def test_error_body_helper_matches_the_spec(reporting: dict[str, Any]) -> None:
    validate_response(reporting, "get", TXNS, 401, error_body("AUTHENTICATION_FAILURE"))
    validate_response(reporting, "get", TXNS, 400, error_body("INVALID_REQUEST", [{"issue": "X"}]))
    assert (
        error_body("RATE_LIMIT_REACHED")["message"]
        == "Too many requests. Blocked due to rate limiting."
    )
