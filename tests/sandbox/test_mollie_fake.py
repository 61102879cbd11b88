"""The Mollie fake against Mollie's own OpenAPI document and the unmodified mollie-api-python SDK."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from mollie.api.client import Client
from mollie.api.error import NotFoundError, UnauthorizedError

from connectors.mollie.fake.app import create_app, error_body, rate_limit_body
from connectors.mollie.fake.store import MollieStore
from sandbox.credentials import MOLLIE_API_KEY
from sandbox.data import Shop

try:  # tests/sandbox imported as a package, or as a plain directory on sys.path
    from .openapi_check import validate_response, validate_schema
    from .payments_fixtures import SUBJECT, serve, small_shop, spec
except ImportError:
    from openapi_check import validate_response, validate_schema
    from payments_fixtures import SUBJECT, serve, small_shop, spec

HAL = "application/hal+json"
LIST_ENDPOINTS = {
    "/v2/customers": "customers",
    "/v2/payments": "payments",
    "/v2/refunds": "refunds",
    "/v2/chargebacks": "chargebacks",
    "/v2/subscriptions": "subscriptions",
}


@pytest.fixture(scope="module")
def mollie_spec() -> dict[str, Any]:
    return spec("mollie/specs.yaml")


@pytest.fixture(scope="module")
def shop() -> Shop:
    return small_shop()


@pytest.fixture(scope="module")
def base(shop: Shop) -> Iterator[str]:
    with serve(lambda url: create_app(shop.mollie, url)) as url:
        yield url


@pytest.fixture()
def scratch(shop: Shop) -> Iterator[tuple[str, MollieStore]]:
    """A server over a private copy of the store, for tests that change it."""
    store = copy.deepcopy(shop.mollie)
    with serve(lambda url: create_app(store, url)) as url:
        yield url, store


def call(base: str, method: str, path: str, key: str | None = MOLLIE_API_KEY, **kw: Any) -> Any:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return requests.request(method, base + path, headers=headers, timeout=10, **kw)


def checked(spec_doc: dict[str, Any], resp: Any, method: str, template: str) -> Any:
    """Validate a response against the operation's documented response; return its JSON."""
    if resp.status_code == 204:
        validate_response(spec_doc, method, template, 204, resp.content)
        return None
    assert resp.headers["Content-Type"].startswith(HAL)
    body = resp.json()
    validate_response(spec_doc, method, template, resp.status_code, body)
    return body


def walk(
    spec_doc: dict[str, Any], base: str, path: str, template: str, limit: int = 3
) -> list[Any]:
    """All items of a list, page by page along `_links.next`, validating every page."""
    items: list[Any] = []
    url: str | None = f"{base}{path}?limit={limit}"
    first = True
    while url:
        assert url.startswith(base + "/v2/")
        page = checked(spec_doc, call("", "GET", url), "get", template)
        assert page["count"] == len(next(iter(page["_embedded"].values())))
        assert (page["_links"]["previous"] is None) == first
        items.extend(next(iter(page["_embedded"].values())))
        url = page["_links"]["next"]["href"] if page["_links"]["next"] else None
        first = False
    return items


def test_every_list_pages_with_absolute_links_and_matches_the_spec(
    mollie_spec: dict[str, Any], base: str, shop: Shop
) -> None:
    for path, attr in LIST_ENDPOINTS.items():
        items = walk(mollie_spec, base, path, path)
        assert sorted(i["id"] for i in items) == sorted(o["id"] for o in getattr(shop.mollie, attr))
        created = [i["createdAt"] for i in items]
        assert created == sorted(created, reverse=True), f"{path} is newest first by default"


def test_customer_scoped_lists_and_single_objects_match_the_spec(
    mollie_spec: dict[str, Any], base: str, shop: Shop
) -> None:
    for customer in shop.mollie.customers:
        cid = customer["id"]
        body = checked(
            mollie_spec,
            call(base, "GET", f"/v2/customers/{cid}"),
            "get",
            "/v2/customers/{customerId}",
        )
        assert body["_links"]["self"]["href"] == f"{base}/v2/customers/{cid}"
        for sub in ("payments", "mandates", "subscriptions"):
            template = "/v2/customers/{customerId}/" + sub
            items = walk(mollie_spec, base, f"/v2/customers/{cid}/{sub}", template, limit=2)
            assert all(i["customerId"] == cid for i in items)
        for mandate in [m for m in shop.mollie.mandates if m["customerId"] == cid]:
            path = f"/v2/customers/{cid}/mandates/{mandate['id']}"
            checked(
                mollie_spec,
                call(base, "GET", path),
                "get",
                "/v2/customers/{customerId}/mandates/{mandateId}",
            )
        for sub in [s for s in shop.mollie.subscriptions if s["customerId"] == cid]:
            path = f"/v2/customers/{cid}/subscriptions/{sub['id']}"
            template = "/v2/customers/{customerId}/subscriptions/{subscriptionId}"
            checked(mollie_spec, call(base, "GET", path), "get", template)
            walk(mollie_spec, base, path + "/payments", template + "/payments")


def test_payments_with_embeds_refunds_and_chargebacks_match_the_spec(
    mollie_spec: dict[str, Any], base: str, shop: Shop
) -> None:
    for payment in shop.mollie.payments:
        resp = call(
            base, "GET", f"/v2/payments/{payment['id']}", params={"embed": "refunds,chargebacks"}
        )
        body = checked(mollie_spec, resp, "get", "/v2/payments/{paymentId}")
        assert body["amount"] == payment["amount"]
        refunds = [r for r in shop.mollie.refunds if r["paymentId"] == payment["id"]]
        assert [r["id"] for r in body["_embedded"]["refunds"]] == [r["id"] for r in refunds]
    for refund in shop.mollie.refunds:
        pid = refund["paymentId"]
        walk(mollie_spec, base, f"/v2/payments/{pid}/refunds", "/v2/payments/{paymentId}/refunds")
        path = f"/v2/payments/{pid}/refunds/{refund['id']}"
        checked(
            mollie_spec,
            call(base, "GET", path),
            "get",
            "/v2/payments/{paymentId}/refunds/{refundId}",
        )
    for chargeback in shop.mollie.chargebacks:
        pid = chargeback["paymentId"]
        template = "/v2/payments/{paymentId}/chargebacks"
        walk(mollie_spec, base, f"/v2/payments/{pid}/chargebacks", template)
        path = f"/v2/payments/{pid}/chargebacks/{chargeback['id']}"
        checked(mollie_spec, call(base, "GET", path), "get", template + "/{chargebackId}")


def test_errors_use_the_spec_error_body(mollie_spec: dict[str, Any], base: str) -> None:
    body = checked(
        mollie_spec,
        call(base, "GET", "/v2/customers/cst_doesnotexist"),
        "get",
        "/v2/customers/{customerId}",
    )
    assert body["status"] == 404 and "cst_doesnotexist" in body["detail"]
    body = checked(
        mollie_spec, call(base, "GET", "/v2/payments/tr_nope"), "get", "/v2/payments/{paymentId}"
    )
    assert body["status"] == 404
    for params, field in (
        ({"limit": "0"}, "limit"),
        ({"limit": "251"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"from": "tr_abcdefghij"}, "from"),
        ({"from": "cst_unknown"}, "from"),
        ({"sort": "sideways"}, "sort"),
    ):
        body = checked(
            mollie_spec, call(base, "GET", "/v2/customers", params=params), "get", "/v2/customers"
        )
        assert (body["status"], body["field"]) == (400, field)
    # The spec documents no 401, so the body is checked against its generic error-response schema.
    for key in (None, "test_" + "x" * 30, "live_" + MOLLIE_API_KEY[5:]):
        resp = call(base, "GET", "/v2/customers", key=key)
        assert resp.status_code == 401
        validate_schema(mollie_spec, "/components/schemas/error-response", resp.json())
        assert resp.json()["title"] == "Unauthorized Request"


def test_error_body_helper_gives_the_spec_429_body(mollie_spec: dict[str, Any]) -> None:
    body = error_body(
        429,
        "Too Many Requests",
        "You have exceeded the rate limit. Please slow down your requests.",
    )
    validate_response(mollie_spec, "get", "/v2/customers", 429, body)
    validate_response(mollie_spec, "get", "/v2/payments/{paymentId}", 429, body)
    assert rate_limit_body() == body


def test_sdk_lists_all_customers_across_pages_and_reads_a_payment(base: str, shop: Shop) -> None:
    client = Client(api_endpoint=base)
    client.set_api_key(MOLLIE_API_KEY)
    seen: list[str] = []
    page = client.customers.list(limit=2)
    while True:
        seen.extend(customer.id for customer in page)
        if not page.has_next():
            break
        page = page.get_next()
    assert sorted(seen) == sorted(c["id"] for c in shop.mollie.customers)
    stored = next(p for p in shop.mollie.payments if p.get("details") and p["method"] == "ideal")
    payment = client.payments.get(stored["id"])
    assert payment.id == stored["id"]
    assert payment.amount == stored["amount"]
    assert payment.description == stored["description"]
    assert payment.details["consumerAccount"] == stored["details"]["consumerAccount"]
    with pytest.raises(NotFoundError):
        client.payments.get("tr_doesnotexist")


def test_sdk_wrong_key_raises_unauthorized(base: str) -> None:
    client = Client(api_endpoint=base)
    client.set_api_key("test_" + "W" * 30)
    with pytest.raises(UnauthorizedError):
        client.customers.list()


def test_delete_customer_cancels_mandates_and_subscriptions_keeps_payments(
    mollie_spec: dict[str, Any], scratch: tuple[str, MollieStore]
) -> None:
    base, store = scratch
    customer = next(c for c in store.customers if c["email"].casefold() == SUBJECT)
    cid = customer["id"]
    payments_before = [p["id"] for p in store.payments if p.get("customerId") == cid]
    resp = call(base, "DELETE", f"/v2/customers/{cid}")
    assert resp.status_code == 204
    checked(mollie_spec, resp, "delete", "/v2/customers/{customerId}")
    checked(
        mollie_spec, call(base, "GET", f"/v2/customers/{cid}"), "get", "/v2/customers/{customerId}"
    )
    assert all(m["status"] == "invalid" for m in store.mandates if m["customerId"] == cid)
    subs = walk(mollie_spec, base, "/v2/subscriptions", "/v2/subscriptions")
    mine = [s for s in subs if s["customerId"] == cid]
    assert mine and all(s["status"] == "canceled" and s["canceledAt"] for s in mine)
    assert payments_before
    for pid in payments_before:
        assert call(base, "GET", f"/v2/payments/{pid}").status_code == 200
    resp = call(base, "DELETE", f"/v2/customers/{cid}")
    checked(mollie_spec, resp, "delete", "/v2/customers/{customerId}")
    assert resp.status_code == 404


def test_patch_customer_anonymises(
    mollie_spec: dict[str, Any], scratch: tuple[str, MollieStore]
) -> None:
    base, store = scratch
    cid = store.customers[0]["id"]
    patch = {"name": "Verwijderd", "email": "verwijderd@example.invalid", "metadata": None}
    resp = call(base, "PATCH", f"/v2/customers/{cid}", json=patch)
    body = checked(mollie_spec, resp, "patch", "/v2/customers/{customerId}")
    assert (body["name"], body["email"]) == (patch["name"], patch["email"])
    assert store.customers[0]["email"] == patch["email"]
    resp = call(base, "PATCH", f"/v2/customers/{cid}", json={"locale": "xx_XX"})
    assert resp.status_code == 422
    validate_schema(mollie_spec, "/components/schemas/error-response", resp.json())


def test_concurrent_reads_are_consistent(base: str, shop: Shop) -> None:
    def count(_: int) -> int:
        return int(call(base, "GET", "/v2/payments", params={"limit": 250}).json()["count"])

    with ThreadPoolExecutor(8) as pool:
        counts = list(pool.map(count, range(24)))
    assert set(counts) == {min(250, len(shop.mollie.payments))}
