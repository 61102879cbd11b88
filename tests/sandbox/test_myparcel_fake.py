"""The MyParcel fake and its seed, against MyParcel's own reference (shared/specs/myparcel)."""

from __future__ import annotations

import base64
import copy
import json
import random
import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from connectors.myparcel.fake.app import create_app
from connectors.myparcel.fake.store import MyParcelStore
from connectors.myparcel.seed import seed_myparcel
from connectors.woocommerce.seed.shop_orders import woocommerce_shop_orders
from sandbox.credentials import MYPARCEL_API_KEY
from sandbox.data import Shop, ShopOrder

try:  # tests/sandbox imported as a package, or as a plain directory on sys.path
    from .mp_fixtures import (
        Clock,
        bold_fields,
        json_blocks,
        running,
        same_types,
        section,
        shared_file,
    )
except ImportError:
    from mp_fixtures import (
        Clock,
        bold_fields,
        json_blocks,
        running,
        same_types,
        section,
        shared_file,
    )

KEY64 = base64.b64encode(MYPARCEL_API_KEY.encode()).decode()
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


@pytest.fixture(scope="module")
def orders(woo_shop: Shop) -> list[ShopOrder]:
    return woocommerce_shop_orders(woo_shop)


@pytest.fixture(scope="module")
def store(woo_shop: Shop, orders: list[ShopOrder]) -> MyParcelStore:
    store = MyParcelStore()
    seed_myparcel(
        store, orders, woo_shop.today, random.Random(11), subject_email=woo_shop.subject_email
    )
    return store


@pytest.fixture(scope="module")
def base(store: MyParcelStore) -> Iterator[str]:
    """A fake without rate limits, for the read-only tests."""
    with running(lambda url: create_app(store, url, limits=False)) as url:
        yield url


@pytest.fixture()
def scratch(store: MyParcelStore) -> Iterator[tuple[str, MyParcelStore]]:
    """A fake over a private copy of the store, for tests that delete."""
    mine = copy.deepcopy(store)
    with running(lambda url: create_app(mine, url, limits=False)) as url:
        yield url, mine


def call(
    base: str, method: str, path: str, auth: str | None = f"bearer {KEY64}", **kw: Any
) -> requests.Response:
    headers = {"User-Agent": "CustomApiCall/2 Python/3.11", **kw.pop("headers", {})}
    if auth is not None:
        headers["Authorization"] = auth
    return requests.request(method, base + path, headers=headers, timeout=10, **kw)


def error_of(response: requests.Response) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"message", "request_id", "status_code", "errors"}
    assert body["status_code"] == response.status_code
    (error,) = body["errors"]
    assert error["status"] == response.status_code
    return dict(error)


def owned_by(email: str, shipments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    folded = email.casefold()
    return [
        s
        for s in shipments
        if folded
        in (
            (s["recipient"].get("email") or "").casefold(),
            (s["sender"].get("email") or "").casefold(),
        )
    ]


# ---- seed -----------------------------------------------------------------------------------


def test_seed_is_deterministic(woo_shop: Shop, orders: list[ShopOrder]) -> None:
    # (how fast it seeds is measured by benchmarks/, never by a timed test)
    stores = []
    for _ in range(2):
        store = MyParcelStore()
        seed_myparcel(
            store, orders, woo_shop.today, random.Random(5), subject_email=woo_shop.subject_email
        )
        stores.append(store.shipments)
    assert stores[0] == stores[1]


def test_seed_one_shipment_per_shipped_order(store: MyParcelStore, orders: list[ShopOrder]) -> None:
    refs = [s["reference_identifier"] for s in store.shipments if s["reference_identifier"]]
    shipped = {o.number for o in orders if o.status in ("processing", "completed", "refunded")}
    assert sorted(refs) == sorted(shipped)
    cancelled = {o.number for o in orders if o.status in ("cancelled", "failed")}
    assert not cancelled & set(refs)
    ids = [s["id"] for s in store.shipments]
    assert len(set(ids)) == len(ids) and ids == sorted(ids)
    barcodes = [s["barcode"] for s in store.shipments if s["barcode"]]
    assert len(set(barcodes)) == len(barcodes)
    for s in store.shipments:
        assert TIMESTAMP.match(s["created"]) and TIMESTAMP.match(s["modified"])
        assert s["created"] <= s["modified"]
        if s["status"] >= 2:
            assert re.fullmatch(r"3SMYPA\d{9}", s["barcode"])
        elif s["multi_collo_main_shipment_id"] in (None, s["id"]):
            assert s["barcode"] is None


def test_seed_subject_and_traps(woo_shop: Shop, store: MyParcelStore) -> None:
    mine = owned_by(woo_shop.subject_email, store.shipments)
    assert len(mine) >= 3
    assert any(s["status"] == 1 for s in mine), "a recent concept shipment"
    assert sum(1 for s in mine if s["status"] >= 2 and s["barcode"]) >= 2
    assert any(s["parent_id"] for s in mine), "a return shipment"
    assert any(s["multi_collo_main_shipment_id"] == s["id"] for s in mine), "a multi-collo main"
    case = [s for s in mine if s["recipient"].get("email") == woo_shop.traps["case"]]
    assert case, "the subject's address in another case"
    prefix = [
        s for s in store.shipments if s["reference_identifier"] == woo_shop.traps["shared_prefix"]
    ]
    assert prefix and prefix[0]["recipient"]["email"] == woo_shop.traps["containment"]
    assert owned_by(woo_shop.traps["containment"], store.shipments)


# ---- auth -----------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["bearer", "basic", "Bearer", "BASIC"])
def test_auth_schemes(base: str, scheme: str) -> None:
    response = call(base, "GET", "/shipments", auth=f"{scheme} {KEY64}")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    ("auth", "code"),
    [
        (None, 3000),
        ("bearer " + base64.b64encode(b"not-the-key").decode(), 3000),
        ("basic " + base64.b64encode(f"user:{MYPARCEL_API_KEY}".encode()).decode(), 3000),
        (f"bearer {MYPARCEL_API_KEY}", 3103),
        (f"Token {KEY64}", 3104),
    ],
)
def test_auth_failures(base: str, auth: str | None, code: int) -> None:
    response = call(base, "GET", "/shipments", auth=auth)
    assert response.status_code == 401
    assert error_of(response)["code"] == code


def test_status_page_needs_no_key(base: str) -> None:
    response = call(base, "GET", "/", auth=None)
    assert response.status_code == 200
    assert response.json() == {"title": "MyParcel API", "status": "OK"}


def test_unknown_route_method_and_accept(base: str) -> None:
    assert error_of(call(base, "GET", "/consumers"))["code"] == 3105
    assert call(base, "POST", "/shipments", json={}).status_code == 405
    csv = call(base, "GET", "/shipments", headers={"Accept": "text/csv"})
    assert csv.status_code == 406 and error_of(csv)["code"] == 3102


# ---- search ---------------------------------------------------------------------------------


def test_q_searches_all_fields_case_insensitively(
    base: str, woo_shop: Shop, store: MyParcelStore
) -> None:
    response = call(
        base, "GET", "/shipments", params={"q": woo_shop.subject_email.upper(), "size": 200}
    )
    body = response.json()
    assert set(body) == {"data"} and set(body["data"]) == {"search_results"}
    results = body["data"]["search_results"]
    assert set(results) == {"shipments", "page", "size", "results"}
    assert (results["page"], results["size"]) == (1, 200)
    got = {s["id"] for s in results["shipments"]}
    expected = {
        s["id"] for s in store.shipments if woo_shop.subject_email in json.dumps(s).casefold()
    }
    assert got == expected and results["results"] == len(expected)
    # substring: the look-alike dejan@… contains jan@…, and the return shipment has it as sender
    assert owned_by(woo_shop.traps["containment"], results["shipments"])
    assert any(s["parent_id"] for s in results["shipments"])


def test_q_finds_nested_and_numericbold_fields(base: str, store: MyParcelStore) -> None:
    target = next(s for s in store.shipments if s["status"] >= 2 and s["recipient"].get("phone"))
    for q in (target["barcode"].lower(), target["recipient"]["postal_code"], str(target["id"])):
        found = call(base, "GET", "/shipments", params={"q": q}).json()
        assert target["id"] in {s["id"] for s in found["data"]["search_results"]["shipments"]}
    assert error_of(call(base, "GET", "/shipments", params={"q": "x" * 256}))["code"] == 3208


def test_reference_identifier_is_a_prefix_match(base: str, woo_shop: Shop) -> None:
    first = woo_shop.traps["shared_prefix_of"]
    body = call(base, "GET", "/shipments", params={"reference_identifier": first}).json()
    assert set(body["data"]) == {"shipments", "results"}, "not a q search: no search_results"
    refs = {s["reference_identifier"] for s in body["data"]["shipments"]}
    assert {first, woo_shop.traps["shared_prefix"]} <= refs
    assert all(ref.startswith(first) for ref in refs)


def test_paging_and_size_bounds(base: str, store: MyParcelStore) -> None:
    first = call(base, "GET", "/shipments").json()["data"]
    assert len(first["shipments"]) == 30 and first["results"] == len(store.shipments)
    seen: list[int] = []
    page = 1
    while True:
        data = call(base, "GET", "/shipments", params={"page": page, "size": 200}).json()["data"]
        seen += [s["id"] for s in data["shipments"]]
        if len(data["shipments"]) < 200:
            break
        page += 1
    assert sorted(seen) == sorted(s["id"] for s in store.shipments) and len(set(seen)) == len(seen)
    for params, code in (
        ({"size": 29}, 3201),
        ({"size": 201}, 3201),
        ({"size": "many"}, 3201),
        ({"page": 0}, 3200),
        ({"page": 1001}, 3200),
    ):
        response = call(base, "GET", "/shipments", params=params)
        assert response.status_code == 422 and error_of(response)["code"] == code


def test_status_dates_and_sorting(base: str, store: MyParcelStore) -> None:
    data = call(base, "GET", "/shipments", params={"status": "1;2", "size": 200}).json()["data"]
    assert {s["status"] for s in data["shipments"]} <= {1, 2}
    assert data["results"] == sum(1 for s in store.shipments if s["status"] in (1, 2))
    assert error_of(call(base, "GET", "/shipments", params={"status": "99"}))["code"] == 3205
    day = store.shipments[100]["created"][:10]
    data = call(base, "GET", "/shipments", params={"from": day, "to": day, "size": 200}).json()[
        "data"
    ]
    assert data["shipments"] and all(s["created"].startswith(day) for s in data["shipments"])
    assert error_of(call(base, "GET", "/shipments", params={"from": "gisteren"}))["code"] == 3206
    newest = call(base, "GET", "/shipments", params={"sort": "created", "order": "desc"}).json()
    created = [s["created"] for s in newest["data"]["shipments"]]
    assert created == sorted(created, reverse=True) and created[0] == max(
        s["created"] for s in store.shipments
    )
    assert error_of(call(base, "GET", "/shipments", params={"sort": "password"}))["code"] == 3202
    assert error_of(call(base, "GET", "/shipments", params={"order": "up"}))["code"] == 3203


def test_get_by_ids_embeds_secondaries(base: str, store: MyParcelStore) -> None:
    main = next(s for s in store.shipments if s["multi_collo_main_shipment_id"] == s["id"])
    secondaries = [
        s
        for s in store.shipments
        if s["multi_collo_main_shipment_id"] == main["id"] and s is not main
    ]
    plain = next(s for s in store.shipments if s["multi_collo_main_shipment_id"] is None)
    body = call(base, "GET", f"/shipments/{main['id']};{plain['id']};999").json()
    assert body["data"]["results"] == 2
    got_main, got_plain = body["data"]["shipments"]
    assert [s["id"] for s in got_main["secondary_shipments"]] == [s["id"] for s in secondaries]
    assert got_plain["secondary_shipments"] is None
    secondary = call(base, "GET", f"/shipments/{secondaries[0]['id']}").json()["data"]["shipments"][
        0
    ]
    assert "secondary_shipments" not in secondary
    assert secondary["multi_collo_main_shipment_id"] == main["id"]
    assert error_of(call(base, "GET", "/shipments/12;abc"))["code"] == 3210


# ---- delete ---------------------------------------------------------------------------------


def test_delete_concept_only(scratch: tuple[str, MyParcelStore]) -> None:
    base, store = scratch
    concept = next(s for s in store.shipments if s["status"] == 1)
    printed = next(s for s in store.shipments if s["status"] == 7)
    refused = call(base, "DELETE", f"/shipments/{concept['id']};{printed['id']}")
    assert refused.status_code == 422 and error_of(refused)["code"] == 3723
    assert call(base, "GET", f"/shipments/{concept['id']}").json()["data"]["results"] == 1
    unknown = call(base, "DELETE", "/shipments/1")
    assert unknown.status_code == 422 and error_of(unknown)["code"] == 3723
    done = call(base, "DELETE", f"/shipments/{concept['id']}")
    assert done.status_code == 204 and done.content == b""
    assert call(base, "GET", f"/shipments/{concept['id']}").json()["data"]["results"] == 0
    assert call(base, "DELETE", f"/shipments/{concept['id']}").status_code == 422


def test_delete_multi_collo_main_removes_secondaries(scratch: tuple[str, MyParcelStore]) -> None:
    base, store = scratch
    main = next(s for s in store.shipments if s["multi_collo_main_shipment_id"] == s["id"])
    group = [s for s in store.shipments if s["multi_collo_main_shipment_id"] == main["id"]]
    for s in group:
        s["status"] = 1
    assert call(base, "DELETE", f"/shipments/{main['id']}").status_code == 204
    left = {s["id"] for s in store.shipments}
    assert not left & {s["id"] for s in group}


# ---- rate limits ----------------------------------------------------------------------------


def test_rate_limit_per_endpoint_and_429s_count(store: MyParcelStore) -> None:
    clock = Clock()
    limits = {"GET /shipments": (2, 10.0)}
    with running(lambda url: create_app(store, url, limits=limits, clock=clock)) as base:
        assert [call(base, "GET", "/shipments").status_code for _ in range(2)] == [200, 200]
        limited = call(base, "GET", "/shipments")
        assert limited.status_code == 429
        error = error_of(limited)
        assert "code" not in error and error["title"] == "Too Many Requests"
        assert "Retry-After" not in limited.headers
        some_id = store.shipments[0]["id"]
        assert call(base, "GET", f"/shipments/{some_id}").status_code == 200, "its own limit"
        clock.advance(6)
        assert call(base, "GET", "/shipments").status_code == 429
        clock.advance(4.5)  # the calls at 0 s have left the window; the refused one at 6 s has not
        assert call(base, "GET", "/shipments").status_code == 200
        assert call(base, "GET", "/shipments").status_code == 429
        clock.advance(10.1)
        assert call(base, "GET", "/shipments").status_code == 200


def test_refused_calls_count(store: MyParcelStore) -> None:
    clock = Clock()
    with running(
        lambda url: create_app(store, url, limits={"GET /shipments": (1, 10.0)}, clock=clock)
    ) as base:
        assert call(base, "GET", "/shipments").status_code == 200
        clock.advance(6)
        assert call(base, "GET", "/shipments").status_code == 429
        clock.advance(4.5)  # the accepted call has left the window, the refused one still counts
        assert call(base, "GET", "/shipments").status_code == 429
        clock.advance(10.1)
        assert call(base, "GET", "/shipments").status_code == 200


def test_documented_default_limits(store: MyParcelStore) -> None:
    with running(lambda url: create_app(store, url, clock=Clock())) as base:
        codes = [call(base, "GET", "/", auth=None).status_code for _ in range(31)]
    assert codes == [200] * 30 + [429]


# ---- against the documentation ----------------------------------------------------------------


def test_shapes_match_the_reference(base: str, woo_shop: Shop) -> None:
    shipments_md = shared_file("specs/myparcel/06.shipments.md").read_text()
    objects_md = shared_file("specs/myparcel/07.shipment-related-object-definitions.md").read_text()
    (doc,) = json_blocks(section(shipments_md, "### 6.E.4 Examples", "## 6.F"))
    examples = json_blocks(section(objects_md, "### 7.A.2 Examples", "## 7.B"))
    get_examples = [e for e in examples if "status" in e]  # the GET examples carry a status
    shipment_fields = bold_fields(section(objects_md, "### 7.A.1", "### 7.A.2"))
    shipment_fields |= {
        k for e in [*get_examples, *doc["data"]["search_results"]["shipments"]] for k in e
    }
    address_fields = bold_fields(section(objects_md, "### 7.B.1", "### 7.B.2"))
    option_fields = bold_fields(section(objects_md, "### 7.C.1", "### 7.C.2"))

    ours = call(base, "GET", "/shipments", params={"q": woo_shop.subject_email, "size": 200}).json()
    assert set(ours) == set(doc) and set(ours["data"]) == set(doc["data"])
    assert set(ours["data"]["search_results"]) == set(doc["data"]["search_results"])
    same_types(doc["data"]["search_results"], ours["data"]["search_results"], "search_results")
    example = doc["data"]["search_results"]["shipments"][0]
    by_id = call(base, "GET", "/shipments", params={"size": 200}).json()["data"]["shipments"]
    for shipment in ours["data"]["search_results"]["shipments"] + by_id:
        assert set(shipment) <= shipment_fields, set(shipment) - shipment_fields
        assert set(shipment["recipient"]) <= address_fields
        assert set(shipment["sender"]) <= address_fields
        assert set(shipment["options"]) <= option_fields
        assert TIMESTAMP.match(shipment["created"])
        for sub in shipment.get("secondary_shipments") or []:
            assert set(sub) <= shipment_fields and set(sub["recipient"]) <= address_fields
        same_types(example, shipment, "shipment")
    printed = next(s for s in by_id if s["barcode"])
    missing = {k for k in example if k not in printed}
    assert not missing, f"fields of the documented example missing: {missing}"


def test_error_codes_match_the_reference(base: str) -> None:
    table = shared_file("specs/myparcel/15.user-exceptions.md").read_text()
    reasons = {
        int(code): reason.strip()
        for code, reason in re.findall(r"^\| (\d{4,5}) +\| (.+?)\|", table, re.M)
    }
    for response in (
        call(base, "GET", "/shipments", auth=None),
        call(base, "GET", "/shipments", auth=f"Token {KEY64}"),
        call(base, "GET", "/shipments", params={"size": 10}),
        call(base, "GET", "/shipments", params={"status": "x"}),
        call(base, "DELETE", "/shipments/1"),
        call(base, "GET", "/nowhere"),
    ):
        error = error_of(response)
        assert reasons[error["code"]] == error["title"], error
