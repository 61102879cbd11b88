"""schema.json says what each record type's data holds, and run metrics live in the manifest.

The schema's definitions come from the views (hand-made here, for exact cases; the connectors' own
for the sandbox's heavy customer), each record's `data` is tied to its system and type, and
data.json validates against it. data.json holds no run metrics; manifest.json does.
"""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from bridge import api
from bridge.core.config import Config
from bridge.core.models import DataPackage, Record, SourceResult, Status, Subject
from bridge.core.plugins import by_name
from bridge.core.presentation import Field, Kind, Lines, RecordView, Words
from exports import write_package
from exports.jsonfile import RUN_METRICS
from exports.schema import definition_name
from sandbox.server import Sandbox

PSEUDONYM = "abcdef12" * 8
SHIPMENT = RecordView(
    label=Words("Zending", "Shipment"),
    fields=(
        Field("barcode", Words("Barcode", "Barcode")),
        Field(
            "status",
            Words("Status", "Status"),
            Kind.code,
            codes={"7": Words("Bezorgd", "Delivered")},
        ),
        Field("price.amount", Words("Prijs", "Price"), Kind.cents, currency="price.currency"),
        Field("total", Words("Totaal", "Total"), Kind.money),
        Field("created", Words("Aangemaakt", "Created"), Kind.datetime, naive="Europe/Amsterdam"),
        Field("day", Words("Dag", "Day"), Kind.date),
        Field("remark", Words("Opmerking", "Remark"), Kind.html),
        Field("recipient.email", Words("E-mail", "E-mail"), Kind.email),
    ),
    lines=(
        Lines(
            "items",
            Words("Artikelen", "Items"),
            (Field("qty", Words("Aantal", "Quantity"), Kind.number),),
        ),
    ),
)
VIEWS = {"post": {"shipment": SHIPMENT}}


def _shipment(**changes: Any) -> Record:
    data: dict[str, Any] = {
        "barcode": "3SABC",
        "status": 7,
        "price": {"amount": 695, "currency": "EUR"},
        "total": {"value": "6.95", "currency": "EUR"},
        "created": "2025-04-25 00:58:59",
        "day": "2025-04-25",
        "remark": "<p>Bij de buren</p>",
        "recipient": {"email": "zoe@example.nl", "phone": "0612345678"},
        "items": [{"qty": 1, "sku": "A"}],
        "undocumented": {"anything": [1, "two"]},
    }
    data.update(changes)
    return Record(type="shipment", id="1", matched_by=["email"], data=data)


def _package(*records: Record) -> DataPackage:
    return DataPackage(
        subject=Subject(email="zoe@example.nl"),
        generated_at=datetime(2025, 3, 14, 9, 26, 53, tzinfo=UTC),
        complete=True,
        sources=[
            SourceResult(
                system="post",
                status=Status.ok,
                records=list(records),
                requests=4,
                minimum=3,
                critical=2,
                seconds=0.25,
            ),
            SourceResult(
                system="other",
                status=Status.ok,
                records=[Record(type="shipment", id="9", matched_by=["x"], data={"price": "?"})],
                requests=1,
            ),
        ],
    )


def _types(schema: dict[str, Any]) -> set[str]:
    """The JSON types a field's schema allows (its options' `type`s)."""
    found: set[str] = set()
    for option in schema["anyOf"]:
        kinds = option.get("type", [])
        found |= set(kinds) if isinstance(kinds, list) else {kinds}
    return found


def _files(tmp_path: Path, package: DataPackage) -> dict[str, Any]:
    path = write_package(package, tmp_path, pseudonym=PSEUDONYM, views=VIEWS)
    with zipfile.ZipFile(path) as archive:
        return {
            name: json.loads(archive.read(name))
            for name in archive.namelist()
            if name.endswith(".json")
        }


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Any]:
    return _files(tmp_path, _package(_shipment()))


def test_data_json_validates_and_each_type_has_a_definition(files: dict[str, Any]) -> None:
    schema, data = files["schema.json"], files["data.json"]
    Draft202012Validator.check_schema(schema)
    Draft202012Validator(schema).validate(data)
    defined = schema["$defs"]
    assert definition_name("post", "shipment") in defined
    assert definition_name("other", "shipment") in defined  # present without a view: free


def test_a_definition_follows_the_view(files: dict[str, Any]) -> None:
    shipment = files["schema.json"]["$defs"][definition_name("post", "shipment")]
    assert shipment["type"] == "object" and shipment["additionalProperties"] is True
    assert shipment["title"] == "Zending / Shipment"
    fields = shipment["properties"]
    assert _types(fields["price"]["properties"]["amount"]) == {"integer", "null"}  # cents
    assert fields["created"]["anyOf"][0]["format"] == "date-time"
    assert fields["day"]["anyOf"][0]["format"] == "date"
    status = fields["status"]
    assert "enum" not in status and "7: Bezorgd / Delivered" in status["description"]
    assert _types(status) >= {"string", "integer"}
    assert _types(fields["remark"]) == {"string", "null"}
    assert fields["recipient"]["properties"]["email"]["anyOf"][0]["format"] == "email"
    assert fields["recipient"]["additionalProperties"] is True
    money = fields["total"]["anyOf"]
    assert {"type": "number"} in money and {"type": "string"} in money
    assert any(option.get("type") == "object" for option in money)
    items = fields["items"]
    assert items["type"] == ["array", "null"] and "qty" in items["items"]["properties"]


@pytest.mark.parametrize(
    ("change", "valid"),
    [
        ({"price": {"amount": "6.95"}}, False),  # cents are an integer
        ({"status": 12}, True),  # a code the view does not know is still a code
        ({"status": ["7"]}, False),
        ({"day": None, "remark": None}, True),  # vendors leave fields empty
        ({"barcode": False, "created": False}, True),  # some say so with false
        ({"items": [{"qty": True}]}, False),
        ({"items": "none"}, False),
        ({"recipient": None}, True),
    ],
)
def test_data_is_tied_to_its_system_and_type(
    tmp_path: Path, change: dict[str, Any], valid: bool
) -> None:
    files = _files(tmp_path, _package(_shipment()))
    data = files["data.json"]
    data["sources"][0]["records"][0]["data"].update(change)
    assert Draft202012Validator(files["schema.json"]).is_valid(data) is valid
    # The same type in another system is bound to its own (free) definition.
    data["sources"][1]["records"][0]["data"].update(change)
    data["sources"][0]["records"] = []
    assert Draft202012Validator(files["schema.json"]).is_valid(data)


def test_run_metrics_are_in_the_manifest_not_in_data_json(files: dict[str, Any]) -> None:
    data, manifest, schema = files["data.json"], files["manifest.json"], files["schema.json"]
    for source in data["sources"]:
        assert not set(RUN_METRICS) & set(source)
    assert not set(RUN_METRICS) & set(schema["$defs"]["SourceResult"]["properties"])
    post = next(s for s in manifest["systems"] if s["system"] == "post")
    assert (post["requests"], post["minimum"], post["critical"], post["seconds"]) == (4, 3, 2, 0.25)
    assert DataPackage.model_validate(data).sources[0].records[0].id == "1"


@pytest.fixture(scope="module")
def real(sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> tuple[DataPackage, dict]:
    tmp = tmp_path_factory.mktemp("sandbox-schema")
    config = Config({**sandbox.env, "PRIVACY_BRIDGE_HOME": str(tmp / "state")})
    result = api.export(sandbox.shop.subject_email, tmp / "out", config)
    with zipfile.ZipFile(result.package) as archive:
        files = {
            n: json.loads(archive.read(n)) for n in ("data.json", "schema.json", "manifest.json")
        }
    return result.data, files


def test_a_real_package_validates_against_its_schema(real: tuple[DataPackage, dict]) -> None:
    package, files = real
    schema, data = files["schema.json"], files["data.json"]
    errors = [
        f"{e.json_path}: {e.message[:120]}" for e in Draft202012Validator(schema).iter_errors(data)
    ]
    assert errors == []
    for source in package.sources:
        views = by_name(source.system).views
        for record in source.records:
            definition = schema["$defs"][definition_name(source.system, record.type)]
            if record.type in views:
                assert definition["properties"], (source.system, record.type)
    text = json.dumps(data)
    assert '"requests"' not in text and '"seconds"' not in text
    assert all(
        {"requests", "seconds", "critical", "minimum"} <= set(s)
        for s in files["manifest.json"]["systems"]
    )
