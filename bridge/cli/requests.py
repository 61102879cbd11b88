"""`privacy-bridge requests …`: the request register at the command line, a thin layer over
`bridge.register.requests`, `bridge.register.verification` and `bridge.register.delivery`.

Errors go through `bridge.cli.main.handled` (one line on stderr; exit 2 for bad input).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from bridge.cli.common import EnvFile, JsonFlag, Operator, err, handled, out
from bridge.core.config import Config, load_config
from bridge.core.connector import checked_email
from bridge.core.errors import InputError
from bridge.register import delivery, verification
from bridge.register.deadlines import due_date
from bridge.register.requests import Register
from bridge.register.types import Request, parse_day

requests_app = typer.Typer(
    help="The request register: deadlines, identity checks, delivery and the audit trail.",
    no_args_is_help=True,
)
F = TypeVar("F", bound=Callable[..., Any])

RequestId = Annotated[str, typer.Argument(help="The request id, e.g. req-20261121-4f3a.")]


def _open(env_file: Path | None, operator: str | None) -> tuple[Register, Config]:
    config = load_config(env_file)
    return Register.for_config(config, operator), config


def say(text: str, console: Console = out) -> None:
    """One plain line: no markup, no highlighting, no wrapping (paths stay whole)."""
    console.print(text, markup=False, highlight=False, soft_wrap=True)


def _print_json(data: Any) -> None:
    out.print_json(json.dumps(data, default=str))


def _said(request: Request, what: str) -> None:
    say(f"{request.id}: {what} (status {request.status.value})")


@requests_app.command("new")
@handled
def new(
    type_: Annotated[
        str,
        typer.Option(
            "--type", help="access|portability|erasure|rectification|restriction|objection"
        ),
    ],
    email: Annotated[str, typer.Option("--email", help="The address the request came from.")],
    received: Annotated[
        str | None, typer.Option("--received", help="Date of receipt, YYYY-MM-DD (default: today).")
    ] = None,
    channel: Annotated[str, typer.Option("--channel", help="email|web|phone|letter")] = "email",
    env_file: EnvFile = None,
    operator: Operator = None,
    as_json: JsonFlag = False,
) -> None:
    """Register a request; prints its id and due date (receipt + one calendar month).

    Example: privacy-bridge requests new --type access --email jan@example.nl --received 2026-11-21

    A second open request of the same type for the same person is flagged as a duplicate:
    link it (requests link ID --to OTHER) or cancel it.
    """
    checked_email(email)  # a bad address is refused before the register is opened
    register, _ = _open(env_file, operator)
    day = parse_day(received, "receipt date") if received else None
    made = register.new(type_, email, received=day, channel=channel)
    if as_json:
        _print_json({**asdict(made), "status": register.get(made.id).status.value})
    else:
        say(f"{made.id} registered; due {made.due.isoformat()}")
    if made.duplicate_of:
        say(
            f"possible duplicate of {made.duplicate_of}: requests link {made.id} --to"
            f" {made.duplicate_of}, or requests cancel {made.id}",
            err,
        )


def requests_table(requests: list[Request], today: date) -> Table:
    """Sorted by due date; an overdue request's row is red (receipt and channel: see --json)."""
    table = Table(title=f"Requests on {today.isoformat()}", box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("request", "type", "status", "due", "days left"):
        table.add_column(column, no_wrap=True)
    for r in requests:
        left = r.days_left(today)
        days = "-" if not r.open else f"{-left} overdue" if left < 0 else str(left)
        style = "red" if r.overdue(today) else ("dim" if not r.open else None)
        table.add_row(r.id, r.type.value, r.status.value, r.due.isoformat(), days, style=style)
    return table


def request_notes(requests: list[Request]) -> list[str]:
    """One line per request that is linked, flagged as a duplicate or extended."""
    lines = []
    for r in requests:
        notes = [
            f"linked to {r.linked_to}" if r.linked_to else "",
            f"duplicate of {r.duplicate_of}" if r.duplicate_of and not r.linked_to else "",
            f"extended by {r.extended_months} month(s)" if r.extended_months else "",
        ]
        if text := "; ".join(n for n in notes if n):
            lines.append(f"{r.id}: {text}")
    return lines


def _print_requests(requests: list[Request], today: date) -> None:
    out.print(requests_table(requests, today))
    for line in request_notes(requests):
        say(line)


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
    register, _ = _open(env_file, operator)
    today = register.today()
    found = register.list(open_only)
    if as_json:
        _print_json([r.to_dict(today) for r in found])
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
    register, _ = _open(env_file, operator)
    data = register.show(request_id)
    if as_json:
        _print_json(data)
        return
    request = register.get(request_id)
    _print_requests([request], register.today())
    if data["linked"]:
        say(f"linked to this one: {', '.join(data['linked'])}")
    systems = Table(title="Systems")
    systems.add_column("system")
    systems.add_column("status")
    for system, status in data["systems"].items():
        systems.add_row(system, status)
    if data["systems"]:
        out.print(systems)
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
) -> None:
    """Extend the deadline by one or two months (art. 12(3)); tell the customer within the first
    month, with the reasons.

    Example: privacy-bridge requests extend req-20261121-4f3a --months 2 --reason "complex request"
    """
    register, _ = _open(env_file, operator)
    request = register.extend(request_id, months, reason)
    _said(request, f"due {request.due.isoformat()}")
    if register.today() > due_date(request.received):
        say("note: the first month has passed; art. 12(3) asks to tell the customer within it", err)


@requests_app.command("link")
@handled
def link(
    request_id: RequestId,
    to: Annotated[str, typer.Option("--to", help="The request it is handled with.")],
    env_file: EnvFile = None,
    operator: Operator = None,
) -> None:
    """Handle a (duplicate) request together with another one of the same person.

    Example: privacy-bridge requests link req-20261125-9c1d --to req-20261121-4f3a
    """
    register, _ = _open(env_file, operator)
    _said(register.link(request_id, to), f"linked to {to.strip()}")


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
) -> None:
    """Cancel a request (withdrawn by the customer, or a duplicate).

    Example: privacy-bridge requests cancel req-20261125-9c1d --reason "duplicate"
    """
    register, _ = _open(env_file, operator)
    _said(register.cancel(request_id, reason), "cancelled")


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
) -> None:
    """Deny a request, with the reason (tell the customer, and that they may complain to the AP).

    Example: privacy-bridge requests deny req-20261121-4f3a --reason "manifestly unfounded"
    """
    register, _ = _open(env_file, operator)
    _said(register.deny(request_id, reason), "denied")


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
) -> None:
    """Close a request that was answered by hand (e.g. a rectification, a processor's confirmation).

    Example: privacy-bridge requests complete req-20261121-4f3a --note "address corrected in shop"
    """
    register, _ = _open(env_file, operator)
    _said(register.complete(request_id, note), "completed")


@requests_app.command("verify")
@handled
def verify(
    request_id: RequestId,
    send_code: Annotated[
        bool, typer.Option("--send-code", help="Mail a 6-digit code to the address the shop knows.")
    ] = False,
    code: Annotated[str | None, typer.Option("--code", help="The code the customer gave.")] = None,
    manual: Annotated[
        bool, typer.Option("--manual", help="Identity was established another way (with --note).")
    ] = False,
    note: Annotated[
        str | None,
        typer.Option("--note", help="How (kept encrypted; removed with the person's erasure)."),
    ] = None,
    env_file: EnvFile = None,
    operator: Operator = None,
    as_json: JsonFlag = False,
) -> None:
    """Check that the request comes from the person: send a code, check it, or record a manual check.

    Example: privacy-bridge requests verify req-20261121-4f3a --send-code
    then:    privacy-bridge requests verify req-20261121-4f3a --code 123456
    """
    if sum((send_code, code is not None, manual)) != 1:
        raise InputError("give one of --send-code, --code NNNNNN or --manual --note TEXT")
    if note is not None and not manual:
        raise InputError("--note goes with --manual")
    register, config = _open(env_file, operator)
    if send_code:
        sent = verification.send_code(register, request_id, config)
        if as_json:
            _print_json(asdict(sent))
        else:
            say(
                f"{sent.request_id}: code sent to the address known by {', '.join(sent.known_by)};"
                f" valid until {sent.expires_at}"
            )
            if sent.unavailable:
                say(f"note: {', '.join(sent.unavailable)} did not answer", err)
        return
    if manual:
        request = verification.verify_manually(register, request_id, note or "")
    else:
        request = verification.check_code(register, request_id, code or "")
    if as_json:
        _print_json(request.to_dict(register.today()))
    else:
        _said(request, "identity verified")


@requests_app.command("deliver")
@handled
def deliver(
    request_id: RequestId,
    partial: Annotated[
        bool, typer.Option("--partial", help="Deliver even an incomplete package.")
    ] = False,
    env_file: EnvFile = None,
    operator: Operator = None,
    as_json: JsonFlag = False,
) -> None:
    """Mail the newest package of a verified request to its address (attached, or a notice when
    too large); an access or portability request is then completed.

    Example: privacy-bridge requests deliver req-20261121-4f3a
    """
    register, config = _open(env_file, operator)
    done = delivery.deliver(register, request_id, config, partial=partial)
    if as_json:
        _print_json(asdict(done))
        return
    if done.mode == "attached":
        say(f"{done.request_id}: package mailed ({done.bytes} bytes)")
    else:
        say(
            f"{done.request_id}: too large to mail; the customer was told it is ready."
            f" Hand it over yourself, securely: {done.package}"
        )
    if done.completed:
        say(f"{done.request_id}: completed")


@requests_app.command("export-log")
@handled
def export_log(
    env_file: EnvFile = None,
    operator: Operator = None,
    as_json: JsonFlag = False,
) -> None:
    """Print the register for an audit as JSON (always): every request and event, no addresses.

    Notes and reasons show while kept, as "[note removed with the erasure]" once the person's
    erasure has completed.

    Example: privacy-bridge requests export-log --json > register-audit.json
    """
    register, _ = _open(env_file, operator)
    _print_json(register.audit_log())


def run_housekeeping(env_file: Path | None, operator: str | None, as_json: bool) -> None:
    """The body of `privacy-bridge housekeeping`."""
    register, config = _open(env_file, operator)
    done = delivery.housekeeping(register, config)
    if as_json:
        _print_json(asdict(done))
        return
    for package in done.removed:
        say(f"removed expired package of {package['request_id'] or '-'}: {package['path']}")
    for request_id in done.addresses_forgotten:
        say(f"forgot the address of closed request {request_id}")
    say(
        f"{len(done.removed)} package(s) removed, {done.codes_removed} expired code(s) removed,"
        f" {len(done.addresses_forgotten)} address(es) forgotten"
    )
