"""Validate a fake's responses against the vendor's own OpenAPI document.

`validate_response(spec, method, path_template, status, body)` looks up the operation's documented
response for `status` (falling back to `default`), takes its JSON schema and validates `body`
against it with every `$ref` resolved inside the same document. OpenAPI 3.1 schemas are JSON Schema
2020-12; the 3.0 documents used here (PayPal) only use keywords that mean the same in 2020-12.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jsonschema
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPECS_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "specs"
_SPEC_URI = "urn:openapi-spec"
_JSON_TYPES = ("application/hal+json", "application/json")


class _NoTimestampLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """SafeLoader without the implicit timestamp resolver (Mollie's spec has `2024-04-31` in it)."""


_NoTimestampLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@cache
def load_spec(relative: str) -> dict[str, Any]:
    """Load `shared/specs/<relative>` (YAML or JSON); cached per path."""
    path = SPECS_DIR / relative
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yaml", ".yml"):
        loaded = yaml.load(text, Loader=_NoTimestampLoader)
    else:
        loaded = json.loads(text)
    if not isinstance(loaded, dict):
        raise ValueError(f"{path} is not an OpenAPI document")
    return loaded


# id(spec) -> (spec, registry); holding the spec keeps its id from being reused.
_REGISTRIES: dict[int, tuple[dict[str, Any], Registry[Any]]] = {}


def _registry(spec: dict[str, Any]) -> Registry[Any]:
    cached = _REGISTRIES.get(id(spec))
    if cached is None or cached[0] is not spec:
        resource = Resource.from_contents(spec, default_specification=DRAFT202012)
        cached = (spec, Registry().with_resource(_SPEC_URI, resource))
        _REGISTRIES[id(spec)] = cached
    return cached[1]


def _pointer(*parts: str) -> str:
    escaped = (p.replace("~", "~0").replace("/", "~1") for p in parts)
    return "/" + "/".join(quote(p, safe="") for p in escaped)


def _follow(spec: dict[str, Any], node: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """Follow a response-level `$ref` (components/responses/...); return the node and its ref."""
    ref = None
    while "$ref" in node:
        ref = node["$ref"]
        target: Any = spec
        for part in ref.removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node, ref


def response_schema_pointer(
    spec: dict[str, Any], method: str, path_template: str, status: int
) -> str:
    """The JSON pointer (inside `spec`) of the documented response schema for this status."""
    operation = spec["paths"][path_template][method.lower()]
    responses = operation["responses"]
    key = str(status) if str(status) in responses else f"{str(status)[0]}XX"
    if key not in responses:
        key = "default"
    if key not in responses:
        raise AssertionError(
            f"{method.upper()} {path_template}: status {status} is not documented "
            f"(documented: {sorted(responses)})"
        )
    response, ref = _follow(spec, responses[key])
    content = response.get("content") or {}
    media = next((m for m in _JSON_TYPES if m in content), None)
    if media is None:
        raise AssertionError(f"{method.upper()} {path_template} {key}: no JSON content documented")
    base = (
        ref.removeprefix("#")
        if ref
        else _pointer("paths", path_template, method.lower(), "responses", key)
    )
    return base + _pointer("content", media, "schema")


def validate_schema(spec: dict[str, Any], pointer: str, body: Any) -> None:
    """Validate `body` against the schema at JSON pointer `pointer` in `spec`."""
    validator = jsonschema.Draft202012Validator(
        {"$ref": f"{_SPEC_URI}#{pointer}"}, registry=_registry(spec)
    )
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    if errors:
        lines = [f"- at {list(e.absolute_path)}: {e.message[:300]}" for e in errors[:10]]
        raise AssertionError(f"response does not match {pointer}:\n" + "\n".join(lines))


def validate_response(
    spec: dict[str, Any], method: str, path_template: str, status: int, body: Any
) -> None:
    """Assert that `body` matches the documented response of this operation for `status`."""
    if status == 204:
        operation = spec["paths"][path_template][method.lower()]
        assert "204" in operation["responses"], f"{method} {path_template}: 204 not documented"
        assert body in (None, b"", ""), "a 204 response must have no body"
        return
    validate_schema(spec, response_schema_pointer(spec, method, path_template, status), body)
