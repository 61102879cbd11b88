"""Shapes the Lightspeed eCom seed and fake share: resource links, timestamps, countries, language.

Resource links are stored the way the API prints them, on the real EU host (`LS_HOST`); the fake
rewrites that host to its own base URL when it answers (as the WooCommerce fake does with the
site URL). A link is `{"resource": {"id": <id or false>, "url": "orders?customer=12",
"link": "<host>/nl/orders.json?customer=12"}}` (vendor-apis.md §2, jessegall fixtures).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

JSON = dict[str, Any]

LS_HOST = "https://api.webshopapp.com"
LANGUAGE = "nl"
LANGUAGE_NL: JSON = {"id": 1, "code": "nl", "locale": "nl_NL", "title": "Nederlands"}
COUNTRIES: dict[str, JSON] = {
    "nl": {"id": 150, "code": "nl", "code3": "nld", "title": "Nederland"},
    "be": {"id": 21, "code": "be", "code3": "bel", "title": "België"},
    "de": {"id": 81, "code": "de", "code3": "deu", "title": "Duitsland"},
}


def ref(url: str, ident: int | bool = False, language: str = LANGUAGE) -> JSON:
    """A resource link: `url` like "customers/12" or "orders?customer=12"."""
    path, _, query = url.partition("?")
    link = f"{LS_HOST}/{language}/{path}.json" + (f"?{query}" if query else "")
    return {"resource": {"id": ident, "url": url, "link": link}}


def ref_id(value: Any) -> int | None:
    """The id a stored link points at (None for `false` or a collection link)."""
    if isinstance(value, dict):
        ident = value.get("resource", {}).get("id")
        if isinstance(ident, int) and not isinstance(ident, bool):
            return ident
    return None


def stamp(moment: datetime) -> str:
    """The API's timestamp: UTC with an explicit offset, `2019-08-21T17:15:00+00:00`."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def parse_stamp(value: str) -> datetime:
    return datetime.fromisoformat(value)
