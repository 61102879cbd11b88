"""Mailchimp (Marketing API v3): the person's membership of every audience of the shop's account.

Endpoints: `GET /lists?email=` (the audiences that have the address as a member; `count` ≤ 1000
and `offset`, `total_items`), per audience `GET /lists/{list_id}/members/{subscriber_hash}` (404:
not a member; the filter only narrows, the member read proves it), and for a member found
`GET …/members/{hash}/notes` and `GET …/members/{hash}/activity-feed` (both `count`/`offset`,
`total_items`). The member's tags come with the member. Erasure:
`POST /lists/{list_id}/members/{hash}/actions/delete-permanent` (204; 404 once gone).
Paging: offset, 1000 a page (the documented maximum), ended by `total_items` or a short page.
Rate limits: 10 simultaneous connections per API key (a 429 beyond, retried by the HTTP client);
a connector makes one request at a time.
Auth: HTTP Basic with any user name and the API key; the key ends in its data centre
(`…-us21`: `https://us21.api.mailchimp.com/3.0`), used unless MAILCHIMP_API_URL is set.
Quirks: `subscriber_hash` is the MD5 of the lower-cased address, so an address stored in another
case is the same member; the member's own `email_address` is compared all the same (an answer is
never trusted to be the member asked for). After a permanent delete, Mailchimp refuses to
subscribe the address again through the API: only the person can, through a signup form. Errors
are `application/problem+json` (`title`, `detail`).
The official `mailchimp-marketing` client is not used: it adds a generated wrapper over the same
calls but none of what the HTTP client gives (retries honouring Retry-After, the request budget,
redaction of the key from every message); the sandbox's fake is checked with it unmodified.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any, ClassVar, Self

from bridge.core import kinds
from bridge.core.config import Config, Setting
from bridge.core.connector import Collected, Connector, records_in, require, same_email
from bridge.core.decisions import Capability
from bridge.core.errors import InputError, NotFound, SystemFailure
from bridge.core.http import HttpClient
from bridge.core.http_errors import ErrorShape
from bridge.core.models import Identifier
from bridge.core.paging import Offset
from bridge.core.policy import Policy
from bridge.core.steps import Step
from connectors.mailchimp.views import VIEWS

PAGE = 1000
ERRORS = ErrorShape(code=("title",), message=("detail",), details=("errors.message",))


def subscriber_hash(address: str) -> str:
    """Mailchimp's id of a member in an audience: the MD5 of the lower-cased address."""
    return hashlib.md5(address.strip().lower().encode(), usedforsecurity=False).hexdigest()


class MailchimpConnector(Connector):
    name = "mailchimp"
    title = "Mailchimp (newsletter)"
    role = "processor: newsletter"
    settings = (
        Setting(
            "MAILCHIMP_API_KEY",
            "API key (Mailchimp: Profile > Extras > API keys); it ends in the data centre, -us21.",
            secret=True,
            pattern=r"[0-9a-f]{32}-[a-z]+[0-9]+",
            pattern_help="a Mailchimp API key is 32 hex digits, a dash and the data centre",
        ),
        Setting(
            "MAILCHIMP_API_URL",
            "API root; by default https://<data centre>.api.mailchimp.com/3.0 from the key.",
            required=False,
        ),
    )
    looks_up = frozenset({kinds.EMAIL})
    categories: ClassVar[dict[str, list[str]]] = {
        "audience_member": [
            "newsletter subscription",
            "name",
            "contact details",
            "tags",
            "notes",
            "e-mail activity",
            "IP address",
            "location",
        ],
    }
    views = VIEWS
    page_size = PAGE  # `count`; the contract suite's paging check sets it lower
    notes = (
        "After a permanent delete Mailchimp refuses to subscribe the address again through its "
        "API or an import: only the person can, through one of the shop's signup forms.",
    )

    def __init__(self, url: str, key: str) -> None:
        self.http = HttpClient(
            self.name, url, secrets=(key,), auth=("privacy-bridge", key), errors=ERRORS
        )

    @classmethod
    def from_config(cls, config: Config) -> Self:
        (key,) = require(config, cls.settings[:1], cls.name)
        url = config.get(cls.settings[1])
        if not url:
            centre = key.rpartition("-")[2]
            if not centre.isalnum():
                raise InputError("mailchimp: MAILCHIMP_API_KEY does not end in a data centre")
            url = f"https://{centre}.api.mailchimp.com/3.0"
        return cls(url, key)

    def check(self) -> None:
        self.http.json("GET", "ping")

    def collect(self, identifiers: Sequence[Identifier]) -> Collected:
        # The minimum: per address the pages of its audiences, one member read per audience (a
        # 404 says "not a member"), and the pages of a member's notes and activity.
        found = Collected(minimum=0)
        addresses = [i.value for i in identifiers if i.kind == kinds.EMAIL]
        if not addresses:
            return found
        fields = "lists.id,lists.name,total_items"
        for address in addresses:
            # `email` narrows the audiences to those with the address as a member; the member
            # read below proves it (a 404 where the filter was not applied).
            with found.reading("audiences"):
                query = {"email": address, "fields": fields}
                audiences = self._listing("lists", "lists", query, found=found)
            for audience in audiences:
                with found.reading(f"audience {audience['id']}"):
                    self._member(found, audience, address)
        return found

    def _member(self, found: Collected, audience: dict[str, Any], address: str) -> None:
        path = f"lists/{audience['id']}/members/{subscriber_hash(address)}"
        found.need(1, "the member, by its subscriber hash")
        try:
            member = self.http.json("GET", path)
        except NotFound:
            return
        if not isinstance(member, dict) or not same_email(member.get("email_address"), address):
            return  # not the member asked for: whatever the answer is, it is not the person's
        member = dict(member)
        member["audience_name"] = audience.get("name")
        member["notes"] = self._listing(f"{path}/notes", "notes", found=found)
        member["activity"] = self._listing(
            f"{path}/activity-feed", "activity", ids=False, found=found
        )
        why = f"e-mail address of a member of audience {audience.get('name') or audience['id']}"
        found.add("audience_member", f"{audience['id']}:{member.get('id')}", why, member)

    def _listing(
        self,
        path: str,
        key: str,
        params: dict[str, Any] | None = None,
        *,
        ids: bool = True,
        found: Collected | None = None,
    ) -> list[dict[str, Any]]:
        def fetch(offset: int) -> tuple[list[Any], int | None]:
            if found is not None:
                found.need(1, "a page of a listing")
            query = {**(params or {}), "count": self.page_size, "offset": offset}
            body = self.http.json("GET", path, params=query)
            items = body.get(key) if isinstance(body, dict) else None
            if not isinstance(items, list):
                raise SystemFailure(self.name, f"answered GET {path} in an unexpected shape")
            total = body.get("total_items")
            return items, total if isinstance(total, int) else None

        items = list(Offset(self.page_size).items(fetch, self.name, path))
        if not ids:  # activity events have no id of their own
            if not all(isinstance(i, dict) for i in items):
                raise SystemFailure(self.name, f"answered GET {path} in an unexpected shape")
            return items
        return records_in(items, self.name, key)

    # -- erasure: a member is deleted permanently, with its tags, notes and activity ----------

    capabilities: ClassVar[dict[str, Capability]] = {"audience_member": Capability(delete=True)}
    operations: ClassVar[dict[str, str]] = {"delete": "delete_permanent"}

    def _member_path(self, record_id: str) -> str:
        audience, _, member = record_id.partition(":")
        return f"lists/{audience}/members/{member}"

    def apply(self, step: Step, policy: Policy) -> str:
        path = f"{self._member_path(step.record_id)}/actions/delete-permanent"
        try:
            self.http.request("POST", path)
        except NotFound:
            return "already gone"
        return "deleted permanently (the address cannot be subscribed again through the API)"

    def fetch(self, step: Step) -> dict[str, Any] | None:
        try:
            member = self.http.json("GET", self._member_path(step.record_id))
        except NotFound:
            return None
        return member if isinstance(member, dict) else None
