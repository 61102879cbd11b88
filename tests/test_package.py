"""The data package zip: files, modes, schema, checksums, CSV tables and the customer's page."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import stat
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from jsonschema import Draft202012Validator

from bridge.core.models import DataPackage, Record, SourceResult, Status, Subject
from exports import write_package
from exports.labels import STATUS_WORDS

EMAIL = "Zoe.Jansen@Example.nl "
NAME = "Zoë Österreich-Jansen"
SCRIPT = "<script>alert(1)</script>"
MOMENT = datetime(2025, 3, 14, 9, 26, 53, tzinfo=UTC)
PSEUDONYM = "c0ffee12" + "ab" * 28  # what Store.keys.pseudonym gives: an HMAC, hex


def _records() -> list[Record]:
    customer = Record(
        type="customer",
        id="17",
        matched_by=["email zoe.jansen@example.nl"],
        data={
            "id": 17,
            "email": "zoe.jansen@example.nl",
            "first_name": "Zoë",
            "last_name": "Österreich-Jansen",
            "billing": {
                "first_name": "Zoë",
                "last_name": "Österreich-Jansen",
                "email": "zoe.jansen@example.nl",
                "address_1": "Straße 1",
                "city": "’s-Hertogenbosch",
            },
            "tags": ["vip", "nieuwsbrief"],
            "meta_data": [{"key": "loyalty", "value": {"points": 12}}],
            "is_paying_customer": True,
            "extra": {},
        },
    )
    orders = [
        Record(
            type="order",
            id=str(number),
            matched_by=["email zoe.jansen@example.nl", "customer id 17"],
            data={
                "id": number,
                "number": str(number),
                "status": "completed",
                "total": "59.95",
                "currency": "EUR",
                "date_created": "2024-11-02T10:11:12",
                "billing": {"first_name": "Zoë", "email": "zoe.jansen@example.nl"},
                "line_items": [{"name": "Ring", "quantity": 1}, {"name": "Doosje", "quantity": 2}],
                "coupon_count": 3 if number == 1042 else None,
            },
        )
        for number in (1042, 1043)
    ]
    note = Record(
        type="order_note",
        id="5",
        matched_by=["order 1042"],
        data={"id": 5, "note": SCRIPT, "date_created": "2024-11-02T10:12:00"},
    )
    return [customer, *orders, note]


def make_package(*, complete: bool = False) -> DataPackage:
    shop = SourceResult(
        system="shop",
        title="De Webwinkel",
        role="platform",
        status=Status.ok,
        records=_records(),
        notes=["Bestellingen worden 7 jaar bewaard."],
        categories={
            "customer": ["contact details", "address"],
            "order": ["order history", "address"],
            "order_note": ["correspondence"],
            "review": ["public reviews"],
        },
    )
    payments = SourceResult(
        system="payments",
        title="Betaaldienst",
        role="processor",
        status=Status.ok if complete else Status.error,
        error=None if complete else "connection refused after 3 attempts",
    )
    return DataPackage(
        subject=Subject(email=EMAIL),
        generated_at=MOMENT,
        complete=complete,
        sources=[shop, payments],
        version="0.1.0",
    )


def _open(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture
def written(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    path = write_package(make_package(), tmp_path / "out" / "packages", pseudonym=PSEUDONYM)
    return path, _open(path)


def _csv(files: dict[str, bytes], name: str) -> pd.DataFrame:
    return pd.read_csv(
        io.BytesIO(files[name]), dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )


def test_zip_is_private_and_named_without_email(written: tuple[Path, dict[str, bytes]]) -> None:
    path, _ = written
    assert path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert path.name == "privacy-bridge-c0ffee12-20250314T092653Z.zip"  # the keyed pseudonym
    unkeyed = hashlib.sha256(b"zoe.jansen@example.nl").hexdigest()[:8]
    assert unkeyed not in path.name and "zoe" not in path.name.lower()
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left


def test_an_existing_open_directory_is_made_private(tmp_path: Path) -> None:
    out = tmp_path / "shared"
    out.mkdir()
    out.chmod(0o777)
    path = write_package(make_package(), out, pseudonym=PSEUDONYM)
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_failed_write_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_: object) -> bytes:
        raise RuntimeError("disk full")

    monkeypatch.setattr("exports.package.manifest_json", boom)
    with pytest.raises(RuntimeError):
        write_package(make_package(), tmp_path, pseudonym=PSEUDONYM)
    assert list(tmp_path.iterdir()) == []


def test_zip_holds_exactly_the_package_files(written: tuple[Path, dict[str, bytes]]) -> None:
    path, files = written
    assert set(files) == {
        "data.json",
        "schema.json",
        "manifest.json",
        "index.html",
        "data.xlsx",
        "csv/shop/customer.csv",
        "csv/shop/customer-meta_data.csv",
        "csv/shop/order.csv",
        "csv/shop/order-line_items.csv",
        "csv/shop/order_note.csv",
    }
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist()[-1] == "manifest.json"
        assert archive.testzip() is None


def test_data_json_validates_and_round_trips(written: tuple[Path, dict[str, bytes]]) -> None:
    _, files = written
    schema = json.loads(files["schema.json"])
    data = json.loads(files["data.json"].decode("utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] and schema["title"]
    Draft202012Validator.check_schema(schema)
    Draft202012Validator(schema).validate(data)
    assert set(data) >= {"subject", "generated_at", "complete", "sources"}
    assert set(data["sources"][0]["records"][0]) == {"type", "id", "matched_by", "data"}
    assert DataPackage.model_validate(data) == make_package()
    assert NAME.split()[0] in files["data.json"].decode("utf-8")  # not \u-escaped


def test_schema_rejects_a_wrong_status(written: tuple[Path, dict[str, bytes]]) -> None:
    _, files = written
    data = json.loads(files["data.json"])
    data["sources"][0]["status"] = "fine"
    validator = Draft202012Validator(json.loads(files["schema.json"]))
    assert not validator.is_valid(data)


def test_manifest_checksums_match(written: tuple[Path, dict[str, bytes]]) -> None:
    _, files = written
    manifest = json.loads(files["manifest.json"])
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert set(listed) == set(files) - {"manifest.json"}
    for name, entry in listed.items():
        assert entry["sha256"] == hashlib.sha256(files[name]).hexdigest()
        assert entry["bytes"] == len(files[name])
    assert manifest["complete"] is False
    assert manifest["generated_at"] == json.loads(files["data.json"])["generated_at"]


def test_csv_flattens_without_losing_anything(written: tuple[Path, dict[str, bytes]]) -> None:
    _, files = written
    customers = _csv(files, "csv/shop/customer.csv")
    orders = _csv(files, "csv/shop/order.csv")
    notes = _csv(files, "csv/shop/order_note.csv")
    lines = _csv(files, "csv/shop/order-line_items.csv")
    meta = _csv(files, "csv/shop/customer-meta_data.csv")
    assert (len(customers), len(orders), len(notes)) == (1, 2, 1)
    for frame in (customers, orders, notes):
        assert list(frame.columns[:3]) == ["system", "id", "matched_by"]
    assert {"billing.email", "billing.city", "data.id", "tags", "extra"} <= set(customers.columns)
    row = customers.iloc[0]
    assert row["system"] == "shop"
    assert row["billing.city"] == "’s-Hertogenbosch"
    assert row["last_name"] == "Österreich-Jansen"
    assert row["tags"] == "vip | nieuwsbrief"  # a list of plain values stays one cell
    assert row["is_paying_customer"] == "true"
    assert "meta_data" not in customers.columns and "line_items" not in orders.columns
    # A list of objects is a file of its own: the record's id, the item's position, its fields.
    assert meta.to_dict("records") == [
        {"id": "17", "meta_data#": "1", "key": "loyalty", "value.points": "12"}
    ]
    assert lines.columns.tolist() == ["id", "line_items#", "name", "quantity"]
    assert lines.values.tolist() == [
        ["1042", "1", "Ring", "1"],
        ["1042", "2", "Doosje", "2"],
        ["1043", "1", "Ring", "1"],
        ["1043", "2", "Doosje", "2"],
    ]
    assert orders["matched_by"].tolist() == ["email zoe.jansen@example.nl | customer id 17"] * 2
    assert orders["coupon_count"].tolist() == ["3", ""]  # an int stays an int next to a null
    assert orders["data.id"].tolist() == ["1042", "1043"]


def test_csv_is_rfc_4180_with_a_bom(written: tuple[Path, dict[str, bytes]]) -> None:
    _, files = written
    for name in (n for n in files if n.endswith(".csv")):
        content = files[name]
        assert content.startswith(b"\xef\xbb\xbf"), name  # so a spreadsheet reads the accents
        text = content.decode("utf-8-sig")
        assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert len({len(row) for row in rows}) == 1, name
        for cell in (cell for row in rows for cell in row):
            assert not cell.startswith(("[{", "{")), (name, cell)  # no JSON inside a cell


def test_csv_columns_are_stable(tmp_path: Path) -> None:
    first = _open(write_package(make_package(), tmp_path / "a", pseudonym=PSEUDONYM))
    second = _open(write_package(make_package(), tmp_path / "b", pseudonym=PSEUDONYM))
    assert first["csv/shop/order.csv"] == second["csv/shop/order.csv"]
    assert _csv(first, "csv/shop/order.csv").columns.tolist() == [
        "system",
        "id",
        "matched_by",
        "data.id",
        "number",
        "status",
        "total",
        "currency",
        "date_created",
        "billing.first_name",
        "billing.email",
        "coupon_count",
    ]


def test_record_types_become_safe_file_names(tmp_path: Path) -> None:
    package = make_package(complete=True)
    package.sources[1].records = [
        Record(type="../../etc/passwd", id="1", matched_by=["x"], data={"a": 1}),
        Record(type="Order", id="2", matched_by=["x"], data={"a": 2}),
    ]
    package.sources[1].system = "shop"  # the same system twice: the names must still differ
    files = _open(write_package(package, tmp_path, pseudonym=PSEUDONYM))
    csvs = {name for name in files if name.startswith("csv/")}
    assert csvs == {
        "csv/shop/customer.csv",
        "csv/shop/customer-meta_data.csv",
        "csv/shop/order.csv",
        "csv/shop/order-line_items.csv",
        "csv/shop/order_note.csv",
        "csv/shop/etc_passwd.csv",
        "csv/shop/Order-2.csv",  # "Order" and "order" would clash on a case-insensitive disk
    }
    assert all(re.fullmatch(r"csv/[A-Za-z0-9_-]+/[A-Za-z0-9_-]+\.csv", name) for name in csvs)


def test_page_names_every_system_and_warns_when_incomplete(
    written: tuple[Path, dict[str, bytes]],
) -> None:
    _, files = written
    html = files["index.html"].decode("utf-8")
    for text in ("De Webwinkel", "Betaaldienst", ">shop<", ">payments<"):
        assert text in html
    assert "dit overzicht is onvolledig" in html
    assert "this overview is incomplete" in html
    warning = html.split('id="incomplete"', 1)[1].split("</section>", 1)[0]
    assert "Betaaldienst" in warning
    assert "connection refused after 3 attempts" in warning
    assert "De Webwinkel" not in warning
    failing = html.split('id="system-2-payments"', 1)[1]
    assert "Geen records in dit pakket: fout: niet opgehaald." in failing
    assert "Geen records gevonden" not in failing


def test_page_has_no_warning_when_complete(tmp_path: Path) -> None:
    html = _open(write_package(make_package(complete=True), tmp_path, pseudonym=PSEUDONYM))[
        "index.html"
    ].decode()
    assert 'id="incomplete"' not in html
    assert "dit overzicht is onvolledig" not in html
    assert "this overview is incomplete" not in html


def test_page_is_bilingual_and_tells_the_rights(written: tuple[Path, dict[str, bytes]]) -> None:
    _, files = written
    html = files["index.html"].decode("utf-8")
    assert re.search(r'<h1><span lang="nl">Uw persoonsgegevens</span>', html)
    assert '<span class="en" lang="en">Your personal data</span></h1>' in html
    assert '<a href="https://autoriteitpersoonsgegevens.nl/">' in html
    assert "Tip of klacht" in html
    for article in ("15", "16", "17", "18", "20", "21"):
        assert f"artikel {article} AVG" in html
        assert f"Article {article} GDPR" in html
    assert "één maand" in html
    assert "one month" in html
    for words in STATUS_WORDS.values():
        assert words.nl and words.en
    assert "fout: niet opgehaald" in html
    assert "error: not retrieved" in html
    assert "<script" not in html.lower().replace("&lt;script", "")
    assert "http" not in html.replace("https://autoriteitpersoonsgegevens.nl/", "")


def test_page_shows_counts_categories_and_notes(written: tuple[Path, dict[str, bytes]]) -> None:
    _, files = written
    html = files["index.html"].decode("utf-8")
    assert "contact details, address" in html
    assert "public reviews" in html  # a category with no records is still declared
    assert "Bestellingen worden 7 jaar bewaard." in html
    assert "data.xlsx" in html and "csv/" in html
    assert "Österreich-Jansen" in html


def test_page_escapes_record_data(written: tuple[Path, dict[str, bytes]]) -> None:
    _, files = written
    html = files["index.html"].decode("utf-8")
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def _golden_input() -> DataPackage:
    def record(kind: str, n: int) -> Record:
        return Record(type=kind, id=f"{kind}-{n}", matched_by=["email"], data={"n": n})

    return DataPackage(
        subject=Subject(email="golden@example.nl"),
        generated_at=datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
        complete=False,
        sources=[
            SourceResult(
                system="alpha",
                status=Status.ok,
                records=[record("customer", 1), record("order", 1), record("order", 2)],
            ),
            SourceResult(system="beta", status=Status.not_found),
            SourceResult(system="gamma", status=Status.error, error="timeout"),
            SourceResult(system="delta", status=Status.manual, records=[]),
            SourceResult(system="epsilon", status=Status.ok, records=[record("payment", 7)]),
        ],
    )


def test_golden_files_and_systems(tmp_path: Path) -> None:
    path = write_package(_golden_input(), tmp_path, pseudonym=PSEUDONYM)
    files = _open(path)
    manifest: dict[str, Any] = json.loads(files["manifest.json"])
    assert path.name == "privacy-bridge-c0ffee12-20240102T030405Z.zip"
    assert list(files) == [
        "index.html",
        "data.xlsx",
        "data.json",
        "schema.json",
        "csv/alpha/customer.csv",
        "csv/alpha/order.csv",
        "csv/epsilon/payment.csv",
        "manifest.json",
    ]
    assert manifest["generated_at"] == "2024-01-02T03:04:05Z"
    assert manifest["systems"] == [
        {
            "system": "alpha",
            "status": "ok",
            "records": 3,
            "error": None,
            "failed": [],
            "lookup": [],
            "requests": 0,
            "minimum": None,
            "critical": 0,
            "seconds": 0.0,
        },
        {
            "system": "beta",
            "status": "not_found",
            "records": 0,
            "error": None,
            "failed": [],
            "lookup": [],
            "requests": 0,
            "minimum": None,
            "critical": 0,
            "seconds": 0.0,
        },
        {
            "system": "gamma",
            "status": "error",
            "records": 0,
            "error": "timeout",
            "failed": [],
            "lookup": [],
            "requests": 0,
            "minimum": None,
            "critical": 0,
            "seconds": 0.0,
        },
        {
            "system": "delta",
            "status": "manual",
            "records": 0,
            "error": None,
            "failed": [],
            "lookup": [],
            "requests": 0,
            "minimum": None,
            "critical": 0,
            "seconds": 0.0,
        },
        {
            "system": "epsilon",
            "status": "ok",
            "records": 1,
            "error": None,
            "failed": [],
            "lookup": [],
            "requests": 0,
            "minimum": None,
            "critical": 0,
            "seconds": 0.0,
        },
    ]
    assert (
        files["csv/alpha/order.csv"]
        == b"\xef\xbb\xbfsystem,id,matched_by,n\r\nalpha,order-1,email,1\r\nalpha,order-2,email,2\r\n"
    )


def test_a_few_thousand_records_are_all_written(tmp_path: Path) -> None:
    """Speed is measured by benchmarks, not here: a timed test fails a loaded machine."""
    records = [
        Record(
            type=("order", "payment", "review")[n % 3],
            id=str(n),
            matched_by=["email"],
            data={"n": n, "billing": {"email": "a@b.nl", "city": "Zwolle"}, "lines": [{"q": n}]},
        )
        for n in range(3000)
    ]
    package = DataPackage(
        subject=Subject(email="a@b.nl"),
        generated_at=MOMENT,
        complete=True,
        sources=[SourceResult(system="big", status=Status.ok, records=records)],
    )
    files = _open(write_package(package, tmp_path, pseudonym=PSEUDONYM))
    assert len(_csv(files, "csv/big/order.csv")) == 1000
    assert len(_csv(files, "csv/big/order-lines.csv")) == 1000
