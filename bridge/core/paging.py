"""Paging: how a listing is read page after page, and how a server that pages wrongly is stopped.

Four ways of paging, each a small frozen dataclass that holds only how it pages (in the manner of
the Singer SDK's and dlt's paginators): `PageNumber` (`?page=1`, `?page=2`, …), `Offset`
(`?start=0&limit=100`, …), `NextLink` (each answer links to the next, as HAL's `_links.next`)
and `DateWindows` (a date range read window by window, a window the server finds too large read
as two halves). The connector says how to ask for one page (`fetch`) and how to read the total
or the link from its answer; the paginator decides what to ask for next and when to stop.

`pages(fetch, system, path)` walks a listing lazily, one `Page` at a time: a caller that stops
early (a sync that reached its cursor) makes no further request. `items(...)` gives the items of
all pages.

Loop detection everywhere: a page whose items repeat a page already read (a server that ignores
the page or offset it is asked for), a next link already followed, or more than `max_pages`
pages raise `PagingLoop`, a SystemFailure naming the system and the listing's path, instead of
asking again and again. `path` is the listing's path only, never its query: a query can hold the
person's address, and the message is shown.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import count
from typing import Any, Generic, TypeVar

from bridge.core.errors import PagingLoop, SystemFailure

T = TypeVar("T")
# More pages than this in one listing is a server paging wrongly (10 million records at 100 a
# page): the walk stops instead of running for days.
MAX_PAGES = 100_000


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing: its items, its place in the walk (1 for the first page read) and
    whether the paginator found it to be the last."""

    items: list[T]
    number: int
    last: bool


def total(value: object) -> int | None:
    """A count the answer gives (a header such as `X-Total-Pages: 3`, or a body field such as
    `"total_pages": 3` or `"3"`), or None where it gives none that can be read."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return int(value) if isinstance(value, str) and value.isdigit() else None


def pages_for(items: object, size: int) -> int | None:
    """The number of pages of `size` that a total count of items (`"results": 450`) makes."""
    counted = total(items)
    return math.ceil(counted / size) if counted is not None else None


class _Guard:
    """Loop detection for one walk through a listing."""

    def __init__(self, system: str, path: str, max_pages: int) -> None:
        self.system, self.path, self.max_pages = system, path, max_pages
        self.count = 0
        self.seen: dict[str, int] = {}  # a digest of each page's items -> its number
        self.followed: set[str] = set()

    def ask(self) -> None:
        """Count the page about to be asked for: past the cap, no request is made."""
        if self.count >= self.max_pages:
            raise self._loop(f"more than {self.max_pages} pages")
        self.count += 1

    def answered(self, items: Sequence[Any]) -> None:
        """A page that repeats one already read means the server does not move on."""
        if not items:
            return
        marker = _marker(items)
        if marker in self.seen:
            raise self._loop(f"page {self.count} repeats page {self.seen[marker]}")
        self.seen[marker] = self.count

    def follow(self, token: str) -> None:
        """A next link (or token) followed before leads to pages already read."""
        if token in self.followed:
            raise self._loop(f"page {self.count} links to a page already read")
        self.followed.add(token)

    def _loop(self, what: str) -> PagingLoop:
        return PagingLoop(self.system, f"{self.path}: {what}: the listing pages wrongly; stopped")


def _marker(items: Sequence[Any]) -> str:
    try:
        text = json.dumps(list(items), sort_keys=True, default=repr, ensure_ascii=False)
    except (TypeError, ValueError):  # keys of mixed types, a cycle
        text = repr(list(items))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


# `fetch` of a page-numbered or offset listing: the page's items, and the total the answer
# gives (pages for `PageNumber`, items for `Offset`) or None.
Fetch = Callable[[int], tuple[list[Any], int | None]]


@dataclass(frozen=True)
class PageNumber:
    """Pages numbered from `first`: `?page=1&per_page=100`, `?page=2&per_page=100`, …

    `fetch(n)` asks for page n and returns its items and the number of pages in all where the
    answer says it (a header or a body field: read it with `total`, or with `pages_for` from a
    count of items), else None. The last page is page `total`, or, without a total, the first
    page shorter than `size`; an empty page is always the last.

    Example: `GET /api/orders?page=2&per_page=100` answered ::

        HTTP/1.1 200 OK
        X-Total: 250
        X-Total-Pages: 3

        [{"id": 101, "status": "completed"}, ... 100 orders]

    `fetch(2)` returns `(the 100 orders, total(response.headers["X-Total-Pages"]))`, i.e. 3:
    page 3 is asked for next, and it is the last. Without the header, page 3 (with 50 orders,
    fewer than `size=100`) is the last as well; with neither a total nor a `size`, an empty
    page 4 is asked for and ends the listing.
    """

    size: int | None = None
    first: int = 1
    max_pages: int = MAX_PAGES

    def pages(self, fetch: Fetch, system: str, path: str) -> Iterator[Page[Any]]:
        guard = _Guard(system, path, self.max_pages)
        for number in count(1):
            guard.ask()
            items, pages = fetch(self.first + number - 1)
            guard.answered(items)
            short = self.size is not None and len(items) < self.size
            last = not items or (number >= pages if pages is not None else short)
            yield Page(items, number, last)
            if last:
                return

    def items(self, fetch: Fetch, system: str, path: str) -> Iterator[Any]:
        for page in self.pages(fetch, system, path):
            yield from page.items


@dataclass(frozen=True)
class Offset:
    """Pages by position: `?start=0&limit=100`, `?start=100&limit=100`, … (or `offset`/`limit`).

    `fetch(offset)` asks for the items from that position on and returns them, with the number
    of items in all where the answer says it, else None. The next offset is the current one
    plus the items this page held; the last page is the one that reaches the total, or, without
    a total, the first page shorter than `size`; an empty page is always the last.

    Example: `GET /api/reviews?start=200&limit=100` answered ::

        HTTP/1.1 200 OK

        {"success": true, "count": 240, "reviews": [{"id": 9001, "rating": 8}, ... 40 reviews]}

    `fetch(200)` returns `(the 40 reviews, 240)`: 200 + 40 reaches 240, so it is the last page
    (as it is without the count, 40 being fewer than `size=100`).
    """

    size: int
    start: int = 0
    max_pages: int = MAX_PAGES

    def pages(self, fetch: Fetch, system: str, path: str) -> Iterator[Page[Any]]:
        guard = _Guard(system, path, self.max_pages)
        offset = self.start
        for number in count(1):
            guard.ask()
            items, items_in_all = fetch(offset)
            guard.answered(items)
            offset += len(items)
            reached = items_in_all is not None and offset >= items_in_all
            last = not items or (reached if items_in_all is not None else len(items) < self.size)
            yield Page(items, number, last)
            if last:
                return

    def items(self, fetch: Fetch, system: str, path: str) -> Iterator[Any]:
        for page in self.pages(fetch, system, path):
            yield from page.items


def hal_items(answer: Any) -> list[Any]:
    """The items of a HAL list: the one list in its `_embedded` (none: an empty page)."""
    embedded = answer.get("_embedded") if isinstance(answer, dict) else None
    lists = (
        [v for v in embedded.values() if isinstance(v, list)] if isinstance(embedded, dict) else []
    )
    if len(lists) > 1:
        raise ValueError("a HAL list embeds more than one list")
    return lists[0] if lists else []


def hal_next(answer: Any) -> str | None:
    """The URL of the next page of a HAL list (`_links.next.href`), None on the last page."""
    try:
        href = answer["_links"]["next"]["href"]
    except (KeyError, TypeError):
        return None
    return str(href) if href else None


@dataclass(frozen=True)
class NextLink:
    """Pages that name the next one: HAL's `_links.next.href`, absent or null on the last page,
    or any other next URL or cursor token, read from an answer by `next_of`.

    `fetch(None)` asks for the first page; `fetch(answer)` for the page that answer's next link
    names. `items_of(answer)` are the answer's items (by default those `_embedded` in a HAL
    list; `list` for a client library's page object that iterates over its items).

    Example: `GET /v2/customers?limit=2` answered ::

        HTTP/1.1 200 OK
        Content-Type: application/hal+json

        {"count": 2,
         "_embedded": {"customers": [{"id": "c_1"}, {"id": "c_2"}]},
         "_links": {"self": {"href": "https://api.example.com/v2/customers?limit=2"},
                    "next": {"href": "https://api.example.com/v2/customers?from=c_3&limit=2"}}}

    The two customers are the page's items; the next page is the `next` href. The page whose
    `next` is null (or missing) is the last; a next link followed before is a loop.
    """

    items_of: Callable[[Any], Iterable[Any]] = hal_items
    next_of: Callable[[Any], str | None] = hal_next
    max_pages: int = MAX_PAGES

    def pages(self, fetch: Callable[[Any], Any], system: str, path: str) -> Iterator[Page[Any]]:
        guard = _Guard(system, path, self.max_pages)
        answer = None
        for number in count(1):
            guard.ask()
            answer = fetch(answer)
            items = list(self.items_of(answer))
            link = self.next_of(answer)
            guard.answered(items)
            yield Page(items, number, link is None)
            if link is None:
                return
            guard.follow(link)

    def items(self, fetch: Callable[[Any], Any], system: str, path: str) -> Iterator[Any]:
        for page in self.pages(fetch, system, path):
            yield from page.items


class TooManyResults(Exception):
    """What reading a window raises when the server says the window holds too many results to
    answer: `DateWindows.read` reads its two halves instead, or, when the window may not be made
    any smaller, raises `failure` (the server's own answer, as a SystemFailure)."""

    def __init__(self, failure: SystemFailure) -> None:
        super().__init__(str(failure))
        self.failure = failure


@dataclass(frozen=True)
class DateWindows:
    """A date range read in windows of at most `width`: [start, end) walked oldest first, or
    newest first (`backwards`). A window the server finds too large (`read` raises
    `TooManyResults`) is read as two halves, down to windows of `smallest`.

    Example: `GET /v1/reports?start_date=2024-01-01T00:00:00Z&end_date=2024-02-01T00:00:00Z`
    answered ::

        HTTP/1.1 400 Bad Request

        {"name": "RESULT_SET_TOO_LARGE", "message": "Result set size is greater than the maximum"}

    `read(start, end)` raises `TooManyResults`, and [Jan 1, Jan 16 12:00) and
    [Jan 16 12:00, Feb 1) are read instead, each split again where it is still too large.
    Each window's own pages are read by one of the other paginators (`PageNumber`, …).
    """

    width: timedelta
    backwards: bool = False
    smallest: timedelta = timedelta(hours=1)

    def __post_init__(self) -> None:
        if self.width <= timedelta(0) or self.smallest <= timedelta(0):
            raise ValueError("date windows must be wider than nothing")

    def windows(self, start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The windows (lower, upper) that cover [start, end), each at most `width` wide; none
        when start is not before end. Every window moves on by at least `width` or to the end:
        the walk always ends."""
        if self.backwards:
            upper = end
            while upper > start:
                lower = max(upper - self.width, start)
                yield lower, upper
                upper = lower
        else:
            lower = start
            while lower < end:
                upper = min(lower + self.width, end)
                yield lower, upper
                lower = upper

    def read(
        self, start: datetime, end: datetime, read: Callable[[datetime, datetime], Iterable[T]]
    ) -> Iterator[T]:
        """The items `read` gives for [start, end), the window halved while the server finds it
        too large (what was read of a window before it was refused is kept)."""
        try:
            yield from read(start, end)
        except TooManyResults as exc:
            if end - start <= self.smallest:
                raise exc.failure from None
            middle = start + (end - start) / 2
            yield from self.read(start, middle, read)
            yield from self.read(middle, end, read)

    def items(
        self, start: datetime, end: datetime, read: Callable[[datetime, datetime], Iterable[T]]
    ) -> Iterator[T]:
        for lower, upper in self.windows(start, end):
            yield from self.read(lower, upper, read)


Paginator = PageNumber | Offset | NextLink | DateWindows
