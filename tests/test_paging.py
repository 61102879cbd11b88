"""bridge.core.paging: each paginator on canned answers, and every kind of paging loop ending in
an error that names the system and the path, never a hang.

The fakes are bounded: a fake asked more often than any correct walk would ask fails the test
(`Server.ask`), so a regression shows as a failure, not as a test that never ends. No sleeps, no
clocks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bridge.core.errors import PagingLoop, SystemFailure
from bridge.core.paging import (
    DateWindows,
    Fetch,
    NextLink,
    Offset,
    Page,
    PageNumber,
    TooManyResults,
    hal_items,
    hal_next,
    pages_for,
    total,
)

LIMIT = 50  # no walk in these tests needs more requests than this


@dataclass
class Server:
    """Canned answers, and the requests asked of them, bounded by LIMIT."""

    asked: list[Any] = field(default_factory=list)

    def ask(self, what: Any) -> None:
        self.asked.append(what)
        assert len(self.asked) <= LIMIT, "the paginator kept asking: a loop was not stopped"

    def fetch(self, answer: Callable[[int], tuple[list[Any], int | None]]) -> Fetch:
        """A `fetch` of a page-numbered or offset listing that answers `answer(n)`."""

        def fetch(n: int) -> tuple[list[Any], int | None]:
            self.ask(n)
            return answer(n)

        return fetch


def records(first: int, n: int) -> list[dict[str, Any]]:
    return [{"id": i, "name": f"record {i}"} for i in range(first, first + n)]


# -- PageNumber ------------------------------------------------------------------------------


def test_page_number_reads_until_the_total_the_answer_gives() -> None:
    server = Server()
    answers = {1: records(1, 3), 2: records(4, 3), 3: records(7, 1)}
    fetch = server.fetch(lambda n: (answers[n], total("3")))  # as from a header `X-Total-Pages: 3`
    walked = list(PageNumber().pages(fetch, "shop", "orders"))
    assert server.asked == [1, 2, 3]
    assert [p.number for p in walked] == [1, 2, 3]
    assert [p.last for p in walked] == [False, False, True]
    assert [r["id"] for p in walked for r in p.items] == list(range(1, 8))


def test_page_number_with_a_total_reads_on_past_a_short_page() -> None:
    """The server may give fewer than asked for; its total says whether more follow."""
    server = Server()
    answers = {1: records(1, 2), 2: records(3, 3)}
    fetch = server.fetch(lambda n: (answers[n], 2))
    assert [r["id"] for r in PageNumber(size=3).items(fetch, "shop", "orders")] == [1, 2, 3, 4, 5]
    assert server.asked == [1, 2]


def test_page_number_without_a_total_ends_on_a_short_page() -> None:
    server = Server()
    answers = {1: records(1, 3), 2: records(4, 3), 3: records(7, 2)}
    fetch = server.fetch(lambda n: (answers[n], None))
    items = list(PageNumber(size=3).items(fetch, "shop", "reviews.json"))
    assert len(items) == 8
    assert server.asked == [1, 2, 3]


def test_page_number_without_a_total_asks_for_the_empty_page_after_a_full_one() -> None:
    server = Server()
    answers = {1: records(1, 3), 2: records(4, 3), 3: []}
    fetch = server.fetch(lambda n: (answers[n], None))
    walked = list(PageNumber(size=3).pages(fetch, "shop", "reviews.json"))
    assert server.asked == [1, 2, 3]
    assert walked[-1] == Page([], 3, True)


def test_page_number_without_size_or_total_reads_until_an_empty_page() -> None:
    server = Server()
    answers = {1: records(1, 2), 2: records(3, 1), 3: []}
    fetch = server.fetch(lambda n: (answers[n], None))
    assert len(list(PageNumber().items(fetch, "shop", "customers"))) == 3
    assert server.asked == [1, 2, 3]


def test_page_number_counts_from_the_first_page_number_it_is_given() -> None:
    server = Server()
    fetch = server.fetch(lambda n: (records(n * 10, 1), 2))
    list(PageNumber(first=0).items(fetch, "shop", "items"))
    assert server.asked == [0, 1]


def test_a_caller_that_stops_early_makes_no_further_request() -> None:
    server = Server()
    fetch = server.fetch(lambda n: (records(n * 10, 3), 10))
    for page in PageNumber().pages(fetch, "shop", "invitations"):
        if page.number == 2:
            break
    assert server.asked == [1, 2]


def test_a_server_that_repeats_a_full_page_ends_in_an_error_not_a_loop() -> None:
    """A server that ignores `page` answers page 1 for every page: without a total and with
    every page full, only the repetition shows that it never ends."""
    server = Server()
    fetch = server.fetch(lambda n: (records(1, 3), None))
    with pytest.raises(PagingLoop) as raised:
        list(PageNumber(size=3).items(fetch, "lightspeed", "customers.json"))
    assert server.asked == [1, 2]
    assert isinstance(raised.value, SystemFailure)
    assert raised.value.system == "lightspeed"
    assert str(raised.value).startswith("lightspeed: customers.json: page 2 repeats page 1")


def test_a_server_that_cycles_between_pages_is_stopped_too() -> None:
    server = Server()
    fetch = server.fetch(lambda n: (records(1 if n % 2 else 4, 3), None))
    with pytest.raises(PagingLoop, match="page 3 repeats page 1"):
        list(PageNumber(size=3).items(fetch, "shop", "orders"))
    assert server.asked == [1, 2, 3]


def test_a_server_that_never_stops_giving_new_pages_ends_at_the_cap() -> None:
    server = Server()
    fetch = server.fetch(lambda n: (records(n * 10, 3), None))  # always full, always new
    with pytest.raises(PagingLoop, match="shop: orders: more than 5 pages"):
        list(PageNumber(size=3, max_pages=5).items(fetch, "shop", "orders"))
    assert server.asked == [1, 2, 3, 4, 5]  # the page past the cap is never asked for


def test_equal_records_on_two_pages_are_no_loop_when_the_pages_differ() -> None:
    server = Server()
    answers = {1: [*records(1, 2), {"id": 9}], 2: [{"id": 9}, *records(5, 2)], 3: []}
    fetch = server.fetch(lambda n: (answers[n], None))
    assert len(list(PageNumber(size=3).items(fetch, "shop", "orders"))) == 6


# -- Offset ----------------------------------------------------------------------------------


def test_offset_reads_until_the_total_number_of_items() -> None:
    server = Server()
    everything = records(1, 7)
    fetch = server.fetch(lambda n: (everything[n : n + 3], len(everything)))
    assert list(Offset(size=3).items(fetch, "reviews", "api/review/")) == everything
    assert server.asked == [0, 3, 6]


def test_offset_without_a_total_ends_on_a_short_or_an_empty_page() -> None:
    for n, asked in ((7, [0, 3, 6]), (6, [0, 3, 6])):
        server = Server()
        everything = records(1, n)

        def fetch(offset: int, items: list[Any] = everything, s: Server = server) -> Any:
            s.ask(offset)
            return items[offset : offset + 3], None

        assert list(Offset(size=3).items(fetch, "reviews", "api/review/")) == everything
        assert server.asked == asked


def test_offset_moves_on_by_what_the_page_held() -> None:
    """A server that gives fewer than asked for, with a total: nothing is skipped."""
    server = Server()
    everything = records(1, 5)
    fetch = server.fetch(lambda n: (everything[n : n + 2], 5))  # at most 2, whatever the limit
    assert list(Offset(size=100, start=0).items(fetch, "list", "members")) == everything
    assert server.asked == [0, 2, 4]


def test_offset_ignored_by_the_server_ends_in_an_error() -> None:
    server = Server()
    fetch = server.fetch(lambda n: (records(1, 3), None))
    with pytest.raises(PagingLoop, match="feedback: api/review/: page 2 repeats page 1"):
        list(Offset(size=3).items(fetch, "feedback", "api/review/"))
    assert server.asked == [0, 3]


# -- NextLink --------------------------------------------------------------------------------

BASE = "https://api.example.com/v2/customers"


def hal(items: list[dict[str, Any]], next_url: str | None) -> dict[str, Any]:
    links: dict[str, Any] = {"self": {"href": BASE}}
    links["next"] = {"href": next_url, "type": "application/hal+json"} if next_url else None
    return {"count": len(items), "_embedded": {"customers": items}, "_links": links}


class HalServer(Server):
    def __init__(self, answers: dict[str | None, dict[str, Any]]) -> None:
        super().__init__()
        self.answers = answers

    def fetch(self, previous: Any) -> Any:
        url = None if previous is None else hal_next(previous)
        self.ask(url)
        return self.answers[url]


def test_next_link_follows_the_hal_links_until_there_is_none() -> None:
    server = HalServer(
        {
            None: hal(records(1, 2), f"{BASE}?from=3"),
            f"{BASE}?from=3": hal(records(3, 2), f"{BASE}?from=5"),
            f"{BASE}?from=5": hal(records(5, 1), None),
        }
    )
    walked = list(NextLink().pages(server.fetch, "mollie", "v2/customers"))
    assert server.asked == [None, f"{BASE}?from=3", f"{BASE}?from=5"]
    assert [p.last for p in walked] == [False, False, True]
    assert [r["id"] for p in walked for r in p.items] == [1, 2, 3, 4, 5]


def test_next_link_ends_without_a_links_member_or_embedded_list() -> None:
    server = HalServer({None: {"count": 0}})
    assert list(NextLink().items(server.fetch, "mollie", "v2/customers")) == []
    assert server.asked == [None]


def test_a_next_link_that_leads_back_ends_in_an_error() -> None:
    """Page 3 links back to page 2: the pages differ, the link does not."""
    server = HalServer(
        {
            None: hal(records(1, 2), f"{BASE}?from=3"),
            f"{BASE}?from=3": hal(records(3, 2), f"{BASE}?from=5"),
            f"{BASE}?from=5": hal(records(5, 2), f"{BASE}?from=3"),
        }
    )
    read: list[int] = []
    with pytest.raises(PagingLoop, match="mollie: v2/customers: page 3 links to a page already"):
        read.extend(r["id"] for r in NextLink().items(server.fetch, "mollie", "v2/customers"))
    assert read == [1, 2, 3, 4, 5, 6]  # every page was read once
    assert len(server.asked) == 3


def test_a_next_link_to_a_repeated_page_ends_in_an_error() -> None:
    """A server whose every next link is new, but whose pages are the first one again."""

    def fetch(previous: Any) -> Any:
        server.ask(previous)
        return hal(records(1, 2), f"{BASE}?from={len(server.asked)}")

    server = Server()
    with pytest.raises(PagingLoop, match="page 2 repeats page 1"):
        list(NextLink().items(fetch, "mollie", "v2/customers"))
    assert len(server.asked) == 2


def test_next_link_reads_a_client_library_page_object() -> None:
    """A client's page object: iterates over its items, keeps the HAL body as a dict."""

    class ClientPage(dict[str, Any]):
        def __iter__(self) -> Iterator[Any]:
            return iter(self["_embedded"]["customers"])

    server = HalServer(
        {
            None: ClientPage(hal(records(1, 2), f"{BASE}?p=2")),
            f"{BASE}?p=2": ClientPage(hal(records(3, 1), "")),  # an empty link: the last page
        }
    )
    items = list(NextLink(items_of=list).items(server.fetch, "mollie", "v2/customers"))
    assert [r["id"] for r in items] == [1, 2, 3]


def test_hal_helpers_read_the_answer_or_nothing() -> None:
    assert hal_items({"_embedded": {"payments": [{"id": 1}]}}) == [{"id": 1}]
    assert hal_items({"count": 0}) == [] and hal_items(None) == []
    assert hal_next({"_links": {"next": None}}) is None
    assert hal_next({"_links": {"next": {"href": "https://x/2"}}}) == "https://x/2"
    assert hal_next([]) is None
    with pytest.raises(ValueError):
        hal_items({"_embedded": {"a": [], "b": []}})


# -- DateWindows -----------------------------------------------------------------------------

T0 = datetime(2024, 1, 1, tzinfo=UTC)
DAY = timedelta(days=1)


def test_date_windows_walk_backwards_and_forwards_covering_the_range() -> None:
    backwards = list(DateWindows(width=10 * DAY, backwards=True).windows(T0, T0 + 25 * DAY))
    assert backwards == [
        (T0 + 15 * DAY, T0 + 25 * DAY),
        (T0 + 5 * DAY, T0 + 15 * DAY),
        (T0, T0 + 5 * DAY),
    ]
    forwards = list(DateWindows(width=10 * DAY).windows(T0, T0 + 25 * DAY))
    assert forwards == [
        (T0, T0 + 10 * DAY),
        (T0 + 10 * DAY, T0 + 20 * DAY),
        (T0 + 20 * DAY, T0 + 25 * DAY),
    ]
    assert list(DateWindows(width=DAY).windows(T0, T0)) == []
    assert list(DateWindows(width=DAY, backwards=True).windows(T0 + DAY, T0)) == []
    with pytest.raises(ValueError):
        DateWindows(width=timedelta(0))


def test_a_window_with_too_many_results_is_read_as_two_halves() -> None:
    server = Server()

    def read(start: datetime, end: datetime) -> Iterator[str]:
        server.ask((start, end))
        if end - start > 4 * DAY:  # the server answers at most 4 days at once
            raise TooManyResults(SystemFailure("payments", "HTTP 400 RESULT_SET_TOO_LARGE"))
        yield f"{(start - T0).days}-{(end - T0).days}"

    windows = DateWindows(width=10 * DAY)
    assert list(windows.items(T0, T0 + 10 * DAY, read)) == ["0-2", "2-5", "5-7", "7-10"]
    first = (T0, T0 + 10 * DAY)
    assert server.asked[0] == first and len(server.asked) == 7  # 1 + 2 refused, then 4


def test_a_window_that_is_too_large_even_at_the_smallest_fails_with_the_servers_answer() -> None:
    server = Server()
    refusal = SystemFailure("payments", "HTTP 400 RESULT_SET_TOO_LARGE", 400)

    def read(start: datetime, end: datetime) -> Iterator[str]:
        server.ask((start, end))
        raise TooManyResults(refusal)
        yield ""  # a generator, as a paged read is

    windows = DateWindows(width=DAY, smallest=timedelta(hours=6))
    with pytest.raises(SystemFailure) as raised:
        list(windows.items(T0, T0 + DAY, read))
    assert raised.value is refusal
    hours = [int((end - start) / timedelta(hours=1)) for start, end in server.asked]
    assert hours == [24, 12, 6]  # the first half of each, until it may not be halved again


def test_a_window_is_paged_by_page_number_with_the_same_loop_detection() -> None:
    server = Server()

    def window(start: datetime, end: datetime) -> Iterator[Any]:
        def fetch(page: int) -> tuple[list[Any], int | None]:
            server.ask(page)
            return records(1, 2), 5  # says 5 pages, answers page 1 every time

        return PageNumber().items(fetch, "payments", "v1/reports")

    with pytest.raises(PagingLoop, match="payments: v1/reports: page 2 repeats page 1"):
        list(DateWindows(width=DAY).items(T0, T0 + 3 * DAY, window))
    assert server.asked == [1, 2]


# -- small helpers --------------------------------------------------------------------------


def test_totals_are_read_from_headers_and_bodies() -> None:
    assert total("3") == 3 and total(3) == 3
    assert total(None) is None and total("") is None and total("x") is None and total(True) is None
    assert pages_for(450, 200) == 3 and pages_for("400", 200) == 2 and pages_for(None, 200) is None
