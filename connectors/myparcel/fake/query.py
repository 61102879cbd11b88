"""The MyParcel fake's shipment search, rendering and error bodies (see `connectors.myparcel.fake.app`).

`GET /shipments` query parameters as 06.shipments.md §6.E.3 documents them:
- `q`: "search through all the fields of a shipment object including the embedded objects": a
  case-insensitive substring match over every string and number in the stored shipment, nested
  objects included (so `q=1007` also finds ids, barcodes, phone numbers and postcodes holding
  "1007"). Max 255 characters (`3208`).
- `reference_identifier`: the docs say only "filter by"; the fake makes it a case-insensitive
  PREFIX match (`1007` also finds `10072`), so a client must still compare exactly.
- `status`: `;`-separated shipment_status values (`3205`); `from`/`to`: the creation date, as
  `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS`, both bounds inclusive (`3206`/`3207`);
  `dropoff_today`: 0/1 (registered shipments, status 2).
- `page` 1–1000 (`3200`), `size` 30–200 (`3201`); `sort` a top-level field (`3202`) and `order`
  ASC/DESC (`3203`, default ASC). Without `sort` the fake sorts by `id` (creation order).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from werkzeug.wrappers import Response

JSON = dict[str, Any]
JSON_TYPE = "application/json;charset=utf-8"

# 04.data-types.md, shipment_status: 1 concept … 14 printed digital stamp, 30–38 inactive.
STATUSES = frozenset([*range(1, 15), *range(30, 39)])
SORTABLE = frozenset(
    {
        "id",
        "parent_id",
        "account_id",
        "shop_id",
        "shipment_type",
        "status",
        "reference_identifier",
        "barcode",
        "carrier_id",
        "created",
        "modified",
    }
)
MAX_Q = 255
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?$")


class Fail(Exception):
    """Raised by a handler to answer with `response` instead."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


def json_response(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type=JSON_TYPE)


def error_body(status: int, code: int | None, title: str, message: str | None = None) -> JSON:
    """The error body of MyParcel's Shipment API (`CommonResponsesUserError` in its OpenAPI).

    `{"message", "request_id", "status_code", "errors": [{"status", "code", "title", "message"}]}`;
    `code` is one of 15.user-exceptions.md (3000 Access denied, 3201 size, 3723 Cannot delete
    shipment, …), left out where no code is documented (429).
    """
    error: JSON = {"status": status}
    if code is not None:
        error["code"] = code
    error["title"] = title
    error["message"] = message or title
    return {
        "message": message or title,
        "request_id": uuid.uuid4().hex,
        "status_code": status,
        "errors": [error],
    }


def error_response(
    status: int, code: int | None, title: str, message: str | None = None
) -> Response:
    return json_response(error_body(status, code, title, message), status)


def user_error(status: int, code: int | None, title: str, message: str | None = None) -> Fail:
    return Fail(error_response(status, code, title, message))


def bad_param(code: int, name: str, message: str) -> Fail:
    return user_error(422, code, f"Invalid query parameter: {name}", message)


# ---- query parsing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    q: str | None = None
    reference: str | None = None
    statuses: frozenset[int] | None = None
    start: str | None = None  # "YYYY-MM-DD HH:MM:SS", inclusive
    end: str | None = None
    dropoff_today: bool | None = None
    page: int = 1
    size: int = 30
    sort: str = "id"
    descending: bool = False


def _int(args: Mapping[str, str], name: str, code: int, low: int, high: int, default: int) -> int:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_param(code, name, f"{name} must be an integer from {low} to {high}") from None
    if not low <= value <= high:
        raise bad_param(code, name, f"{name} must be an integer from {low} to {high}")
    return value


def _moment(args: Mapping[str, str], name: str, code: int, end: bool) -> str | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    if not _DATE.match(raw):
        raise bad_param(code, name, f"{name} must be a date (YYYY-MM-DD) or timestamp")
    if len(raw) == 10:
        return raw + (" 23:59:59" if end else " 00:00:00")
    return raw if len(raw) == 19 else raw + (":59" if end else ":00")


def parse_query(args: Mapping[str, str]) -> Query:
    """The `GET /shipments` query, or `Fail` with the documented 32xx error."""
    q = args.get("q")
    if q is not None and len(q) > MAX_Q:
        raise bad_param(3208, "q", f"q may be at most {MAX_Q} characters")
    statuses = None
    raw_status = (args.get("status") or "").strip()
    if raw_status:
        try:
            values = frozenset(int(s) for s in raw_status.split(";") if s.strip())
        except ValueError:
            values = frozenset({-1})
        if not values or not values <= STATUSES:
            raise bad_param(3205, "shipment_status", "status must be shipment_status values")
        statuses = values
    sort = args.get("sort") or "id"
    if sort not in SORTABLE:
        raise bad_param(3202, "sort_column", f"cannot sort on {sort!r}")
    order = (args.get("order") or "ASC").upper()
    if order not in ("ASC", "DESC"):
        raise bad_param(3203, "order", "order must be ASC or DESC")
    dropoff = args.get("dropoff_today")
    return Query(
        q=q.strip().casefold() if q and q.strip() else None,
        reference=args.get("reference_identifier") or None,
        statuses=statuses,
        start=_moment(args, "from", 3206, end=False),
        end=_moment(args, "to", 3207, end=True),
        dropoff_today=None if dropoff in (None, "") else dropoff.lower() in ("1", "true"),
        page=_int(args, "page", 3200, 1, 1000, 1),
        size=_int(args, "size", 3201, 30, 200, 30),
        sort=sort,
        descending=order == "DESC",
    )


def parse_ids(raw: str) -> list[int]:
    """`12345;12346` as ids, or `Fail` with 3210 (Invalid query parameter: id)."""
    parts = [p.strip() for p in raw.split(";") if p.strip()]
    if not parts or not all(p.isdigit() for p in parts):
        raise bad_param(3210, "id", "ids must be shipment ids separated by ';'")
    return [int(p) for p in parts]


# ---- searching -------------------------------------------------------------------------------


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if not str(key).startswith("_"):
                yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)
    elif isinstance(value, str):
        yield value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield str(value)


def matches(shipment: JSON, query: Query) -> bool:
    if query.statuses is not None and shipment.get("status") not in query.statuses:
        return False
    if query.dropoff_today is not None and (shipment.get("status") == 2) != query.dropoff_today:
        return False
    created = str(shipment.get("created") or "")
    if query.start is not None and created < query.start:
        return False
    if query.end is not None and created > query.end:
        return False
    if query.reference is not None:
        ref = shipment.get("reference_identifier")
        if not isinstance(ref, str) or not ref.casefold().startswith(query.reference.casefold()):
            return False
    return query.q is None or any(query.q in text.casefold() for text in _texts(shipment))


def _sort_key(field: str) -> Any:
    def key(shipment: JSON) -> tuple[int, Any]:
        value = shipment.get(field)
        if value is None:
            return (1, "")
        return (0, value if isinstance(value, int | float) else str(value).casefold())

    return key


def search(shipments: Iterable[JSON], query: Query) -> list[JSON]:
    """All matching shipments (stored dicts), in the query's order (page and size aside)."""
    found = [s for s in shipments if matches(s, query)]
    found.sort(key=_sort_key(query.sort), reverse=query.descending)
    return found


def positions(items: list[JSON], records: list[JSON]) -> list[int]:
    """Where `records` (these very objects) are in `items`."""
    where = {id(rec): p for p, rec in enumerate(items)}
    return [where[id(rec)] for rec in records]


def main_of(shipment: JSON) -> int | None:
    """The id of the multi-collo main a secondary belongs to (None for any other shipment)."""
    main = shipment.get("multi_collo_main_shipment_id")
    return None if main is None or main == shipment.get("id") else int(main)


# ---- rendering -------------------------------------------------------------------------------


def _public(shipment: JSON) -> JSON:
    return {k: v for k, v in shipment.items() if not k.startswith("_")}


def render(shipment: JSON, by_main: Mapping[int, list[JSON]]) -> JSON:
    """A stored shipment as the API shows it (7.A): a multi-collo main embeds its secondaries in
    `secondary_shipments`; a secondary has no such key; any other shipment has it as null."""
    out = _public(shipment)
    main = shipment.get("multi_collo_main_shipment_id")
    if main is None:
        out["secondary_shipments"] = None
    elif main == shipment.get("id"):
        out["secondary_shipments"] = [_public(s) for s in by_main.get(main, [])]
    else:
        out.pop("secondary_shipments", None)
    return out
