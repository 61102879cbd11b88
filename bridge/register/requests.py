"""The request register: who asked for what, when it is due, where it stands, and who did what.

A request is keyed by the HMAC of the subject's normalised address; the address itself is kept
encrypted only while the request may still need it (to send a code, to collect, to deliver) and
dropped as soon as an erasure request completes. Every change is an append-only audit event that
names request ids, types, statuses, systems and counts, never a person. What an operator types
(notes, reasons) is sealed (`bridge.store.notes`): encrypted under the person's note key, the
event holding only a marker, and shredded when the person's erasure completes.

    register = App(load_config()).register(operator="anna")   # bridge.app.App
    new = register.new("access", "jan@example.nl")  # -> NewRequest(id, due, duplicate_of, warnings)
    address = register.start_work(new.id, "export")           # only once verified
"""

from __future__ import annotations

import builtins
import json
import secrets
import sqlite3
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bridge.core.connector import checked_email
from bridge.core.errors import InputError
from bridge.core.models import Status
from bridge.register import forgetting
from bridge.register import packages as pkgs
from bridge.register.deadlines import MAX_EXTENSION_MONTHS, due_date, retention_due
from bridge.register.reader import RegisterReader
from bridge.register.rules import extension_refusal, refusal, registration_warnings
from bridge.register.types import (
    CLOSED,
    OPEN,
    OPERATOR_CHANNELS,
    WORKABLE,
    Channel,
    NewRequest,
    Request,
    RequestStatus,
    RequestType,
    choice,
    note_text,
)
from bridge.store import notes

S = RequestStatus


class Register(RegisterReader):
    """The register in a state store, acting as one operator; `clock` is injectable for tests.
    What it forgets, and when, is `bridge.register.forgetting`."""

    # --- writing ------------------------------------------------------------------------------

    def event(
        self, db: sqlite3.Connection, request_id: str | None, action: str, **detail: Any
    ) -> None:
        """Append one audit event; `detail` holds ids, statuses, system names and counts only."""
        db.execute(
            "INSERT INTO events (request_id, at, actor, action, detail) VALUES (?, ?, ?, ?, ?)",
            (
                request_id,
                self.now().isoformat(),
                self.operator,
                action,
                json.dumps(detail, sort_keys=True),
            ),
        )

    def seal(
        self, db: sqlite3.Connection, request_id: str, text: str | None
    ) -> dict[str, int] | None:
        """Operator text for an event or a request row: the marker of the sealed note, or None."""
        if not text:
            return None
        row = db.execute("SELECT subject FROM requests WHERE id = ?", (request_id.strip(),))
        subject = row.fetchone()
        if subject is None:
            raise InputError(f"unknown request {request_id.strip()!r}")
        return notes.seal(db, self.store.keys, subject["subject"], text)

    def log(self, request_id: str | None, action: str, **detail: Any) -> None:
        """Append one audit event in its own transaction."""
        with self.store.transaction() as db:
            self.event(db, request_id, action, **detail)

    def new(
        self, type_: str, email: str, *, received: date | None = None, channel: str = "email"
    ) -> NewRequest:
        """Register a request; flag it when the same person has an open one of the same type,
        and warn (`NewRequest.warnings`) when its deadline has already passed."""
        kind: RequestType = choice(RequestType, type_, "type")
        via: Channel = choice(Channel, channel, "channel")
        if via not in OPERATOR_CHANNELS:
            names = "|".join(c.value for c in OPERATOR_CHANNELS)
            raise InputError(
                f"channel {via.value!r} is for the requests retention apply opens itself;"
                f" choose {names}"
            )
        address = checked_email(email)
        today = self.today()
        received = received or today
        if received > today:
            raise InputError(f"the receipt date {received} is in the future")
        return self._register(kind, address, received, via, due_date(received))

    def open_retention(self, email: str, last_activity: str) -> NewRequest:
        """An erasure request the tool opens itself because the person's retention term ended:
        channel `retention`, the shop's own target as its due date (`deadlines.retention_due`),
        and verified at once (the shop itself asks; nobody's identity is in question)."""
        address = checked_email(email)
        today = self.today()
        made = self._register(
            RequestType.erasure, address, today, Channel.retention, retention_due(today)
        )
        self.mark_verified(
            made.id, "retention", f"retention term ended (last activity {last_activity[:10]})"
        )
        return made

    def _register(
        self, kind: RequestType, address: str, received: date, via: Channel, due: date
    ) -> NewRequest:
        subject = self.store.keys.pseudonym(address)
        token = self.store.keys.encrypt(address)
        with self.store.transaction() as db:
            first = db.execute(
                "SELECT id, linked_to FROM requests WHERE subject = ? AND type = ? AND status IN"
                f" ({','.join('?' * len(OPEN))}) ORDER BY received, created_at, id LIMIT 1",
                (subject, kind.value, *OPEN),
            ).fetchone()
            duplicate_of = (first["linked_to"] or first["id"]) if first else None
            request_id = self._insert(db, (kind, subject, token, via, received, due, duplicate_of))
            warnings = registration_warnings(request_id, received, due, self.today())
            # How late it was on arrival is a count for the audit, not a person's data.
            late = {"overdue_days": (self.today() - due).days} if warnings else {}
            self.event(
                db,
                request_id,
                "received",
                type=kind.value,
                channel=via.value,
                received=received.isoformat(),
                due=due.isoformat(),
                **late,
            )
            if duplicate_of:
                self.event(db, request_id, "flagged_duplicate", of=duplicate_of)
        return NewRequest(request_id, due, duplicate_of, tuple(warnings))

    def _insert(self, db: sqlite3.Connection, values: tuple[Any, ...]) -> str:
        kind, subject, token, channel, received, due, duplicate_of = values
        stamp = self.now().isoformat()
        for _ in range(100):
            request_id = f"req-{received:%Y%m%d}-{secrets.token_hex(2)}"
            if db.execute("SELECT 1 FROM requests WHERE id = ?", (request_id,)).fetchone():
                continue
            db.execute(
                "INSERT INTO requests (id, type, status, subject, address, channel, received,"
                " due, duplicate_of, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    request_id,
                    kind.value,
                    S.identity_unverified.value,
                    subject,
                    token,
                    channel.value,
                    received.isoformat(),
                    due.isoformat(),
                    duplicate_of,
                    stamp,
                    stamp,
                ),
            )
            return request_id
        raise InputError(f"no free request id left for {received}")

    def _move(
        self,
        db: sqlite3.Connection,
        request_id: str,
        allowed: tuple[RequestStatus, ...],
        status: RequestStatus,
        action: str,
        **detail: Any,
    ) -> Request:
        """Change a status (and that of the requests linked to it), with one event each."""
        request = self._current(db, request_id)
        if request.linked_to:
            raise InputError(f"{request.id} is linked to {request.linked_to}: work on that one")
        if request.status not in allowed:
            raise InputError(refusal(request, action))
        linked = db.execute("SELECT id FROM requests WHERE linked_to = ?", (request.id,))
        stamp = self.now().isoformat()
        closed = stamp if status in CLOSED else None
        reason = detail.get("reason")
        reason = json.dumps(reason, sort_keys=True) if isinstance(reason, dict) else reason
        for rid in [request.id, *(r["id"] for r in linked.fetchall())]:
            db.execute(
                "UPDATE requests SET status = ?, updated_at = ?, closed_at = ?,"
                " reason = COALESCE(?, reason) WHERE id = ?",
                (status.value, stamp, closed, reason, rid),
            )
            via = {} if rid == request.id else {"via": request.id}
            self.event(db, rid, action, status=status.value, **detail, **via)
        return request

    def extend(self, request_id: str, months: int, reason: str) -> Request:
        """Move the due date by 1 or 2 further months, at most 2 in total, and only within the
        first month, when the customer can still be told in time (art. 12(3); `rules`)."""
        why = note_text(reason)
        if months not in (1, 2):
            raise InputError("an extension is 1 or 2 months")
        with self.store.transaction() as db:
            request = self._current(db, request_id)
            if refused := extension_refusal(request, self.today()):
                raise InputError(refused)
            total = request.extended_months + months
            if total > MAX_EXTENSION_MONTHS:
                raise InputError(
                    f"{request.id} is already extended by {request.extended_months} month(s);"
                    f" at most {MAX_EXTENSION_MONTHS} in total"
                )
            due = due_date(request.received, total)
            db.execute(
                "UPDATE requests SET due = ?, extended_months = ?, updated_at = ? WHERE id = ?",
                (due.isoformat(), total, self.now().isoformat(), request.id),
            )
            self.event(
                db,
                request.id,
                "extended",
                months=months,
                due=due.isoformat(),
                reason=self.seal(db, request.id, why),
            )
        return self.get(request.id)

    def link(self, request_id: str, to: str) -> Request:
        """Handle `request_id` as part of `to` (same person); it follows `to`'s status from now on."""
        with self.store.transaction() as db:
            request, target = self._current(db, request_id), self._current(db, to)
            subjects = db.execute(
                "SELECT COUNT(DISTINCT subject) FROM requests WHERE id IN (?, ?)",
                (request.id, target.id),
            ).fetchone()[0]
            if request.id == target.id:
                raise InputError("a request cannot be linked to itself")
            if not (request.open and target.open):
                raise InputError("only open requests can be linked")
            if target.linked_to:
                raise InputError(f"{target.id} is linked to {target.linked_to}: link to that one")
            if subjects != 1:
                raise InputError("the two requests are not about the same person")
            if db.execute("SELECT 1 FROM requests WHERE linked_to = ?", (request.id,)).fetchone():
                raise InputError(f"other requests are linked to {request.id}: link those first")
            db.execute(
                "UPDATE requests SET linked_to = ?, status = ?, updated_at = ? WHERE id = ?",
                (target.id, target.status.value, self.now().isoformat(), request.id),
            )
            self.event(db, request.id, "linked", to=target.id, status=target.status.value)
            self.event(db, target.id, "linked_from", request=request.id)
        return self.get(request.id)

    def cancel(self, request_id: str, reason: str | None = None) -> Request:
        why = note_text(reason, required=False)
        with self.store.transaction() as db:
            sealed = self.seal(db, request_id, why)
            self._move(db, request_id, OPEN, S.cancelled, "cancelled", reason=sealed)
        return self.get(request_id)

    def deny(self, request_id: str, reason: str) -> Request:
        why = note_text(reason)
        with self.store.transaction() as db:
            sealed = self.seal(db, request_id, why)
            self._move(db, request_id, OPEN, S.denied, "denied", reason=sealed)
        return self.get(request_id)

    def mark_verified(self, request_id: str, method: str, note: str | None = None) -> Request:
        """Identity established (by `code` or `manual`); a pending code is spent."""
        why = note_text(note, "note", required=False)
        with self.store.transaction() as db:
            sealed = self.seal(db, request_id, why)
            extra = {"note": sealed} if sealed else {}
            self._move(
                db,
                request_id,
                (S.identity_unverified,),
                S.verified,
                "verified",
                method=method,
                **extra,
            )
            db.execute("DELETE FROM codes WHERE request_id = ?", (request_id.strip(),))
        return self.get(request_id)

    # --- what the export and erasure code calls --------------------------------------------

    def start_work(self, request_id: str, kind: str) -> str:
        """Mark a verified request in progress for `kind` (export, erasure…); returns the address."""
        with self.store.transaction() as db:
            request = self._current(db, request_id)
            if request.status not in WORKABLE and not request.linked_to:
                raise InputError(refusal(request, "work_started"))
            self._move(db, request.id, WORKABLE, S.in_progress, "work_started", kind=kind)
        return self.address(request_id)

    def record_systems(self, request_id: str, statuses: Mapping[str, str]) -> None:
        """The state per system for this request (ok, not_found, error, skipped, manual)."""
        clean = {str(k): str(getattr(v, "value", v)) for k, v in sorted(statuses.items())}
        if bad := sorted(set(clean.values()) - {s.value for s in Status}):
            raise InputError(f"unknown system status {bad[0]!r}")
        with self.store.transaction() as db:
            request = self._current(db, request_id)
            for system, status in clean.items():
                db.execute(
                    "INSERT INTO request_systems (request_id, system, status, updated_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT (request_id, system)"
                    " DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at",
                    (request.id, system, status, self.now().isoformat()),
                )
            self.event(db, request.id, "systems", **clean)

    def record_package(
        self, request_id: str, path: Path, *, complete: bool, days: float
    ) -> pkgs.Package:
        """Record a package written for the request; it expires after `days`."""
        created = self.now()
        expires = created + timedelta(days=days)
        with self.store.transaction() as db:
            request = self._current(db, request_id)
            pkgs.insert(db, path, request.id, created, expires, complete)
            self.event(
                db,
                request.id,
                "package",
                complete=complete,
                bytes=path.stat().st_size,
                expires_at=expires.isoformat(),
            )
        return self.packages(request.id)[0]

    def await_manual(
        self, request_id: str, note: str | None = None, *, manual_steps: int | None = None
    ) -> Request:
        """Some work waits on a person (a processor without an API); the request stays open.
        The operator's `note` is sealed; `manual_steps` (the erasure's count) stays in clear."""
        why = note_text(note, "note", required=manual_steps is None)
        counted = {} if manual_steps is None else {"manual_steps": manual_steps}
        with self.store.transaction() as db:
            sealed = self.seal(db, request_id, why)
            self._move(
                db,
                request_id,
                (S.verified, S.in_progress),
                S.awaiting_manual,
                "awaiting_manual",
                **({"note": sealed} if sealed else {}),
                **counted,
            )
        return self.get(request_id)

    def complete(self, request_id: str, note: str | None = None, **counts: int) -> Request:
        """Close a request as answered. A completed erasure request forgets the address and its
        packages (only the HMAC stays) and shreds every note about the person (of all their
        requests and erasures, this completion's note included), and the WAL is checkpointed so
        no old page keeps them. `counts` go into the event in clear."""
        why = note_text(note, "note", required=False)
        with self.store.transaction() as db:
            sealed = self.seal(db, request_id, why)
            extra: dict[str, Any] = {"note": sealed} if sealed else {}
            request = self._move(
                db,
                request_id,
                (*WORKABLE, S.awaiting_manual),
                S.completed,
                "completed",
                **extra,
                **counts,
            )
            erased = forgetting.forget_erased(self, db, request.id)
        if erased:
            self.checkpoint()
        return self.get(request.id)

    def forget_closed(self, older_than_days: float) -> builtins.list[str]:
        """Drop the addresses of requests closed longer ago than that, with no package left."""
        return forgetting.forget_closed(self, older_than_days)

    def checkpoint(self) -> None:
        """Move the WAL into the database and truncate it, so that no old page version stays."""
        self.store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
