"""Lightspeed's listings for one collect: each query asked once, each listing read whole once at
most, and the fewest requests a plan needed given what the answers showed.

A query (a resource and its filters, all its pages) is asked at most once: its answer is kept.
Every filter only narrows (README "Every filter only narrows"): an answer holding a record the
filter should have excluded (another customer's or order's id, another address) shows that the
server ignores that filter, so the answer IS the whole listing. It is kept as such and matched
locally for every other customer, order or address: that resource is never asked again. A
resource that failed is not asked again either (the failure costs that resource only). Where a
resource is asked by several filters, the one seen ignored elsewhere goes first (`first`): its
answer is likely the whole listing, which then answers the others without a request.

`minimum()` is the number of requests the shortest plan needs given what was learned: for a
resource seen whole, the pages of the whole listing once; for any other, the pages of each
answer its queries needed (an empty answer too: nothing shows it empty without asking); one
request for each resource that failed. A record's own sub-resource (an order's products, a
ticket's messages) is a resource of its own path, so it counts only where it was read, i.e.
where no listing had it embedded. Not counted: retries and 429s (the HTTP client's business).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bridge.core.errors import SystemFailure

JSON = dict[str, Any]
# `LightspeedConnector._list`: every item of a listing (`resource`, filters), all pages.
Fetch = Callable[..., list[JSON]]
Query = tuple[str, tuple[tuple[str, Any], ...]]


def pages(items: int, size: int) -> int:
    """The requests that read `items` records at `size` a page: a short or empty page is the
    last, so a full last page costs one more request."""
    return items // size + 1


class Listings:
    """The reads of one collect (see the module's docstring)."""

    def __init__(self, fetch: Fetch, size: int) -> None:
        self.fetch, self.size = fetch, size
        self.answers: dict[Query, list[JSON]] = {}
        self.whole: dict[str, list[JSON]] = {}  # resource -> every record of it
        self.failed: dict[str, SystemFailure] = {}  # resource -> its failure, not asked again
        self.ignored: set[str] = set()  # the filters some resource was seen to ignore

    def read(self, resource: str, **filters: Any) -> list[JSON]:
        """The answer to `resource?filters` (every page), asked once."""
        if resource in self.failed:
            raise self.failed[resource]
        key = (resource, tuple(sorted(filters.items())))
        if key not in self.answers:
            try:
                self.answers[key] = self.fetch(resource, **filters)
            except SystemFailure as exc:
                self.failed[resource] = exc
                raise
        return self.answers[key]

    def everything(self, resource: str) -> list[JSON]:
        """Every record of `resource` (a listing without a person filter), read once."""
        if resource not in self.whole:
            self.whole[resource] = self.read(resource)
        return self.whole[resource]

    def narrowed(
        self, resource: str, foreign: Callable[[JSON], bool], **filters: Any
    ) -> tuple[list[JSON], bool]:
        """The records the server gives for `resource?filters`, and whether the filter held.

        `foreign` says of a record that the filter should have excluded it. Once one is seen,
        the server ignores the filter: its answer is the whole listing, kept for every later
        query of the resource, which is answered from it without a request."""
        if resource in self.whole:
            return self.whole[resource], False
        items = self.read(resource, **filters)
        if any(foreign(item) for item in items):
            self.whole[resource] = items
            self.ignored.update(filters)
            return items, False
        return items, True

    def first(self, queries: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
        """`queries` (filter, value) with those by a filter seen ignored first, else as given."""
        return sorted(queries, key=lambda query: query[0] not in self.ignored)

    def minimum(self) -> int:
        """The fewest requests a plan needed, given what the answers showed (module docstring)."""
        total = len(self.failed)
        for (resource, _), items in self.answers.items():
            whole = self.whole.get(resource)
            if whole is None or whole is items:
                total += pages(len(items), self.size)
            # else: the whole listing, counted once, answers this query as well
        return total
