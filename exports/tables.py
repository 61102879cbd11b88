"""Records as flat tables: one row per record, one column per dotted field.

`flat_frame` (the page's tables) keeps every list in one cell; `flatten` (the CSV files and the
workbook) turns each list of objects into a table of its own, one row per item, keyed by the
record's id and the item's position, so no cell holds JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from pydantic_core import to_jsonable_python

from bridge.core.models import DataPackage, Record, SourceResult
from exports.cells import Cell, cell_text, dotted_names, prepare

SEP = "."

Placed = tuple[SourceResult, Record]
# A path the reader should not see (RecordView.internal): a dotted path -> hidden?
Hidden = Callable[[str], bool]


def by_type(package: DataPackage) -> dict[str, list[Placed]]:
    """Every record of the package grouped by record type, in order of first appearance."""
    groups: dict[str, list[Placed]] = {}
    for source in package.sources:
        for record in source.records:
            groups.setdefault(record.type, []).append((source, record))
    return groups


def by_system_type(package: DataPackage) -> dict[tuple[str, str], list[Record]]:
    """Every record grouped by (system, record type), in order of first appearance: a type means
    something different in each system (a shop's refund is not a payment provider's)."""
    groups: dict[tuple[str, str], list[Record]] = {}
    for source in package.sources:
        for record in source.records:
            groups.setdefault((source.system, record.type), []).append(record)
    return groups


def flat_frame(records: Sequence[Record], cell: Cell = cell_text) -> pd.DataFrame:
    """The records' data flattened with `pandas.json_normalize`; every cell is text, '' if absent.

    Columns come in order of first appearance across the records (within a record, in its own
    field order), so the same input always gives the same columns in the same order. `cell`
    turns a value into its text (`exports.cells.sheet_cell` for a spreadsheet).
    """
    prepared = [prepare(to_jsonable_python(record.data), cell) for record in records]
    order: dict[str, None] = {}
    for item in prepared:
        order.update(dict.fromkeys(dotted_names(item, SEP)))
    if not order:
        return pd.DataFrame(index=pd.RangeIndex(len(records)))
    frame = pd.json_normalize(prepared, sep=SEP).reindex(columns=list(order))
    return frame.astype(object).fillna("")


def hidden_by(internal: Sequence[str]) -> Hidden:
    """`RecordView.internal` as a test: a path is hidden when it is one of them or lies under one
    (`_links` hides `_links.self.href`)."""
    prefixes = tuple(f"{path}{SEP}" for path in internal)
    exact = frozenset(internal)
    return lambda path: path in exact or path.startswith(prefixes)


def _join(prefix: str, key: object) -> str:
    return f"{prefix}{SEP}{key}" if prefix else str(key)


def _is_table(value: list[Any]) -> bool:
    """A list holding an object or a list is a table of its own; a list of scalars is one cell."""
    return any(isinstance(item, dict | list) for item in value)


def _item(value: Any) -> dict[str, Any]:
    """A list item as an object: a scalar (beside objects in the same list) becomes {"value": ...}."""
    return value if isinstance(value, dict) else {"value": value}


@dataclass
class FlatRow:
    """One row of a `FlatTable`: the record it comes from, where in it, and its values.

    `position` is empty for a record's own row; for a list item it is the 1-based position of the
    item in each list on the way (the 2nd line's 1st meta entry: (2, 1)). `values` maps a column
    (dotted, relative to the item) to a JSON scalar, a list of scalars, or None.
    """

    record: Record
    position: tuple[int, ...]
    values: dict[str, Any]


@dataclass
class FlatTable:
    """The records of one type (`path` ""), or the items of one list inside them (`path` is the
    list's dotted path in the data, `line_items` or `line_items.meta_data`)."""

    path: str
    columns: list[str] = field(default_factory=list)
    rows: list[FlatRow] = field(default_factory=list)
    # The dotted paths of the lists this table's rows lie in, outermost first, itself last
    # (`line_items`, `line_items.meta_data`): a row's `position` has one number for each.
    lists: list[str] = field(default_factory=list)


def _tables_in(value: Any, path: str, hidden: Hidden) -> Iterator[str]:
    """The paths of the lists under `value` that hold objects (so become tables)."""
    if isinstance(value, dict):
        for key, item in value.items():
            inner = _join(path, key)
            if not hidden(inner):
                yield from _tables_in(item, inner, hidden)
    elif isinstance(value, list) and _is_table(value):
        yield path
        for item in value:
            yield from _tables_in(_item(item), path, hidden)


def flatten(records: Sequence[Record], hidden: Hidden = lambda _: False) -> list[FlatTable]:
    """The records as flat tables: theirs first, then one per list of objects found in them.

    A path that holds objects in any record is a table in all of them (an empty list there adds
    no row), so the columns do not depend on which record came first; `hidden` paths are left
    out. Columns keep the order of first appearance.
    """
    data = [to_jsonable_python(record.data) for record in records]
    tabular = {path for item in data for path in _tables_in(item, "", hidden)}
    tables: dict[str, FlatTable] = {"": FlatTable("")}
    orders: dict[str, dict[str, None]] = {"": {}}

    def emit(
        record: Record, path: str, obj: dict[str, Any], position: tuple[int, ...], lists: list[str]
    ) -> None:
        values: dict[str, Any] = {}
        if path not in tables:
            tables[path], orders[path] = FlatTable(path, lists=lists), {}
        table = tables[path]
        table.rows.append(FlatRow(record, position, values))  # before its lists' rows
        fill(record, values, obj, "", path, position, lists)
        orders[path].update(dict.fromkeys(values))

    def fill(
        record: Record,
        values: dict[str, Any],
        obj: dict[str, Any],
        relative: str,
        absolute: str,
        position: tuple[int, ...],
        lists: list[str],
    ) -> None:
        for key, value in obj.items():
            name, path = _join(relative, key), _join(absolute, key)
            if hidden(path):
                continue
            if isinstance(value, dict) and value:
                fill(record, values, value, name, path, position, lists)
            elif isinstance(value, list) and path in tabular:
                for n, item in enumerate(value, start=1):
                    emit(record, path, _item(item), (*position, n), [*lists, path])
            else:  # a scalar, a list of scalars, or an empty object (an empty cell)
                values[name] = None if isinstance(value, dict) else value

    for record, item in zip(records, data, strict=True):
        emit(record, "", item, (), [])
    for path, table in tables.items():
        table.columns = list(orders[path])
    return list(tables.values())
