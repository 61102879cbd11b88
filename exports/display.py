"""A record's values as a person reads them, in Dutch and English: `€ 11,45` and `€11.45`.

`bridge.core.presentation.Field` says what a value is; `exports.values` reads it out of the
record; this module writes it down per language with Babel: amounts in their currency, dates and
times in Europe/Amsterdam, codes as their documented meaning, vendor HTML as plain text, yes/no
in words. A value written the same in both languages (a name, an address) is one string: record
values are never translated. A value that is not what its field says is shown as it is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal

from bridge.core.presentation import Field, Kind, Words
from exports.i18n import catalogue, words
from exports.values import AMSTERDAM, amount, currency, instant, plain_text, value_at

# Babel's locales for the two languages of the documents (Dutch first, as everywhere).
LOCALES = ("nl_NL", "en_GB")
DAY = "d MMM y"
MOMENT = "d MMM y, HH:mm"
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")

# A value on the page: one text (as the record holds it) or one per language.
Shown = Words | str


def pair(nl: str, en: str) -> Shown:
    """One string when both languages write the value alike, else the two."""
    return nl if nl == en else Words(nl, en)


def money(value: Decimal, code: str = "EUR") -> Shown:
    """An amount in its currency: `€ 11,45` in Dutch, `€11.45` in English."""
    nl, en = (format_currency(value, code, locale=locale) for locale in LOCALES)
    return pair(nl, en)


def day(value: date | datetime) -> Shown:
    """A calendar day (of an instant: its day in Amsterdam): `2 nov 2024`."""
    if isinstance(value, datetime):
        value = value.astimezone(AMSTERDAM).date()
    nl, en = (format_date(value, DAY, locale=locale) for locale in LOCALES)
    return pair(nl, en)


def moment(value: datetime) -> Shown:
    """An instant in Amsterdam's time: `2 nov 2024, 10:11`."""
    local = value.astimezone(AMSTERDAM)
    nl, en = (format_datetime(local, MOMENT, tzinfo=AMSTERDAM, locale=loc) for loc in LOCALES)
    return pair(nl, en)


def number(value: Any) -> Shown:
    """A count or quantity, grouped the way each language groups digits."""
    try:
        decimal = Decimal(str(value))
    except ArithmeticError:
        return str(value)
    if not decimal.is_finite():
        return str(value)
    nl, en = (format_decimal(decimal, locale=locale) for locale in LOCALES)
    return pair(nl, en)


def translated(text: str) -> Shown:
    """A text declared in English by a connector (a category such as "order history") in both
    languages when the catalogues know it; otherwise as it is (data, not a fixed text)."""
    found = [catalogue(language).get(text) for language in ("nl", "en")]
    strings = [m.string if m is not None and isinstance(m.string, str) else "" for m in found]
    return pair(strings[0], strings[1]) if all(strings) else text


def is_empty(value: Any) -> bool:
    """Nothing to show: absent, empty text, an empty list or object."""
    return value is None or value == "" or value == [] or value == {}


def scalar(value: Any) -> str:
    """A value with no declared kind as text: lists of scalars joined, objects as compact JSON,
    text that holds HTML tags as the plain text it reads as."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return plain_text(value) if _TAG.search(value) else value
    if isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
        return ", ".join(scalar(v) for v in value if not is_empty(v))
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=str)
    return str(value)


def _boolean(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, str)) and str(value).strip().lower() in ("1", "true", "yes", "y"):
        return True
    if isinstance(value, (int, str)) and str(value).strip().lower() in ("0", "false", "no", "n"):
        return False
    return None


def show(data: Any, field: Field) -> Shown | None:
    """The value of `field` in a record's `data`, as a person reads it; None when empty."""
    value = value_at(data, field.path)
    # Some vendors send `false` for a field that is not set (a birth date, a company name).
    if is_empty(value) or (value is False and field.kind is not Kind.boolean):
        return None
    return show_value(data, value, field)


def show_value(data: Any, value: Any, field: Field) -> Shown:
    """`value` (found in `data`, which may name its currency) as what `field` says it is."""
    kind = field.kind
    if kind in (Kind.money, Kind.cents):
        found = amount(value, field)
        return money(found, currency(data, value, field)) if found is not None else scalar(value)
    if kind in (Kind.date, Kind.datetime):
        when = instant(value, field)
        if when is None:
            return scalar(value)
        return day(when) if kind is Kind.date else moment(when)
    if kind is Kind.code:
        meaning = field.codes.get(str(value))
        return Words(*meaning) if meaning is not None else scalar(value)
    if kind is Kind.html:
        return plain_text(value) if isinstance(value, str) else scalar(value)
    if kind is Kind.number:
        return number(value) if not isinstance(value, (bool, dict, list)) else scalar(value)
    if kind is Kind.boolean:
        truth = _boolean(value)
        if truth is None:
            return scalar(value)
        return words("yes") if truth else words("no")
    return scalar(value)


def span(moments: Iterable[datetime]) -> tuple[datetime, datetime] | None:
    """The first and the last of some instants; None when there are none."""
    ordered = sorted(moments)
    return (ordered[0], ordered[-1]) if ordered else None
