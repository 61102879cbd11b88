"""The Feedback Company v2 fake and its seed (shared/reference/vendor-apis.md §6)."""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import requests

from connectors.feedbackcompany.fake import MAX_LIMIT, FeedbackApp, create_app
from connectors.feedbackcompany.seed import AMS, seed_feedback, years_before
from connectors.feedbackcompany.store import FeedbackStore
from connectors.woocommerce.seed.shop_orders import woocommerce_shop_orders
from sandbox.credentials import FEEDBACKCOMPANY_CLIENT_ID, FEEDBACKCOMPANY_CLIENT_SECRET
from sandbox.data import Shop, ShopOrder

try:  # tests/sandbox imported as a package, or as a plain directory on sys.path
    from .mp_fixtures import Clock, running, shared_file
except ImportError:
    from mp_fixtures import Clock, running, shared_file

V2 = "/api/v2"
REVIEW_KEYS = {"id", "date_created", "total_score", "recommends", "client", "questions", "product"}
INVITATION_KEYS = {
    "id",
    "external_id",
    "customer",
    "date_created",
    "date_scheduled",
    "date_sent",
    "status",
    "invitation",
    "products",
}


@pytest.fixture(scope="module")
def orders(woo_shop: Shop) -> list[ShopOrder]:
    return woocommerce_shop_orders(woo_shop)


@pytest.fixture(scope="module")
def store(woo_shop: Shop, orders: list[ShopOrder]) -> FeedbackStore:
    store = FeedbackStore()
    seed_feedback(
        store,
        orders,
        woo_shop.today,
        random.Random(11),
        subject_email=woo_shop.subject_email,
        traps=woo_shop.traps,
    )
    return store


@pytest.fixture(scope="module")
def base(store: FeedbackStore) -> Iterator[str]:
    with running(lambda url: create_app(store, url)) as url:
        yield url


@pytest.fixture(scope="module")
def token(base: str) -> str:
    return get_token(base)


@pytest.fixture()
def scratch(store: FeedbackStore) -> Iterator[tuple[str, FeedbackStore]]:
    mine = copy.deepcopy(store)
    with running(lambda url: create_app(mine, url)) as url:
        yield url, mine


def get_token(base: str, secret: str = FEEDBACKCOMPANY_CLIENT_SECRET) -> str:
    params = {
        "client_id": FEEDBACKCOMPANY_CLIENT_ID,
        "client_secret": secret,
        "grant_type": "authorization_code",
    }
    response = requests.get(f"{base}{V2}/oauth2/token", params=params, timeout=10)
    body = response.json()
    assert response.status_code == 200 and not body["error"], body
    return str(body["access_token"])


def call(base: str, token: str | None, method: str, path: str, **kw: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.request(method, f"{base}{V2}{path}", headers=headers, timeout=10, **kw)


def all_reviews(base: str, token: str, limit: int = 40) -> list[dict[str, Any]]:
    reviews: list[dict[str, Any]] = []
    while True:
        body = call(
            base, token, "GET", "/review/", params={"limit": limit, "start": len(reviews)}
        ).json()
        reviews += body["reviews"]
        if not body["reviews"] or len(reviews) >= body["count"]["total"]:
            return reviews


def all_invitations(base: str, token: str, per_page: int = 100) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    page = 1
    while True:
        body = call(
            base, token, "GET", "/invitations", params={"page": page, "per_page": per_page}
        ).json()
        out += body["invitations"]
        if len(body["invitations"]) < per_page:
            return out
        page += 1


# ---- seed -----------------------------------------------------------------------------------


def test_seed_shares_deterministic(
    woo_shop: Shop, orders: list[ShopOrder], store: FeedbackStore
) -> None:
    again = FeedbackStore()
    seed_feedback(
        again,
        orders,
        woo_shop.today,
        random.Random(11),
        subject_email=woo_shop.subject_email,
        traps=woo_shop.traps,
    )
    assert again == store
    completed = [o for o in orders if o.status == "completed"]
    since = years_before(woo_shop.today, 3)
    recent = [o for o in completed if o.created.astimezone(AMS).date() > since]
    assert 0.45 < len(store.invitations) / len(recent) < 0.75
    assert 0.25 < len(store.reviews) / len(store.invitations) < 0.55
    numbers = {o.number for o in recent}
    assert {i["external_id"] for i in store.invitations} <= numbers
    by_id = {i["id"]: i for i in store.invitations}
    for review in store.reviews:
        assert by_id[review["_invitation_id"]]["status"] == "reviewed"


def test_seed_subject_and_traps(woo_shop: Shop, store: FeedbackStore) -> None:
    subject = woo_shop.subject_email.casefold()
    mine = [i for i in store.invitations if i["customer"]["email"].casefold() == subject]
    assert len(mine) >= 2
    ids = {i["id"] for i in mine}
    assert any(r["_invitation_id"] in ids for r in store.reviews)
    prefix = [i for i in store.invitations if i["external_id"] == woo_shop.traps["shared_prefix"]]
    assert prefix and prefix[0]["customer"]["email"] == woo_shop.traps["containment"]


# ---- token and auth -------------------------------------------------------------------------


def test_token_flow(base: str) -> None:
    url = f"{base}{V2}/oauth2/token"
    good = {"client_id": FEEDBACKCOMPANY_CLIENT_ID, "client_secret": FEEDBACKCOMPANY_CLIENT_SECRET}
    ok = requests.get(url, params={**good, "grant_type": "authorization_code"}, timeout=10)
    assert ok.status_code == 200
    body = ok.json()
    assert body["error"] is False and isinstance(body["access_token"], str) and body["access_token"]
    bad = requests.get(
        url,
        params={**good, "client_secret": "nope", "grant_type": "authorization_code"},
        timeout=10,
    )
    assert bad.status_code == 401 and bad.json()["error"] == "Unauthorized"
    grant = requests.get(url, params={**good, "grant_type": "client_credentials"}, timeout=10)
    assert grant.status_code == 400 and grant.json()["success"] is False
    assert (
        requests.post(
            url, params={**good, "grant_type": "authorization_code"}, timeout=10
        ).status_code
        == 405
    )


@pytest.mark.parametrize("token", [None, "not-a-token"])
def test_bad_token(base: str, token: str | None) -> None:
    response = call(base, token, "GET", "/shop")
    assert response.status_code == 401
    assert response.json() == {"success": False, "error": "401 Unauthorized"}


def test_token_expires_and_is_renewed(store: FeedbackStore) -> None:
    clock = Clock()
    apps: list[FeedbackApp] = []

    def factory(url: str) -> Any:
        app = create_app(store, url, token_ttl=60, clock=clock)
        assert isinstance(app, FeedbackApp)
        apps.append(app)
        return app

    with running(factory) as base:
        token = get_token(base)
        assert call(base, token, "GET", "/shop").status_code == 200
        clock.advance(61)
        expired = call(base, token, "GET", "/shop")
        assert expired.status_code == 401 and expired.json()["error"] == "401 Unauthorized"
        fresh = get_token(base)
        assert call(base, fresh, "GET", "/shop").status_code == 200
        apps[0].revoke_tokens()
        assert call(base, fresh, "GET", "/shop").status_code == 401


# ---- resources ------------------------------------------------------------------------------


def test_shop_and_questions(base: str, token: str) -> None:
    shop = call(base, token, "GET", "/shop").json()
    assert shop["success"] is True and "productReviewsEnabled" in shop["shop"]
    questions = call(base, token, "GET", "/question/").json()
    assert questions["success"] is True and questions["questions"]


def test_reviews_offset_paging(base: str, token: str, store: FeedbackStore) -> None:
    first = call(base, token, "GET", "/review/").json()
    assert set(first) == {"success", "reviews", "count"} and first["success"] is True
    assert first["count"] == {"total": len(store.reviews)} and len(first["reviews"]) == 25
    reviews = all_reviews(base, token)
    assert len(reviews) == len(store.reviews) == len({r["id"] for r in reviews})
    dates = [datetime.fromisoformat(r["date_created"]) for r in reviews]
    assert dates == sorted(dates, reverse=True), "newest first"
    capped = call(base, token, "GET", "/review", params={"limit": 500}).json()
    assert len(capped["reviews"]) == MAX_LIMIT
    beyond = call(base, token, "GET", "/review", params={"start": 10_000}).json()
    assert beyond["reviews"] == [] and beyond["count"]["total"] == len(store.reviews)
    assert call(base, token, "GET", "/review", params={"limit": "all"}).status_code == 400
    assert call(base, token, "GET", "/review.json", params={"limit": 1}).json()["success"] is True


def test_reviews_hide_email_and_order_number(base: str, token: str, store: FeedbackStore) -> None:
    numbers = {i["external_id"] for i in store.invitations}
    for review in all_reviews(base, token, limit=100):
        assert set(review) == REVIEW_KEYS
        assert set(review["client"]) == {"name", "city"}
        text = json.dumps(review)
        assert "@" not in text and "_invitation_id" not in text and "external_id" not in text
        assert not any(f'"{n}"' in text for n in numbers)
        assert 0 <= review["total_score"] <= 5


def test_one_review(base: str, token: str, store: FeedbackStore) -> None:
    wanted = store.reviews[3]
    body = call(base, token, "GET", f"/review/{wanted['id']}").json()
    assert body["success"] is True and body["review"]["id"] == wanted["id"]
    assert "_invitation_id" not in body["review"]
    missing = call(base, token, "GET", "/review/1")
    assert missing.status_code == 404 and missing.json()["success"] is False


def test_invitations_listing(base: str, token: str, store: FeedbackStore, woo_shop: Shop) -> None:
    first = call(base, token, "GET", "/invitations").json()
    assert first["success"] is True and (first["page"], first["per_page"]) == (1, 25)
    assert first["count"] == {"total": len(store.invitations)}
    invitations = all_invitations(base, token)
    assert len(invitations) == len(store.invitations) == len({i["id"] for i in invitations})
    for invitation in invitations:
        assert set(invitation) == INVITATION_KEYS
        assert set(invitation["customer"]) == {"email", "fullname"}
        assert invitation["status"] in ("pending", "sent", "reviewed")
    subject = woo_shop.subject_email.casefold()
    assert len([i for i in invitations if i["customer"]["email"].casefold() == subject]) >= 2
    assert any(i["external_id"] == woo_shop.traps["shared_prefix"] for i in invitations)
    assert call(base, token, "GET", "/invitations", params={"per_page": 101}).status_code == 400
    assert call(base, token, "GET", "/invitations", params={"page": 0}).status_code == 400


def test_create_invitation(scratch: tuple[str, FeedbackStore]) -> None:
    base, store = scratch
    before = len(store.invitations)
    token = get_token(base)
    body = {
        "external_id": "99001",
        "customer": {"email": "nieuw@example.nl", "fullname": "Nieuwe Klant"},
        "invitation": {
            "delay": {"unit": "days", "amount": 3},
            "reminder": {"unit": "days", "amount": 0},
        },
    }
    created = call(base, token, "POST", "/orders", params={"platform": "woocommerce"}, json=body)
    assert created.status_code == 200 and created.json()["success"] is True
    newest = call(base, token, "GET", "/invitations", params={"per_page": 1}).json()["invitations"][
        0
    ]
    assert newest["external_id"] == "99001" and newest["status"] == "pending"
    assert newest["customer"] == {"email": "nieuw@example.nl", "fullname": "Nieuwe Klant"}
    assert len(store.invitations) == before + 1
    missing = call(base, token, "POST", "/orders", json={"external_id": "1", "customer": {}})
    assert missing.status_code == 422 and missing.json()["success"] is False
    assert call(base, token, "POST", "/orders", data="{not json").status_code == 400


def test_no_deletion(base: str, token: str, store: FeedbackStore) -> None:
    review_id = store.reviews[0]["id"]
    for method, path in (
        ("DELETE", f"/review/{review_id}"),
        ("DELETE", "/invitations"),
        ("PUT", "/orders"),
    ):
        response = call(base, token, method, path)
        assert response.status_code == 405
        assert response.json() == {"success": False, "error": "405 Method Not Allowed"}
    for path in ("/customers", "/orders/99001", "/review/1/anonymize"):
        response = call(base, token, "DELETE", path)
        assert response.status_code == 404
        assert response.json() == {"success": False, "error": "404 Not Found"}
    assert requests.get(f"{base}/api/v3/review", timeout=10).status_code == 404


def test_matches_the_reference_notes() -> None:
    notes = shared_file("reference/vendor-apis.md").read_text()
    section = notes[notes.index("## 6. The Feedback Company") : notes.index("## 7.")]
    for fact in (
        "oauth2/token",
        "grant_type=authorization_code",
        '"count": {"total": N}',
        "/invitations?page=&per_page=",
    ):
        assert fact in section, fact
    for field in (
        "date_created",
        "total_score",
        "recommends",
        "client{name}",
        "questions",
        "product",
    ):
        assert field in section, field
