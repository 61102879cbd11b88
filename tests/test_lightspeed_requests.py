"""Lightspeed's requests for one person (issue 13): inside one rate-limit window, near the minimum.

The sandbox shop's subject and its bulk customer (more than 250 orders) are collected with the
filters honoured, with each person filter ignored on its own, and with every hostile knob at
once. Each time: the requests stay under 300 (one 5-minute window per key) and within 1.2 times
the minimum the connector computes; no query (path and parameters) is asked twice, and no path
more often than its whole listing has pages. Filters change what is read, never what is kept.
Counted with the fake's limits lifted (`unlimited`): this is about how many, not how long.
"""

from __future__ import annotations

import collections
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bridge.api import collect
from bridge.core.config import Config
from bridge.core.errors import SystemFailure
from bridge.core.models import SourceResult
from connectors.lightspeed.connector import LIMIT
from connectors.lightspeed.listings import Listings, pages
from sandbox.data import Shop, build_shop
from sandbox.hostile import HOSTILE, Hostility
from sandbox.server import Sandbox, start, unlimited

HOSTILITY = HOSTILE["lightspeed"]
MODES: dict[str, Hostility | None] = {
    "honoured": None,
    **{f"ignore {name}": Hostility(ignore=frozenset({name})) for name in sorted(HOSTILITY.ignore)},
    "all ignored": Hostility(ignore=HOSTILITY.ignore),
    "hostile": HOSTILITY,
}
# Every mode for the subject; the bulk customer (260 orders) where the reading differs most.
CASES = [(mode, "subject") for mode in MODES] + [
    (mode, "bulk") for mode in ("honoured", "all ignored", "hostile")
]
Key = tuple[str, str]  # (record type, id)


class Queries:
    """WSGI middleware: the (method, path, query string) of every request, as the client sent it."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.seen: list[tuple[str, str, str]] = []

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        query = environ.get("QUERY_STRING", "")
        self.seen.append((environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""), query))
        return self.app(environ, start_response)


@pytest.fixture(scope="module")
def shop() -> Shop:
    return build_shop("lightspeed", seed=7, today=date.today())


def _run(shop: Shop, mode: str, who: str, tmp: Path) -> tuple[SourceResult, Sandbox, Queries]:
    hostile = MODES[mode]
    sandbox = unlimited(
        start("lightspeed", shop=shop, hostile={"lightspeed": hostile} if hostile else None)
    )
    try:
        queries = Queries(sandbox.faults["lightspeed"].app)
        sandbox.faults["lightspeed"].app = queries
        email = shop.subject_email if who == "subject" else shop.bulk_email
        names = {"LIGHTSPEED_API_URL", "LIGHTSPEED_API_KEY", "LIGHTSPEED_API_SECRET"}
        env = {k: v for k, v in sandbox.env.items() if k in names}
        package = collect(email, Config({**env, "PRIVACY_BRIDGE_HOME": str(tmp / "state")}))
        (result,) = (s for s in package.sources if s.system == "lightspeed")
        return result, sandbox, queries
    finally:
        sandbox.stop()


@pytest.fixture(scope="module")
def runs(shop: Shop, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    """Each (mode, person) collected once, when a test first asks for it (each xdist worker
    runs only the ones its tests need)."""
    yield Runs(shop, tmp_path_factory)


class Runs(dict[tuple[str, str], tuple[SourceResult, Sandbox, Queries]]):
    def __init__(self, shop: Shop, tmp: pytest.TempPathFactory) -> None:
        super().__init__()
        self.shop, self.tmp = shop, tmp

    def __missing__(self, key: tuple[str, str]) -> tuple[SourceResult, Sandbox, Queries]:
        self[key] = _run(self.shop, *key, self.tmp.mktemp("ls"))
        return self[key]


def keys(result: SourceResult) -> set[Key]:
    return {(r.type, r.id) for r in result.records}


@pytest.mark.parametrize(("mode", "who"), CASES)
def test_requests_stay_in_one_window_and_near_the_minimum(runs: Runs, mode: str, who: str) -> None:
    result, sandbox, _ = runs[mode, who]
    made = sandbox.requests("lightspeed")
    assert result.minimum is not None and result.minimum > 0
    assert made == result.requests
    assert made < 300, f"{made} requests: more than one 5-minute window"
    assert made <= 1.2 * result.minimum, f"{made} requests against a minimum of {result.minimum}"


@pytest.mark.parametrize(("mode", "who"), CASES)
def test_every_listing_is_read_once(runs: Runs, shop: Shop, mode: str, who: str) -> None:
    _, sandbox, queries = runs[mode, who]
    asked = collections.Counter(queries.seen)
    assert [q for q, n in asked.items() if n > 1] == []
    gets = collections.Counter(p for m, p in sandbox.faults["lightspeed"].requests if m == "GET")
    language = shop.lightspeed.language
    for path, n in gets.items():
        name = path.removeprefix(f"/{language}/").removesuffix(".json")
        if "/" in name:  # a record's own sub-resource: one short page
            assert n == 1, f"{path}: {n} GETs"
        else:  # at most once per page of the whole listing
            whole = pages(len(shop.lightspeed.resources[name]), LIMIT)
            assert n <= whole, f"{path}: {n} GETs for a listing of {whole} page(s)"


@pytest.mark.parametrize(("mode", "who"), [c for c in CASES if c[0] != "honoured"])
def test_ignored_filters_change_what_is_read_never_what_is_kept(
    runs: Runs, mode: str, who: str
) -> None:
    expected, _, _ = runs["honoured", who]
    result, _, _ = runs[mode, who]
    if mode == "hostile":  # its missing resources answer 404: those records are not there
        gone = {"quote", "contact_message", "checkout"}
        assert keys(result) == {k for k in keys(expected) if k[0] not in gone}
        failed = {why.split(":", 1)[0] for why in result.failed}
        assert failed >= {"quotes", "contacts", "checkouts"}
    else:
        assert keys(result) == keys(expected)
        assert result.status == expected.status == "ok"


def test_the_bulk_customer_pages_its_orders() -> None:
    """The bulk customer has more than one page of orders: the paging is exercised."""
    shop = build_shop("lightspeed", seed=7, today=date.today())
    email = shop.bulk_email.casefold()
    orders = [o for o in shop.lightspeed.resources["orders"] if o["email"].casefold() == email]
    assert len(orders) > LIMIT


# -- the reads and the minimum, without a server --------------------------------------------------


def _fetcher(
    listings: dict[str, list[dict[str, Any]]], honours: bool
) -> tuple[Callable[..., list[dict[str, Any]]], list[tuple[str, dict[str, Any]]]]:
    log: list[tuple[str, dict[str, Any]]] = []

    def fetch(resource: str, **filters: Any) -> list[dict[str, Any]]:
        log.append((resource, filters))
        if resource not in listings:
            raise SystemFailure("lightspeed", f"{resource}: not found", 404)
        items = listings[resource]
        if honours and "customer" in filters:
            items = [i for i in items if i["customer"] == filters["customer"]]
        return items

    return fetch, log


def test_an_ignored_filter_makes_its_answer_the_whole_listing() -> None:
    rows = [{"id": i, "customer": i % 3} for i in range(600)]
    fetch, log = _fetcher({"orders": rows}, honours=False)
    reads = Listings(fetch, 250)
    first, held = reads.narrowed("orders", lambda item: item["customer"] != 0, customer=0)
    again, held_again = reads.narrowed("orders", lambda item: item["customer"] != 1, customer=1)
    assert (held, held_again) == (False, False)
    assert first is again is rows
    assert log == [("orders", {"customer": 0})]
    assert reads.minimum() == pages(600, 250) == 3


def test_a_honoured_filter_is_asked_once_per_value_and_counted_per_answer() -> None:
    rows = [{"id": i, "customer": i % 2} for i in range(600)]
    fetch, log = _fetcher({"orders": rows}, honours=True)
    reads = Listings(fetch, 250)
    for _ in range(2):
        for c in (0, 1):
            items, held = reads.narrowed(
                "orders", lambda item, c=c: item["customer"] != c, customer=c
            )
            assert held and len(items) == 300
    assert len(log) == 2
    assert reads.minimum() == 2 * pages(300, 250) == 4


def test_a_query_made_redundant_by_a_later_whole_listing_is_not_in_the_minimum() -> None:
    rows = [{"id": i, "customer": i % 2, "email": f"p{i % 2}@x.nl"} for i in range(100)]
    fetch, _ = _fetcher({"orders": rows}, honours=True)
    reads = Listings(fetch, 250)
    reads.narrowed("orders", lambda item: item["customer"] != 0, customer=0)  # held
    reads.narrowed("orders", lambda item: item["email"] != "p0@x.nl", email="p0@x.nl")  # ignored
    assert reads.minimum() == 1  # the whole listing, one page, answers both
    assert reads.first([("customer", 1), ("email", "p1@x.nl")])[0][0] == "email"


def test_a_failed_resource_is_not_asked_again_and_costs_one_request() -> None:
    fetch, log = _fetcher({}, honours=True)
    reads = Listings(fetch, 250)
    for c in (1, 2):
        with pytest.raises(SystemFailure):
            reads.narrowed("quotes", lambda item: False, customer=c)
    assert len(log) == 1
    assert reads.minimum() == 1
