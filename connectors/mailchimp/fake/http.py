"""Responses, problem documents, paging and `fields`/`exclude_fields` for the Mailchimp fake."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from werkzeug.wrappers import Response

JSON = dict[str, Any]

ERRORS_DOC = "https://mailchimp.com/developer/marketing/docs/errors/"
DEFAULT_COUNT = 10
MAX_COUNT = 1000
INVALID_RESOURCE = (
    "The resource submitted could not be validated. For field-specific details, "
    "see the 'errors' array."
)
NOT_FOUND = "The requested resource could not be found."


class Fail(Exception):
    """Raised by a handler: the problem document is the answer."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


def json_response(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json; charset=utf-8")


def no_content() -> Response:
    return Response(status=204)


def problem(
    status: int,
    title: str,
    detail: str,
    errors: Sequence[JSON] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Mailchimp's Problem Detail Document, served as `application/problem+json`."""
    body: JSON = {
        "type": ERRORS_DOC,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": str(uuid.uuid4()),
    }
    if errors:
        body["errors"] = list(errors)
    response = Response(
        json.dumps(body), status=status, content_type="application/problem+json; charset=utf-8"
    )
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def fail(status: int, title: str, detail: str, errors: Sequence[JSON] | None = None) -> Fail:
    return Fail(problem(status, title, detail, errors))


def not_found() -> Fail:
    return fail(404, "Resource Not Found", NOT_FOUND)


def invalid(field: str, message: str) -> Fail:
    return fail(400, "Invalid Resource", INVALID_RESOURCE, [{"field": field, "message": message}])


def paging(args: Mapping[str, str]) -> tuple[int, int]:
    """`count` (default 10, at most 1000) and `offset` (default 0)."""
    count = _integer(args, "count", DEFAULT_COUNT)
    offset = _integer(args, "offset", 0)
    # More than the documented maximum is cut to it (unconfirmed: the docs only state the maximum).
    return min(count, MAX_COUNT), offset


def _integer(args: Mapping[str, str], name: str, default: int) -> int:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise invalid(name, "Schema describes integer, string found instead") from None
    if value < 0:
        raise invalid(name, "Value must be at least 0")
    return value


def csv(args: Mapping[str, str], name: str) -> list[str]:
    """A comma-separated query parameter (the SDK joins lists with commas)."""
    return [part.strip() for part in (args.get(name) or "").split(",") if part.strip()]


def select(body: JSON, args: Mapping[str, str]) -> JSON:
    """Apply `fields` and then `exclude_fields` (dot notation reaches into objects and arrays)."""
    fields = [f.split(".") for f in csv(args, "fields")]
    excluded = [f.split(".") for f in csv(args, "exclude_fields")]
    out: Any = _keep(body, fields) if fields else body
    if excluded:
        out = _drop(out, excluded)
    return dict(out)


def _keep(value: Any, paths: list[list[str]]) -> Any:
    if isinstance(value, list):
        return [_keep(item, paths) for item in value]
    if not isinstance(value, dict):
        return value
    out: JSON = {}
    for key, item in value.items():
        deeper = [p[1:] for p in paths if p[0] == key]
        if not deeper:
            continue
        out[key] = item if any(not p for p in deeper) else _keep(item, [p for p in deeper if p])
    return out


def _drop(value: Any, paths: list[list[str]]) -> Any:
    if isinstance(value, list):
        return [_drop(item, paths) for item in value]
    if not isinstance(value, dict):
        return value
    out: JSON = {}
    for key, item in value.items():
        deeper = [p[1:] for p in paths if p[0] == key]
        if any(not p for p in deeper):
            continue
        out[key] = _drop(item, deeper) if deeper else item
    return out


def link(rel: str, href: str, method: str = "GET") -> JSON:
    """One Resource_Link; the fake leaves out the `targetSchema`/`schema` document URLs."""
    return {"rel": rel, "href": href, "method": method}
