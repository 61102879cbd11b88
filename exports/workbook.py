"""data.xlsx: the package as a workbook a person opens in Excel, LibreOffice or Numbers.

A first sheet "Overzicht - Overview" lists per system and record type how many records there are
and on which sheet; then one sheet per system and record type, and one per list shown as rows of
its own (an order's lines, each row starting with its order's number).

A record type with a view (`bridge.core.presentation.RecordView`) shows the fields the view
declares, in its order, under their Dutch and English labels, its internal paths left out; its
values as what they are (`exports.values`): amounts as numbers in a currency format, dates and
times as Excel dates in Amsterdam time, codes as their meaning beside the raw code, vendor HTML as
plain text. A record type without one shows every field under its own dotted name, and each list
of objects in it on a sheet of its own (`exports.tables.flatten`).

Text stays text ("0001", a postcode, a phone number are strings in the sheet, marked `@`) and is
neutralised against formula injection (`exports.cells.formula_safe`); columns left empty by every
record are left out, since the sheet is for reading (data.json and the CSV files keep them).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet
from pydantic_core import to_jsonable_python

from bridge.core.models import DataPackage, Record
from bridge.core.presentation import Field, Kind, Lines, RecordView, Words
from exports.cells import LIST_SEPARATOR, formula_safe, scalar_text
from exports.csvfiles import free_names, position_column
from exports.tables import FlatTable, by_system_type, flatten
from exports.values import amount, currency, instant, plain_text, value_at

OVERVIEW = "Overzicht - Overview"
SHEET_LIMIT = 31  # Excel refuses longer sheet names
CELL_LIMIT = 32_767  # Excel's most characters in one cell
_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")
# Excel keeps "History" for itself; the overview's name is taken too.
_RESERVED = frozenset({"history", OVERVIEW.casefold()})
# Beyond 15 digits Excel rounds a number: such an integer (an id) is written as text.
_EXACT = 10**15

EURO = '"€ "#,##0.00;"€ "-#,##0.00'
DATE = "dd-mm-yyyy"
DATETIME = "dd-mm-yyyy hh:mm"
TEXT = "@"
INTEGER = "0"

YES = Words("Ja", "Yes")
NO = Words("Nee", "No")
ID = Words("Id", "Id")
CODE = Words("code", "code")
SYSTEM = Words("Systeem", "System")
KIND = Words("Gegevens", "Data")
COUNT = Words("Aantal", "Count")
SHEET = Words("Werkblad", "Sheet")
NOTHING = Words("geen gegevens gevonden", "no data found")
MIN_WIDTH, MAX_WIDTH = 8, 50

Views = Mapping[str, Mapping[str, RecordView]]


def both(words: Words) -> str:
    """A text in both languages, `Dutch / English`, once when they are the same."""
    return words.nl if words.nl == words.en else f"{words.nl} / {words.en}"


@dataclass(frozen=True)
class Cell:
    """One value as written, with its number format (None: the sheet's default)."""

    value: Any = None
    format: str | None = None


EMPTY = Cell()


@dataclass
class Sheet:
    """What one sheet holds before it is written: the overview's words, headers and rows."""

    parts: list[str]  # what the name says (system, type, list); made short, safe and unique
    system: str
    kind: str
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    leading: int = 1  # columns kept even when empty: the record's id or number


def text_cell(text: str) -> Cell:
    """Text as text: no characters XML cannot hold, formula-safe, within Excel's limit."""
    clean = ILLEGAL_CHARACTERS_RE.sub("", text)[:CELL_LIMIT]
    return Cell(formula_safe(clean), TEXT) if clean else EMPTY


def raw_cell(value: Any) -> Cell:
    """A JSON value as the vendor gave it: numbers as numbers, everything else as text."""
    if value is None:
        return EMPTY
    if isinstance(value, bool):
        return Cell(value)
    if isinstance(value, int):
        return Cell(value, INTEGER) if abs(value) < _EXACT else text_cell(str(value))
    if isinstance(value, float):
        return Cell(value)
    if isinstance(value, str):
        return text_cell(value)
    if isinstance(value, list) and all(not isinstance(i, dict | list) for i in value):
        return text_cell(LIST_SEPARATOR.join(scalar_text(item) for item in value))
    return text_cell(json.dumps(value, ensure_ascii=False))  # a view pointing at an object


def _money_format(code: str) -> str:
    if code == "EUR":
        return EURO
    return f'#,##0.00 "{code}";-#,##0.00 "{code}"'


def _number(value: Any) -> Cell:
    """A count or quantity: numbers, and text holding one, as a number."""
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return raw_cell(value)
        if number.is_finite():
            return Cell(int(number) if number == number.to_integral_value() else number)
    return raw_cell(value)


def typed_cells(found: Field, value: Any, data: Any, outer: Any) -> list[Cell]:
    """The cells of one field's value, as its kind says (a code gives two: meaning and code).

    `data` is the object the field's path is read from (a record's data, or a line), `outer` the
    record's data, where a line's currency may be named instead. A value that is not what its
    field says is shown as it is.
    """
    kind = found.kind
    if kind is Kind.code:
        if value is None or value == "":
            return [EMPTY, EMPTY]
        meaning = found.codes.get(scalar_text(value))
        return [text_cell(both(meaning)) if meaning else raw_cell(value), raw_cell(value)]
    # Some vendors send `false` for a field that is not set (a birth date, a company name).
    if value is None or value == "" or (value is False and kind is not Kind.boolean):
        return [EMPTY]
    if kind in (Kind.money, Kind.cents):
        number = amount(value, found)
        if number is None:
            return [raw_cell(value)]
        holder = data if isinstance(value_at(data, found.currency), str) else outer
        return [Cell(number, _money_format(currency(holder, value, found)))]
    if kind in (Kind.date, Kind.datetime):
        moment = instant(value, found)
        if moment is None:
            return [raw_cell(value)]
        local = moment.replace(tzinfo=None)  # Excel has no time zones: Amsterdam's wall clock
        return [Cell(local.date(), DATE) if kind is Kind.date else Cell(local, DATETIME)]
    if kind is Kind.html and isinstance(value, str):
        return [text_cell(plain_text(value))]
    if kind is Kind.number:
        return [_number(value)]
    if kind is Kind.boolean and value in (True, False, 0, 1):  # some vendors say 1 and 0
        return [text_cell(both(YES if value else NO))]
    return [raw_cell(value)]


def field_headers(found: Field) -> list[str]:
    """The column headers of one field: its label, and for a code also the raw code's column."""
    if found.kind is Kind.code:
        code = Words(f"{found.label.nl} ({CODE.nl})", f"{found.label.en} ({CODE.en})")
        return [both(found.label), both(code)]
    return [both(found.label)]


def _headers(fields: Sequence[Field]) -> list[str]:
    return [header for found in fields for header in field_headers(found)]


def _cells(fields: Sequence[Field], data: Any, outer: Any) -> list[Cell]:
    return [
        cell
        for found in fields
        for cell in typed_cells(found, value_at(data, found.path), data, outer)
    ]


def _type_words(view: RecordView | None, record_type: str) -> str:
    return both(view.label) if view else record_type


def view_sheets(
    system: str, record_type: str, records: Sequence[Record], view: RecordView
) -> list[Sheet]:
    """The sheets of a record type with a view: its records, then one per declared list."""
    fields = list(view.fields)
    title = next((f for f in fields if f.path == view.title), None)
    if title:  # the field that names a record to a person comes first, and stands for its id
        fields = [title, *(f for f in fields if f is not title)]
    data = [to_jsonable_python(record.data) for record in records]
    words = _type_words(view, record_type)

    def name_cell(record: Record, item: Any) -> list[Cell]:
        if title:
            return typed_cells(title, value_at(item, title.path), item, item)[:1]
        return [text_cell(record.id)]

    head = [field_headers(title)[0]] if title else [both(ID)]
    main = Sheet(
        parts=[system, record_type],
        system=system,
        kind=words,
        headers=([] if title else head) + _headers(fields),
        rows=[
            ([] if title else [text_cell(record.id)]) + _cells(fields, item, item)
            for record, item in zip(records, data, strict=True)
        ],
        leading=len(field_headers(title)) if title else 1,
    )
    declared = (
        _lines_sheet(system, record_type, words, lines, records, data, head, name_cell)
        for lines in view.lines
    )
    return [main, *(sheet for sheet in declared if sheet.rows)]  # an empty list says nothing


def _lines_sheet(
    system: str,
    record_type: str,
    words: str,
    lines: Lines,
    records: Sequence[Record],
    data: Sequence[Any],
    head: list[str],
    name_cell: Callable[[Record, Any], list[Cell]],
) -> Sheet:
    """One declared list: a row per item, its record's number (or id) first."""
    rows: list[list[Cell]] = []
    for record, item in zip(records, data, strict=True):
        found = value_at(item, lines.path)
        if not isinstance(found, list):
            continue
        parent = name_cell(record, item)
        for line in found:
            line = line if isinstance(line, dict) else {"value": line}
            rows.append(parent + _cells(lines.fields, line, item))
    return Sheet(
        parts=[system, record_type, *lines.path.split(".")[-1:]],
        system=system,
        kind=f"{words}: {both(lines.label)}",
        headers=head + _headers(lines.fields),
        rows=rows,
    )


def plain_sheets(system: str, record_type: str, records: Sequence[Record]) -> list[Sheet]:
    """The sheets of a record type without a view: every field under its own dotted name."""
    return [_plain_sheet(system, record_type, table) for table in flatten(records)]


def _plain_sheet(system: str, record_type: str, table: FlatTable) -> Sheet:
    leading = ["id", *(position_column(path) for path in table.lists)]
    columns = free_names([formula_safe(c) for c in table.columns], leading)
    return Sheet(
        parts=[system, record_type, table.path.rsplit(".", 1)[-1]],
        system=system,
        kind=f"{record_type}: {table.path}" if table.path else record_type,
        headers=[formula_safe(c) for c in leading] + columns,
        rows=[
            [text_cell(row.record.id), *(Cell(n, INTEGER) for n in row.position)]
            + [raw_cell(row.values.get(column)) for column in table.columns]
            for row in table.rows
        ],
        leading=len(leading),
    )


def _without_empty_columns(sheet: Sheet) -> Sheet:
    """The sheet without the columns no row fills (its leading ones always stay)."""
    keep = [
        n
        for n in range(len(sheet.headers))
        if n < sheet.leading or any(row[n].value not in (None, "") for row in sheet.rows)
    ]
    if len(keep) == len(sheet.headers):
        return sheet
    sheet.headers = [sheet.headers[n] for n in keep]
    sheet.rows = [[row[n] for n in keep] for row in sheet.rows]
    return sheet


def shorten(parts: Sequence[str], limit: int = SHEET_LIMIT) -> str:
    """The parts joined by spaces within `limit` characters: the longest part is cut first, so
    each keeps its start (`newsletter audience_member notes _links` -> `newsletter audience notes
    _links`)."""
    cut = [part for part in parts if part]
    while len(" ".join(cut)) > limit and max(map(len, cut), default=0) > 1:
        longest = max(range(len(cut)), key=lambda n: len(cut[n]))
        cut[longest] = cut[longest][:-1]
    return " ".join(cut)[:limit]


def sheet_name(parts: Sequence[str], taken: set[str]) -> str:
    """A name Excel accepts: at most 31 characters, none of []:*?/\\, no quote at either end,
    unique whatever the case (a suffix ` (2)`, ` (3)`, … where needed)."""
    safe = [_SHEET_UNSAFE.sub("_", ILLEGAL_CHARACTERS_RE.sub("", p)).strip() for p in parts]
    clean = shorten(safe).strip().strip("'") or "records"
    name, n = clean[:SHEET_LIMIT].rstrip().strip("'"), 1
    while name.casefold() in taken or name.casefold() in _RESERVED:
        n += 1
        suffix = f" ({n})"
        name = clean[: SHEET_LIMIT - len(suffix)].rstrip().strip("'") + suffix
    taken.add(name.casefold())
    return name


def _width(cell: Cell) -> int:
    """About how many characters wide a cell shows."""
    value = cell.value
    if value is None:
        return 0
    if cell.format == DATETIME:
        return 16
    if cell.format == DATE:
        return 10
    if isinstance(value, Decimal | float | int) and not isinstance(value, bool):
        return len(f"{value:,.2f}") + (2 if cell.format and "€" in cell.format else 4)
    return max((len(line) for line in str(value).splitlines()), default=0)


def _write(sheet: Worksheet, headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> None:
    """Header row bold and frozen, a filter on it, cells with their formats, columns as wide as
    their content (within bounds; the first 500 rows are measured)."""
    bold = Font(bold=True)
    top = Alignment(vertical="top")
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=column, value=header)
        cell.font = bold
    wrapped = Alignment(vertical="top", wrap_text=True)
    for n, row in enumerate(rows, start=2):
        # Alignment only where a row holds a text of several lines (its cells then align at the
        # top): a style on every cell costs openpyxl more than writing the cell itself.
        tall = any(isinstance(c.value, str) and "\n" in c.value for c in row)
        for column, content in enumerate(row, start=1):
            if content.value is None:
                continue
            cell = sheet.cell(row=n, column=column, value=content.value)
            if content.format:
                cell.number_format = content.format
            if tall:
                multi = isinstance(content.value, str) and "\n" in content.value
                cell.alignment = wrapped if multi else top
    for column, header in enumerate(headers, start=1):
        widest = max(
            [len(header), *(_width(row[column - 1]) for row in rows[:500])], default=MIN_WIDTH
        )
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = min(max(widest + 2, MIN_WIDTH), MAX_WIDTH)
    sheet.freeze_panes = "A2"
    if headers:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(len(rows), 1) + 1}"


def sheets(package: DataPackage, views: Views | None = None) -> list[Sheet]:
    """Every sheet after the overview, in the package's order of systems and record types."""
    views = views or {}
    found: list[Sheet] = []
    for (system, record_type), records in by_system_type(package).items():
        view = views.get(system, {}).get(record_type)
        made = (
            view_sheets(system, record_type, records, view)
            if view
            else plain_sheets(system, record_type, records)
        )
        found += [_without_empty_columns(sheet) for sheet in made]
    return found


def workbook(package: DataPackage, views: Views | None = None) -> Workbook:
    """The workbook of a package: the overview, then a sheet per system, type and list."""
    book = Workbook()
    book.properties.creator = package.tool
    book.properties.created = package.generated_at.replace(tzinfo=None)
    overview = book.active
    assert overview is not None  # a new workbook has its first sheet
    overview.title = OVERVIEW
    titles = {source.system: source.title or source.system for source in package.sources}
    taken: set[str] = set()
    rows: list[list[Cell]] = []
    links: list[str] = []
    for sheet in sheets(package, views):
        name = sheet_name(sheet.parts, taken)
        _write(book.create_sheet(name), sheet.headers, sheet.rows)
        rows.append(
            [
                text_cell(titles[sheet.system]),
                text_cell(sheet.kind),
                Cell(len(sheet.rows)),
                text_cell(name),
            ]
        )
        links.append(name)
    for source in package.sources:  # a system with nothing is named too, so nobody wonders
        if not source.records:
            rows.append(
                [text_cell(titles[source.system]), text_cell(both(NOTHING)), Cell(0), EMPTY]
            )
    headers = [both(SYSTEM), both(KIND), both(COUNT), both(SHEET)]
    _write(overview, headers, rows)
    for n, name in enumerate(links, start=2):
        cell = overview.cell(row=n, column=4)
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{name}'!A1", display=name)
        cell.style = "Hyperlink"
    return book


def workbook_bytes(package: DataPackage, views: Views | None = None) -> bytes:
    """The content of data.xlsx."""
    buffer = io.BytesIO()
    workbook(package, views).save(buffer)
    return buffer.getvalue()
