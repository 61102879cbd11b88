"""The MyParcel fake's part of hostile mode (`sandbox.hostile`): the 404 it answers for a
resource it does not serve, and its error bodies in the other documented shape.
"""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from connectors.myparcel.fake import query as mp_query
from sandbox.plugin import Hostility, Respeller

# Every knob at once (sandbox.hostile.HOSTILE).
HOSTILITY = Hostility(
    ignore=frozenset({"q", "reference_identifier"}),
    # Not ignored: `status` and `dropoff_today` are states over everybody; `from`/`to` a
    # creation-date window; `page`, `size`, `sort`, `order` paging. Ids in the path
    # (/shipments/{id;id}) are no filter.
    respell=True,
)

RESPELLING = 'error bodies as {"errors": [{"code", "message", "human"}], "message"}'


def not_found(method: str, path: str) -> Response:
    """MyParcel's `Invalid route` error (code 3105)."""
    route = "/" + path.strip("/")
    return mp_query.error_response(404, 3105, "Invalid route", f"No route for {method} {route}")


def _errors(status: int, path: str, body: Any) -> Any:
    # vendor-apis.md §5: "Body example (delivery options):
    # `{"errors":[{"code":9,"message":"Example","human":"Example"}]}` → likely shape
    # `{"errors":[{"code":…,"message":…}], "message": …}` (exact top-level shape for shipments
    # UNCONFIRMED)." The fake answers the SDK's `CommonResponsesUserError`; respelled: errors in
    # the documented example's shape plus the top-level `message`.
    if status < 400 or not isinstance(body, dict) or not isinstance(body.get("errors"), list):
        return body
    errors = []
    for error in body["errors"]:
        text = error.get("message") or error.get("title") or ""
        code = {"code": error["code"]} if "code" in error else {}
        errors.append({**code, "message": text, "human": text})
    return {"errors": errors, "message": body.get("message", "")}


def respellers(store: Any) -> list[Respeller]:
    """What `respell=True` changes: the error bodies (`RESPELLING`)."""
    return [_errors]
