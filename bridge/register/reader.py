"""The request register, read: requests, their timelines, states per system and packages.

`bridge.register.requests.Register` adds the changes; the audit log and `requests show` only read. Sealed
operator notes (`bridge.store.notes`) read as their text while kept, and as "[note removed with
the erasure]" once the person's erasure has shredded them.
"""

from __future__ import annotations

import builtins
import dataclasses
import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from bridge.core.errors import InputError
from bridge.core.steps import StepState
from bridge.register import packages as pkgs
from bridge.register.step_numbers import ranges
from bridge.register.types import OPEN, Request, RequestType, request_from_row
from bridge.store import notes
from bridge.store.db import Store

Clock = Callable[[], datetime]


class RegisterReader:
    """The register in a state store as one operator sees it; `clock` is injectable for tests."""

    def __init__(self, store: Store, operator: str, *, clock: Clock | None = None) -> None:
        if not operator.strip():
            raise InputError("an operator name is required")
        self.store = store
        self.operator = operator.strip()
        self.clock = clock or (lambda: datetime.now(UTC))

    def now(self) -> datetime:
        return self.clock().astimezone(UTC).replace(microsecond=0)

    def today(self) -> date:
        """The operator's calendar day, against which due dates are counted."""
        return self.clock().astimezone().date()

    # --- reading ------------------------------------------------------------------------------

    def get(self, request_id: str) -> Request:
        return self._readable([self._current(self.store.db, request_id)])[0]

    def list(self, open_only: bool = False) -> builtins.list[Request]:
        """Requests sorted by due date (then receipt, then id)."""
        where = f" WHERE status IN ({','.join('?' * len(OPEN))})" if open_only else ""
        rows = self.store.db.execute(
            f"SELECT * FROM requests{where} ORDER BY due, received, id", OPEN if open_only else ()
        ).fetchall()
        return self._readable([request_from_row(r) for r in rows])

    def _readable(self, requests: builtins.list[Request]) -> builtins.list[Request]:
        """Requests with a sealed reason shown as its text (or as removed)."""
        ids = [i for r in requests if (i := notes.marker(r.reason)) is not None]
        found = notes.texts(self.store.db, self.store.keys, ids)
        return [
            dataclasses.replace(r, reason=notes.resolve(r.reason, found))
            if notes.marker(r.reason) is not None
            else r
            for r in requests
        ]

    def events(self, request_id: str | None = None) -> builtins.list[dict[str, Any]]:
        where, args = (" WHERE request_id = ?", (request_id,)) if request_id else ("", ())
        rows = self.store.db.execute(f"SELECT * FROM events{where} ORDER BY seq", args).fetchall()
        details = notes.resolve_details(
            self.store.db, self.store.keys, [json.loads(r["detail"]) for r in rows]
        )
        return [
            {
                "seq": r["seq"],
                "request_id": r["request_id"],
                "at": r["at"],
                "actor": r["actor"],
                "action": r["action"],
                "detail": detail,
            }
            for r, detail in zip(rows, details, strict=True)
        ]

    def systems(self, request_id: str) -> dict[str, str]:
        rows = self.store.db.execute(
            "SELECT system, status FROM request_systems WHERE request_id = ? ORDER BY system",
            (request_id,),
        )
        return {r["system"]: r["status"] for r in rows}

    def packages(self, request_id: str | None = None) -> builtins.list[pkgs.Package]:
        """Recorded packages, newest first (all of them when `request_id` is None)."""
        return pkgs.listed(self.store.db, request_id)

    def show(self, request_id: str) -> dict[str, Any]:
        """The request, its timeline, the state per system, its packages and linked requests."""
        request = self.get(request_id)
        linked = self.store.db.execute(
            "SELECT id FROM requests WHERE linked_to = ? ORDER BY id", (request.id,)
        )
        return {
            **request.to_dict(self.today()),
            "linked": [r["id"] for r in linked],
            "systems": self.systems(request.id),
            "manual_open": self.manual_open(request.id),
            "packages": [p.to_dict() for p in self.packages(request.id)],
            "events": self.events(request.id),
        }

    def manual_open(self, request_id: str) -> dict[str, dict[str, Any]]:
        """Per system, the steps by hand of the request's erasure still to be confirmed: their
        count and their numbers as the tool prints them (`56–69, 95`), to paste back into
        `erase --confirm-manual`. Empty once none is left (or for other requests)."""
        request = self.get(request_id)
        if request.type is not RequestType.erasure:
            return {}
        # The erasure of this request, or the person's erasure started by address and resumed
        # for it (`Journal.open` keeps the request id of the erasure it resumes).
        rows = self.store.db.execute(
            "SELECT j.system, j.seq FROM journal j JOIN erasures e ON e.id = j.erasure_id"
            " WHERE j.state = ? AND e.subject = (SELECT subject FROM requests WHERE id = ?)"
            " AND (e.request_id = ? OR e.request_id IS NULL) ORDER BY j.system, j.seq",
            (StepState.manual.value, request.id, request.id),
        ).fetchall()
        steps: dict[str, list[int]] = {}
        for row in rows:
            steps.setdefault(row["system"], []).append(int(row["seq"]))
        return {
            system: {"count": len(seqs), "steps": ranges(seqs)} for system, seqs in steps.items()
        }

    def audit_log(self) -> dict[str, Any]:
        """The register for an audit: every request (no address, no pseudonym) and every event."""
        today = self.today()
        return {
            "generated_at": self.now().isoformat(),
            "requests": [r.to_dict(today) for r in self.list()],
            "events": self.events(),
        }

    def address(self, request_id: str) -> str:
        """The decrypted address of a request, to send to or to collect with; never logged."""
        request = self.get(request_id)
        row = self.store.db.execute(
            "SELECT address FROM requests WHERE id = ?", (request.id,)
        ).fetchone()
        if row["address"] is None:
            raise InputError(f"{request.id}: the address is no longer kept")
        return self.store.keys.decrypt(row["address"])

    def _current(self, db: sqlite3.Connection, request_id: str) -> Request:
        row = db.execute("SELECT * FROM requests WHERE id = ?", (request_id.strip(),)).fetchone()
        if row is None:
            raise InputError(f"unknown request {request_id.strip()!r}")
        return request_from_row(row)
