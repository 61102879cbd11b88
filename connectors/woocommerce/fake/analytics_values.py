"""How WooCommerce Analytics' MySQL tables and PHP code see the values the WooCommerce fake stores
(`connectors.woocommerce.fake.analytics`): dates as the tables hold and the REST API shows
them, PHP's `empty()`, the `utf8mb4_unicode_520_ci` collation, numeric strings.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from connectors.woocommerce.fake.rest import fold
from connectors.woocommerce.fake.routes import TZ
from sandbox.data import JSON


def sql_date(iso: str | None) -> str | None:
    """A stored ISO date as MySQL writes it."""
    return iso.replace("T", " ") if iso else None


def shifted(sql: str | None) -> str | None:
    """`wc_rest_prepare_date_response($date, false)`: the stored value read as UTC, in site time."""
    if not sql:
        return None
    when = datetime.fromisoformat(sql).replace(tzinfo=UTC).astimezone(TZ)
    return when.strftime("%Y-%m-%dT%H:%M:%S")


def plain(sql: str | None) -> str | None:
    """`wc_rest_prepare_date_response($date)`: the stored value as it is."""
    return sql.replace(" ", "T") if sql else None


def wc_version(order: JSON) -> tuple[int, ...]:
    """The WooCommerce version an order was made with, as numbers (no version: newest)."""
    return tuple(int(p) for p in re.findall(r"\d+", str(order.get("version") or "99")))


def php_empty(value: Any) -> bool:
    """PHP's `empty()`."""
    return value in (None, "", "0", 0, [], False)


def pad(text: Any) -> str:
    """The collation's form, trailing spaces ignored (PAD SPACE)."""
    return fold(text).rstrip(" ")


def mysql_number(text: str) -> float:
    """What MySQL makes of a string compared with a number: its numeric prefix, else 0."""
    match = re.match(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", text)
    return float(match.group(0)) if match else 0.0
