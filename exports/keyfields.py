"""Pick the few fields of a record type worth a column on the customer's page, by name alone.

No record type or system is known here: a column is chosen for what its name says (a number, a
date, a status, an amount, a name, a text), so any new system gets a readable table too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

LIMIT = 6
MINIMUM = 3


@dataclass(frozen=True)
class _Kind:
    """One kind of key field: exact last-segment names first, then names containing a word."""

    exact: frozenset[str]
    contains: tuple[str, ...]
    take: int = 1


_KINDS: tuple[_Kind, ...] = (
    _Kind(frozenset({"number", "order_number", "invoice_number"}), ("number",)),
    _Kind(frozenset({"date", "created", "created_at", "createdat", "date_created"}), ("date",)),
    _Kind(frozenset({"status", "state"}), ("status",)),
    _Kind(frozenset({"total", "amount", "value"}), ("amount", "total")),
    _Kind(frozenset({"currency"}), ("currency",)),
    _Kind(
        frozenset({"description", "title", "note", "review", "comment", "rating", "message"}),
        ("description", "note", "review", "comment", "rating", "title", "message"),
        take=2,
    ),
    _Kind(
        frozenset({"name", "first_name", "last_name", "firstname", "lastname", "email"}),
        ("name", "email"),
        take=3,
    ),
)


def _rank(kind: _Kind, column: str, position: int) -> tuple[int, int, int] | None:
    last = column.rsplit(".", 1)[-1].lower()
    if last in kind.exact:
        return (0, column.count("."), position)
    if any(word in last for word in kind.contains):
        return (1, column.count("."), position)
    return None


def key_columns(columns: Sequence[str], skip: Sequence[str] = ("id",)) -> list[str]:
    """Up to `LIMIT` of `columns` (dotted names, in first-seen order) to show in a table."""
    candidates = [c for c in columns if c not in skip]
    chosen: list[str] = []
    for kind in _KINDS:
        ranked = sorted(
            (rank, column)
            for position, column in enumerate(candidates)
            if column not in chosen and (rank := _rank(kind, column, position)) is not None
        )
        chosen.extend(column for _, column in ranked[: kind.take])
    for column in candidates:
        if len(chosen) >= MINIMUM:
            break
        if column not in chosen:
            chosen.append(column)
    picked = set(chosen[:LIMIT])
    return [c for c in candidates if c in picked]


# Where a record type has no view (`bridge.core.presentation.RecordView`), the field that places
# a record in time and the one that gives its amount are guessed by name, as the columns are.
_WHEN = ("date_created", "created_at", "createdat", "created", "date", "paidat", "paid_at")
_AMOUNT = ("total", "amount", "amount.value", "value")


def when_column(columns: Sequence[str]) -> str | None:
    """The dotted name most likely to hold when a record was made, by name alone."""
    return _first(columns, _WHEN, "date")


def amount_column(columns: Sequence[str]) -> str | None:
    """The dotted name most likely to hold a record's amount, by name alone."""
    return _first(columns, _AMOUNT, None)


def _first(columns: Sequence[str], names: Sequence[str], contains: str | None) -> str | None:
    top = [c for c in columns if "." not in c or c.lower() in names]
    for name in names:
        for column in top:
            if column.lower() == name:
                return column
    if contains is not None:
        return next((c for c in top if contains in c.lower()), None)
    return None
