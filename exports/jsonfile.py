"""data.json (the package as the models dump it, without run metrics) and schema.json (its JSON
Schema: the envelope from the models, each record type's `data` from the connectors' views)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from bridge.core.models import DataPackage
from bridge.core.presentation import RecordView
from exports.schema import definition_name, definitions, tie

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = "urn:privacy-bridge:schema:data-package"
SCHEMA_TITLE = "privacy-bridge data package (data.json)"
# How a lookup went in numbers: for the operator (manifest.json), not part of the person's data.
RUN_METRICS = ("requests", "minimum", "critical", "seconds")
_EXCLUDE = {"sources": {"__all__": set(RUN_METRICS)}}


def to_json_bytes(value: Any) -> bytes:
    """UTF-8 JSON, indented by 2, non-ASCII kept as is, with a final newline."""
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def data_json(package: DataPackage) -> bytes:
    """The content of data.json: `package.model_dump(mode="json")` without each source's run
    metrics (`RUN_METRICS`, in manifest.json), as UTF-8 JSON, indented by 2.

    pydantic's own (Rust) serializer writes it: the same JSON as `json.dumps(..., indent=2,
    ensure_ascii=False)` of that dump, non-ASCII kept as is, several times faster.
    """
    return (package.model_dump_json(indent=2, exclude=_EXCLUDE) + "\n").encode("utf-8")


def package_schema(
    views: Mapping[str, Mapping[str, RecordView]] | None = None,
    present: Iterable[tuple[str, str]] = (),
) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of data.json.

    The envelope comes from the models' serialization schema (every field with a default is
    always present), without the run metrics data.json leaves out. Each record type a view
    declares, and each (system, type) in `present`, gets a `$defs` entry `data.<system>.<type>`
    (`exports.schema`), and a record's `data` is tied to it by its source's system and its type.
    """
    generated = DataPackage.model_json_schema(mode="serialization")
    source = generated["$defs"]["SourceResult"]
    for name in RUN_METRICS:
        source["properties"].pop(name, None)
    source["required"] = [n for n in source.get("required", []) if n not in RUN_METRICS]
    data = definitions(views or {}, present)
    generated["$defs"].update({definition_name(*key): schema for key, schema in data.items()})
    tie(source, data)
    schema: dict[str, Any] = {"$schema": SCHEMA_DIALECT, "$id": SCHEMA_ID}
    schema.update(generated)
    schema["title"] = SCHEMA_TITLE
    return schema


def schema_json(
    views: Mapping[str, Mapping[str, RecordView]] | None = None,
    present: Iterable[tuple[str, str]] = (),
) -> bytes:
    """The content of schema.json."""
    return to_json_bytes(package_schema(views, present))
