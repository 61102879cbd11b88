"""Reading PayPal's answers: a transaction's id and date, a search's items and page count.

Every shape that is not the documented one is a failure of that search, never an empty result.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bridge.core.errors import SystemFailure


def transaction_id(detail: dict[str, Any]) -> str | None:
    info = detail.get("transaction_info")
    return str(info.get("transaction_id")) if isinstance(info, dict) else None


def initiated(detail: dict[str, Any]) -> datetime | None:
    info = detail.get("transaction_info") or {}
    return parsed(str(info.get("transaction_initiation_date") or ""))


def within(detail: dict[str, Any], start: datetime, end: datetime) -> bool:
    """Whether a transaction lies in [start, end]; one that shows no date is let through."""
    when = initiated(detail)
    return when is None or start <= when <= end


def matches(detail: dict[str, Any], extra: dict[str, str]) -> bool:
    wanted = extra.get("transaction_id")
    return wanted is None or transaction_id(detail) == wanted


def search_items(body: Any, key: str, what: str) -> list[dict[str, Any]]:
    """The items of a search answer. PayPal leaves the list out when nothing matched, so a
    missing list is empty only where the answer says so (`total_items` 0); any other shape is a
    failure of that search, never an empty result."""
    if not isinstance(body, dict):
        raise SystemFailure("paypal", f"answered {what} in an unexpected shape (not an object)")
    items = body.get(key)
    if items is None and body.get("total_items") in (0, "0"):
        return []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise SystemFailure("paypal", f"answered {what} in an unexpected shape (no {key})")
    if key == "transaction_details" and not all(transaction_id(i) for i in items):
        raise SystemFailure("paypal", "answered transactions without a transaction id")
    return items


def page_count(value: Any, what: str) -> int:
    if value is None:
        return 1
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        return int(value)
    raise SystemFailure("paypal", f"answered {what} with an unreadable page count")


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parsed(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


PAGE_SIZE = 500  # transactions a page of the reporting API holds at most


def window_params(start: datetime, end: datetime, **extra: Any) -> dict[str, Any]:
    """The query of one window of `GET /v1/reporting/transactions` (`fields=all`)."""
    return {
        "start_date": stamp(start),
        "end_date": stamp(end),
        "fields": "all",
        "page_size": extra.pop("page_size", PAGE_SIZE),
        **extra,
    }
