"""Hostile mode (`sandbox.hostile`): ignored person filters, respelled fields, missing resources.

Each system is served twice from the same seeded shop: plainly, and hostile. A filtered request
must narrow on the plain fake and, on the hostile one, answer exactly what the request without
the filter answers (everybody's records).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import requests
from typer.testing import CliRunner
from woocommerce import API

from connectors.lightspeed.fake.app import LightspeedFake
from connectors.lightspeed.fake.ratelimit import RateLimiter
from connectors.lightspeed.fake.shape import ref_id
from sandbox import credentials
from sandbox.data import Shop, build_shop
from sandbox.hostile import HOSTILE, Hostile, Hostility, one_at_a_time, strip_query, wrap
from sandbox.server import Sandbox, start

JSON = dict[str, Any]
TIMEOUT = 10


# ---- fixtures ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ls_shop() -> Shop:
    return build_shop("lightspeed", seed=7, today=date.today())


def _serve(kind: str, shop: Shop, hostile: dict[str, Hostility] | None) -> Iterator[Sandbox]:
    with start(kind, shop=shop, hostile=hostile) as sandbox:
        if "lightspeed" in sandbox.faults:  # these tests ask faster than 20 requests a second
            app = sandbox.faults["lightspeed"].app
            fake = app.app if isinstance(app, Hostile) else app
            assert isinstance(fake, LightspeedFake)
            fake.limiter = RateLimiter((10**6, 10**6, 10**6), None)
        yield sandbox


@pytest.fixture(scope="module")
def woo_plain(woo_shop: Shop) -> Iterator[Sandbox]:
    yield from _serve("woocommerce", woo_shop, None)


@pytest.fixture(scope="module")
def woo_hostile(woo_shop: Shop) -> Iterator[Sandbox]:
    yield from _serve("woocommerce", woo_shop, HOSTILE)


@pytest.fixture(scope="module")
def ls_plain(ls_shop: Shop) -> Iterator[Sandbox]:
    yield from _serve("lightspeed", ls_shop, None)


@pytest.fixture(scope="module")
def ls_hostile(ls_shop: Shop) -> Iterator[Sandbox]:
    yield from _serve("lightspeed", ls_shop, HOSTILE)


@pytest.fixture(scope="module")
def ls_knobs(ls_shop: Shop) -> Iterator[Sandbox]:
    """Lightspeed ignoring its filters with every resource there; FBC respelling only."""
    knobs = {
        "lightspeed": Hostility(ignore=HOSTILE["lightspeed"].ignore),
        "feedbackcompany": Hostility(respell=True),
    }
    yield from _serve("lightspeed", ls_shop, knobs)


# ---- clients -------------------------------------------------------------------------------------
def woo(sandbox: Sandbox, secret: str = credentials.WOOCOMMERCE_CONSUMER_SECRET) -> API:
    """The official client: OAuth 1.0a over plain http, signing the whole query."""
    return API(
        url=sandbox.url("woocommerce"),
        consumer_key=credentials.WOOCOMMERCE_CONSUMER_KEY,
        consumer_secret=secret,
        version="wc/v3",
        timeout=TIMEOUT,
    )


def woo_get(sandbox: Sandbox, path: str, params: JSON) -> tuple[Any, int]:
    response = woo(sandbox).get(path, params={"per_page": 100, **params})
    assert response.status_code == 200, response.text
    return response.json(), int(response.headers["X-WP-Total"])


def ls_get(sandbox: Sandbox, path: str, params: JSON | None = None) -> requests.Response:
    auth = (credentials.LIGHTSPEED_API_KEY, credentials.LIGHTSPEED_API_SECRET)
    url = f"{sandbox.url('lightspeed')}/nl/{path}.json"
    return requests.get(url, params=params, auth=auth, timeout=TIMEOUT)


def ls_ok(sandbox: Sandbox, path: str, params: JSON | None = None) -> Any:
    response = ls_get(sandbox, path, params)
    assert response.status_code == 200, response.text
    return response.json()


def mp_get(sandbox: Sandbox, params: JSON) -> requests.Response:
    key = base64.b64encode(credentials.MYPARCEL_API_KEY.encode()).decode()
    return requests.get(
        f"{sandbox.url('myparcel')}/shipments",
        params=params,
        headers={"Authorization": f"basic {key}"},
        timeout=TIMEOUT,
    )


def paypal_session(sandbox: Sandbox) -> requests.Session:
    base = sandbox.url("paypal")
    token = requests.post(
        f"{base}/v1/oauth2/token",
        data={"grant_type": "client_credentials"},
        auth=(credentials.PAYPAL_CLIENT_ID, credentials.PAYPAL_CLIENT_SECRET),
        timeout=TIMEOUT,
    ).json()["access_token"]
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    return session


def fbc_session(sandbox: Sandbox) -> requests.Session:
    token = requests.get(
        f"{sandbox.url('feedbackcompany')}/api/v2/oauth2/token",
        params={
            "client_id": credentials.FEEDBACKCOMPANY_CLIENT_ID,
            "client_secret": credentials.FEEDBACKCOMPANY_CLIENT_SECRET,
            "grant_type": "authorization_code",
        },
        timeout=TIMEOUT,
    ).json()["access_token"]
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    return session


# ---- WooCommerce -----------------------------------------------------------------------------------
def _subject_id(shop: Shop) -> int:
    return next(c["id"] for c in shop.woocommerce.customers if c["email"] == shop.subject_email)


def _approved_review(shop: Shop) -> JSON:
    users = shop.woocommerce.review_user_ids
    return next(r for r in shop.woocommerce.reviews if r["status"] == "approved" and users[r["id"]])


WOO_CASES: dict[str, tuple[str, Callable[[Shop], JSON]]] = {
    "customers?email": ("customers", lambda s: {"email": s.subject_email}),
    "customers?search": ("customers", lambda s: {"search": s.subject_email}),
    "customers?include": ("customers", lambda s: {"include": str(_subject_id(s))}),
    "orders?customer": ("orders", lambda s: {"customer": _subject_id(s)}),
    "orders?search": ("orders", lambda s: {"search": s.subject_email}),
    "orders?include": (
        "orders",
        lambda s: {"include": ",".join(str(o["id"]) for o in s.woocommerce.orders[:3])},
    ),
    "reviews?reviewer_email": (
        "products/reviews",
        lambda s: {"reviewer_email": _approved_review(s)["reviewer_email"]},
    ),
    "reviews?reviewer": (
        "products/reviews",
        lambda s: {"reviewer": s.woocommerce.review_user_ids[_approved_review(s)["id"]]},
    ),
    "reviews?include": ("products/reviews", lambda s: {"include": _approved_review(s)["id"]}),
}


@pytest.mark.parametrize("case", WOO_CASES)
def test_woocommerce_ignores_person_filters(
    case: str, woo_shop: Shop, woo_plain: Sandbox, woo_hostile: Sandbox
) -> None:
    path, make = WOO_CASES[case]
    params = make(woo_shop)
    _, everybody = woo_get(woo_plain, path, {})
    _, narrowed = woo_get(woo_plain, path, params)
    assert 0 < narrowed < everybody
    unfiltered, unfiltered_total = woo_get(woo_hostile, path, {})
    filtered, filtered_total = woo_get(woo_hostile, path, params)
    assert (filtered, filtered_total) == (unfiltered, unfiltered_total)
    assert filtered_total == everybody


def test_woocommerce_hostile_still_checks_the_signature(
    woo_shop: Shop, woo_hostile: Sandbox
) -> None:
    params = {"email": woo_shop.subject_email}
    assert woo(woo_hostile).get("customers", params=params).status_code == 200
    assert woo(woo_hostile, secret="cs_wrong").get("customers", params=params).status_code == 401


# ---- Lightspeed ------------------------------------------------------------------------------------
def _first(shop: Shop, resource: str, get: Callable[[JSON], Any]) -> Any:
    return next(get(r) for r in shop.lightspeed.resources[resource] if get(r) not in (None, False))


def _ls_subject(shop: Shop) -> JSON:
    return next(
        c for c in shop.lightspeed.resources["customers"] if c["email"] == shop.subject_email
    )


def _customer(r: JSON) -> Any:
    return ref_id(r.get("customer"))


def _order(r: JSON) -> Any:
    return ref_id(r.get("order"))


LS_CASES: dict[str, tuple[str, Callable[[Shop], JSON]]] = {
    "customers?email": ("customers", lambda s: {"email": s.subject_email}),
    "orders?customer": ("orders", lambda s: {"customer": _ls_subject(s)["id"]}),
    "orders?email": ("orders", lambda s: {"email": s.subject_email}),
    "orders?number": ("orders", lambda s: {"number": _first(s, "orders", lambda o: o["number"])}),
    "invoices?customer": ("invoices", lambda s: {"customer": _first(s, "invoices", _customer)}),
    "invoices?order": ("invoices", lambda s: {"order": _first(s, "invoices", _order)}),
    "invoices?number": (
        "invoices",
        lambda s: {"number": _first(s, "invoices", lambda i: i.get("number"))},
    ),
    "shipments?customer": ("shipments", lambda s: {"customer": _first(s, "shipments", _customer)}),
    "shipments?order": ("shipments", lambda s: {"order": _first(s, "shipments", _order)}),
    "returns?customer": (
        "returns",
        lambda s: {"customer": _first(s, "returns", lambda r: r.get("customerId"))},
    ),
    "returns?order": ("returns", lambda s: {"order": _first(s, "returns", lambda r: r["orderId"])}),
    "reviews?customer": ("reviews", lambda s: {"customer": _first(s, "reviews", _customer)}),
    "tickets?customer": ("tickets", lambda s: {"customer": _first(s, "tickets", _customer)}),
    "quotes?customer": ("quotes", lambda s: {"customer": _first(s, "quotes", _customer)}),
}


@pytest.mark.parametrize("case", LS_CASES)
def test_lightspeed_ignores_person_filters(
    case: str, ls_shop: Shop, ls_plain: Sandbox, ls_hostile: Sandbox, ls_knobs: Sandbox
) -> None:
    path, make = LS_CASES[case]
    params = make(ls_shop)
    # quotes are missing under HOSTILE: their filter is proven with only the filters ignored
    hostile = ls_knobs if path in HOSTILE["lightspeed"].missing else ls_hostile
    everybody = ls_ok(ls_plain, f"{path}/count")["count"]
    assert 0 < ls_ok(ls_plain, f"{path}/count", params)["count"] < everybody
    assert ls_ok(hostile, f"{path}/count", params)["count"] == everybody
    page = {"limit": 250}
    assert ls_ok(hostile, path, {**params, **page}) == ls_ok(hostile, path, page)


def _payment_data(body: JSON) -> dict[int, JSON]:
    return {o["id"]: o["paymentData"] for o in body["orders"] if isinstance(o["paymentData"], dict)}


def test_lightspeed_respells_payment_data(ls_plain: Sandbox, ls_hostile: Sandbox) -> None:
    page = {"limit": 250}
    plain = _payment_data(ls_ok(ls_plain, "orders", page))
    hostile = _payment_data(ls_ok(ls_hostile, "orders", page))
    paid = {oid: data for oid, data in plain.items() if "transaction_id" in data}
    assert paid and plain.keys() == hostile.keys()
    for oid, data in paid.items():
        assert "transaction_id" not in hostile[oid]
        assert hostile[oid]["transactionId"] == data["transaction_id"]
        if "order_id" in data:
            assert hostile[oid]["orderId"] == data["order_id"]
    oid = next(iter(paid))
    single = ls_ok(ls_hostile, f"orders/{oid}")["order"]["paymentData"]
    assert single == hostile[oid]
    assert ls_ok(ls_plain, f"orders/{oid}")["order"]["paymentData"] == paid[oid]


@pytest.mark.parametrize("resource", HOSTILE["lightspeed"].missing)
def test_lightspeed_side_resources_missing(
    resource: str, ls_shop: Shop, ls_plain: Sandbox, ls_hostile: Sandbox
) -> None:
    some_id = ls_shop.lightspeed.resources[resource][0]["id"]
    before = ls_hostile.requests("lightspeed")
    for path in (resource, f"{resource}/count", f"{resource}/{some_id}"):
        assert ls_get(ls_plain, path).status_code == 200
        response = ls_get(ls_hostile, path)
        assert response.status_code == 404
        assert response.json() == {
            "error": {
                "code": 404,
                "method": "READ",
                "request": f"/nl/{path}.json",
                "message": "Not found.",
            }
        }
    assert ls_hostile.requests("lightspeed") == before + 3  # the Faults log still sees them
    assert ls_get(ls_hostile, "customers/count").status_code == 200


# ---- MyParcel --------------------------------------------------------------------------------------
MP_CASES: dict[str, Callable[[Shop], JSON]] = {
    "q": lambda s: {"q": s.subject_email},
    "reference_identifier": lambda s: {
        "reference_identifier": s.myparcel.shipments[0]["reference_identifier"]
    },
}


@pytest.mark.parametrize("case", MP_CASES)
def test_myparcel_ignores_person_filters(
    case: str, woo_shop: Shop, woo_plain: Sandbox, woo_hostile: Sandbox
) -> None:
    params = MP_CASES[case](woo_shop)
    page = {"size": 200}

    def results(body: JSON) -> int:
        data = body["data"]
        return int(
            data["search_results"]["results"] if "search_results" in data else data["results"]
        )

    everybody = results(mp_get(woo_plain, page).json())
    assert 0 < results(mp_get(woo_plain, {**params, **page}).json()) < everybody
    filtered = mp_get(woo_hostile, {**params, **page})
    assert filtered.status_code == 200
    assert filtered.json() == mp_get(woo_hostile, page).json()
    assert results(filtered.json()) == everybody


def test_myparcel_respells_error_bodies(woo_plain: Sandbox, woo_hostile: Sandbox) -> None:
    plain = mp_get(woo_plain, {"size": 5})
    hostile = mp_get(woo_hostile, {"size": 5})
    assert plain.status_code == hostile.status_code == 422
    assert plain.json()["status_code"] == 422
    body = hostile.json()
    assert set(body) == {"errors", "message"}
    (error,) = body["errors"]
    assert error["code"] == 3201 and error["message"] == error["human"] == body["message"]
    assert hostile.headers["Content-Length"] == str(len(hostile.content))


# ---- PayPal ----------------------------------------------------------------------------------------
def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _now(shop: Shop) -> datetime:
    return datetime.combine(shop.today, datetime.now(UTC).time(), UTC).replace(microsecond=0)


def _window(end: datetime, days: int = 31) -> JSON:
    return {"start_date": _stamp(end - timedelta(days=days)), "end_date": _stamp(end)}


def _search(session: requests.Session, sandbox: Sandbox, params: JSON) -> JSON:
    response = session.get(
        f"{sandbox.url('paypal')}/v1/reporting/transactions",
        params={"page_size": 500, **params},
        timeout=TIMEOUT,
    )
    assert response.status_code == 200, response.text
    return response.json()


def _ids(body: JSON) -> list[str]:
    return [t["transaction_info"]["transaction_id"] for t in body["transaction_details"]]


def test_paypal_ignores_transaction_id_and_the_window(
    woo_shop: Shop, woo_plain: Sandbox, woo_hostile: Sandbox
) -> None:
    plain, hostile = paypal_session(woo_plain), paypal_session(woo_hostile)
    now = _now(woo_shop)
    recent = _window(now - timedelta(days=2))
    older = _window(now - timedelta(days=400))
    found = _ids(_search(plain, woo_plain, recent))
    assert found
    one = _search(plain, woo_plain, {**recent, "transaction_id": found[0]})
    assert _ids(one) == [found[0]]
    # every transaction of the last three years, whatever the window
    everything: list[str] = []
    end = now - timedelta(minutes=1)
    horizon = now.replace(year=now.year - 3) + timedelta(minutes=5)
    while end > horizon:
        start = max(end - timedelta(days=30), horizon)
        window = {"start_date": _stamp(start), "end_date": _stamp(end)}
        everything += _ids(_search(plain, woo_plain, window))
        end = start - timedelta(seconds=1)
    assert len(everything) > len(found)
    answers = [
        _search(hostile, woo_hostile, recent),
        _search(hostile, woo_hostile, older),
        _search(hostile, woo_hostile, {**recent, "transaction_id": found[0]}),
    ]
    for body in answers:
        assert sorted(_ids(body)) == sorted(everything)
        assert body["total_items"] == len(everything)
    assert answers[0]["transaction_details"] == answers[1]["transaction_details"]


@pytest.mark.parametrize(
    ("params", "field", "issue"),
    [
        ({"end_date": "2026-01-31T00:00:00Z"}, "start_date", "MISSING_REQUIRED_PARAMETER"),
        ({"start_date": "2026-01-01T00:00:00Z"}, "end_date", "MISSING_REQUIRED_PARAMETER"),
        (
            {"start_date": "2026-01-01", "end_date": "2026-01-31T00:00:00Z"},
            "start_date",
            "INVALID_PARAMETER_SYNTAX",
        ),
        (
            {"start_date": "2026-01-01T00:00:00Z", "end_date": "yesterday"},
            "end_date",
            "INVALID_PARAMETER_SYNTAX",
        ),
    ],
)
def test_paypal_hostile_still_validates_the_window(
    woo_hostile: Sandbox, params: JSON, field: str, issue: str
) -> None:
    response = paypal_session(woo_hostile).get(
        f"{woo_hostile.url('paypal')}/v1/reporting/transactions", params=params, timeout=TIMEOUT
    )
    assert response.status_code == 400
    body = response.json()
    assert body["name"] == "INVALID_REQUEST"
    assert [(d["field"], d["issue"]) for d in body["details"]] == [(field, issue)]


def test_paypal_hostile_still_rejects_a_long_window(woo_shop: Shop, woo_hostile: Sandbox) -> None:
    response = paypal_session(woo_hostile).get(
        f"{woo_hostile.url('paypal')}/v1/reporting/transactions",
        params=_window(_now(woo_shop) - timedelta(days=1), days=40),
        timeout=TIMEOUT,
    )
    assert response.status_code == 400
    assert response.json()["details"][0]["field"] == "end_date"


INVOICE_CASES: dict[str, Callable[[Shop], JSON]] = {
    "recipient_email": lambda s: {"recipient_email": s.subject_email},
    "recipient_first_name": lambda s: {"recipient_first_name": "Jan"},
    "recipient_last_name": lambda s: {"recipient_last_name": "de Vries"},
    "invoice_number": lambda s: {
        "invoice_number": s.paypal.invoices[0]["detail"]["invoice_number"]
    },
    "reference": lambda s: {"reference": s.paypal.invoices[0]["detail"]["reference"]},
}


@pytest.mark.parametrize("case", INVOICE_CASES)
def test_paypal_invoice_search_ignores_person_criteria(
    case: str, woo_shop: Shop, woo_plain: Sandbox, woo_hostile: Sandbox
) -> None:
    criteria = INVOICE_CASES[case](woo_shop)

    def search(sandbox: Sandbox, session: requests.Session, body: JSON) -> JSON:
        response = session.post(
            f"{sandbox.url('paypal')}/v2/invoicing/search-invoices",
            params={"total_required": "true", "page_size": 100},
            json=body,
            timeout=TIMEOUT,
        )
        assert response.status_code == 200, response.text
        return response.json()

    plain, hostile = paypal_session(woo_plain), paypal_session(woo_hostile)
    everybody = search(woo_plain, plain, {})["total_items"]
    assert 0 < search(woo_plain, plain, criteria)["total_items"] < everybody
    filtered = search(woo_hostile, hostile, criteria)
    assert filtered == search(woo_hostile, hostile, {})
    assert filtered["total_items"] == everybody


# ---- Mollie ----------------------------------------------------------------------------------------
def test_mollie_has_nothing_to_make_hostile() -> None:
    def app(environ: JSON, start_response: Callable[..., Any]) -> list[bytes]:
        return []

    assert not HOSTILE["mollie"]
    assert wrap(app, "mollie", HOSTILE["mollie"]) is app
    assert wrap(app, "mollie", Hostility(ignore=frozenset({"from"}))) is not app


# ---- The Feedback Company -------------------------------------------------------------------------
def test_feedbackcompany_invitations_missing(ls_plain: Sandbox, ls_hostile: Sandbox) -> None:
    plain, hostile = fbc_session(ls_plain), fbc_session(ls_hostile)
    for path in ("invitations", "invitations.json", "invitations/"):
        assert plain.get(f"{ls_plain.url('feedbackcompany')}/api/v2/{path}").status_code == 200
        response = hostile.get(f"{ls_hostile.url('feedbackcompany')}/api/v2/{path}")
        assert response.status_code == 404
        assert response.json() == {"success": False, "error": "404 Not Found"}
    assert hostile.get(f"{ls_hostile.url('feedbackcompany')}/api/v2/review").status_code == 200


def test_feedbackcompany_reviews_show_the_authors_address(
    ls_shop: Shop, ls_plain: Sandbox, ls_hostile: Sandbox
) -> None:
    store = ls_shop.feedbackcompany
    sent_to = {i["id"]: i["customer"]["email"] for i in store.invitations}
    author = {r["id"]: sent_to[r["_invitation_id"]] for r in store.reviews}

    def reviews(sandbox: Sandbox) -> list[JSON]:
        session, base = fbc_session(sandbox), sandbox.url("feedbackcompany")
        out: list[JSON] = []
        while len(out) < len(store.reviews):
            page = session.get(f"{base}/api/v2/review", params={"limit": 100, "start": len(out)})
            out += page.json()["reviews"]
        return out

    assert all("email" not in r["client"] for r in reviews(ls_plain))
    shown = reviews(ls_hostile)
    assert len(shown) == len(store.reviews)
    for review in shown:
        email = review["client"]["email"]
        assert email != author[review["id"]]
        assert email.casefold() == author[review["id"]].casefold()
        assert review["client"]["name"]
    one = shown[0]["id"]
    single = fbc_session(ls_hostile).get(f"{ls_hostile.url('feedbackcompany')}/api/v2/review/{one}")
    assert single.json()["review"]["client"] == shown[0]["client"]


def test_feedbackcompany_invitations_respelled(ls_plain: Sandbox, ls_knobs: Sandbox) -> None:
    def customers(sandbox: Sandbox) -> list[JSON]:
        session = fbc_session(sandbox)
        url = f"{sandbox.url('feedbackcompany')}/api/v2/invitations"
        body = session.get(url, params={"per_page": 100}).json()
        return [i["customer"] for i in body["invitations"]]

    plain, respelled = customers(ls_plain), customers(ls_knobs)
    assert plain and all(set(c) == {"email", "fullname"} for c in plain)
    assert respelled == [{"email": c["email"], "name": c["fullname"]} for c in plain]


# ---- the knobs, the server and the CLI ----------------------------------------------------------
def test_strip_query_keeps_the_rest_byte_for_byte() -> None:
    query = "email=a%40b.nl&include%5B%5D=3&include[]=4&per_page=100&oauth_nonce=x%2By&flag"
    names = frozenset({"email", "include"})
    assert strip_query(query, names) == "per_page=100&oauth_nonce=x%2By&flag"
    assert strip_query("emailaddress=1&e=2", frozenset({"email"})) == "emailaddress=1&e=2"
    assert strip_query("a=1&&b=2", names) == "a=1&&b=2"
    assert strip_query("email=x", names) == ""


def test_one_knob_at_a_time_covers_hostile() -> None:
    knobs = list(one_at_a_time())
    for system, hostility in HOSTILE.items():
        mine = [h for s, _, h in knobs if s == system]
        assert all(sum((bool(h.ignore), h.respell, bool(h.missing))) == 1 for h in mine)
        assert frozenset().union(*(h.ignore for h in mine)) == hostility.ignore
        assert tuple(n for h in mine for n in h.missing) == hostility.missing
        assert any(h.respell for h in mine) == hostility.respell
    assert ("lightspeed", "missing quotes", Hostility(missing=("quotes",))) in knobs


def test_sandbox_remembers_the_hostility(woo_plain: Sandbox, woo_hostile: Sandbox) -> None:
    assert woo_plain.hostile == {}
    assert woo_hostile.hostile == {
        s: HOSTILE[s] for s in woo_hostile.servers if HOSTILE[s]
    }  # Mollie's is a no-op
    with pytest.raises(ValueError, match="nope"):
        start("woocommerce", shop=woo_plain.shop, hostile={"nope": Hostility(respell=True)})


def test_cli_serve_has_the_hostile_flag() -> None:
    from bridge.cli.main import app

    result = CliRunner().invoke(app, ["sandbox", "serve", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "--hostile" in result.output
