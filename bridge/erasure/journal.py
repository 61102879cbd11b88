"""The erasure journal: the plan, written down before anything changes, and each step's state.

Step states (`bridge.core.steps.StepState`): `pending` → `started` (written before the call) →
`done` or `failed` (after it); `manual` steps wait for the operator, who confirms them
(`confirmed`). A crash leaves a step `started`; the next run applies it again, which is safe
because every step is idempotent. The erasure itself has a status (`ErasureStatus`). Both are
stored as their values: a database written by an earlier version reads the same.

The operator's note on a confirmation is sealed (`bridge.store.notes`): the step's outcome
holds a marker, read back as the note until the erasure is `verified`, when every note about the
person is shredded.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from bridge.core.steps import Step, StepState
from bridge.register.types import note_text
from bridge.store import notes
from bridge.store.db import Store


class ErasureStatus(StrEnum):
    """Where an erasure stands (the `erasures` table)."""

    planned = "planned"  # journaled, nothing applied yet
    applying = "applying"
    failed = "failed"  # a step or a system failed: a rerun resumes it
    unverified = "unverified"  # every step done, but verification found a problem
    awaiting_manual = "awaiting_manual"  # done and verified but for the steps by hand
    verified = "verified"  # finished: every note about the person is shredded


OPEN = (
    ErasureStatus.planned,
    ErasureStatus.applying,
    ErasureStatus.failed,
    ErasureStatus.awaiting_manual,
    ErasureStatus.unverified,
)
CONFIRMED = "confirmed by the operator"


@dataclass(frozen=True)
class JournalEntry:
    """One step of an erasure as the journal holds it (a dry run's are `planned`, not stored)."""

    seq: int
    step: Step
    state: StepState
    outcome: str | None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Journal:
    """One erasure of one person (keyed by the HMAC of their address)."""

    def __init__(self, store: Store, erasure_id: str) -> None:
        self.store = store
        self.id = erasure_id

    @classmethod
    def find(cls, store: Store, subject: str) -> Journal | None:
        """The person's unfinished erasure, if there is one."""
        row = store.db.execute(
            f"SELECT id FROM erasures WHERE subject = ? AND status IN ({','.join('?' * len(OPEN))}) "
            "ORDER BY created_at DESC LIMIT 1",
            (subject, *OPEN),
        ).fetchone()
        return cls(store, row["id"]) if row else None

    @classmethod
    def last(cls, store: Store, subject: str, request_id: str) -> Journal | None:
        """The person's newest erasure for `request_id` (or one started by address, which the
        request resumed), whatever its status: to read a finished erasure back."""
        row = store.db.execute(
            "SELECT id FROM erasures WHERE subject = ? AND (request_id = ? OR request_id IS NULL)"
            " ORDER BY created_at DESC, rowid DESC LIMIT 1",
            (subject, request_id),
        ).fetchone()
        return cls(store, row["id"]) if row else None

    @classmethod
    def open(cls, store: Store, subject: str, request_id: str | None = None) -> Journal:
        """The person's unfinished erasure, to resume, or a new one."""
        with store.transaction() as db:
            row = db.execute(
                f"SELECT id FROM erasures WHERE subject = ? AND status IN ({','.join('?' * len(OPEN))}) "
                "ORDER BY created_at DESC LIMIT 1",
                (subject, *OPEN),
            ).fetchone()
            if row:
                return cls(store, row["id"])
            erasure_id = f"era-{datetime.now(UTC):%Y%m%d}-{uuid.uuid4().hex[:6]}"
            db.execute(
                "INSERT INTO erasures (id, subject, request_id, status, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (erasure_id, subject, request_id, ErasureStatus.planned, _now(), _now()),
            )
        return cls(store, erasure_id)

    def merge(self, steps: Iterable[Step]) -> int:
        """Add the steps not yet in the journal (new data found since); return how many."""
        added = 0
        with self.store.transaction() as db:
            seq = db.execute(
                "SELECT COALESCE(MAX(seq), 0) FROM journal WHERE erasure_id = ?", (self.id,)
            ).fetchone()[0]
            for step in steps:
                exists = db.execute(
                    "SELECT 1 FROM journal WHERE erasure_id = ? AND system = ? AND record_type = ? "
                    "AND record_id = ?",
                    (self.id, step.system, step.record_type, step.record_id),
                ).fetchone()
                if exists:
                    continue
                seq += 1
                added += 1
                db.execute(
                    "INSERT INTO journal (erasure_id, seq, system, record_type, record_id, action, "
                    "step, state, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        self.id,
                        seq,
                        step.system,
                        step.record_type,
                        step.record_id,
                        step.action.value,
                        step.model_dump_json(),
                        StepState.pending if step.automatic else StepState.manual,
                        _now(),
                    ),
                )
        return added

    def entries(self) -> list[JournalEntry]:
        rows = self.store.db.execute(
            "SELECT seq, step, state, outcome FROM journal WHERE erasure_id = ? ORDER BY seq",
            (self.id,),
        ).fetchall()
        noted = {r["seq"]: note for r in rows if (note := _confirmation_note(r["outcome"]))}
        ids = [i for note in noted.values() if (i := notes.marker(note)) is not None]
        found = notes.texts(self.store.db, self.store.keys, ids)
        return [
            JournalEntry(
                r["seq"],
                Step.model_validate_json(r["step"]),
                StepState(r["state"]),
                f"{CONFIRMED}: {notes.resolve(noted[r['seq']], found)}"
                if r["seq"] in noted
                else r["outcome"],
            )
            for r in rows
        ]

    def replace(self, seq: int, step: Step) -> None:
        """A new step for the same record (a retention that ended); its state starts over."""
        with self.store.transaction() as db:
            db.execute(
                "UPDATE journal SET action = ?, step = ?, state = ?, outcome = NULL, "
                "updated_at = ? WHERE erasure_id = ? AND seq = ?",
                (
                    step.action.value,
                    step.model_dump_json(),
                    StepState.pending,
                    _now(),
                    self.id,
                    seq,
                ),
            )

    def mark(self, seq: int, state: StepState, outcome: str | None = None) -> None:
        with self.store.transaction() as db:
            db.execute(
                "UPDATE journal SET state = ?, outcome = ?, updated_at = ? WHERE erasure_id = ? AND seq = ?",
                (state, outcome, _now(), self.id, seq),
            )

    def mark_many(self, marks: Iterable[tuple[int, StepState, str | None]]) -> None:
        """Several steps' states in one transaction (the items of one batch)."""
        with self.store.transaction() as db:
            db.executemany(
                "UPDATE journal SET state = ?, outcome = ?, updated_at = ? WHERE erasure_id = ? AND seq = ?",
                [(state, outcome, _now(), self.id, seq) for seq, state, outcome in marks],
            )

    @property
    def status(self) -> ErasureStatus:
        row = self.store.db.execute(
            "SELECT status FROM erasures WHERE id = ?", (self.id,)
        ).fetchone()
        return ErasureStatus(row["status"])

    def set_status(self, status: ErasureStatus) -> None:
        """A `verified` erasure is done: every note about the person is shredded with it."""
        with self.store.transaction() as db:
            db.execute(
                "UPDATE erasures SET status = ?, updated_at = ? WHERE id = ?",
                (status, _now(), self.id),
            )
            if status is ErasureStatus.verified:
                notes.shred(db, self._subject(db))
        if status is ErasureStatus.verified:
            self.store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # no old page keeps a key

    @property
    def subject(self) -> str:
        """The person's keyed pseudonym (the HMAC of their address)."""
        return self._subject(self.store.db)

    def _subject(self, db: sqlite3.Connection) -> str:
        row = db.execute("SELECT subject FROM erasures WHERE id = ?", (self.id,)).fetchone()
        return str(row["subject"])

    def confirm_manual(self, seqs: Iterable[int], note: str = "") -> int:
        """Mark manual steps confirmed; the operator's note is sealed, never stored in clear."""
        text = note_text(note, "note", required=False)
        sealed: dict[str, int] | None = None
        changed = 0
        for seq in seqs:
            with self.store.transaction() as db:
                waiting = db.execute(
                    "SELECT 1 FROM journal WHERE erasure_id = ? AND seq = ? AND state = ?",
                    (self.id, seq, StepState.manual),
                ).fetchone()
                if waiting is None:
                    continue
                if text and sealed is None:
                    sealed = notes.seal(db, self.store.keys, self._subject(db), text)
                cursor = db.execute(
                    "UPDATE journal SET state = ?, outcome = ?, updated_at = ? "
                    "WHERE erasure_id = ? AND seq = ? AND state = ?",
                    (
                        StepState.confirmed,
                        json.dumps({"note": sealed}) if sealed else CONFIRMED,
                        _now(),
                        self.id,
                        seq,
                        StepState.manual,
                    ),
                )
                changed += cursor.rowcount
        return changed


def _confirmation_note(outcome: str | None) -> object:
    """The note of a confirmed step's outcome (a marker, or clear text from an older version)."""
    if not outcome or not outcome.startswith("{"):
        return None
    try:
        data = json.loads(outcome)
    except ValueError:
        return None
    return data.get("note") if isinstance(data, dict) else None
