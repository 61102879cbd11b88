"""WordPress REST API conventions used by the WooCommerce fake (`connectors/woocommerce/fake/app.py`).

Follows the WordPress core behaviour that the wc/v3 endpoints inherit (WP 6.8):
- query strings are read the way PHP fills `$_GET`: a repeated key keeps its first position and its
  last value; `key[]=a&key[]=b` becomes an array;
- collection parameters are validated against their JSON-schema-like definitions before the
  permission check runs, and all failures are reported together as 400 `rest_invalid_param` with
  `data.params` and `data.details` (messages as in `rest_validate_value_from_schema()`);
- array parameters accept `a,b` and `a[]=..` (`wp_parse_list()`);
- e-mail validation is `is_email()`; text comparisons fold case and accents like MySQL's
  `utf8mb4_unicode_520_ci` collation.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, quote

JSON = dict[str, Any]
PhpParams = dict[str, "str | dict[str, str]"]


class RestError(Exception):
    """A `WP_Error` turned into a REST response: `{"code", "message", "data": {"status", ...}}`."""

    def __init__(self, code: str, message: str, status: int, **data: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.data = data

    def body(self) -> JSON:
        return {
            "code": self.code,
            "message": self.message,
            "data": {"status": self.status, **self.data},
        }


def not_found_route() -> RestError:
    return RestError(
        "rest_no_route", "No route was found matching the URL and request method.", 404
    )


def php_query(query_string: str) -> PhpParams:
    """Parse a query string the way PHP fills `$_GET` (last value wins, `k[]`/`k[x]` arrays)."""
    out: PhpParams = {}
    for key, value in parse_qsl(query_string, keep_blank_values=True):
        match = re.fullmatch(r"([^\[\]]+)\[([^\[\]]*)\]", key)
        if match is None:
            out[key] = value
            continue
        base, sub = match.groups()
        arr = out.get(base)
        if not isinstance(arr, dict):
            arr = {}
            out[base] = arr
        if sub == "":
            ints = [int(k) for k in arr if k.isdigit()]
            sub = str(max(ints) + 1 if ints else 0)
        arr[sub] = value
    return out


def is_email(value: Any) -> bool:
    """WordPress `is_email()`."""
    if not isinstance(value, str) or len(value) < 6 or value.find("@", 1) == -1:
        return False
    local, domain = value.split("@", 1)
    if not re.fullmatch(r"[a-zA-Z0-9!#$%&'*+/=?^_`{|}~.-]+", local):
        return False
    if ".." in domain or domain.strip(" \t\n\r\0\x0b.") != domain:
        return False
    subs = domain.split(".")
    if len(subs) < 2:
        return False
    return all(
        sub.strip(" \t\n\r\0\x0b-") == sub and re.fullmatch(r"[a-zA-Z0-9-]+", sub) for sub in subs
    )


def fold(text: Any) -> str:
    """Case- and accent-insensitive form, as MySQL's `_ci` collations compare."""
    text = str(text)
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def contains(haystack: Any, needle: str) -> bool:
    """`haystack LIKE '%needle%'` under a `_ci` collation."""
    return fold(needle) in fold(haystack)


_DATE_RE = re.compile(
    r"(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}(?::?\d{2})?)?"
)


def parse_date(value: str) -> tuple[datetime, str | None] | None:
    """`rest_parse_date()`: the naive date-time and its offset suffix, or None when invalid."""
    match = _DATE_RE.fullmatch(value.strip())
    if match is None:
        return None
    try:
        naive = datetime.fromisoformat(f"{match.group(1)}T{match.group(2)}")
    except ValueError:
        return None
    return naive, match.group(3)


@dataclass(frozen=True)
class Param:
    """One registered argument: `int`, `bool`, `str`, `email`, `enum`, `date`, `ints`, `enums`."""

    kind: str
    default: Any = None
    minimum: int | None = None
    maximum: int | None = None
    enum: tuple[str, ...] = ()


PAGE = Param("int", 1, minimum=1)
PER_PAGE = Param("int", 10, minimum=1, maximum=100)
CONTEXT = Param("enum", "view", enum=("view", "edit"))
FORCE = Param("bool", False)


def _is_int(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    if isinstance(value, float):
        return value.is_integer()
    if isinstance(value, str):
        try:
            return float(value.strip()).is_integer() and value.strip() != ""
        except ValueError:
            return False
    return False


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return [v for v in re.split(r"[\s,]+", value) if v != ""]
    return [value]


def _check(name: str, value: Any, spec: Param) -> tuple[Any, tuple[str, str] | None]:
    """Validate and sanitize one value; returns (value, (error code, message) or None)."""
    kind = spec.kind
    if kind in ("ints", "enums"):
        items: list[Any] = []
        for i, item in enumerate(_as_list(value)):
            one, err = _check(f"{name}[{i}]", item, Param(kind[:-1], enum=spec.enum))
            if err:
                return None, err
            items.append(one)
        return items, None
    if kind == "int":
        if not _is_int(value):
            return None, ("rest_invalid_type", f"{name} is not of type integer.")
        number = int(float(value))
        low, high = spec.minimum, spec.maximum
        if low is not None and high is not None and not low <= number <= high:
            msg = f"{name} must be between {low} (inclusive) and {high} (inclusive)"
            return None, ("rest_out_of_bounds", msg)
        if low is not None and number < low:
            return None, ("rest_out_of_bounds", f"{name} must be greater than or equal to {low}")
        return number, None
    if kind == "bool":
        text = str(value).lower()
        if text in ("true", "1"):
            return True, None
        if text in ("false", "0"):
            return False, None
        return None, ("rest_invalid_type", f"{name} is not of type boolean.")
    if not isinstance(value, str):
        return None, ("rest_invalid_type", f"{name} is not of type string.")
    if kind == "email" and not is_email(value):
        return None, ("rest_invalid_email", "Invalid email address.")
    if kind == "enum" and value not in spec.enum:
        return None, ("rest_not_in_enum", f"{name} is not one of {', '.join(spec.enum)}.")
    if kind == "date" and parse_date(value) is None:
        return None, ("rest_invalid_date", "Invalid date.")
    return value, None


def validate(source: Mapping[str, Any], specs: Mapping[str, Param]) -> dict[str, Any]:
    """Validate the registered arguments present in `source` and fill in defaults.

    Raises the 400 `rest_invalid_param` error WordPress gives, naming every invalid argument.
    """
    values: dict[str, Any] = {}
    params: dict[str, str] = {}
    details: dict[str, JSON] = {}
    for name, spec in specs.items():
        if name not in source:
            values[name] = spec.default
            continue
        value, err = _check(name, source[name], spec)
        if err:
            params[name] = err[1]
            details[name] = {"code": err[0], "message": err[1], "data": None}
        else:
            values[name] = value
    if params:
        raise RestError(
            "rest_invalid_param",
            f"Invalid parameter(s): {', '.join(params)}",
            400,
            params=params,
            details=details,
        )
    return values


def link_headers(
    collection_url: str, query: Mapping[str, Any], page: int, total_pages: int
) -> list[str]:
    """`Link` headers with rel prev/next, as `WC_REST_CRUD_Controller::get_items()` builds them.

    The links keep every query argument of the request (also the `oauth_*` ones), with `page`
    replaced (`add_query_arg()`); `prev` never points past the last page.
    """

    def url_for(target: int) -> str:
        args = dict(query)
        args["page"] = str(target)
        pairs: list[str] = []
        for key, value in args.items():
            if isinstance(value, dict):
                pairs += [
                    f"{quote(key)}%5B{quote(k)}%5D={quote(v, safe='')}" for k, v in value.items()
                ]
            else:
                pairs.append(f"{quote(key)}={quote(str(value), safe='')}")
        return f"{collection_url}?{'&'.join(pairs)}"

    links: list[str] = []
    if page > 1:
        links.append(f'<{url_for(min(page - 1, total_pages))}>; rel="prev"')
    if total_pages > page:
        links.append(f'<{url_for(page + 1)}>; rel="next"')
    return links
