"""How the WooCommerce seed writes values the wc/v3 way: site-time dates with their `_gmt`
twins, money, Gravatar URLs, and the ASCII forms of names (e-mail local parts, usernames, slugs).
"""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sandbox.data import JSON

TZ = ZoneInfo("Europe/Amsterdam")


def fmt(dt: datetime | None) -> str | None:
    """`2024-05-01T10:11:12` (whole seconds), or None."""
    return dt.replace(microsecond=0).isoformat() if dt else None


def dates(prefix: str, dt: datetime | None) -> JSON:
    """`prefix` in site time and `prefix_gmt` in GMT, from the site time `dt`."""
    gmt = dt.replace(tzinfo=TZ).astimezone(UTC).replace(tzinfo=None) if dt else None
    return {prefix: fmt(dt), f"{prefix}_gmt": fmt(gmt)}


def money(cents: int) -> str:
    return f"{cents / 100:.2f}"


def avatar(email: str, size: int = 96) -> str:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return f"https://secure.gravatar.com/avatar/{digest}?s={size}&d=mm&r=g"


def ascii_word(text: str) -> str:
    """`text` lower-cased, accents folded away, letters and digits only (`Jan de Vries`:
    `jandevries`)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "".join(c for c in plain if c.isalnum())


def slugify(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join("".join(c if c.isalnum() else " " for c in plain).split())
