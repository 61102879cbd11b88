"""`privacy-bridge requests notices`: the art. 19 notices to processors, listed, acknowledged
and reminded (bridge.register.notices)."""

from __future__ import annotations

from typing import Annotated

import typer

from bridge.cli.common import (
    EnvFile,
    JsonFlag,
    Operator,
    handled,
    opened,
    print_json,
    say,
)
from bridge.core.errors import InputError
from bridge.register.notice_settings import NO_ADDRESS, notice_settings
from bridge.register.notices import (
    NoticeState,
    acknowledge,
    list_notices,
    remind,
)
from bridge.register.step_numbers import ranges


@handled
def notices(
    request: Annotated[
        str | None, typer.Option("--request", help="Only the notices of this request.")
    ] = None,
    ack: Annotated[
        tuple[str, str] | None,
        typer.Option(
            "--ack",
            metavar="REQUEST SYSTEM",
            help="Record that the processor confirmed (closes its steps by hand); needs --note.",
        ),
    ] = None,
    note: Annotated[
        str | None,
        typer.Option("--note", help="With --ack: who confirmed it, and how (kept encrypted)."),
    ] = None,
    remind_due: Annotated[
        bool,
        typer.Option(
            "--remind", help="Send the reminders that are due and mark overdue notices (cron)."
        ),
    ] = False,
    env_file: EnvFile = None,
    operator: Operator = None,
    as_json: JsonFlag = False,
) -> None:
    """The art. 19 notices to processors: sent, reminded, overdue, acknowledged.

    Example: privacy-bridge requests notices --request req-20261121-4f3a
    then:    privacy-bridge requests notices --ack req-20261121-4f3a SYSTEM --note "confirmed"
    cron:    privacy-bridge requests notices --remind --json

    A notice is mailed to PRIVACY_BRIDGE_NOTICE_TO_<SYSTEM> when the erasure is applied; without
    that setting it stays a step by hand ("no address configured"). --remind mails a reminder
    every PRIVACY_BRIDGE_NOTICE_REMIND_DAYS (14) until acknowledged, and marks a notice overdue
    after PRIVACY_BRIDGE_NOTICE_OVERDUE_DAYS (30); it prints one line per action and exits 0.
    """
    if ack is not None and remind_due:
        raise InputError("choose --ack or --remind, not both")
    if note is not None and ack is None:
        raise InputError("--note goes with --ack")
    if ack is not None and not (note or "").strip():
        raise InputError(
            "--ack needs --note: who confirmed it, and how (e.g. --note 'confirmed by mail')"
        )
    with opened(env_file) as app:
        register = app.register(operator)
        today = register.today()
        if ack is not None:
            done = acknowledge(register, ack[0], ack[1], note or "", app.config, today)
            if as_json:
                print_json(done.to_dict())
                return
            closed = (
                f"; confirmed {len(done.confirmed)} step(s) by hand ({ranges(done.confirmed)}),"
                f" {done.remaining} still open"
                if done.confirmed
                else ""
            )
            said_done = "; request completed" if done.completed else ""
            say(f"{done.notice.request_id} {done.notice.system}: acknowledged{closed}{said_done}")
            return
        if remind_due:
            actions = remind(register, app.config, today, request)
            if as_json:
                print_json([n.to_dict() for n in actions])
                return
            for notice in actions:
                for action in notice.actions:
                    say(_notice_action(notice, action))
            return
        found = list_notices(register, app.config, today, request)
        if as_json:
            print_json([n.to_dict() for n in found])
            return
        if not found:
            say("no notices to processors" + (f" for {request.strip()}" if request else ""))
            return
        for notice in found:
            say(_notice_line(notice))


def _notice_action(notice: NoticeState, action: str) -> str:
    """One line for one thing `--remind` did."""
    where = f"{notice.request_id} {notice.system}"
    if action == "reminded":
        return f"{where}: reminder {notice.reminders} sent to {notice.to}"
    if action == "overdue":
        return f"{where}: overdue, no answer since the notice of {notice.sent_on}"
    if action == "sent":
        return f"{where}: notice sent to {notice.to} ({notice.language})"
    return f"{where}: {action} ({notice.error or notice.status})"


def _notice_line(notice: NoticeState) -> str:
    """One notice on one line, never cut: request, processor, where it stands, what is next."""
    n = notice
    where = f"{n.request_id}  {n.system}  "
    if n.state == "unsent":
        if n.to is None:
            setting = notice_settings(n.system)[0].name
            return f"{where}{NO_ADDRESS}: a step by hand (or set {setting})"
        return f"{where}not sent yet to {n.to}: requests notices --remind sends it"
    sent = f"sent {n.sent_on} to {n.to} ({n.language})"
    if n.state == "acknowledged":
        return f"{where}acknowledged {n.acknowledged_on} by {n.acknowledged_by}; {sent}"
    last = f"{n.reminders} reminder(s), last {n.reminded_on}" if n.reminders else "no reminder"
    due = "reminder due" if n.reminder_due else f"next reminder {n.next_reminder}"
    late = "; OVERDUE" if n.overdue else ""
    return f"{where}{sent}; {last}; {due}{late}"
