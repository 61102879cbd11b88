"""`privacy-bridge serve`, `clients …` and `webhooks …`: the HTTP service at the command line, a
thin layer over `bridge.service`.

`bridge.cli.main` adds them: `app.command("serve")(serve)`, `app.add_typer(clients_app,
name="clients")`, `app.add_typer(webhooks_app, name="webhooks")`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from bridge.cli.common import EnvFile, JsonFlag, handled, opened, out, print_json, say
from bridge.core.config import load_config
from bridge.core.errors import InputError
from bridge.service import clients, outbox
from bridge.service.app import create_app, write_openapi
from bridge.service.limits import HEADER_BYTES

DEFAULT_PORT = 8787

clients_app = typer.Typer(
    help="Who may call the HTTP service: tokens (kept hashed), webhook secrets, callbacks.",
    no_args_is_help=True,
)
webhooks_app = typer.Typer(
    help="The webhooks the service sends on every change of a request (signed, retried).",
    no_args_is_help=True,
)


@handled
def serve(
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (put TLS in front of it).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = DEFAULT_PORT,
    poll: Annotated[
        float, typer.Option("--poll", help="Seconds between two rounds of webhook delivery.")
    ] = 5.0,
    no_webhooks: Annotated[
        bool,
        typer.Option("--no-webhooks", help="Do not deliver webhooks here (a cron does it)."),
    ] = False,
    write_openapi_to: Annotated[
        Path | None,
        typer.Option("--write-openapi", help="Write the OpenAPI document to this file and exit."),
    ] = None,
    env_file: EnvFile = None,
) -> None:
    """Serve the request register over HTTP (POST /v1/requests, GET /v1/requests/{id}, its
    package once, /healthz, /openapi.json), and deliver the webhooks in the background.

    Example: privacy-bridge serve --port 8787
    or:      privacy-bridge serve --write-openapi docs/openapi.json

    Clients authenticate with a bearer token (privacy-bridge clients add NAME). It listens on
    127.0.0.1 by default: put a TLS proxy in front of it to reach it from elsewhere. The access
    log is off: the paths of download links are credentials.
    """
    config = load_config(env_file)
    if write_openapi_to is not None:
        write_openapi(create_app(config), write_openapi_to)
        say(f"wrote {write_openapi_to}")
        return
    if not 0 < port < 65536:
        raise InputError("--port must be 1-65535")
    if poll <= 0:
        raise InputError("--poll must be above 0")
    import uvicorn  # only here: the other commands need no server

    api = create_app(config, webhooks=not no_webhooks, poll_seconds=poll)
    api.state.service.store  # noqa: B018  (a state directory that cannot serve is refused now)
    say(f"serving on http://{host}:{port} (state: {config.home})")
    uvicorn.run(
        api,
        host=host,
        port=port,
        access_log=False,  # a download link's path is a credential: never logged
        server_header=False,
        http="h11",  # its bound on a request's head holds headers before the app sees them
        h11_max_incomplete_event_size=HEADER_BYTES * 2,
        timeout_keep_alive=5,
        log_level="warning",
    )


@clients_app.command("add")
@handled
def add(
    name: Annotated[str, typer.Argument(help="The client's name, e.g. webshop.")],
    callback: Annotated[
        str | None,
        typer.Option("--callback", help="URL to POST signed webhooks to (https://…)."),
    ] = None,
    env_file: EnvFile = None,
    as_json: JsonFlag = False,
) -> None:
    """Add a client: prints its bearer token and webhook secret, once (only a hash of the token
    and the encrypted secret are kept).

    Example: privacy-bridge clients add webshop --callback https://shop.example.nl/privacy-hook
    """
    with opened(env_file) as app:
        made = clients.add(app.store, name, callback, now=datetime.now(UTC))
        app.register().log(None, "client_added", client=made.client.name, callback=bool(callback))
    if as_json:
        print_json(
            {
                "name": made.client.name,
                "token": made.token,
                "webhook_secret": made.secret,
                "callback": made.client.callback,
            }
        )
        return
    say(f"client {made.client.name} added; shown once, keep them in the shop's settings:")
    say(f"token:          {made.token}")
    say(f"webhook secret: {made.secret}")


@clients_app.command("list")
@handled
def list_clients(env_file: EnvFile = None, as_json: JsonFlag = False) -> None:
    """List the clients: name, callback, when added, when revoked (no token, no secret).

    Example: privacy-bridge clients list --json
    """
    with opened(env_file) as app:
        found = clients.listed(app.store)
    if as_json:
        print_json(
            [
                {
                    "name": c.name,
                    "callback": c.callback,
                    "created_at": c.created_at,
                    "revoked_at": c.revoked_at,
                    "active": c.active,
                }
                for c in found
            ]
        )
        return
    if not found:
        say("no clients yet: privacy-bridge clients add NAME")
        return
    table = Table("client", "callback", "added", "revoked")
    for c in found:
        table.add_row(c.name, c.callback or "-", c.created_at, c.revoked_at or "-")
    out.print(table)


@clients_app.command("revoke")
@handled
def revoke(
    name: Annotated[str, typer.Argument(help="The client's name.")],
    env_file: EnvFile = None,
    as_json: JsonFlag = False,
) -> None:
    """Refuse the client's token from now on; its webhooks not yet sent are dropped.

    Example: privacy-bridge clients revoke webshop
    """
    with opened(env_file) as app:
        client = clients.revoke(app.store, name, now=datetime.now(UTC))
        app.register().log(None, "client_revoked", client=client.name)
    if as_json:
        print_json({"name": client.name, "revoked_at": client.revoked_at})
    else:
        say(f"client {client.name} revoked")


@webhooks_app.command("deliver")
@handled
def deliver(env_file: EnvFile = None, as_json: JsonFlag = False) -> None:
    """Queue the webhooks of what changed since the last round and send those due; for a cron
    when `serve --no-webhooks` runs (or none does). Exit 1 when some failed for good.

    Example: privacy-bridge webhooks deliver --json
    """
    with opened(env_file) as app:
        done = outbox.run_once(app.store, now=datetime.now(UTC))
        states = outbox.pending(app.store)
    if as_json:
        print_json({**done.to_dict(), "outbox": states})
    else:
        say(
            f"queued {done.queued}, delivered {done.delivered}, retrying {done.retrying},"
            f" failed {done.failed}, dropped {done.dropped}"
        )
    if done.failed:
        raise typer.Exit(1)


@webhooks_app.command("status")
@handled
def status(env_file: EnvFile = None, as_json: JsonFlag = False) -> None:
    """How many webhooks are pending, delivered, failed for good or dropped (revoked clients).

    Example: privacy-bridge webhooks status --json
    """
    with opened(env_file) as app:
        states = outbox.pending(app.store)
    if as_json:
        print_json(states)
    else:
        say(", ".join(f"{k} {v}" for k, v in sorted(states.items())) or "no webhooks yet")
