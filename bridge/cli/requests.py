"""`privacy-bridge requests …`: the request register at the command line, a thin layer over
`bridge.register.requests` (`verify` and `deliver` are `bridge.cli.customer_contact`).

Errors go through `bridge.cli.common.handled` (one line on stderr; exit 2 for bad input).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from bridge.cli.common import (
    EnvFile,
    JsonFlag,
    Operator,
    RequestId,
    err,
    handled,
    line,
    out,
    print_json,
    register_of,
    said,
    say,
)
from bridge.cli.customer_contact import deliver, verify
from bridge.cli.notices import notices
from bridge.cli.views import request_notes, requests_table, systems_table
from bridge.core.connector import checked_email
from bridge.register.delivery import TELL_BY_HAND, tell_by_hand
from bridge.register.requests import Register
from bridge.register.types import Request, parse_day

requests_app = typer.Typer(
    help="The request register: deadlines, identity checks, delivery and the audit trail.",
    no_args_is_help=True,
)


@requests_app.command("new")
@handled
def new(
    type_: Annotated[
        str,
        typer.Option(
            "--type",
            help="One of: access, portability, erasure, rectification, restriction, objection.",
        ),
    ],
    email: Annotated[str, typer.Option("--email", help="The address the request came from.")],
    received: Annotated[
        str | None, typer.Option("--received", help="Date of receipt, YYYY-MM-DD (default: today).")
    ] = None,
    channel: Annotated[
        str, typer.Option("--channel", help="One of: email, web, phone, letter, internal.")
    ] = "email",
    env_file: EnvFile = None,
    operator: Operator = None,
    as_json: JsonFlag = False,
) -> None:
    """Register a request; prints its id and due date (receipt + one calendar month).

    Example: privacy-bridge requests new --type access --email jan@example.nl --received 2026-11-21

    A second open request of the same type for the same person is flagged as a duplicate:
    link it (requests link ID --to OTHER) or cancel it. A receipt date whose deadline has
    passed is registered with a warning (in --json: `warnings`).
    """
    checked_email(email)  # a bad address is refused before the register is opened
    with register_of(env_file, operator) as register:
        day = parse_day(received, "receipt date") if received else None
        made = register.new(type_, email, received=day, channel=channel)
        if as_json:
            data = {**asdict(made), "warnings": list(made.warnings)}
            print_json({**data, "status": register.get(made.id).status.value})
        else:
            say(f"{made.id} registered; due {made.due.isoformat()}")
            for warning in made.warnings:
                line("warning", warning)
        if made.duplicate_of:
            say(
                f"possible duplicate of {made.duplicate_of}: requests link {made.id} --to"
                f" {made.duplicate_of}, or requests cancel {made.id}",
                err,
            )


def _print_requests(requests: list[Request], today: date) -> None:
    out.print(requests_table(requests, today))
    for note in request_notes(requests):
        say(note)


def _done(register: Register, request: Request, what: str, as_json: bool) -> None:
    """What a change did: the request as JSON, or one line."""
    if as_json:
        print_json(request.to_dict(register.today()))
    else:
        said(request, what)


@requests_app.command("list")
@handled
def list_requests(
    open_only: Annotated[bool, typer.Option("--open", help="Only requests still open.")] = False,
    env_file: EnvFile = None,
    operator: Operator = None,
    as_json: JsonFlag = False,
) -> None:
    """List requests by due date with the days left; overdue ones in red.

    Example: privacy-bridge requests list --open
    """
    with register_of(env_file, operator) as register:
        today = register.today()
        found = register.list(open_only)
        if as_json:
            print_json([r.to_dict(today) for r in found])
        else:
            _print_requests(found, today)


@requests_app.command("show")
@handled
def show(
    request_id: RequestId,
    env_file: EnvFile = None,
    operator: Operator = None,
    as_json: JsonFlag = False,
) -> None:
    """Show one request: its deadline, the state per system, its packages and its timeline.

    Example: privacy-bridge requests show req-20261121-4f3a
    """
    with register_of(env_file, operator) as register:
        data = register.show(request_id)
        if as_json:
            print_json(data)
            return
        request = register.get(request_id)
        _print_requests([request], register.today())
        say(f"due date: {data['deadline']}")
        if data["linked"]:
            say(f"linked to this one: {', '.join(data['linked'])}")
        if data["systems"] or data["manual_open"]:
            out.print(systems_table(data["systems"], data["manual_open"]))
        if manual := data["manual_open"]:
            count = sum(m["count"] for m in manual.values())
            say(
                f"{count} step(s) by hand to confirm: privacy-bridge erase --request {request.id}"
                " --confirm-manual STEPS --note TEXT (STEPS as shown, e.g. 56-69, 95)"
            )
        if tell_by_hand(register, request.id):
            say(f"{request.id}: completed without a mail: {TELL_BY_HAND}")
        for package in data["packages"]:
            state = "complete" if package["complete"] else "INCOMPLETE"
            say(f"package ({state}, expires {package['expires_at']}): {package['path']}")
        timeline = Table(title="Timeline")
        for column in ("at", "who", "what", "detail"):
            timeline.add_column(column)
        for event in data["events"]:
            detail = ", ".join(f"{k}={v}" for k, v in event["detail"].items())
            timeline.add_row(event["at"], event["actor"], event["action"], detail)
        out.print(timeline)


@requests_app.command("extend")
@handled
def extend(
    request_id: RequestId,
    months: Annotated[int, typer.Option("--months", help="1 or 2 (at most 2 in total).")],
    reason: Annotated[
        str,
        typer.Option("--reason", help="Why (kept encrypted; removed with the person's erasure)."),
    ],
    env_file: EnvFile = None,
    operator: Operator = None,
    as_json: JsonFlag = False,
) -> None:
    """Extend the deadline by one or two months (art. 12(3)), within the first month only: tell
    the customer within it, with the reasons. An overdue request cannot be extended.

    Example: privacy-bridge requests extend req-20261121-4f3a --months 2 --reason "complex request"
    """
    with register_of(env_file, operator) as register:
        request = register.extend(request_id, months, reason)
        _done(register, request, f"due {request.due.isoformat()}", as_json)


@requests_app.command("link")
@handled
def link(
    request_id: RequestId,
    to: Annotated[str, typer.Option("--to", help="The request it is handled with.")],
    env_file: EnvFile = None,
    operator: Operator = None,
    as_json: JsonFlag = False,
) -> None:
    """Handle a (duplicate) request together with another one of the same person.

    Example: privacy-bridge requests link req-20261125-9c1d --to req-20261121-4f3a
    """
    with register_of(env_file, operator) as register:
        _done(register, register.link(request_id, to), f"linked to {to.strip()}", as_json)


@requests_app.command("cancel")
@handled
def cancel(
    request_id: RequestId,
    reason: Annotated[
        str | None,
        typer.Option("--reason", help="Why (kept encrypted; removed with the person's erasure)."),
    ] = None,
    env_file: EnvFile = None,
    operator: Operator = None,
    as_json: JsonFlag = False,
) -> None:
    """Cancel a request (withdrawn by the customer, or a duplicate).

    Example: privacy-bridge requests cancel req-20261125-9c1d --reason "duplicate"
    """
    with register_of(env_file, operator) as register:
        _done(register, register.cancel(request_id, reason), "cancelled", as_json)


@requests_app.command("deny")
@handled
def deny(
    request_id: RequestId,
    reason: Annotated[
        str,
        typer.Option("--reason", help="Why (kept encrypted; removed with the person's erasure)."),
    ],
    env_file: EnvFile = None,
    operator: Operator = None,
    as_json: JsonFlag = False,
) -> None:
    """Deny a request, with the reason (tell the customer, and that they may complain to the AP).

    Example: privacy-bridge requests deny req-20261121-4f3a --reason "manifestly unfounded"
    """
    with register_of(env_file, operator) as register:
        _done(register, register.deny(request_id, reason), "denied", as_json)


@requests_app.command("complete")
@handled
def complete(
    request_id: RequestId,
    note: Annotated[
        str | None,
        typer.Option("--note", help="What was done (kept encrypted; removed with the erasure)."),
    ] = None,
    env_file: EnvFile = None,
    operator: Operator = None,
    as_json: JsonFlag = False,
) -> None:
    """Close a request that was answered by hand (e.g. a rectification, a processor's confirmation).

    Only a verified request can be completed: verify the person first, or deny the request.

    Example: privacy-bridge requests complete req-20261121-4f3a --note "address corrected in shop"
    """
    with register_of(env_file, operator) as register:
        _done(register, register.complete(request_id, note), "completed", as_json)


requests_app.command("notices")(notices)
requests_app.command("verify")(verify)
requests_app.command("deliver")(deliver)


@requests_app.command("export-log")
@handled
def export_log(
    env_file: EnvFile = None,
    operator: Operator = None,
    as_json: JsonFlag = False,
) -> None:
    """The register for an audit: a summary; --json: every request and event, no addresses.

    Notes and reasons show while kept, as "[note removed with the erasure]" once the person's
    erasure has completed.

    Example: privacy-bridge requests export-log --json > register-audit.json
    """
    with register_of(env_file, operator) as register:
        log = register.audit_log()
        if as_json:
            print_json(log)
            return
        _print_requests(register.list(), register.today())
        say(
            f"{len(log['events'])} event(s); the whole log for an audit: "
            "privacy-bridge requests export-log --json > register-audit.json"
        )
