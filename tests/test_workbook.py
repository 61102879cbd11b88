"""data.xlsx: a workbook a person opens in a spreadsheet, read back with openpyxl.

Hand-made packages and views pin the exact cases (labels, amounts in euros and in cents, dates in
Amsterdam time, codes, vendor HTML, text that looks like a number, formula injection, line items on
their own sheet); the sandbox's heavy customer checks that every sheet of a real package reads.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from bridge import api
from bridge.core.config import Config
from bridge.core.models import DataPackage, Record, SourceResult, Status, Subject
from bridge.core.plugins import by_name
from bridge.core.presentation import Field, Kind, Lines, RecordView, Words
from exports import write_package
from exports.workbook import OVERVIEW, Views, both, field_headers, sheet_name, sheets
from sandbox.server import Sandbox

PSEUDONYM = "feedbeef" * 8
DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+$")
PAYLOAD = '=HYPERLINK("http://evil.example/","klik")'

STATUS = {"7": Words("Verzonden", "Shipped"), "1": Words("Nieuw", "New")}
ORDER = RecordView(
    label=Words("Bestelling", "Order"),
    title="number",
    fields=(
        Field("number", Words("Bestelnummer", "Order number")),
        Field("status", Words("Status", "Status"), Kind.code, codes=STATUS),
        Field(
            "date_created",
            Words("Besteld op", "Ordered on"),
            Kind.datetime,
            naive="Europe/Amsterdam",
        ),
        Field("date_paid_gmt", Words("Betaald op", "Paid on"), Kind.datetime),
        Field("due", Words("Vervaldatum", "Due date"), Kind.date),
        Field("total", Words("Totaal", "Total"), Kind.money, currency="currency"),
        Field("price.amount", Words("Verzendkosten", "Shipping"), Kind.cents),
        Field("invoice", Words("Factuurnummer", "Invoice number")),
        Field("billing.postcode", Words("Postcode", "Postcode")),
        Field("billing.phone", Words("Telefoon", "Phone")),
        Field("note", Words("Opmerking", "Note")),
        Field("review", Words("Beoordeling", "Review"), Kind.html),
        Field("paid", Words("Betaald", "Paid"), Kind.boolean),
        Field("never", Words("Nooit gevuld", "Never filled")),
    ),
    lines=(
        Lines(
            "line_items",
            Words("Bestelregels", "Order lines"),
            (
                Field("name", Words("Product", "Product")),
                Field("quantity", Words("Aantal", "Quantity"), Kind.number),
                Field("total", Words("Bedrag", "Amount"), Kind.money),
            ),
        ),
    ),
    internal=("cart_hash", "_links"),
)
VIEWS = {"shop": {"order": ORDER}}


def _order(number: str, status: object) -> Record:
    return Record(
        type="order",
        id=str(int(number)),
        matched_by=["email"],
        data={
            "id": int(number),
            "number": number,
            "status": status,
            "date_created": "2024-11-02T10:11:12",  # the shop's local time
            "date_paid_gmt": "2024-11-02T09:20:00Z",  # UTC: 10:20 in Amsterdam (winter time)
            "due": "2024-12-01",
            "total": "59.95",
            "currency": "EUR",
            "price": {"amount": 695, "currency": "EUR"},
            "invoice": "0001",
            "billing": {"postcode": "1015 KM", "phone": "0612345678"},
            "note": PAYLOAD,
            "review": "<p>Mooi &amp; snel</p><p>Tweede regel</p>",
            "paid": True,
            "never": None,
            "cart_hash": "c0ffee",
            "_links": {"self": [{"href": "https://api.example/orders/1"}]},
            "line_items": [
                {"name": "Ring", "quantity": 1, "total": "49.95"},
                {"name": "Doosje", "quantity": "2", "total": "10.00"},
            ],
        },
    )


def _package() -> DataPackage:
    orders = [_order("00042", "7"), _order("00043", 99)]
    plain = Record(
        type="ticket",
        id="t-1",
        matched_by=["email"],
        data={"subject": "Kapot", "messages": [{"from": "klant", "text": "Hallo"}], "n": 3},
    )
    return DataPackage(
        subject=Subject(email="zoe@example.nl"),
        generated_at=datetime(2025, 3, 14, 9, 26, 53, tzinfo=UTC),
        complete=True,
        sources=[
            SourceResult(
                system="shop", title="De Webwinkel", status=Status.ok, records=[*orders, plain]
            ),
            SourceResult(system="mail", title="Nieuwsbrief", status=Status.not_found),
        ],
    )


def _book(path: Path) -> Workbook:
    with zipfile.ZipFile(path) as archive:
        return openpyxl.load_workbook(io.BytesIO(archive.read("data.xlsx")))


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Workbook:
    out = tmp_path_factory.mktemp("workbook")
    return _book(write_package(_package(), out, pseudonym=PSEUDONYM, views=VIEWS))


def _table(sheet: Worksheet) -> list[dict[str, object]]:
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _label(path: str) -> str:
    return next(both(f.label) for f in ORDER.fields if f.path == path)


def test_the_overview_comes_first_and_names_every_sheet(book: Workbook) -> None:
    assert book.sheetnames[0] == OVERVIEW
    overview = _table(book[OVERVIEW])
    assert [
        (r["Systeem / System"], r["Gegevens / Data"], r["Aantal / Count"]) for r in overview
    ] == [
        ("De Webwinkel", "Bestelling / Order", 2),
        ("De Webwinkel", "Bestelling / Order: Bestelregels / Order lines", 4),
        ("De Webwinkel", "ticket", 1),
        ("De Webwinkel", "ticket: messages", 1),
        ("Nieuwsbrief", "geen gegevens gevonden / no data found", 0),
    ]
    named = [r["Werkblad / Sheet"] for r in overview if r["Werkblad / Sheet"]]
    assert named == book.sheetnames[1:]
    link = book[OVERVIEW].cell(row=2, column=4).hyperlink
    assert link is not None and link.location == "'shop order'!A1"


def test_every_sheet_has_a_bold_frozen_header(book: Workbook) -> None:
    for sheet in book.worksheets:
        headers = [cell.value for cell in sheet[1]]
        assert headers and all(isinstance(h, str) and h for h in headers), sheet.title
        assert len(set(headers)) == len(headers), sheet.title
        assert all(cell.font.bold for cell in sheet[1])
        assert sheet.freeze_panes == "A2"
        assert all(
            8 <= (sheet.column_dimensions[cell.column_letter].width or 0) <= 50 for cell in sheet[1]
        )


def test_a_view_gives_labels_and_leaves_internal_fields_out(book: Workbook) -> None:
    headers = [cell.value for cell in book["shop order"][1]]
    assert headers[0] == "Bestelnummer / Order number"  # the title stands for the id
    assert "Besteld op / Ordered on" in headers
    assert "Status (code)" in headers
    assert not [h for h in headers if DOTTED.match(str(h))]
    cells = [c for row in book["shop order"].iter_rows(values_only=True) for c in row]
    assert not [c for c in cells if isinstance(c, str) and ("c0ffee" in c or "api.example" in c)]
    assert "Nooit gevuld / Never filled" not in headers  # a column nobody fills is left out


def test_values_are_what_their_fields_say(book: Workbook) -> None:
    sheet = book["shop order"]
    first, second = _table(sheet)
    assert first[_label("number")] == "00042"
    assert first[_label("total")] == pytest.approx(59.95)
    assert first[_label("price.amount")] == pytest.approx(6.95)  # 695 cents
    assert first[_label("date_created")] == datetime(2024, 11, 2, 10, 11, 12)
    assert first[_label("date_paid_gmt")] == datetime(2024, 11, 2, 10, 20)
    assert first[_label("due")] == datetime(2024, 12, 1)
    assert first["Status"] == "Verzonden / Shipped"
    assert first["Status (code)"] == "7"
    assert second["Status"] == 99  # an undocumented code is shown as it is
    assert first[_label("review")] == "Mooi & snel\nTweede regel"
    assert first[_label("paid")] == "Ja / Yes"
    for path in ("invoice", "billing.postcode", "billing.phone"):  # text stays text
        assert isinstance(first[_label(path)], str)
    assert first[_label("invoice")] == "0001" and first[_label("billing.phone")] == "0612345678"
    assert first[_label("note")] == f"'{PAYLOAD}"
    columns = {cell.value: cell.column for cell in sheet[1]}
    money = sheet.cell(row=2, column=columns[_label("total")])
    assert money.data_type == "n" and "€" in money.number_format
    assert sheet.cell(row=2, column=columns[_label("invoice")]).number_format == "@"
    moment = sheet.cell(row=2, column=columns[_label("date_created")])
    assert moment.is_date and "yyyy" in moment.number_format and "hh:mm" in moment.number_format


def test_line_items_have_their_own_sheet_linked_to_the_order(book: Workbook) -> None:
    name = next(n for n in book.sheetnames if "line_items" in n)
    lines = _table(book[name])
    number, product, quantity, total = lines[0]
    assert (number, product, quantity, total) == (
        "Bestelnummer / Order number",
        "Product",
        "Aantal / Quantity",
        "Bedrag / Amount",
    )
    assert [(r[number], r[product], r[quantity]) for r in lines] == [
        ("00042", "Ring", 1),
        ("00042", "Doosje", 2),  # "2" from the vendor is a quantity: a number
        ("00043", "Ring", 1),
        ("00043", "Doosje", 2),
    ]
    assert all(isinstance(r[total], int | float) for r in lines)


def test_without_a_view_every_field_shows_and_lists_get_a_sheet(book: Workbook) -> None:
    tickets = _table(book["shop ticket"])
    assert tickets == [{"id": "t-1", "subject": "Kapot", "n": 3}]
    (message,) = _table(book["shop ticket messages"])
    assert message == {"id": "t-1", "messages#": 1, "from": "klant", "text": "Hallo"}


def test_sheet_names_are_what_excel_accepts() -> None:
    taken: set[str] = set()
    names = [
        sheet_name(["shop", "order"], taken),
        sheet_name(["shop", "Order"], taken),
        sheet_name(["a[b]:c*d?e/f\\g", "'quoted'"], taken),
        sheet_name(["mailchimp", "audience_member", "marketing_permissions"], taken),
        sheet_name(["mailchimp", "audience_member", "marketing_permissions_2"], taken),
        sheet_name(["History"], taken),
        sheet_name([OVERVIEW], taken),
    ]
    assert names[:2] == ["shop order", "shop Order (2)"]
    for name in names:
        assert 0 < len(name) <= 31 and not re.search(r"[\[\]:*?/\\]", name), name
        assert not name.startswith("'") and not name.endswith("'")
    assert len({n.casefold() for n in names}) == len(names)
    assert names[3].startswith("mailchimp") and "marketing" in names[3]


@pytest.fixture(scope="module")
def real(sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> tuple[Workbook, Views]:
    """The heavy customer's package from the sandbox, and the views its systems declare."""
    tmp = tmp_path_factory.mktemp("sandbox-workbook")
    config = Config({**sandbox.env, "PRIVACY_BRIDGE_HOME": str(tmp / "state")})
    result = api.export(sandbox.shop.subject_email, tmp / "out", config)
    views = {source.system: by_name(source.system).views for source in result.data.sources}
    return _book(result.package), {"package": result.data, "views": views}


def test_every_sheet_of_a_real_package_reads(real: tuple[Workbook, dict[str, Any]]) -> None:
    book, context = real
    package: DataPackage = context["package"]
    views: Views = context["views"]
    planned = sheets(package, views)
    assert len(book.sheetnames) == 1 + len(planned)
    counts = {(s.system, s.parts[1]): 0 for s in planned}
    for source in package.sources:
        for record in source.records:
            counts[(source.system, record.type)] += 1
    overview = _table(book[OVERVIEW])
    for sheet, name, row in zip(planned, book.sheetnames[1:], overview, strict=False):
        assert row["Werkblad / Sheet"] == name and row["Aantal / Count"] == len(sheet.rows)
        table = book[name]
        headers = [cell.value for cell in table[1]]
        assert headers and all(isinstance(h, str) and h for h in headers), name
        view = views.get(sheet.system, {}).get(sheet.parts[1])
        if view is None:
            continue
        assert not [h for h in headers if DOTTED.match(h)], name  # labels, not API names
        fields = [*view.fields, *(f for lines in view.lines for f in lines.fields)]
        kinds = {field_headers(f)[0]: f.kind for f in fields}
        for column, header in enumerate(headers, start=1):
            kind = kinds.get(header)
            for (cell,) in table.iter_rows(min_col=column, max_col=column, min_row=2):
                if cell.value is None or kind is None:
                    continue
                if kind in (Kind.money, Kind.cents):
                    assert isinstance(cell.value, int | float), (name, header, cell.value)
                if kind in (Kind.date, Kind.datetime):  # or a vendor's word such as "never"
                    assert isinstance(cell.value, datetime) or not re.match(
                        r"\d{4}-\d\d-\d\d", str(cell.value)
                    ), (name, header, cell.value)
    assert sum(n for n in counts.values()) == sum(len(s.records) for s in package.sources)
