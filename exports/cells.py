"""Turn JSON values into the text of one table cell, so the CSV files and the page agree.

Nested objects stay objects (the caller flattens them into dotted column names); lists of scalars
become one cell joined with `LIST_SEPARATOR`; lists holding objects or lists become JSON text, so
nothing of the record is lost in a table.

A cell of a CSV file (or any spreadsheet the tool writes) goes through `sheet_cell` or
`formula_safe`: OWASP's rule against formula injection ("CSV Injection").
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

LIST_SEPARATOR = " | "
_SCALARS = (str, int, float, bool)
# What makes a spreadsheet read a cell as a formula (OWASP "CSV Injection"): =, +, -, @, tab, CR.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = Callable[[Any], str | None]


def scalar_text(value: object) -> str:
    """A JSON scalar as text: strings as they are, booleans as true/false, null as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def cell_text(value: Any) -> str | None:
    """A value that is not an object as the text of one cell; None stays None (an empty cell)."""
    if value is None:
        return None
    if isinstance(value, list):
        if all(item is None or isinstance(item, _SCALARS) for item in value):
            return LIST_SEPARATOR.join(scalar_text(item) for item in value)
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return scalar_text(value)


def formula_safe(text: str) -> str:
    """Text a spreadsheet would take for a formula (it starts with =, +, -, @, tab or CR), with a
    single quote `'` in front, so it shows as the text it is; any other text as it is.

    OWASP's rule against formula injection: `=HYPERLINK(...)` in a vendor's field stays text.
    Every cell and column name of every CSV file the tool writes goes through here.
    """
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def sheet_cell(value: Any) -> str | None:
    """`cell_text` for a spreadsheet: neutralised by `formula_safe`, unless the value is a real
    number (a negative amount -5 stays the number -5; the text "-5" from a vendor becomes '-5)."""
    text = cell_text(value)
    if text is None or (isinstance(value, int | float) and not isinstance(value, bool)):
        return text
    return formula_safe(text)


def prepare(data: dict[str, Any], cell: Cell = cell_text) -> dict[str, Any]:
    """Keep non-empty objects as objects and turn every other value into its `cell` text.

    `data` must hold JSON types only (see `pydantic_core.to_jsonable_python`). An empty object
    becomes an empty cell, so its column still shows.
    """
    prepared: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict) and value:
            prepared[key] = prepare(value, cell)
        elif isinstance(value, dict):
            prepared[key] = None
        else:
            prepared[key] = cell(value)
    return prepared


def dotted_names(prepared: dict[str, Any], sep: str = ".", prefix: str = "") -> Iterator[str]:
    """The flattened column names of one prepared record, in the record's own field order."""
    for key, value in prepared.items():
        name = f"{prefix}{sep}{key}" if prefix else str(key)
        if isinstance(value, dict):
            yield from dotted_names(value, sep, name)
        else:
            yield name
