"""The HTTP service (`privacy-bridge serve`): the register over HTTP, for shops and plugins.

    api = create_app(load_config())          # uvicorn.run(api, ...) is bridge.cli.serve's

- `POST /v1/requests`: register a request (as `requests new`); its id and legal due date;
- `GET /v1/requests/{id}`: its state per system, due date and open steps: no personal data;
- `GET /v1/requests/{id}/package`: a one-time link to its package, valid for minutes;
- `GET /v1/downloads/{token}`: that link (no bearer token: the link is the credential);
- `POST /v1/hooks/lightspeed`: Lightspeed's webhooks, signed (bridge.service.hooks);
- `POST /v1/requests/verified`, `GET …/{id}/export`, `POST …/{id}/erase`: for the WordPress
  plugin, in WordPress's exporter and eraser shapes (bridge.service.wordpress);
- `GET /healthz`; `GET /openapi.json` (also checked in as docs/openapi.json).

Every /v1 call needs `Authorization: Bearer <token>` of a client (`clients add`), except the
download; a client sees only the requests it registered. Bodies are bounded (16 KiB, 413),
headers too (8 KiB, 431), and calls are rate-limited per client (token bucket, 429 with
Retry-After). Every /v1 call is an audit event in the register (`api_call`: client, method,
route template, status; the request id when it is the caller's): never the address, the token
or the download link. Errors are `{"detail": "<one line>"}`, never echoing the address.
"""

from __future__ import annotations

import importlib.metadata
import json
import logging
import math
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException

from bridge.app import App
from bridge.core.config import Config
from bridge.core.connector import checked_email
from bridge.core.errors import BridgeError, InputError
from bridge.register.reader import Clock
from bridge.register.requests import Register
from bridge.service import clients, downloads, hooks, outbox
from bridge.service.clients import Client
from bridge.service.limits import Limits, RateLimiter
from bridge.service.middleware import Audited, Bounded
from bridge.service.models import (
    CreatedRequest,
    Health,
    NewRequestBody,
    OpenSteps,
    PackageLink,
    PackageState,
    Problem,
    RequestState,
)
from bridge.service.webhooks import post
from bridge.store.db import Store

log = logging.getLogger("privacy_bridge.service")


ACTION = "api_call"
REQUEST_ID = Path(pattern=r"^[A-Za-z0-9-]{1,64}$", description="The register's id.")


def _version() -> str:
    try:
        return importlib.metadata.version("privacy-bridge")
    except importlib.metadata.PackageNotFoundError:  # run from a checkout without installing
        return "0"


def _problem(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": Problem} for code in codes}


# What any authenticated call may answer besides its own result.
COMMON = _problem(401, 413, 422, 429, 431)


class Service:
    """What the endpoints share: the App (its store), the clock, the limits and the buckets."""

    def __init__(self, config: Config, clock: Clock | None, limits: Limits | None) -> None:
        self.config = config
        self.app = App(config)
        self.clock: Clock = clock or (lambda: datetime.now(UTC))
        self.limits = limits or Limits.from_config(config)
        self.limiter = RateLimiter(self.limits.per_minute)
        self.download_minutes = downloads.minutes(config)

    @property
    def store(self) -> Store:
        return self.app.store

    def now(self) -> datetime:
        return outbox.utc(self.clock())

    def register(self, client: str | None) -> Register:
        """The register, acting as the client (its audit actor is `api:<name>`)."""
        return self.app.register(f"api:{client or 'anonymous'}", clock=self.clock)

    def audit(
        self, request_id: str | None, client: str | None, method: str, route: str, status: int
    ) -> None:
        try:
            self.register(client).log(
                request_id,
                ACTION,
                client=client,
                method=method,
                route=route,
                http_status=status,
            )
        except BridgeError as exc:  # the answer is sent already; the operator sees it in the log
            log.warning("audit event not written: %s", type(exc).__name__)

    def webhook_loop(self, stop: threading.Event, poll: float, send: outbox.Sender) -> None:
        """Deliver webhooks every `poll` seconds until `stop` is set (a thread of `serve`)."""
        try:
            while not stop.is_set():
                try:
                    outbox.run_once(self.store, now=self.now(), send=send)
                except Exception as exc:  # keep serving; the next round tries again
                    log.warning("webhook delivery failed: %s", type(exc).__name__)
                stop.wait(poll)
        finally:
            self.store.close()  # this thread's connection


def _service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


# --- who calls ---------------------------------------------------------------------------------

bearer = HTTPBearer(
    auto_error=False,
    bearerFormat="pbt_…",
    description="A client's token, from `privacy-bridge clients add NAME` (shown once).",
)


def _limited(request: Request, key: str) -> None:
    service = _service(request)
    wait = service.limiter.take(key, service.clock().timestamp())
    if wait > 0:
        raise HTTPException(
            429,
            f"too many calls: at most {service.limits.per_minute:g} a minute; retry later",
            headers={"Retry-After": str(max(1, math.ceil(wait)))},
        )


def _anonymous(request: Request) -> None:
    """Rate-limit callers without a valid token by address; beyond the limit they are refused
    without an audit event, so that a flood cannot fill the append-only trail."""
    host = request.client.host if request.client else "unknown"
    try:
        _limited(request, f"anonymous:{host}")
    except HTTPException:
        request.state.unaudited = True
        raise


def caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Client:
    """The client whose bearer token this is; 401 for none, a wrong one or a revoked one."""
    service = _service(request)
    found = clients.authenticate(service.store, credentials.credentials) if credentials else None
    if found is None:
        _anonymous(request)
        raise HTTPException(
            401,
            "a valid bearer token is required (privacy-bridge clients add NAME)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    request.state.client = found.name
    _limited(request, f"client:{found.name}")
    return found


Caller = Annotated[Client, Depends(caller)]


def _own(request: Request, request_id: str, client: Client) -> str | None:
    """The caller's reference of its request; 404 for a request it did not register (whether
    it exists is not told)."""
    found = clients.owner(_service(request).store, request_id)
    if found is None or found[0] != client.name:
        raise HTTPException(404, "no such request for this client")
    request.state.audit_request = request_id
    return found[1]


# --- the application ---------------------------------------------------------------------------


def create_app(
    config: Config,
    *,
    clock: Clock | None = None,
    limits: Limits | None = None,
    webhooks: bool = False,
    poll_seconds: float = 5.0,
    send: outbox.Sender = post,
) -> FastAPI:
    """The service over the state directory of `config`; with `webhooks`, a thread delivers the
    outbox every `poll_seconds` while it runs (`serve` does; tests call the outbox instead)."""
    service = Service(config, clock, limits)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        stop = threading.Event()
        thread = threading.Thread(
            target=service.webhook_loop,
            args=(stop, poll_seconds, send),
            name="webhooks",
            daemon=True,
        )
        if webhooks:
            thread.start()
        try:
            yield
        finally:
            stop.set()
            if webhooks:
                thread.join(timeout=15)
            door.close()  # the Lightspeed hooks' connector

    api = FastAPI(
        title="privacy-bridge",
        version=_version(),
        description=(
            "GDPR access and erasure requests for a webshop and its processors. Authenticate"
            " with `Authorization: Bearer <token>` (privacy-bridge clients add NAME). Errors are"
            ' `{"detail": "<one line>"}`. Webhooks: see the README (Privacy-Bridge-Signature).'
        ),
        openapi_url="/openapi.json",
        docs_url=None,  # the interactive pages load scripts from a CDN; the JSON is enough
        redoc_url=None,
        lifespan=lifespan,
    )
    api.state.service = service
    # Added last is outermost: the audit sees even the calls the bounds refuse.
    api.add_middleware(Bounded, limits=service.limits)
    api.add_middleware(Audited, audit=service.audit)

    @api.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"detail": str(exc.detail)}, exc.status_code, headers=exc.headers)

    @api.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _one_line(exc)}, 422)

    @api.exception_handler(InputError)
    async def refused(_: Request, exc: InputError) -> JSONResponse:
        return JSONResponse({"detail": " ".join(str(exc).split())}, 422)

    @api.exception_handler(BridgeError)
    async def broken(_: Request, exc: BridgeError) -> JSONResponse:
        # The message names files of the server: the operator's, not the caller's.
        log.error("the state cannot be used: %s", type(exc).__name__)
        return JSONResponse({"detail": "the service cannot use its state now; try later"}, 503)

    @api.get("/healthz", response_model=Health, responses=_problem(503), tags=["service"])
    def healthz(request: Request) -> Health:
        """Up, and its state database answers."""
        _service(request).store.db.execute("SELECT 1").fetchone()
        return Health(status="ok", version=_version())

    @api.post(
        "/v1/requests",
        status_code=201,
        response_model=CreatedRequest,
        responses=COMMON,
        tags=["requests"],
    )
    def create_request(body: NewRequestBody, request: Request, client: Caller) -> CreatedRequest:
        """Register a request, as `privacy-bridge requests new` does: its id and legal due date.
        A malformed address is 422 with a one-line reason (the address is not echoed)."""
        service = _service(request)
        checked_email(body.email)  # refused before the register is touched
        register = service.register(client.name)
        made = register.new(
            body.type.value, body.email, received=body.received, channel=body.channel.value
        )
        clients.own(service.store, made.id, client.name, body.reference, now=service.now())
        request.state.audit_request = made.id
        row = register.get(made.id)
        return CreatedRequest(
            id=made.id,
            type=row.type,
            status=row.status,
            received=row.received,
            due=made.due,
            duplicate=made.duplicate_of is not None,
            warnings=list(made.warnings),
            reference=body.reference,
        )

    @api.get(
        "/v1/requests/{request_id}",
        response_model=RequestState,
        responses={**COMMON, **_problem(404)},
        tags=["requests"],
    )
    def read_request(
        request: Request, client: Caller, request_id: Annotated[str, REQUEST_ID]
    ) -> RequestState:
        """Where a request stands: status, due date, state per system, open steps by hand and
        its package. No personal data."""
        reference = _own(request, request_id, client)
        service = _service(request)
        register = service.register(client.name)
        row = register.get(request_id)
        today = register.today()
        found = register.packages(row.id)
        package = None
        if found:
            newest = found[0]
            package = PackageState(
                available=not newest.expired(service.now()) and newest.path.is_file(),
                complete=newest.complete,
                created_at=datetime.fromisoformat(newest.created_at),
                expires_at=datetime.fromisoformat(newest.expires_at),
            )
        return RequestState(
            id=row.id,
            type=row.type,
            status=row.status,
            channel=row.channel.value,
            received=row.received,
            due=row.due,
            days_left=row.days_left(today),
            overdue=row.overdue(today),
            open=row.open,
            extended_months=row.extended_months,
            linked_to=row.linked_to,
            systems=register.systems(row.id),
            open_steps={
                system: OpenSteps(count=int(s["count"]), steps=str(s["steps"]))
                for system, s in register.manual_open(row.id).items()
            },
            package=package,
            reference=reference,
        )

    @api.get(
        "/v1/requests/{request_id}/package",
        response_model=PackageLink,
        responses={**COMMON, **_problem(404, 409)},
        tags=["requests"],
    )
    def package_link(
        request: Request, client: Caller, request_id: Annotated[str, REQUEST_ID]
    ) -> PackageLink:
        """A one-time link to the request's newest package, valid for
        PRIVACY_BRIDGE_DOWNLOAD_MINUTES (default 15): 409 while there is none, or it expired,
        or it is incomplete (a system failed: the operator exports again)."""
        _own(request, request_id, client)
        service = _service(request)
        register = service.register(client.name)
        found = register.packages(request_id)
        if not found:
            raise HTTPException(409, "no package has been made for this request yet")
        newest = found[0]
        if newest.expired(service.now()) or not newest.path.is_file():
            raise HTTPException(409, "the package has expired: the operator must export again")
        if not newest.complete:
            raise HTTPException(
                409, "the package is incomplete (a system failed): the operator must export again"
            )
        link = downloads.issue(
            service.store,
            request_id,
            client.name,
            newest.path,
            now=service.now(),
            valid_minutes=service.download_minutes,
        )
        register.log(
            request_id, "package_link", client=client.name, expires_at=link.expires_at.isoformat()
        )
        return PackageLink(
            url=f"/v1/downloads/{link.token}",
            expires_at=link.expires_at,
            complete=newest.complete,
            bytes=newest.path.stat().st_size,
        )

    @api.get(
        "/v1/downloads/{token}",
        response_class=FileResponse,
        responses={
            200: {"content": {"application/zip": {}}, "description": "The package (a zip)."},
            **_problem(404, 410, 413, 422, 429, 431),
        },
        tags=["requests"],
    )
    def download(
        request: Request, token: Annotated[str, Path(max_length=200, description="From …/package.")]
    ) -> FileResponse:
        """The package, once: the link is spent by this call, and refused after it expired
        (410). No bearer token: the link is the credential (to hand to the customer)."""
        _anonymous(request)
        service = _service(request)
        now = service.now()
        spent = downloads.redeem(service.store, token, now=now)
        if isinstance(spent, downloads.Refused):
            if known := downloads.who(service.store, token):
                request.state.audit_request, request.state.client = known
            if spent is downloads.Refused.unknown:
                raise HTTPException(404, "no such download link")
            why = "has been used" if spent is downloads.Refused.used else "has expired"
            raise HTTPException(410, f"the download link {why}: ask for a new one")
        request.state.audit_request, request.state.client = spent.request_id, spent.client
        register = service.register(spent.client)
        current = {p.path: p for p in register.packages(spent.request_id)}
        package = current.get(spent.package)
        if package is None or package.expired(now) or not package.path.is_file():
            raise HTTPException(410, "the package is no longer kept: ask the shop")
        size = package.path.stat().st_size
        register.log(spent.request_id, "package_downloaded", client=spent.client, bytes=size)
        return FileResponse(package.path, media_type="application/zip", filename=package.path.name)

    # Lightspeed's webhooks keep the index fresh between syncs (signed, no bearer token).
    door = hooks.install(api, service, _anonymous)

    # Imported here: the WordPress endpoints use this module's dependencies (caller, _own).
    from bridge.service import wordpress

    wordpress.add_routes(api)

    return api


def _one_line(exc: RequestValidationError) -> str:
    """The first validation error as one line: where and what, never the value given (it may
    be the address)."""
    errors = exc.errors()
    if not errors:
        return "the request is not valid"
    first = errors[0]
    if first.get("type") == "json_invalid":
        return "the body is not valid JSON"
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "body"
    message = " ".join(str(first.get("msg", "not valid")).split())
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {message}{more}"


def openapi_text(api: FastAPI) -> str:
    """The OpenAPI document as checked in (docs/openapi.json)."""
    return json.dumps(api.openapi(), indent=2, ensure_ascii=False) + "\n"


def write_openapi(api: FastAPI, path: FilePath) -> None:
    path.write_text(openapi_text(api), encoding="utf-8")
