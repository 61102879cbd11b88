"""PayPal's error body and the small HTTP/date helpers the PayPal fakes share."""

from __future__ import annotations

import json
import re
import secrets
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from werkzeug.wrappers import Request, Response

JSON = dict[str, Any]

MESSAGES = {
    "INVALID_REQUEST": "Request is not well-formed, syntactically incorrect, or violates schema.",
    "AUTHENTICATION_FAILURE": "Authentication failed due to missing authorization header, or "
    "invalid authentication credentials.",
    "RESOURCE_NOT_FOUND": "The specified resource does not exist.",
    "RESULTSET_TOO_LARGE": "Result set size is greater than the maximum limit. Change the filter "
    "criteria and try again.",
    "RATE_LIMIT_REACHED": "Too many requests. Blocked due to rate limiting.",
    "INTERNAL_SERVICE_ERROR": "An internal service error has occurred.",
}
STATUS = {"INVALID_REQUEST": 400, "AUTHENTICATION_FAILURE": 401, "RESOURCE_NOT_FOUND": 404}
STATUS |= {"RESULTSET_TOO_LARGE": 400, "RATE_LIMIT_REACHED": 429, "INTERNAL_SERVICE_ERROR": 500}
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})$")


def error_body(name: str, details: list[JSON] | None = None, **extra: Any) -> JSON:
    """PayPal's error body for `name` (e.g. "RATE_LIMIT_REACHED"), with a fresh debug_id."""
    body: JSON = {
        "name": name,
        "message": MESSAGES.get(name, name.replace("_", " ").capitalize() + "."),
        "debug_id": secrets.token_hex(7)[:13],
    }
    if details:
        body["details"] = details
    body.update(extra)
    body["links"] = [
        {
            "href": "https://developer.paypal.com/docs/api/reference/api-responses/#"
            + name.lower(),
            "rel": "information_link",
            "method": "GET",
        }
    ]
    return body


def json_response(body: JSON, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


def error_response(name: str, details: list[JSON] | None = None, **extra: Any) -> Response:
    return json_response(error_body(name, details, **extra), STATUS.get(name, 400))


def detail(field: str, value: str | None, issue: str, description: str | None = None) -> JSON:
    """One `details[]` entry about a query parameter."""
    out: JSON = {"field": field, "location": "query", "issue": issue}
    if value is not None:
        out["value"] = value
    if description:
        out["description"] = description
    return out


def fmt_time(moment: datetime) -> str:
    """PayPal date_time: RFC 3339 with seconds, in UTC."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def parse_time(text: str) -> datetime | None:
    """RFC 3339 with seconds and an offset (PayPal also takes `-0700`); None if malformed."""
    if not _RFC3339.match(text):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("t", "T").replace("z", "Z"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


class Invalid(Exception):
    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


def invalid(*details: JSON, name: str = "INVALID_REQUEST", **extra: Any) -> Invalid:
    return Invalid(error_response(name, list(details), **extra))


def page_links(base: str, request: Request, page: int, total_pages: int, method: str) -> list[JSON]:
    """HATEOAS paging links (self, first, prev, next, last) on the request's own URL."""
    rest = [(k, v) for k, v in request.args.items(multi=True) if k != "page"]

    def link(rel: str, number: int) -> JSON:
        query = urlencode([*rest, ("page", str(number))])
        return {"href": f"{base}{request.path}?{query}", "rel": rel, "method": method}

    links = [link("self", page)]
    if total_pages:
        links.append(link("first", 1))
    if page > 1 and total_pages:
        links.append(link("prev", min(page - 1, total_pages)))
    if page < total_pages:
        links.append(link("next", page + 1))
    if total_pages:
        links.append(link("last", total_pages))
    return links
