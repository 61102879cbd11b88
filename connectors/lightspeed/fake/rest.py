"""Lightspeed eCom API conventions for the fake: the error envelope, list parameters, paging.

- Errors: `{"error": {"code": 400, "method": "READ", "request": "/nl/orders.json",
  "message": "..."}}` (SECONDARY: a pasted live response and a client's error class), method
  READ / CREATE / UPDATE / DELETE after the HTTP verb.
- Lists (SECONDARY): `page` (1-based, default 1), `limit` (default 50, at most 250),
  `since_id` (ids greater than it), `created_at_min/max`, `updated_at_min/max`, `fields`
  (comma-separated top-level fields). Chosen: a `limit` over 250 or under 1, a `page` under 1
  or a malformed number or date is a 400; dates are accepted as "YYYY-MM-DD HH:MM:SS",
  "YYYY-MM-DD" and ISO 8601 (`T`, fractions, `Z` or an offset), a date without an offset is
  UTC; the `*_min` bounds are inclusive, `*_max` inclusive; lists are sorted by id ascending (so
  `since_id` walks forward) and a page past the end is an empty list; a repeated query
  parameter keeps its last value; unknown parameters are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

JSON = dict[str, Any]
METHODS = {"GET": "READ", "POST": "CREATE", "PUT": "UPDATE", "DELETE": "DELETE"}
DEFAULT_LIMIT, MAX_LIMIT = 50, 250

_DATE = re.compile(
    r"(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?"
)


class LsError(Exception):
    """An error answer; `body(method, path)` is the envelope."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message

    def body(self, method: str, path: str) -> JSON:
        return {
            "error": {
                "code": self.status,
                "method": METHODS.get(method, method),
                "request": path,
                "message": self.message,
            }
        }


def bad(message: str = "Invalid data input.") -> LsError:
    return LsError(400, message)


def not_found(message: str = "Not found.") -> LsError:
    return LsError(404, message)


def parse_int(name: str, value: str, minimum: int = 0, maximum: int | None = None) -> int:
    if not re.fullmatch(r"\d+", value.strip()):
        raise bad(f"Invalid value for parameter '{name}'.")
    number = int(value)
    if number < minimum or (maximum is not None and number > maximum):
        raise bad(f"Invalid value for parameter '{name}'.")
    return number


def parse_date(name: str, value: str) -> datetime:
    match = _DATE.fullmatch(value.strip())
    if match is None:
        raise bad(f"Invalid value for parameter '{name}'.")
    day, clock, offset = match.groups()
    clock = clock or "00:00:00"
    clock = clock if clock.count(":") == 2 else f"{clock}:00"
    offset = offset or "+00:00"
    offset = "+00:00" if offset == "Z" else offset
    if ":" not in offset:
        offset = f"{offset[:3]}:{offset[3:]}"
    try:
        moment = datetime.fromisoformat(f"{day}T{clock}{offset}")
    except ValueError:
        raise bad(f"Invalid value for parameter '{name}'.") from None
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class ListArgs:
    page: int
    limit: int
    since_id: int | None
    bounds: tuple[tuple[str, str, datetime], ...]  # (created|updated, min|max, moment)
    fields: tuple[str, ...]


def list_args(query: Mapping[str, str]) -> ListArgs:
    page = parse_int("page", query["page"], 1) if "page" in query else 1
    limit = parse_int("limit", query["limit"], 1, MAX_LIMIT) if "limit" in query else DEFAULT_LIMIT
    since = parse_int("since_id", query["since_id"]) if "since_id" in query else None
    bounds = tuple(
        (which, end, parse_date(f"{which}_at_{end}", query[f"{which}_at_{end}"]))
        for which in ("created", "updated")
        for end in ("min", "max")
        if f"{which}_at_{end}" in query
    )
    fields = tuple(f.strip() for f in query.get("fields", "").split(",") if f.strip())
    return ListArgs(page, limit, since, bounds, fields)


def stamp_of(item: JSON, which: str) -> datetime | None:
    """An item's created/updated time, whichever spelling it uses (checkouts are snake_case)."""
    keys = ("createdAt", "created_at") if which == "created" else ("updatedAt", "updated_at")
    for key in keys:
        if item.get(key):
            return datetime.fromisoformat(str(item[key]))
    return stamp_of(item, "created") if which == "updated" else None


def common_filter(items: list[JSON], args: ListArgs) -> list[JSON]:
    out = items if args.since_id is None else [i for i in items if i["id"] > args.since_id]
    for which, end, moment in args.bounds:
        kept = []
        for item in out:
            value = stamp_of(item, which)
            if value is None:
                continue
            if (end == "min" and value >= moment) or (end == "max" and value <= moment):
                kept.append(item)
        out = kept
    return out


def select(item: JSON, fields: tuple[str, ...]) -> JSON:
    return {k: v for k, v in item.items() if k in fields} if fields else item


Matcher = Callable[[JSON, str], bool]


def fold(value: Any) -> str:
    return str(value).casefold()


def contains(getter: Callable[[JSON], Any]) -> Matcher:
    """A text filter: case-insensitive substring (`LIKE '%value%'`)."""
    return lambda item, value: fold(value) in fold(getter(item) or "")


def equals(getter: Callable[[JSON], Any]) -> Matcher:
    return lambda item, value: str(getter(item)) == value


def id_is(name: str, getter: Callable[[JSON], int | None]) -> Matcher:
    def match(item: JSON, value: str) -> bool:
        return getter(item) == parse_int(name, value)

    return match


def apply_filters(
    items: list[JSON], filters: Mapping[str, Matcher], query: Mapping[str, str]
) -> list[JSON]:
    for name, matcher in filters.items():
        if name in query:
            value = query[name]
            if name in ("customer", "order", "product"):
                parse_int(name, value)  # 400 before anything matches
            items = [i for i in items if matcher(i, value)]
    return items
