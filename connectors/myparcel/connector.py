"""MyParcel (api.myparcel.nl): the shipments of the person's orders.

Endpoints: `GET /shipments?reference_identifier=<order number>` for every order number the shop
revealed, and `GET /shipments?q=<e-mail>` (a free-text search over every field, so each hit is
checked on `recipient.email` before it is kept; `reference_identifier` is checked exactly too,
since order 1042 must not bring in order 10421's parcel). A search that answers shipments not
even mentioning the value searched for ignores its filter: every shipment is then read once and
matched locally, not searched again per order.
Paging: `page` (1–1000) and `size` (200, the maximum); `results` gives the total.
Rate limits: per method and endpoint in a sliding window, `GET /shipments` 500 per 5 minutes,
429s counting too (vendor-apis.md §5, MyParcel's rate-limit docs); our budget stays under it
(`limits`). No limit on requests in flight is documented: 4 at once, the lookups by order number
(after the first, which shows whether the filter holds).
Auth: `Authorization: basic base64(API key)`; the docs ask for an identifying User-Agent.
With the sync index (shipments by recipient address and by order number), no search is sent:
the shipments the index holds for the address or the order numbers are read by id, many in one
request (`GET /shipments/{id};{id};...`: 06.shipments.md §6.E "You can specify multiple shipment
ids by semicolon separating them on the URI"), each kept only when its own `recipient.email` or
`reference_identifier` still matches; the shipments created since the sync (`from`, oldest
first) are read once and matched locally. Without it, the `q` search and one lookup per order
number: a shipment of the order sent to another address does not mention the person's, so the
search does not cover an order. Where a person has more order numbers than `LISTING_AFTER`, the
listing's first page (its `results` gives the pages in all) decides: every shipment read once
when that takes fewer requests than a lookup per order number, else the lookups (the page read
is the only extra). The minimum (`Collected.minimum`): the pages of each search or listing read,
one request per 100 shipments read by id.
Quirks: the answer to a search is `{"data": {"search_results": {"shipments": [...], "results": N}}}`,
without a search `{"data": {"shipments": [...]}}`: both are read.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any, ClassVar, Self

from bridge.core import kinds
from bridge.core.config import Config, Setting
from bridge.core.connector import (
    Batch,
    Collected,
    Connector,
    IndexEntry,
    Stream,
    batches,
    records_in,
    require,
    same_email,
)
from bridge.core.decisions import Capability
from bridge.core.errors import NotFound, SystemFailure
from bridge.core.http import HttpClient, Limits, Window
from bridge.core.http_errors import ErrorShape
from bridge.core.models import Identifier, Record
from bridge.core.paging import PageNumber, pages_for
from bridge.core.parallel import outcomes
from bridge.core.policy import Policy
from bridge.core.steps import Step
from connectors.myparcel.views import VIEWS

SIZE = 200
BY_ID = 100  # shipment ids per `GET /shipments/{id};{id};...` (a URL of about a thousand bytes)
LISTING = PageNumber(size=SIZE)  # `page` and `size`, until `results` (the total) is reached
CONCEPT = 1
LISTING_AFTER = 10  # order numbers beyond which the listing's length is worth a request to learn
LIMITS = Limits(windows=(Window(500, 300),), concurrent=4)  # GET /shipments; 4 in flight
REFERENCE = "reference_identifier"
# `{"message", "errors": [{"status", "code", "title", "message"}]}` (its OpenAPI; vendor-apis.md §5)
ERRORS = ErrorShape(code=("errors.code",), message=("errors.message", "message"))


def _entry(shipment: dict[str, Any]) -> IndexEntry:
    reference = shipment.get("reference_identifier")
    return IndexEntry(
        "shipment",
        str(shipment["id"]),
        (shipment.get("recipient") or {}).get("email"),
        shipment.get("created"),
        ((kinds.ORDER_NUMBER, str(reference)),) if reference else (),
    )


# The scheduled sync: shipments by creation date (`from`, the day of the cursor: the filter takes
# dates), oldest first; the cursor moves with every page.
SYNC = {
    "shipments": Stream(
        "shipments", "shipments", LISTING, _entry, cursor_field="created", since="from",
        params={"sort": "created", "order": "ASC"},
    )
}  # fmt: skip


class MyParcelConnector(Connector):
    name = "myparcel"
    title = "MyParcel / PostNL (shipping)"
    role = "processor: shipping"
    settings = (
        Setting("MYPARCEL_API_URL", "MyParcel API base URL.", default="https://api.myparcel.nl"),
        Setting(
            "MYPARCEL_API_KEY", "API key (MyParcel back office > Settings > API).", secret=True
        ),
    )
    looks_up = frozenset({kinds.EMAIL, kinds.ORDER_NUMBER})
    categories: ClassVar[dict[str, list[str]]] = {
        "shipment": ["shipping", "name", "addresses", "contact details", "track & trace"],
    }
    views = VIEWS
    limits = LIMITS
    notes = (
        "PostNL, as the carrier, keeps the delivery data of sent parcels under its own terms.",
    )

    def __init__(self, url: str, key: str) -> None:
        token = base64.b64encode(key.encode()).decode()
        self.http = HttpClient(
            self.name,
            url,
            secrets=(key, token),
            headers={"Authorization": f"basic {token}", "Accept": "application/json;charset=utf-8"},
            budget=self.limits.budget(),
            errors=ERRORS,
        )
        self._whole: list[dict[str, Any]] | None = None  # see `_matching`
        self._recent: list[dict[str, Any]] | None = None  # created since the sync: `_indexed`
        self._by_id: dict[str, dict[str, Any]] = {}  # shipments read by id

    @classmethod
    def from_config(cls, config: Config) -> Self:
        return cls(*require(config, cls.settings, cls.name))

    def check(self) -> None:
        self._search({"size": 30}, first_page_only=True)

    def collect(self, identifiers: Sequence[Identifier]) -> Collected:
        found = Collected(minimum=0)
        if self.index is not None and self.index.cursors.get("shipments"):
            with found.reading("shipments by id (sync index)"):
                self._indexed(identifiers, found)
            return found
        by_number: dict[str, list[dict[str, Any]] | Exception] | None = None
        for ident in identifiers:
            if ident.kind == kinds.EMAIL:
                with found.reading("shipments by e-mail address"):
                    for shipment in self._matching("q", ident.value, found):
                        if same_email((shipment.get("recipient") or {}).get("email"), ident.value):
                            why = "e-mail address of the recipient"
                            found.add("shipment", shipment["id"], why, shipment)
            elif ident.kind == kinds.ORDER_NUMBER:
                if by_number is None:  # all of them, at once, where this one comes first
                    by_number = self._by_number(identifiers, found)
                with found.reading("shipments by order number"):
                    hits = by_number[ident.value]
                    if isinstance(hits, Exception):
                        raise hits
                    for shipment in hits:
                        if str(shipment.get(REFERENCE)) == ident.value:
                            why = f"shipment of order {ident.value} ({ident.via})"
                            found.add("shipment", shipment["id"], why, shipment)
        return found

    def _matching(self, name: str, value: str, found: Collected) -> list[dict[str, Any]]:
        """The shipments a search for `name=value` gives, to be matched by the caller. A search
        seen answering shipments that do not even mention the value ignores its filter: it is
        not sent again, every shipment is read once and matched here instead."""
        if self._whole is None:
            return self._filtered(value, self._search({name: value}, found=found), found)
        return self._whole

    def _filtered(
        self, value: str, hits: list[dict[str, Any]], found: Collected
    ) -> list[dict[str, Any]]:
        """The hits of a search for `value`, or (where one does not even mention it: the filter
        is ignored) every shipment, read once."""
        needle = value.casefold()
        if all(needle in json.dumps(s, ensure_ascii=False).casefold() for s in hits):
            return hits
        if self._whole is None:
            self._whole = self._search({}, found=found)
        return self._whole

    def _by_number(
        self, identifiers: Sequence[Identifier], found: Collected
    ) -> dict[str, list[dict[str, Any]] | Exception]:
        """The shipments to match for each order number, or what failed its lookup. The first
        is searched alone: a filter it shows ignored makes the others' searches needless (every
        shipment is read once instead); where it holds, the others are searched at once."""
        numbers = [i.value for i in identifiers if i.kind == kinds.ORDER_NUMBER]
        if self._whole is None and len(numbers) > LISTING_AFTER:
            self._list_if_cheaper(len(numbers), found)
        first = outcomes(lambda v: self._matching(REFERENCE, v, found), numbers[:1], 1)
        rest = numbers[1:]
        if self._whole is None:
            searched = outcomes(
                lambda v: self._search({REFERENCE: v}, found=found), rest, self.limits.concurrent
            )
        else:
            searched = [self._whole] * len(rest)

        def settle(value: str, hits: list[dict[str, Any]] | Exception) -> Any:
            try:
                return hits if isinstance(hits, Exception) else self._filtered(value, hits, found)
            except Exception as exc:  # its lookup's failure, raised in its turn
                return exc

        return dict(
            zip(
                numbers, first + [settle(*h) for h in zip(rest, searched, strict=True)], strict=True
            )
        )

    def _list_if_cheaper(self, lookups: int, found: Collected) -> None:
        """Every shipment, read once (`_whole`), where the listing has fewer pages than there
        are `lookups` to send; its first page, read to learn that, starts it."""
        first = self._page({}, 1, found)
        if (first[1] or 1) < lookups:
            self._whole = self._search({}, found=found, first=first)

    def _indexed(self, identifiers: Sequence[Identifier], found: Collected) -> None:
        """The shipments the index holds for these identifiers, read by id, and those created
        since the sync, each kept only on its own fields."""
        assert self.index is not None
        emails = {i.value for i in identifiers if i.kind == kinds.EMAIL}
        numbers = {i.value: i.via for i in identifiers if i.kind == kinds.ORDER_NUMBER}
        ids = {sid for e in emails for sid, _ in self.index.records_of(e, "shipment")}
        for number in numbers:
            ids |= {sid for sid, _ in self.index.linked(kinds.ORDER_NUMBER, number, "shipment")}
        wanted = sorted(i for i in ids - set(self._by_id) if i.isdigit())
        for start in range(0, len(wanted), BY_ID):
            found.need(1, "shipments by id, many in one request")
            chunk = ";".join(wanted[start : start + BY_ID])
            body = self.http.json("GET", f"shipments/{chunk}")
            for shipment in records_in(_shipments(body), self.name, "shipments"):
                self._by_id[str(shipment["id"])] = shipment
        if self._recent is None:  # once: later rounds match the same catch-up
            cursor = self.index.cursors.get("shipments") or ""
            query = {**SYNC["shipments"].params, "from": cursor[:10]}
            self._recent = self._search(query, found=found)
        seen = {str(s["id"]): s for s in self._recent} | {
            i: self._by_id[i] for i in ids & set(self._by_id)
        }
        found.lookup.append(
            f"shipments: index (synced {self.index.synced_at}) and those created since"
        )
        for shipment in seen.values():
            if any(same_email((shipment.get("recipient") or {}).get("email"), e) for e in emails):
                found.add("shipment", shipment["id"], "e-mail address of the recipient", shipment)
            number = str(shipment.get("reference_identifier"))
            if number in numbers:
                why = f"shipment of order {number} ({numbers[number]})"
                found.add("shipment", shipment["id"], why, shipment)

    # -- erasure: only concept shipments (status 1) can be deleted; a printed one is kept by
    # MyParcel and PostNL as proof of delivery until the term ends, then asked for by hand ------

    capabilities: ClassVar[dict[str, Capability]] = {
        "shipment": Capability(
            delete=True,
            date="created",
            only_if=("status", CONCEPT),
            otherwise=Capability(
                date="created",
                keeps="its label was printed: MyParcel and PostNL keep the shipment as proof of "
                "delivery, and MyParcel's API cannot delete it",
            ),
        ),
    }
    operations: ClassVar[dict[str, str]] = {"delete": "delete_shipment"}

    def plan_erasure(self, records: Sequence[Record], policy: Policy, today: date) -> list[Step]:
        steps = []
        for record in records:
            made = self.decide(record, policy, today)
            reason = "a concept shipment (no label printed yet) can be deleted"
            steps.append(
                self.step(record, made, policy, **({"reason": reason} if made.automatic else {}))
            )
        return steps

    def apply(self, step: Step, policy: Policy) -> str:
        try:
            self.http.request("DELETE", f"shipments/{step.record_id}", allow=(422,))
        except NotFound:
            return "already gone"
        # MyParcel answers 422 both for a printed and for an unknown shipment: look again.
        if self.fetch(step) is None:
            return "deleted"
        raise SystemFailure(self.name, f"shipment {step.record_id} could not be deleted (HTTP 422)")

    def fetch(self, step: Step) -> dict[str, Any] | None:
        try:
            body = self.http.json("GET", f"shipments/{step.record_id}")
        except NotFound:
            return None
        found = _shipments(body)
        return next((s for s in found if str(s.get("id")) == step.record_id), None)

    # -- the scheduled sync: the stream declared in SYNC -----------------------------------------

    streams = tuple(SYNC)

    def changes(self, stream: str, cursor: str | None) -> Iterator[Batch]:
        declared = SYNC[stream]
        query = dict(declared.params)
        if cursor and declared.since:
            query[declared.since] = cursor[:10]

        def fetch(page: int) -> tuple[list[Any], int | None]:
            params = {**query, "size": SIZE, "page": page}
            body = self.http.json("GET", declared.path, params=params)
            data = (body or {}).get("data") or {}
            results = data.get("search_results", data)
            count = results.get("results")
            return results.get("shipments") or [], pages_for(count, SIZE)

        yield from batches(declared, declared.paging.pages(fetch, self.name, declared.path), cursor)

    def _page(
        self, query: dict[str, Any], page: int, found: Collected | None
    ) -> tuple[list[Any], int | None]:
        """One page of a search or listing, and the pages in all (`found`: counted in the minimum)."""
        if found is not None:
            found.need(1, "a page of a search or listing")
        body = self.http.json("GET", "shipments", params={"size": SIZE, **query, "page": page})
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            raise SystemFailure(self.name, "unexpected answer to GET /shipments")
        results = data.get("search_results", data)
        shipments = results.get("shipments")
        if not isinstance(shipments, list):
            raise SystemFailure(self.name, "unexpected answer to GET /shipments")
        size = int(results.get("size") or query.get("size") or SIZE)
        return shipments, pages_for(results.get("results"), size)

    def _search(
        self,
        query: dict[str, Any],
        first_page_only: bool = False,
        found: Collected | None = None,
        first: tuple[list[Any], int | None] | None = None,
    ) -> list[dict[str, Any]]:
        """Every page of a search or listing (`first`: its first page, already read)."""

        def fetch(page: int) -> tuple[list[Any], int | None]:
            shipments, pages = first if page == 1 and first else self._page(query, page, found)
            return shipments, 1 if first_page_only else pages

        shipments = LISTING.items(fetch, self.name, "shipments")
        return records_in(list(shipments), self.name, "shipments")


def _shipments(body: Any) -> Any:
    """The shipments of an answer by id (`{"data": {"shipments": [...]}}`, or a search's)."""
    data = (body or {}).get("data") or {}
    return (data.get("search_results") or data).get("shipments") or []
