"""data.json (the package as the models dump it) and schema.json (its JSON Schema)."""

from __future__ import annotations

import json
from typing import Any

from bridge.core.models import DataPackage

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = "urn:privacy-bridge:schema:data-package"
SCHEMA_TITLE = "privacy-bridge data package (data.json)"


def to_json_bytes(value: Any) -> bytes:
    """UTF-8 JSON, indented by 2, non-ASCII kept as is, with a final newline."""
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def data_json(package: DataPackage) -> bytes:
    """The content of data.json: `package.model_dump(mode="json")` as UTF-8 JSON, indented by 2.

    pydantic's own (Rust) serializer writes it: the same JSON as `json.dumps(..., indent=2,
    ensure_ascii=False)` of that dump, non-ASCII kept as is, several times faster.
    """
    return (package.model_dump_json(indent=2) + "\n").encode("utf-8")


def package_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of data.json, generated from the models.

    The serialization schema is used: it describes what `data.json` holds, where every field
    with a default is always present.
    """
    generated = DataPackage.model_json_schema(mode="serialization")
    schema: dict[str, Any] = {"$schema": SCHEMA_DIALECT, "$id": SCHEMA_ID}
    schema.update(generated)
    schema["title"] = SCHEMA_TITLE
    return schema


def schema_json() -> bytes:
    """The content of schema.json."""
    return to_json_bytes(package_schema())
