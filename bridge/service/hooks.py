"""Lightspeed eCom's webhooks at `POST /v1/hooks/lightspeed`: the index kept fresh between syncs.

What Lightspeed sends (C-Series, the "webshopapp" API; its developer pages are not in our corpora,
so these are from the sources below, rated as in shared/reference/vendor-apis.md):

- **The subscription** is the `webhooks` resource: `isActive`, `itemGroup` (customers, orders,
  invoices, shipments, products, variants, quotes, reviews, returns, tickets, subscriptions,
  contacts), `itemAction` (`*`, created, updated, deleted), `language`, `format` (json or xml) and
  `address`, the URL called (SECONDARY: `Falkplan/lightspeedecom-api@00ea619296c6e393105548706facabec53d8d103:
  lightspeedecom-api/src/main/java/com/lightspeedhq/ecom/domain/Webhook.java`, which cites
  developers.seoshop.com/api/resources/webhook; `NickTacke/lightspeed-client@2a9c18da81b0dc1e93e0a9afce23bf7158d5d3c6:
  src/resources/store/webhook.ts`, live-validated: the same fields).
- **The call** is a POST of the record wrapped in its singular name (`{"customer": {...}}`, as the
  API answers `GET customers/{id}.json`), with headers `X-Event: customers/updated` (item group
  `/` item action), `X-Format`, `X-Language`, `X-Shop-Id`, `X-Cluster-Id` (SECONDARY: Falkplan
  `LightspeedEComClient.java` `HEADER_EVENT` … and `WebhookEventHandler.java@becb6f7a4d3022aa172dd8e244cd7155c30bd024`,
  which reads the group and action from `X-Event` and unwraps the body's root).
- **The signature** is `X-Signature`: the hex MD5 of the raw body followed by the secret,
  `md5(payload . secret)`. SECONDARY, from Lightspeed's own forum, not from an official page in
  our corpora: community.lightspeedhq.com/en/discussion/comment/3614 quotes the documentation
  ("The header "X-Signature" should be available and is a md5 hash of the incoming payload .
  app_secret") and a Lightspeed staff member (James Ratcliffe) answers that it is computed over
  the raw body (`$request->getBody()`), not the parsed input; in
  community.lightspeedhq.com/en/discussion/4574/webhook-signature-verification a developer's
  working check is `md5(rawBody + secret)` compared with `x-signature`. Which secret: the secret
  of the API key the webhook was made with (an app's webhooks: the app's secret, per the same
  threads); we use LIGHTSPEED_API_SECRET, the key the connector reads with, which is the one the
  recipe in the README registers the webhooks with.

Safe whichever way that turns out: anything that does not verify is refused (401, compared in
constant time), so a scheme other than the one above leaves every hook refused and the index as
fresh as the scheduled sync, never open. And a verified hook is trusted for its record id only:
the record is read again from Lightspeed by id through the connector, its own `id` must be the
one hooked, and its entry is made by the sync's own stream (`connectors.lightspeed.connector.SYNC`,
`Stream.entry`) and written by the sync's own function (`bridge.index.records.put` ->
`bridge.index.entries.write`): nothing the sync would not store, whatever the body says. Lightspeed
answering 404 for it means it is gone: its entry is removed (so a `deleted` hook removes the entry
once the record is really gone, and a replayed one for a record that exists again changes nothing).
MD5 over body-then-secret is weaker than an HMAC, but it is what Lightspeed sends, and the body's
content is never believed anyway.

Lightspeed signs no timestamp, so a captured hook could be replayed at will: each costs a request
of the shop's API budget (300 per 5 minutes). So a body already processed is answered 202 without
reading anything (`seen`, the last `SEEN` digests in memory; a restart forgets them, and one more
re-read is harmless). A hook that failed (Lightspeed unreachable: 503) is not remembered, so
its retry is processed.

Answers, one line each: 200 indexed or removed; 202 ignored (an item group the index does not keep,
a replay); 400 malformed (not JSON, no customer or order, no id, `X-Event` naming another group
than the body); 401 bad or missing signature; 404 no Lightspeed shop configured here; 503 Lightspeed
could not be read (the next sync catches up). No bearer token: Lightspeed cannot send one; the
signature is the credential. Callers that fail it are rate-limited by address like callers without
a valid token. Bodies are bounded as on every route (`bridge.service.middleware.Bounded`).

Every hook is one audit event `lightspeed_hook` (actor `hook:lightspeed`) without personal data:
system, item group, item action, record id, verified yes/no, outcome, HTTP status
(`system`, `item_group`, `item_action`, `record`, `verified`, `outcome`, `http_status`). Of a hook that
did not verify, the group and action only as one of Lightspeed's known names (else `unknown`) and
no record id: its body is not read.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import FastAPI, Header, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from bridge.core.connector import SHAPE_ERRORS
from bridge.core.errors import BridgeError, NotFound, SystemFailure
from bridge.index import records
from bridge.service.models import Problem
from connectors.lightspeed.connector import SYNC, LightspeedConnector

if TYPE_CHECKING:  # app.py imports this module
    from bridge.service.app import Service

log = logging.getLogger("privacy_bridge.service.hooks")

ROUTE = "/v1/hooks/lightspeed"
SYSTEM = LightspeedConnector.name
ACTOR = "hook:lightspeed"
EVENT = "lightspeed_hook"
SEEN = 10_000  # digests of processed bodies kept against replays (a couple of MB at most)
# Lightspeed's item groups and actions (Webhook.java above): the audit names only these.
GROUPS = frozenset(
    {
        "customers",
        "orders",
        "invoices",
        "shipments",
        "products",
        "variants",
        "quotes",
        "reviews",
        "returns",
        "tickets",
        "subscriptions",
        "contacts",
    }
)
ACTIONS = frozenset({"created", "updated", "deleted"})
# The groups the index keeps are the sync's streams (customers, orders); each body is wrapped in
# its group's singular name.
assert set(SYNC) <= GROUPS, "a stream of the sync must be an item group of Lightspeed's"
SINGULAR = {group: group.removesuffix("s") for group in GROUPS}
RECORD_ID = re.compile(r"^[1-9][0-9]{0,19}$")

Outcome = Literal["indexed", "removed", "ignored"]


class HookAnswer(BaseModel):
    """What became of a hook: no personal data (Lightspeed does not read it; the operator's
    audit trail has the event)."""

    outcome: Outcome = Field(description="indexed, removed (the record is gone) or ignored.")
    detail: str = Field(examples=["the customer's index entry is up to date"])


class Refused(Exception):
    """A hook answered with an error: its status and one line."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


@dataclass
class Hook:
    """One hook as the audit records it (no personal data)."""

    group: str = "unknown"
    action: str = "unknown"
    record: str | None = None
    verified: bool = False


def signature(body: bytes, secret: str) -> str:
    """Lightspeed's `X-Signature` of a body: hex MD5 of the raw body followed by the secret."""
    # Not our choice of hash: Lightspeed's (module docstring); it authenticates, it hides nothing.
    return hashlib.md5(body + secret.encode(), usedforsecurity=False).hexdigest()


def verified(body: bytes, secret: str, given: str | None) -> bool:
    """Whether `given` is the signature of `body`, compared in constant time."""
    if not secret or not given:
        return False
    return hmac.compare_digest(signature(body, secret).encode(), given.strip().lower().encode())


def _named(value: str | None, known: frozenset[str]) -> str:
    """A header's group or action as the audit may name it: one of Lightspeed's, else unknown."""
    return value if value in known else "unknown"


def _event(header: str | None) -> tuple[str | None, str | None]:
    """(item group, item action) of `X-Event: customers/updated`; None where absent."""
    if not header:
        return None, None
    group, _, action = header.strip().lower().partition("/")
    return group or None, action or None


def _record(body: bytes, event_group: str | None) -> tuple[str, dict[str, Any]]:
    """The item group and the record of a verified body, or Refused (400; 202 for a group the
    index does not keep)."""
    try:
        parsed = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise Refused(400, "the body is not JSON: register the webhook with format json") from None
    if not isinstance(parsed, dict) or len(parsed) != 1:
        raise Refused(400, "the body is not one record wrapped in its name")
    ((root, record),) = parsed.items()
    group = next((g for g, name in SINGULAR.items() if name == root), None)
    if group is None or not isinstance(record, dict):
        raise Refused(400, "the body is not one record wrapped in its name")
    if event_group is not None and event_group != group:
        raise Refused(400, "X-Event names another item group than the body")
    if group not in SYNC:
        raise Refused(202, f"ignored: the index keeps no {group}")
    return group, record


class LightspeedDoor:
    """The hooks' state: the secret, one connector for the re-reads (its rate budget shared by
    every hook), and the digests of the bodies processed."""

    def __init__(self, service: Service, anonymous: Callable[[Request], None]) -> None:
        self.service = service
        self.anonymous = anonymous  # the service's rate limit for callers without credentials
        config = service.config
        self.enabled = LightspeedConnector.enabled(config)
        self.secret = config.values.get("LIGHTSPEED_API_SECRET", "").strip()
        self._connector: LightspeedConnector | None = None
        self._reading = threading.Lock()  # one re-read at a time: one session, one budget
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._seen_lock = threading.Lock()

    def connector(self) -> LightspeedConnector:
        if self._connector is None:
            self._connector = LightspeedConnector.from_config(self.service.config)
        return self._connector

    def close(self) -> None:
        with self._reading:
            if self._connector is not None:
                self._connector.close()
                self._connector = None

    # -- replays ----------------------------------------------------------------------------------

    def seen(self, digest: str) -> bool:
        with self._seen_lock:
            return digest in self._seen

    def remember(self, digest: str) -> None:
        with self._seen_lock:
            self._seen[digest] = None
            while len(self._seen) > SEEN:
                self._seen.popitem(last=False)

    # -- one hook ---------------------------------------------------------------------------------

    def receive(self, body: bytes, event: str | None, hook: Hook) -> HookAnswer:
        """A verified hook's effect on the index (`hook` is filled in for the audit as it is
        learned), or Refused."""
        event_group, event_action = _event(event)
        hook.group, hook.action = _named(event_group, GROUPS), _named(event_action, ACTIONS)
        if event_group is not None and event_group not in SYNC:
            # Before the body: a group we do not keep may come in XML, and needs no reading.
            raise Refused(202, f"ignored: the index keeps no {hook.group} (item group)")
        group, record = _record(body, event_group)
        hook.group = group
        ident = str(record.get("id", ""))
        if not RECORD_ID.match(ident):
            raise Refused(400, f"the {SINGULAR[group]} in the body has no id")
        hook.record = ident
        digest = hashlib.sha256(body).hexdigest()
        if self.seen(digest):
            raise Refused(202, "ignored: this hook was processed already (a replay)")
        answer = self.refresh(group, ident)
        self.remember(digest)
        return answer

    def refresh(self, group: str, ident: str) -> HookAnswer:
        """Read the record again by id and write its entry as the sync does; remove the entry
        when Lightspeed no longer has it."""
        stream = SYNC[group]
        singular = SINGULAR[group]
        store = self.service.store
        try:
            with self._reading:
                body = self.connector().http.json("GET", f"{group}/{ident}.json")
        except NotFound:
            records.drop(store, SYSTEM, singular, ident)
            return HookAnswer(outcome="removed", detail=f"the {singular} is gone from Lightspeed")
        except SystemFailure as exc:
            log.warning("lightspeed hook: the record could not be read (%s)", type(exc).__name__)
            raise Refused(
                503, "Lightspeed could not be read now; the next sync catches up"
            ) from None
        found = body.get(singular) if isinstance(body, dict) and len(body) == 1 else None
        # Proved by its own fields: the record Lightspeed answers must be the one hooked.
        if not isinstance(found, dict) or str(found.get("id")) != ident:
            raise Refused(503, f"Lightspeed answered another record than {singular} {ident}")
        try:
            entry = stream.entry(found)
        except SHAPE_ERRORS:
            raise Refused(
                503, f"Lightspeed answered the {singular} in an unexpected shape"
            ) from None
        records.put(store, SYSTEM, stream.name, entry)
        return HookAnswer(outcome="indexed", detail=f"the {singular}'s index entry is up to date")

    def audit(self, hook: Hook, outcome: str, status: int) -> None:
        try:
            self.service.app.register(ACTOR, clock=self.service.clock).log(
                None,
                EVENT,
                system=SYSTEM,
                item_group=hook.group,
                item_action=hook.action,
                record=hook.record,
                verified=hook.verified,
                outcome=outcome,
                http_status=status,
            )
        except BridgeError as exc:  # the answer goes out anyway; the operator sees the log
            log.warning("audit event not written: %s", type(exc).__name__)

    def handle(self, body: bytes, event: str | None) -> tuple[int, BaseModel]:
        """Status and answer of a hook whose signature verified, after its audit event."""
        hook = Hook(verified=True)
        try:
            answer = self.receive(body, event, hook)
            status = 200
        except Refused as refused:
            status = refused.status
            outcome = "ignored" if status == 202 else "refused" if status < 500 else "failed"
            self.audit(hook, outcome, status)
            if status == 202:
                return status, HookAnswer(outcome="ignored", detail=refused.detail)
            return status, Problem(detail=refused.detail)
        self.audit(hook, answer.outcome, status)
        return status, answer


def install(api: FastAPI, service: Service, anonymous: Callable[[Request], None]) -> LightspeedDoor:
    """Add `POST /v1/hooks/lightspeed` to the service; its door is closed by the app's lifespan."""
    door = LightspeedDoor(service, anonymous)
    api.state.lightspeed_hooks = door

    @api.post(
        ROUTE,
        response_model=HookAnswer,
        responses={
            202: {"model": HookAnswer, "description": "Ignored: a group not indexed, a replay."},
            **{code: {"model": Problem} for code in (400, 401, 404, 413, 429, 431, 503)},
        },
        tags=["hooks"],
        openapi_extra={
            "requestBody": {
                "required": True,
                "description": "The record wrapped in its name, as Lightspeed sends it"
                ' (`{"customer": {"id": 123, ...}}`); only its id is used.',
                "content": {"application/json": {"schema": {"type": "object"}}},
            }
        },
    )
    async def lightspeed_hook(
        request: Request,
        x_signature: Annotated[
            str | None, Header(description="Hex MD5 of the raw body followed by the API secret.")
        ] = None,
        x_event: Annotated[
            str | None, Header(description="Item group / item action, e.g. customers/updated.")
        ] = None,
    ) -> JSONResponse:
        """Lightspeed eCom's webhook for customers and orders (created, updated, deleted): the
        record is read again by id and its index entry written as the sync does (or removed when
        Lightspeed no longer has it). No bearer token: the `X-Signature` is the credential."""
        body = await request.body()
        if not door.enabled or not verified(body, door.secret, x_signature):
            door.anonymous(request)  # a flood is refused (429) before it fills the audit trail
            group, action = _event(x_event)
            hook = Hook(group=_named(group, GROUPS), action=_named(action, ACTIONS))
            status, detail = (
                (401, "the X-Signature does not verify")
                if door.enabled
                else (404, "no Lightspeed shop is configured here")
            )
            await run_in_threadpool(door.audit, hook, "refused", status)
            request.state.unaudited = True  # this event stands for the call's
            raise HTTPException(status, detail)
        status, answer = await run_in_threadpool(door.handle, body, x_event)
        request.state.unaudited = True
        return JSONResponse(answer.model_dump(mode="json"), status)

    return door
