"""The Mollie fake's part of hostile mode (`sandbox.hostile`): the 404 it answers for a resource
it does not serve. No field it serves is UNCONFIRMED (Mollie's own OpenAPI), so nothing is
respelled.
"""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from connectors.mollie.fake import hal as mollie_hal
from sandbox.plugin import Hostility, Respeller

# Every knob at once (sandbox.hostile.HOSTILE).
HOSTILITY = Hostility(
    # No query filter narrows to a person: the fake's lists take only `from`, `limit`,
    # `sort` (and `embed`); a person's records are reached by path (customers/{id}/...),
    # which is no filter to ignore. No field of it is UNCONFIRMED (Mollie's own OpenAPI).
)

RESPELLING = ""


def not_found(method: str, path: str) -> Response:
    """Mollie's HAL problem 404."""
    return mollie_hal.error_response(404, "Not Found", "The requested URL was not found.")


def respellers(store: Any) -> list[Respeller]:
    return []
