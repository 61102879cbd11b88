"""A record's values as what they are: amounts as Decimals, instants in Amsterdam, HTML as text.

`bridge.core.presentation.Field` says what a value is; these read it out of a record's data
whatever the vendor's spelling (an amount as "11.45", 11.45 or {"value": "11.45", "currency":
"EUR"}; an instant with or without an offset). A value that is not what its field says is
returned as None by the readers, and the caller shows it as it is: nothing is guessed.
"""

from __future__ import annotations

import html
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from bridge.core.presentation import Field, Kind

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
_TAG = re.compile(r"<[^>]*>")
_BREAK = re.compile(r"<\s*(br|/p|/div|/li|/h[1-6])\s*/?\s*>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v]+")
_CODE = re.compile(r"[A-Z]{3}")


def value_at(data: Any, path: str) -> Any:
    """The value at a dotted path (`billing.first_name`), None where any step is missing."""
    for step in path.split("."):
        if not isinstance(data, dict) or step not in data:
            return None
        data = data[step]
    return data


def amount(value: Any, field: Field) -> Decimal | None:
    """An amount in currency units: cents divided by 100; None when it is no number."""
    if isinstance(value, dict):  # {"value": "11.45", "currency": "EUR"}, as payment APIs give it
        value = value.get("value")
    if isinstance(value, bool) or value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    return number / 100 if field.kind is Kind.cents else number


def currency(data: Any, value: Any, field: Field) -> str:
    """The ISO 4217 code of an amount: beside the value, at the path `field.currency`, or, where
    that is itself a code (three capitals), that code."""
    if isinstance(value, dict) and isinstance(value.get("currency"), str):
        return str(value["currency"])
    if _CODE.fullmatch(field.currency):
        return field.currency
    named = value_at(data, field.currency)
    return named if isinstance(named, str) and _CODE.fullmatch(named) else "EUR"


def instant(value: Any, field: Field) -> datetime | None:
    """An instant in Europe/Amsterdam (a date at midnight there); None when it is no date."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00").replace(" ", "T", 1)
    if len(text) == 10:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            return None
        return datetime(day.year, day.month, day.day, tzinfo=AMSTERDAM)
    text = re.sub(
        r"([+-]\d\d)(\d\d)$", r"\1:\2", text
    )  # +0000 (an offset without a colon) -> +00:00
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(field.naive))
    return moment.astimezone(AMSTERDAM)


def plain_text(value: str) -> str:
    """Vendor HTML as the text a person reads: tags dropped, entities decoded, lines kept."""
    text = _TAG.sub("", _BREAK.sub("\n", value))
    lines = (_SPACES.sub(" ", line).strip() for line in html.unescape(text).splitlines())
    return "\n".join(line for line in lines if line)
