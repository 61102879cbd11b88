"""The art. 19 notices to processors, sent by mail and followed up, per request and processor.

Once the erasure of a register request is applied, each processor (a system whose role is not the
shop's own `platform`) with a step by hand or a record the shop keeps is told by mail what to
erase or restrict (`send_notices`), at the address its setting names, in its language:

    PRIVACY_BRIDGE_NOTICE_TO_<SYSTEM>=privacy@processor.example  # none: it stays a manual step
    PRIVACY_BRIDGE_NOTICE_LANG_<SYSTEM>=en                       # nl (default) or en
    PRIVACY_BRIDGE_NOTICE_REMIND_DAYS=14                     # a reminder after so many days
    PRIVACY_BRIDGE_NOTICE_OVERDUE_DAYS=30                    # overdue after so many days

The mail names the request's reference, the processor's record ids and the e-mail address the
processor holds: what it needs to find the records, nothing more. Per request and processor the
state store keeps the notice (`notices` table): sent (when, to which address), reminded (how often,
when last), overdue (since when), acknowledged (when, by which operator, the note sealed as every
operator note). Every change is an audit event naming the request and the processor, never the
person. `acknowledge` closes the processor's steps by hand; `remind` sends what is due (a cron job).

    states = send_notices(register, "req-20261121-4f3a", outcome, config, register.today())
    actions = remind(register, config, register.today())
    done = acknowledge(register, "req-20261121-4f3a", system, "confirmed by mail", config, today)
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from bridge.core.config import Config
from bridge.core.errors import BridgeError, InputError
from bridge.core.policy import Action
from bridge.core.steps import StepState
from bridge.erasure.process import ErasureResult
from bridge.erasure.report import EraseResult
from bridge.register import mail
from bridge.register.notice_mail import ERASE, RESTRICT, NoticeRecord, notice_message
from bridge.register.notice_settings import (
    NO_ADDRESS,
    NO_SMTP,
    overdue_days,
    recipient,
    remind_days,
)
from bridge.register.requests import Register
from bridge.register.step_numbers import parse, ranges
from bridge.register.types import note_text
from bridge.store import notes
from exports.erasure_models import OWN_ROLE

# A notice's state in the table; `overdue` and "due for a reminder" are read from the dates.
UNSENT = "unsent"  # not (yet) sent: no address configured, or the mail failed
SENT = "sent"
ACKNOWLEDGED = "acknowledged"


@dataclass
class NoticeState:
    """One processor's notice of one request, as the store holds it, and what this call did."""

    request_id: str
    system: str
    state: str
    to: str | None
    language: str
    records: list[NoticeRecord]
    sent_on: date | None
    reminders: int
    reminded_on: date | None
    overdue_on: date | None
    acknowledged_on: date | None
    acknowledged_by: str | None
    note: str | None
    reminder_due: bool = False
    overdue: bool = False
    next_reminder: date | None = None  # while sent and not acknowledged
    # What this call did, in order: sent, not_sent, failed, reminded, overdue, acknowledged.
    actions: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def status(self) -> str:
        """The state in words: what `requests notices` shows."""
        if self.state == UNSENT:
            return "not sent" if self.to else NO_ADDRESS
        if self.state == SENT and self.overdue:
            return "sent, overdue"
        return self.state

    def to_dict(self) -> dict[str, Any]:
        return {
            "request": self.request_id,
            "system": self.system,
            "state": self.state,
            "status": self.status,
            "to": self.to,
            "language": self.language,
            "records": [r.to_dict() for r in self.records],
            "sent_on": _iso(self.sent_on),
            "reminders": self.reminders,
            "reminded_on": _iso(self.reminded_on),
            "overdue_on": _iso(self.overdue_on),
            "acknowledged_on": _iso(self.acknowledged_on),
            "acknowledged_by": self.acknowledged_by,
            "note": self.note,
            "reminder_due": self.reminder_due,
            "next_reminder": _iso(self.next_reminder),
            "overdue": self.overdue,
            "actions": list(self.actions),
            "error": self.error,
        }


@dataclass(frozen=True)
class Acknowledgement:
    """What `acknowledge` did: the notice, and the processor's steps by hand it confirmed."""

    notice: NoticeState
    confirmed: list[int]
    remaining: int
    completed: bool
    # The confirmation's own account (`erasing.Confirmation.to_dict`): with the last step, the
    # final report and whether the customer was mailed.
    confirmation: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        closing = {
            k: v
            for k, v in self.confirmation.items()
            if k in ("final_report", "customer_mailed", "tell_by_hand")
        }
        return {
            **self.notice.to_dict(),
            "confirmed": ranges(self.confirmed),
            "confirmed_count": len(self.confirmed),
            "remaining": self.remaining,
            "completed": self.completed,
            **closing,
        }


# --- sending ---------------------------------------------------------------------------------


def processors(result: ErasureResult) -> dict[str, list[NoticeRecord]]:
    """Per processor with a step by hand or a kept record in the erasure: the records to name."""
    found: dict[str, list[NoticeRecord]] = {}
    for source in result.sources:
        if source.role.split(":", 1)[0].strip() == OWN_ROLE:
            continue
        records, asked = [], False
        for entry in result.steps:
            step = entry.step
            if step.system != source.system:
                continue
            asked = asked or step.action in (Action.retain, Action.manual)
            if step.record_id == source.system:
                # A step that is the request to the company itself (no API to erase with), not
                # one of its records: this notice is that request.
                continue
            if step.action is Action.retain:
                until = step.until.isoformat() if step.until else None
                records.append(NoticeRecord(step.record_type, step.record_id, RESTRICT, until))
            elif step.action is Action.manual or entry.state in (
                StepState.manual,
                StepState.confirmed,
            ):
                records.append(NoticeRecord(step.record_type, step.record_id, ERASE))
        if asked:
            found[source.system] = records
    return found


def send_notices(
    register: Register,
    request_id: str,
    report_or_result: EraseResult | ErasureResult,
    config: Config,
    today: date,
    *,
    send: mail.Sender = mail.send,
) -> list[NoticeState]:
    """Record a notice per processor of the applied erasure and mail each one that has an
    address configured and was not sent before (a rerun sends nothing twice). Call it before the
    request completes: the mail names the address the register keeps until then. A processor
    without an address stays a manual step; a mail that fails stays unsent (the next run or
    `remind` tries again). Never raises for one processor's mail: the erasure is done already."""
    result = (
        report_or_result.result if isinstance(report_or_result, EraseResult) else report_or_result
    )
    request = register.get(request_id)
    if result.dry_run:
        return []
    wanted = processors(result)
    stamp = register.now().isoformat()
    with register.store.transaction() as db:
        for system, records in wanted.items():
            listed = json.dumps([r.to_dict() for r in records], sort_keys=True)
            row = _row(db, request.id, system)
            if row is None:
                db.execute(
                    "INSERT INTO notices (request_id, system, erasure_id, state, records,"
                    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (request.id, system, result.erasure_id, UNSENT, listed, stamp, stamp),
                )
                register.event(
                    db, request.id, "notice_recorded", system=system, records=len(records)
                )
            elif row["state"] == UNSENT and row["records"] != listed:
                # A resumed erasure found more: the first notice, not yet sent, names them all.
                db.execute(
                    "UPDATE notices SET records = ?, updated_at = ? WHERE request_id = ?"
                    " AND system = ?",
                    (listed, stamp, request.id, system),
                )
    states = []
    for system in wanted:
        row = _row(register.store.db, request.id, system)
        assert row is not None
        if row["state"] == UNSENT:
            states.append(_send_first(register, config, row, today, send))
        else:
            states.append(_state(register, config, row, today))
    return states


def _send_first(
    register: Register, config: Config, row: sqlite3.Row, today: date, send: mail.Sender
) -> NoticeState:
    """Mail the first notice of one row that is unsent, when its processor has an address."""
    request_id, system = row["request_id"], row["system"]
    try:
        to, language = recipient(config, system)
    except InputError as exc:
        return _failed(register, config, row, today, str(exc))
    if to is None or not config.get(mail.HOST):
        # No address: a manual step, as before notices were mailed. No mail server: the same
        # until one is set up (no failure event per run of a cron job).
        state = _state(register, config, row, today)
        state.actions.append("not_sent")
        state.error = None if to is None else NO_SMTP
        return state
    records = _records(row)
    try:
        address = register.address(request_id)
        message = notice_message(config, to, request_id, system, records, language, address=address)
        send(config, message, to)
    except BridgeError as exc:
        return _failed(register, config, row, today, str(exc))
    with register.store.transaction() as db:
        db.execute(
            "UPDATE notices SET state = ?, recipient = ?, language = ?, sent_on = ?,"
            " updated_at = ? WHERE request_id = ? AND system = ? AND state = ?",
            (
                SENT,
                to,
                language,
                today.isoformat(),
                register.now().isoformat(),
                request_id,
                system,
                UNSENT,
            ),
        )
        register.event(
            db, request_id, "notice_sent", system=system, language=language, records=len(records)
        )
    sent = _row(register.store.db, request_id, system)
    assert sent is not None
    state = _state(register, config, sent, today)
    state.actions.append("sent")
    return state


def _failed(
    register: Register, config: Config, row: sqlite3.Row, today: date, error: str
) -> NoticeState:
    # The error may name the processor's address or a setting, never the person: the event holds
    # the processor only, the operator sees the message.
    register.log(row["request_id"], "notice_failed", system=row["system"])
    state = _state(register, config, row, today)
    state.actions.append("failed")
    state.error = error
    return state


# --- following up ----------------------------------------------------------------------------


def list_notices(
    register: Register, config: Config, today: date, request_id: str | None = None
) -> list[NoticeState]:
    """Every notice (of one request, when given), by request and processor."""
    where: str = ""
    args: tuple[str, ...] = ()
    if request_id is not None:
        where, args = " WHERE request_id = ?", (register.get(request_id).id,)
    rows = register.store.db.execute(
        f"SELECT * FROM notices{where} ORDER BY request_id, system", args
    ).fetchall()
    found = notes.texts(
        register.store.db,
        register.store.keys,
        [i for r in rows if (i := notes.marker(r["note"])) is not None],
    )
    return [_state(register, config, r, today, found) for r in rows]


def remind(
    register: Register,
    config: Config,
    today: date,
    request_id: str | None = None,
    *,
    send: mail.Sender = mail.send,
) -> list[NoticeState]:
    """Do what is due for the notices not acknowledged: mail a first notice whose processor has
    an address configured since (while the register keeps the person's address), mark those past
    the overdue days (once), and mail a reminder where the interval has passed since the notice
    or the last reminder. Returns the notices something was done for, with `actions`."""
    done = []
    for notice in list_notices(register, config, today, request_id):
        if notice.state == ACKNOWLEDGED:
            continue
        row = _row(register.store.db, notice.request_id, notice.system)
        assert row is not None
        if notice.state == UNSENT:
            if notice.to and register.get(notice.request_id).address_kept:
                done.append(_send_first(register, config, row, today, send))
            continue
        actions: list[str] = []
        error = None
        if notice.overdue and notice.overdue_on is None:
            assert notice.sent_on is not None
            with register.store.transaction() as db:
                db.execute(
                    "UPDATE notices SET overdue_on = ?, updated_at = ? WHERE request_id = ?"
                    " AND system = ?",
                    (
                        today.isoformat(),
                        register.now().isoformat(),
                        row["request_id"],
                        row["system"],
                    ),
                )
                register.event(
                    db,
                    row["request_id"],
                    "notice_overdue",
                    system=row["system"],
                    days=(today - notice.sent_on).days,
                )
            actions.append("overdue")
        if notice.reminder_due and not config.get(mail.HOST):
            actions.append("not_sent")
            error = NO_SMTP
        elif notice.reminder_due:
            error = _send_reminder(register, config, row, notice, today, send)
            actions.append("failed" if error else "reminded")
        if actions:
            fresh = _row(register.store.db, notice.request_id, notice.system)
            assert fresh is not None
            state = _state(register, config, fresh, today)
            state.actions, state.error = actions, error
            done.append(state)
    return done


def _send_reminder(
    register: Register,
    config: Config,
    row: sqlite3.Row,
    notice: NoticeState,
    today: date,
    send: mail.Sender,
) -> str | None:
    """Mail one reminder; None when sent, else the error (the next run tries again)."""
    request_id, system = row["request_id"], row["system"]
    try:
        to, language = recipient(config, system)
        to = to or row["recipient"]  # an address configured anew wins; else where it went
        language = row["language"] or language
        request = register.get(request_id)
        # While the register keeps the person's address, the reminder repeats it (the processor
        # may not find the first mail); once forgotten, the ids and the first notice's date do.
        address = register.address(request_id) if request.address_kept else None
        assert notice.sent_on is not None
        message = notice_message(
            config,
            to,
            request_id,
            system,
            notice.records,
            language,
            address=address,
            first_sent=notice.sent_on,
            reminder=notice.reminders + 1,
        )
        send(config, message, to)
    except BridgeError as exc:
        register.log(request_id, "notice_failed", system=system, reminder=notice.reminders + 1)
        return str(exc)
    with register.store.transaction() as db:
        db.execute(
            "UPDATE notices SET reminders = reminders + 1, reminded_on = ?, updated_at = ?"
            " WHERE request_id = ? AND system = ?",
            (today.isoformat(), register.now().isoformat(), request_id, system),
        )
        register.event(
            db, request_id, "notice_reminded", system=system, reminders=notice.reminders + 1
        )
    return None


def acknowledge(
    register: Register,
    request_id: str,
    system: str,
    note: str,
    config: Config,
    today: date,
    *,
    send: mail.Sender = mail.send,
) -> Acknowledgement:
    """The processor confirmed: record when, by which operator, and the note (required, sealed),
    and confirm the processor's steps by hand of the request's erasure (the last one completes
    the request, as `erase --confirm-manual` does: the final report, mailed by `send`)."""
    # erasing will call send_notices: importing it here keeps the two from importing each other
    # while they load.
    from bridge.register.erasing import confirm_steps

    text = note_text(note, "note (who confirmed it, e.g. 'confirmed by their support, ticket 12')")
    assert text is not None
    request = register.get(request_id)
    name = system.strip().lower()
    with register.store.transaction() as db:
        row = _row(db, request.id, name)
        if row is None:
            raise InputError(
                f"{request.id} has no notice to {name!r}: requests notices --request {request.id}"
                " lists them"
            )
        if row["state"] == ACKNOWLEDGED:
            raise InputError(
                f"{request.id}: the notice to {name} was acknowledged on {row['acknowledged_on']}"
            )
        sealed = register.seal(db, request.id, text)
        db.execute(
            "UPDATE notices SET state = ?, acknowledged_on = ?, acknowledged_by = ?, note = ?,"
            " updated_at = ? WHERE request_id = ? AND system = ?",
            (
                ACKNOWLEDGED,
                today.isoformat(),
                register.operator,
                json.dumps(sealed),
                register.now().isoformat(),
                request.id,
                name,
            ),
        )
        register.event(db, request.id, "notice_acknowledged", system=name, note=sealed)
    waiting = register.manual_open(request.id).get(name)
    confirmed: list[int] = []
    remaining = sum(m["count"] for m in register.manual_open(request.id).values())
    completed = False
    account: dict[str, Any] = {}
    if waiting:
        done = confirm_steps(
            register, request.id, parse(waiting["steps"]), text, config=config, send=send
        )
        confirmed, remaining, completed = done.confirmed, done.remaining, done.completed
        account = done.to_dict()
    states = list_notices(register, config, today, request.id)
    notice = next(s for s in states if s.system == name)
    notice.actions.append("acknowledged")
    return Acknowledgement(notice, confirmed, remaining, completed, account)


# --- the rows --------------------------------------------------------------------------------


def _row(db: sqlite3.Connection, request_id: str, system: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = db.execute(
        "SELECT * FROM notices WHERE request_id = ? AND system = ?", (request_id, system)
    ).fetchone()
    return row


def _records(row: sqlite3.Row) -> list[NoticeRecord]:
    return [
        NoticeRecord(r["type"], r["id"], r["ask"], r.get("until"))
        for r in json.loads(row["records"] or "[]")
    ]


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _state(
    register: Register,
    config: Config,
    row: sqlite3.Row,
    today: date,
    found: dict[int, str] | None = None,
) -> NoticeState:
    """The notice of one row; the address shown is where it went, else the one configured now."""
    system = row["system"]
    try:
        configured, language = recipient(config, system)
    except InputError:  # a setting of the wrong form: shown as none; sending says why
        configured, language = None, "nl"
    sent_on, reminded_on = _day(row["sent_on"]), _day(row["reminded_on"])
    open_ = row["state"] == SENT
    last = reminded_on or sent_on
    note = row["note"]
    if notes.marker(note) is not None:
        if found is None:
            found = notes.texts(register.store.db, register.store.keys, [notes.marker(note) or 0])
        note = notes.resolve(note, found)
    return NoticeState(
        request_id=row["request_id"],
        system=system,
        state=row["state"],
        to=row["recipient"] or configured,
        language=row["language"] or language,
        records=_records(row),
        sent_on=sent_on,
        reminders=int(row["reminders"]),
        reminded_on=reminded_on,
        overdue_on=_day(row["overdue_on"]),
        acknowledged_on=_day(row["acknowledged_on"]),
        acknowledged_by=row["acknowledged_by"],
        note=note,
        reminder_due=bool(open_ and last and (today - last).days >= remind_days(config)),
        next_reminder=last + timedelta(days=remind_days(config)) if open_ and last else None,
        overdue=bool(open_ and sent_on and (today - sent_on).days >= overdue_days(config)),
    )
