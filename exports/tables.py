"""Records of one type as a flat pandas table: one row per record, one column per dotted field."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from pydantic_core import to_jsonable_python

from bridge.core.models import DataPackage, Record, SourceResult
from exports.cells import Cell, cell_text, dotted_names, prepare

SEP = "."

Placed = tuple[SourceResult, Record]


def by_type(package: DataPackage) -> dict[str, list[Placed]]:
    """Every record of the package grouped by record type, in order of first appearance."""
    groups: dict[str, list[Placed]] = {}
    for source in package.sources:
        for record in source.records:
            groups.setdefault(record.type, []).append((source, record))
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
