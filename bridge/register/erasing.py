"""Erasure on a request of the register: refused unless verified, and the request moved along.

A verified erasure request goes to `in_progress` when the erasure starts; once every automatic
step is done and verified it is `completed` (which forgets the address), or `awaiting_manual`
while steps by hand remain; confirming the last of them completes it. Each report written is
recorded in the register (its directory); the completion writes the report again as final there,
mails it to the customer when SMTP is set up, and only then forgets the address
(`bridge.register.delivery.close_erasure`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bridge.collect.identity import Listener
from bridge.core.config import Config
from bridge.core.errors import InputError
from bridge.core.models import Status
from bridge.core.steps import StepState
from bridge.erasure.journal import Journal
from bridge.erasure.process import confirm_manual
from bridge.erasure.report import Eraser, EraseResult
from bridge.register import mail
from bridge.register.delivery import FinalReport, close_erasure, record_report, smtp_configured
from bridge.register.notices import send_notices
from bridge.register.requests import Register
from bridge.register.step_numbers import ranges
from bridge.register.types import WORKABLE, RequestStatus, RequestType, note_text


def _erasure_address(register: Register, request_id: str, *, start: bool) -> str:
    request = register.get(request_id)
    if request.type is not RequestType.erasure:
        raise InputError(f"{request.id} is a {request.type.value} request, not an erasure request")
    if request.status is RequestStatus.awaiting_manual:
        return register.address(request.id)
    if request.status not in WORKABLE:
        hint = ": verify it first" if request.status is RequestStatus.identity_unverified else ""
        raise InputError(f"{request.id} is {request.status.value}{hint}")
    return register.start_work(request.id, "erasure") if start else register.address(request.id)


def erase_request(
    register: Register,
    request_id: str,
    *,
    erase: Eraser,
    dry_run: bool,
    out_dir: Path | None = None,
    listener: Listener | None = None,
    config: Config | None = None,
    send: mail.Sender = mail.send,
) -> EraseResult:
    """Erase the person of a verified erasure request with `erase` (the policy is its own), and
    move the request along: completed, or awaiting the manual steps. The report's directory is
    recorded for the final report; an erasure complete at once is closed as the last confirmation
    closes one (`close_erasure`: the customer mailed by `send` when `config` sets up SMTP)."""
    if not dry_run:
        smtp_configured(config)  # SMTP set up by half is refused before anything changes
    address = _erasure_address(register, request_id, start=not dry_run)
    outcome = erase(
        address, dry_run=dry_run, out_dir=out_dir, request_id=request_id, listener=listener
    )
    if dry_run:
        return outcome
    result = outcome.result
    if outcome.report is not None:
        record_report(register, request_id, outcome.report, outcome.assessment().state.value)
    states: dict[str, str] = {}
    for source in result.sources:
        entries = [e for e in result.steps if e.step.system == source.system]
        if source.status is Status.error or any(e.state is StepState.failed for e in entries):
            states[source.system] = Status.error.value
        elif any(e.state is StepState.manual for e in entries):
            states[source.system] = Status.manual.value
        else:
            states[source.system] = source.status.value
    register.record_systems(request_id, states)
    if outcome.complete and config is not None:
        # Before the request can complete: the notices name the address it then forgets.
        send_notices(register, request_id, outcome, config, register.today(), send=send)
    if outcome.complete and result.manual_open:
        if register.get(request_id).status is not RequestStatus.awaiting_manual:
            register.await_manual(request_id, manual_steps=len(result.manual_open))
    elif outcome.complete:
        final = outcome.report if outcome.assessment().complete else None
        close_erasure(register, request_id, config, send=send, written=final)
    return outcome


@dataclass(frozen=True)
class Confirmation:
    """What one `--confirm-manual` did: the steps confirmed now, those asked for that were not
    waiting (already confirmed, automatic, or no such step), and the steps by hand still open;
    with the last, the final report and how the customer was told (`FinalReport`)."""

    request_id: str
    confirmed: list[int]
    not_open: list[int]
    remaining: int
    completed: bool
    final: FinalReport | None = None

    @property
    def tell_by_hand(self) -> bool:
        """Completed without a mail (no SMTP): the operator tells the customer."""
        return self.final is not None and not self.final.told

    def to_dict(self) -> dict[str, Any]:
        return {
            "request": self.request_id,
            "confirmed": ranges(self.confirmed),
            "confirmed_count": len(self.confirmed),
            "not_open": ranges(self.not_open),
            "remaining": self.remaining,
            "completed": self.completed,
            "final_report": self.final.report if self.final else None,
            "customer_mailed": (self.final.mailed or None) if self.final else None,
            "tell_by_hand": self.tell_by_hand,
        }


def confirm_steps(
    register: Register,
    request_id: str,
    seqs: Sequence[int],
    note: str,
    *,
    config: Config | None = None,
    send: mail.Sender = mail.send,
) -> Confirmation:
    """Confirm steps by hand of the request's erasure, with the operator's `note` (required:
    what was done, and where). Each confirmation is an audit event naming the step numbers and
    counts per system, the note sealed (`Register.seal`) and shredded with the completed
    erasure; a system with none of its steps left open is `ok` in the request's systems; the
    last step completes the request (`close_erasure`): the report written again as final, and
    mailed by `send` to the customer before the address is forgotten when `config` sets up
    SMTP; without it (or without `config`) the operator is to tell the customer by hand."""
    text = note_text(note, "note (what was done, e.g. 'deleted in the Mailchimp admin')")
    smtp_configured(config)  # SMTP set up by half is refused before anything is confirmed
    address = _erasure_address(register, request_id, start=False)
    request = register.get(request_id)
    waiting = _manual_steps(register, address)
    wanted = sorted(set(seqs))
    if not set(wanted) & set(waiting):
        # Nothing to do is an input problem: say which steps are open, to paste those instead.
        left = f"the steps by hand still open are {ranges(waiting)}" if waiting else "none is open"
        raise InputError(
            f"{request.id}: step(s) {ranges(wanted)} are not waiting for confirmation; {left}"
            f" (requests show {request.id})"
        )
    _, remaining = confirm_manual(register.store, address, wanted, text or "")
    still = _manual_steps(register, address)
    confirmed = sorted(seq for seq in waiting if seq in wanted and seq not in still)
    done = bool(
        confirmed
        and not remaining
        and register.get(request_id).status is RequestStatus.awaiting_manual
    )
    if confirmed:
        per_system: dict[str, int] = {}
        for seq in confirmed:
            per_system[waiting[seq]] = per_system.get(waiting[seq], 0) + 1
        with register.store.transaction() as db:
            # With the last step the journal has shredded the person's notes already; the note
            # is sealed again only when the completion below shreds it too, or steps remain.
            sealed = register.seal(db, request.id, text) if remaining or done else None
            register.event(
                db,
                request.id,
                "manual_confirmed",
                steps=ranges(confirmed),
                count=len(confirmed),
                remaining=remaining,
                systems=per_system,
                **({"note": sealed} if sealed else {}),
            )
        _close_systems(register, request.id, set(per_system), set(still.values()))
    final = None
    if done:
        final = close_erasure(
            register,
            request_id,
            config,
            send=send,
            note=text,
            manual_steps_confirmed=len(confirmed),
        )
    not_open = [seq for seq in wanted if seq not in waiting]
    return Confirmation(request.id, confirmed, not_open, remaining, done, final)


def confirm_request_manual(register: Register, request_id: str, seqs: list[int], note: str) -> int:
    """`confirm_steps`, counted: how many steps were confirmed now."""
    return len(confirm_steps(register, request_id, seqs, note).confirmed)


def _manual_steps(register: Register, address: str) -> dict[int, str]:
    """The person's open erasure's steps still waiting for the operator: seq -> system."""
    journal = Journal.find(register.store, register.store.keys.pseudonym(address))
    if journal is None:
        return {}
    return {e.seq: e.step.system for e in journal.entries() if e.state is StepState.manual}


def _close_systems(register: Register, request_id: str, touched: set[str], open_: set[str]) -> None:
    """Systems whose steps by hand are all confirmed now read `ok`, not `manual`, in the
    request's systems (`requests show`)."""
    current = register.systems(request_id)
    closed = {
        system: Status.ok.value
        for system in sorted(touched - open_)
        if current.get(system) == Status.manual.value
    }
    if closed:
        register.record_systems(request_id, closed)
