"""The Mailchimp fake's part of hostile mode (`sandbox.hostile`).

- `ignore`: `email` on `GET /lists` (the audiences that have the address as a member): without it
  every audience of the account is answered;
- `respell`: a member's `email_address` lower-cased, as two third-party reports say Mailchimp
  stores it (the fake otherwise keeps the address as it was sent: the docs do not say);
- `missing`: nothing; a side resource of a member (its notes, its activity) is asked for by path.
"""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from connectors.mailchimp.fake.http import problem
from sandbox.plugin import Hostility, Respeller

# Every knob at once (sandbox.hostile.HOSTILE).
HOSTILITY = Hostility(ignore=frozenset({"email"}), respell=True)

RESPELLING = "a member's email_address lower-cased"


def not_found(method: str, path: str) -> Response:
    """Mailchimp's problem+json 404."""
    return problem(404, "Resource Not Found", "The requested resource could not be found.")


def _lower_addresses(status: int, path: str, body: Any) -> Any:
    if isinstance(body, dict):
        listed = body.get("members")
        for member in listed if isinstance(listed, list) else [body]:
            if isinstance(member, dict) and isinstance(member.get("email_address"), str):
                member["email_address"] = member["email_address"].lower()
    return body


def respellers(store: Any) -> list[Respeller]:
    return [_lower_addresses]
