"""csv/<type>.csv: one file per record type across all systems, one row per record.

Columns: `system`, `id`, `matched_by`, then the record's data flattened into dotted names. A data
field whose name is one of those three gets the prefix `data.` (a record's own `id` field becomes
`data.id`), so no column hides another. Every cell and column name is neutralised against formula
injection (`exports.cells.formula_safe`: text starting with =, +, -, @, tab or CR gets a leading
`'`); numbers stay numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from bridge.core.models import DataPackage
from exports.cells import LIST_SEPARATOR, formula_safe, sheet_cell
from exports.tables import Placed, by_type, flat_frame

FOLDER = "csv"
LEADING = ("system", "id", "matched_by")
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def csv_paths(types: Iterable[str]) -> dict[str, str]:
    """A safe, unique path inside the zip for each record type: `csv/<type>.csv`.

    Record types come from the data, so anything outside letters, digits, `_` and `-` is replaced;
    names that clash (also when only their case differs) get a suffix `-2`, `-3`, ….
    """
    paths: dict[str, str] = {}
    taken: set[str] = set()
    for record_type in types:
        stem = _UNSAFE.sub("_", record_type).strip("_") or "records"
        candidate, n = stem, 1
        while candidate.casefold() in taken:
            n += 1
            candidate = f"{stem}-{n}"
        taken.add(candidate.casefold())
        paths[record_type] = f"{FOLDER}/{candidate}.csv"
    return paths


def _free_names(columns: list[str]) -> list[str]:
    """Data column names that do not clash with the leading columns or with each other."""
    used = set(columns)
    renamed: list[str] = []
    for column in columns:
        name = column
        while name in LEADING:
            name = f"data.{name}"
            while name in used:
                name = f"data.{name}"
        used.add(name)
        renamed.append(name)
    return renamed


def type_frame(placed: list[Placed]) -> pd.DataFrame:
    """The table of one record type: leading columns, then the flattened data."""
    records = [record for _, record in placed]
    leading = pd.DataFrame(
        {
            "system": [formula_safe(source.system) for source, _ in placed],
            "id": [formula_safe(record.id) for record in records],
            "matched_by": [
                formula_safe(LIST_SEPARATOR.join(record.matched_by)) for record in records
            ],
        },
        dtype=object,
    )
    data = flat_frame(records, sheet_cell)
    data.columns = pd.Index(_free_names([formula_safe(str(c)) for c in data.columns]))
    return pd.concat([leading, data], axis=1)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """Plain UTF-8 (no BOM), comma-separated, RFC 4180 line ends, a header row."""
    text: str = frame.to_csv(index=False, lineterminator="\r\n")
    return text.encode("utf-8")


def csv_files(package: DataPackage) -> dict[str, bytes]:
    """Path in the zip -> content, for every record type in the package, sorted by path."""
    groups = by_type(package)
    paths = csv_paths(groups)
    files = {
        paths[record_type]: csv_bytes(type_frame(placed)) for record_type, placed in groups.items()
    }
    return dict(sorted(files.items()))
