"""The service's bounds and audit, as plain ASGI middleware so that they see every call: sizes
refused before a body is read, one audit event per call (bridge.service.app)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import HTTPException
from starlette.concurrency import run_in_threadpool

from bridge.service.limits import Limits

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
# The service's audit: (request id, client, method, route template, status) -> an event.
Audit = Callable[[str | None, str | None, str, str, int], None]

# Not audited: a monitor polls them, and they touch no request.
UNAUDITED = frozenset({"/healthz", "/openapi.json"})


class Bounded:
    """Refuse headers over `header_bytes` (431) and bodies over `body_bytes` (413), whether the
    body announces its length or comes in chunks."""

    def __init__(self, app: ASGIApp, limits: Limits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = scope.get("headers", [])
        if sum(len(k) + len(v) for k, v in headers) > self.limits.header_bytes:
            await _refuse(send, 431, f"the headers exceed {self.limits.header_bytes} bytes")
            return
        length = dict(headers).get(b"content-length")
        limit = self.limits.body_bytes
        if length is not None and (not length.isdigit() or int(length) > limit):
            await _refuse(send, 413, f"the body exceeds {limit} bytes")
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:  # FastAPI passes an HTTPException from reading the body through
                raise HTTPException(413, f"the body exceeds {limit} bytes")
            return message

        await self.app(scope, counted, send)


async def _refuse(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class Audited:
    """One audit event per call (but /healthz and /openapi.json): client, method, the route's
    template (never the path, which may hold a download token), the status, and the request id
    once an endpoint has found it to be the caller's."""

    def __init__(self, app: ASGIApp, audit: Audit) -> None:
        self.app = app
        self.audit = audit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in UNAUDITED:
            await self.app(scope, receive, send)
            return
        status = 500
        state = scope.setdefault("state", {})

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            if not state.get("unaudited"):
                route = getattr(scope.get("route"), "path", None) or "(no route)"
                await run_in_threadpool(
                    self.audit,
                    state.get("audit_request"),
                    state.get("client"),
                    str(scope.get("method", "")),
                    str(route),
                    status,
                )
