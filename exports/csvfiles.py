"""csv/<system>/<type>.csv: the machine-readable tables, one file per system and record type.

RFC 4180 (comma-separated, CRLF line ends, quoted where needed) in UTF-8 with a byte order mark,
so that a spreadsheet opening it reads the accents right. Columns of a record file: `system`, `id`,
`matched_by`, then the record's data under its raw dotted names (`billing.city`), the paths its
view calls internal left out. A data field whose name is one of the leading columns gets the
prefix `data.` (a record's own `id` field becomes `data.id`), so no column hides another.

A list of objects inside a record (an order's `line_items`) is a file of its own,
`csv/<system>/<type>-<list>.csv`: the record's `id` first, then the item's position in each list
on the way (`line_items#`; a list inside a list adds `line_items.meta_data#`), then the item's
fields. A list of plain values stays one cell, joined by `LIST_SEPARATOR`.

Values stay as data.json has them (numbers as numbers); every text cell and column name is
neutralised against formula injection (`exports.cells.formula_safe`: text starting with =, +, -, @,
tab or CR gets a leading `'`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from bridge.core.models import DataPackage, Record
from bridge.core.presentation import RecordView
from exports.cells import LIST_SEPARATOR, formula_safe, sheet_cell
from exports.naming import CSV_FOLDER
from exports.tables import FlatTable, by_system_type, flatten, hidden_by

FOLDER = CSV_FOLDER
LEADING = ("system", "id", "matched_by")
BOM = "\ufeff"
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")

Views = Mapping[str, Mapping[str, RecordView]]


def safe_name(text: str, default: str = "records") -> str:
    """`text` as a file name part: letters, digits, `_` and `-` only, never empty."""
    return _UNSAFE.sub("_", text).strip("_") or default


def _unique(stem: str, taken: set[str]) -> str:
    """`stem`, or `stem-2`, `stem-3`, … when a case-insensitive disk would already hold it."""
    candidate, n = stem, 1
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{stem}-{n}"
    taken.add(candidate.casefold())
    return candidate


def csv_paths(keys: Iterable[str | tuple[str, str]]) -> dict[str, str] | dict[tuple[str, str], str]:
    """A safe, unique path inside the zip for each (system, record type): `csv/<system>/<type>.csv`.

    System and type come from the data, so anything outside letters, digits, `_` and `-` is
    replaced; names that clash (also when only their case differs) get a suffix `-2`, `-3`, ….
    A bare record type (the page's older call) gives `csv/<type>.csv`.
    """
    paths: dict[object, str] = {}
    taken: set[str] = set()
    for key in keys:
        if isinstance(key, tuple):
            system, record_type = key
            stem = f"{safe_name(system, 'system')}/{safe_name(record_type)}"
        else:
            stem = safe_name(key)
        paths[key] = f"{FOLDER}/{_unique(stem, taken)}.csv"
    return paths  # type: ignore[return-value]


def record_paths(keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """`csv_paths` for (system, record type) keys, typed as such."""
    return csv_paths(list(keys))  # type: ignore[return-value]


def free_names(columns: Sequence[str], leading: Sequence[str]) -> list[str]:
    """Data column names that do not clash with the leading columns or with each other."""
    used = set(columns)
    renamed: list[str] = []
    for column in columns:
        name = column
        while name in leading:
            name = f"data.{name}"
            while name in used:
                name = f"data.{name}"
        used.add(name)
        renamed.append(name)
    return renamed


def position_column(path: str) -> str:
    """The column of a list file holding an item's position in the list at `path`."""
    return f"{path}#"


def _cell(value: object) -> str | None:
    return None if value is None else sheet_cell(value)


def table_frame(system: str, table: FlatTable) -> pd.DataFrame:
    """One table as written: leading columns, then the data under (formula-safe) dotted names."""
    if table.path:
        leading = ["id", *(position_column(p) for p in table.lists)]
        heads: list[list[object]] = [
            [formula_safe(row.record.id), *row.position] for row in table.rows
        ]
    else:
        leading = list(LEADING)
        heads = [
            [
                formula_safe(system),
                formula_safe(row.record.id),
                formula_safe(LIST_SEPARATOR.join(row.record.matched_by)),
            ]
            for row in table.rows
        ]
    names = free_names([formula_safe(c) for c in table.columns], [formula_safe(c) for c in leading])
    rows = [
        head + [_cell(row.values.get(column)) for column in table.columns]
        for head, row in zip(heads, table.rows, strict=True)
    ]
    return pd.DataFrame(rows, columns=[formula_safe(c) for c in leading] + names, dtype=object)


def type_frames(
    system: str, records: Sequence[Record], view: RecordView | None = None
) -> list[tuple[str, pd.DataFrame]]:
    """The tables of one system's records of one type: (list path, "" for the records; frame)."""
    hidden = hidden_by(view.internal if view else ())
    return [(table.path, table_frame(system, table)) for table in flatten(records, hidden)]


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a BOM, comma-separated, RFC 4180 line ends (CRLF), a header row."""
    text: str = frame.to_csv(index=False, lineterminator="\r\n")
    return (BOM + text).encode("utf-8")


def csv_files(package: DataPackage, views: Views | None = None) -> dict[str, bytes]:
    """Path in the zip -> content, for every system and record type and every list of objects
    in them, sorted by path."""
    views = views or {}
    groups = by_system_type(package)
    paths = record_paths(groups)
    taken = {path.removesuffix(".csv").casefold() for path in paths.values()}
    files: dict[str, bytes] = {}
    for (system, record_type), records in groups.items():
        stem = paths[(system, record_type)].removesuffix(".csv")
        view = views.get(system, {}).get(record_type)
        for path, frame in type_frames(system, records, view):
            if path:
                parts = "-".join(safe_name(part, "list") for part in path.split("."))
                name = f"{_unique(f'{stem}-{parts}', taken)}.csv"
            else:
                name = f"{stem}.csv"
            files[name] = csv_bytes(frame)
    return dict(sorted(files.items()))
