"""What each record type's `data` holds, as JSON Schema, from the connectors' views.

A view (`bridge.core.presentation.RecordView`) declares the fields a vendor documents and what
each one is; this turns them into a `$defs` entry per system and record type: a dotted path
becomes nested objects, a kind becomes JSON types (an amount in cents an integer, a date a string
with a format, a code a string or integer whose meanings are in its description, not an enum:
vendors add codes), a declared list an array of objects. Every object allows more properties
(`additionalProperties: true`) and every field may be absent, null, or false (how some systems
say "empty"): the view names what is documented, the vendor sends what it has.

`tie` binds each record's `data` to its definition: within a source whose `system` is S, a record
whose `type` is T has data matching `S.T` (`if`/`then`, so a type nobody declared stays free).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from bridge.core.presentation import Field, Kind, RecordView, Words

Schema = dict[str, Any]
Views = Mapping[str, Mapping[str, RecordView]]

NULL = {"type": "null"}
FALSE = {"const": False, "description": "Empty (some systems say false for an empty field)."}
_MONEY_OBJECT: Schema = {
    "type": "object",
    "properties": {
        "value": {"type": ["string", "number"]},
        "currency": {"type": "string", "description": "ISO 4217 currency code."},
    },
    "additionalProperties": True,
}
# The JSON types of each kind (null and false are added to every field: vendors leave fields empty).
KIND_SCHEMA: dict[Kind, Schema] = {
    Kind.text: {"type": ["string", "number"]},  # an id declared as text may come as a number
    Kind.money: {"anyOf": [{"type": "number"}, {"type": "string"}, _MONEY_OBJECT]},
    Kind.cents: {"type": "integer"},
    Kind.date: {"type": "string", "format": "date"},
    Kind.datetime: {"type": "string", "format": "date-time"},
    Kind.code: {"type": ["string", "integer", "boolean"]},
    Kind.html: {"type": "string", "contentMediaType": "text/html"},
    Kind.number: {"type": ["number", "string"]},
    Kind.boolean: {"anyOf": [{"type": "boolean"}, {"enum": [0, 1]}]},  # some vendors say 1/0
    Kind.email: {"type": "string", "format": "email"},
    Kind.url: {"type": "string", "format": "uri"},
}
KIND_WORDS: dict[Kind, str] = {
    Kind.text: "Text (an identifier may come as a number).",
    Kind.money: "An amount in currency units: a number, a decimal string, or an object "
    "{value, currency}.",
    Kind.cents: "An amount in minor units (cents): 695 is 6.95.",
    Kind.date: "A calendar date (ISO 8601).",
    Kind.datetime: "A date and time (ISO 8601).",
    Kind.code: "A code; the documented meanings follow (the vendor may add others).",
    Kind.html: "Text the vendor stores as HTML.",
    Kind.number: "A count or quantity (some systems send it as text).",
    Kind.boolean: "Yes or no: true or false, or 1 or 0.",
    Kind.email: "An e-mail address.",
    Kind.url: "A web address.",
}


def definition_name(system: str, record_type: str) -> str:
    """The key in `$defs` of a system's record type: `data.<system>.<type>`."""
    return f"data.{system}.{record_type}"


def ref(name: str) -> str:
    """A `$ref` to `$defs/<name>`: escaped as a JSON Pointer (RFC 6901) inside a URI fragment."""
    pointer = name.replace("~", "~0").replace("/", "~1")
    return "#/$defs/" + quote(pointer, safe="~.-_!$&'()*+,;=:@")


def _words(label: Words) -> str:
    return label.nl if label.nl == label.en else f"{label.nl} / {label.en}"


def field_schema(found: Field) -> Schema:
    """One field's value: its kind's types or null, described by its labels and its kind."""
    parts = [f"{_words(found.label)}.", KIND_WORDS[found.kind]]
    if found.kind in (Kind.money, Kind.cents):
        parts.append(f"Currency: {found.currency}.")
    if found.kind is Kind.datetime:
        parts.append(f"Without an offset, in {found.naive}.")
    if found.codes:
        parts.append("; ".join(f"{code}: {_words(words)}" for code, words in found.codes.items()))
    base = KIND_SCHEMA[found.kind]
    options = [*base["anyOf"]] if "anyOf" in base else [base]
    empty = [NULL] if found.kind is Kind.boolean else [NULL, FALSE]
    return {"anyOf": [*options, *empty], "description": " ".join(parts)}


def _object() -> Schema:
    return {"type": ["object", "null"], "properties": {}, "additionalProperties": True}


def _place(root: Schema, path: str, leaf: Schema) -> None:
    """Put `leaf` at the dotted `path` under `root`, making the objects on the way."""
    *steps, last = path.split(".")
    node = root
    for step in steps:
        found = node["properties"].get(step)
        if found is None or "properties" not in found:
            # A field declared both as a value and as an object holding others: either may come.
            made = _object()
            node["properties"][step] = {"anyOf": [found, made]} if found else made
            node = made
        else:
            node = found
    if last in node["properties"] and "properties" in node["properties"][last]:
        node["properties"][last] = {"anyOf": [node["properties"][last], leaf]}
    else:
        node["properties"][last] = leaf


def _fields_object(fields: Sequence[Field]) -> Schema:
    root = _object()
    for found in fields:
        _place(root, found.path, field_schema(found))
    return root


def record_data_schema(system: str, record_type: str, view: RecordView | None) -> Schema:
    """The `data` of one system's records of one type, as far as its view documents it."""
    if view is None:
        return {
            "type": "object",
            "additionalProperties": True,
            "description": f"A {record_type} record of {system}; its fields are not documented "
            "here: they are as the system returned them.",
        }
    schema = _fields_object(view.fields)
    schema["type"] = "object"  # a record's data is always an object
    for lines in view.lines:
        items = _fields_object(lines.fields)
        items["type"] = "object"
        array: Schema = {
            "type": ["array", "null"],
            "items": items,
            "description": f"{_words(lines.label)}.",
        }
        _place(schema, lines.path, array)
    schema["title"] = _words(view.label)
    schema["description"] = (
        f"The data of a {record_type} record of {system}: the fields its view documents "
        "(others may be present)."
    )
    if view.internal:
        schema["description"] += " Internal to the system: " + ", ".join(view.internal) + "."
    return schema


def definitions(
    views: Views, present: Iterable[tuple[str, str]] = ()
) -> dict[tuple[str, str], Schema]:
    """(system, type) -> the schema of its data: for each record type a view declares, and each
    one in the data (`present`); to be stored under `definition_name(system, type)`."""
    keys = {(s, t): None for s, types in views.items() for t in types}
    keys.update(dict.fromkeys(present))
    return {
        (system, record_type): record_data_schema(
            system, record_type, views.get(system, {}).get(record_type)
        )
        for system, record_type in keys
    }


def tie(source: Schema, keys: Iterable[tuple[str, str]]) -> None:
    """Bind `data` to its definition in the schema of a source (`$defs.SourceResult`):
    if `system` is S, each record whose `type` is T has the data of `S.T`."""
    per_system: dict[str, list[str]] = {}
    for system, record_type in keys:
        per_system.setdefault(system, []).append(record_type)
    rules = []
    for system, types in per_system.items():
        record_rules = [
            {
                "if": {"properties": {"type": {"const": record_type}}, "required": ["type"]},
                "then": {
                    "properties": {"data": {"$ref": ref(definition_name(system, record_type))}}
                },
            }
            for record_type in types
        ]
        rules.append(
            {
                "if": {"properties": {"system": {"const": system}}, "required": ["system"]},
                "then": {"properties": {"records": {"items": {"allOf": record_rules}}}},
            }
        )
    if rules:
        source["allOf"] = [*source.get("allOf", []), *rules]
