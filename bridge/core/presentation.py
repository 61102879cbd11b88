"""How a system's records read to a person: labels in Dutch and English, and what each value is.

A connector declares, per record type it returns, a `RecordView` (`Connector.views`): the fields a
customer should see, each with its label in both languages and its kind (an amount in euros or
in cents, a date, a code with its meaning, vendor HTML to be shown as plain text), the lists
inside a record to be shown as rows of their own (an order's lines), and the date and amount
that place the record on a timeline. The documents (`exports`) lay records out from these
declarations and name no system themselves; a record type without one is still shown, field by
field, under its own names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple


class Words(NamedTuple):
    """One text in Dutch and in English."""

    nl: str
    en: str


class Kind(StrEnum):
    """What a field's value is, so that it can be shown the way a person reads it."""

    text = "text"
    money = "money"  # an amount in currency units: "11.45", 11.45 or {"value": "11.45", ...}
    cents = "cents"  # an amount in minor units (cents): 695 is € 6,95
    date = "date"  # a calendar date: "2026-01-31"
    datetime = "datetime"  # an instant: ISO 8601 with or without offset (then `naive`)
    code = "code"  # a value with a documented meaning: see `Field.codes`
    html = "html"  # text that the vendor stores as HTML: shown as plain text
    number = "number"  # a count or quantity
    boolean = "boolean"  # yes / no
    email = "email"
    url = "url"


@dataclass(frozen=True)
class Field:
    """One field of a record as a person sees it.

    `path` is dotted into the record's data (`billing.first_name`, `amount.value`); `currency`
    (for money and cents) is the dotted path of the field naming the currency, or an ISO 4217
    code when the vendor documents a fixed one; `naive` (for datetime) is the time zone a value
    without an offset is in (a shop platform may give `date_created` in the shop's local time, its
    `date_created_gmt` UTC); `codes` gives each documented value its meaning.
    """

    path: str
    label: Words
    kind: Kind = Kind.text
    currency: str = "EUR"
    naive: str = "UTC"
    codes: Mapping[str, Words] = field(default_factory=dict)


@dataclass(frozen=True)
class Lines:
    """A list inside a record shown as rows of its own: an order's products, a payment's refunds."""

    path: str  # dotted path of the list in the record's data
    label: Words
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class RecordView:
    """How the records of one type read: its name, its fields, its lists, its place in time.

    `title` is the path of the field that names one record to a person (an order's number);
    `when` and `amount` the paths of the fields (among `fields`) that place it on the timeline;
    `internal` the paths (or dotted prefixes) that mean nothing to a person (an order's
    `cart_hash`, the vendor's `_links`): kept in data.json, left out of the page and the workbook.
    """

    label: Words
    fields: tuple[Field, ...]
    title: str | None = None
    lines: tuple[Lines, ...] = ()
    when: str | None = None
    amount: str | None = None
    internal: tuple[str, ...] = ()
