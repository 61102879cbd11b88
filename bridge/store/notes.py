"""Operator text, sealed: notes and reasons kept encrypted per person, shredded with the erasure.

What an operator types (`--note`, `--reason`: a manual identity check, an extension, a denial, a
cancellation, a completion, a confirmed manual erasure step) may name the person: a name, a
phone number, an IBAN, a street. The audit trail is append-only, so such text never goes into it
in clear. Instead:

- each person (the HMAC of the address, as in the register) gets a random note key, stored
  encrypted with the state's `data.key` (the mechanism that keeps an open request's address);
- the text, encrypted with that key, goes into the `notes` table, which is not append-only;
- the audit event, the request row or the journal step holds only a marker: which note, and its
  length (`{"sealed_note": 17, "chars": 42}`), no hash of the text;
- when the person's erasure completes, their key and notes are deleted (`shred`; secure_delete is
  on and the register checkpoints the WAL), so no copy of the trail can be read back: the markers
  then read as "[note removed with the erasure]".

Reading resolves markers into the text while it is kept. E-mail addresses are taken out before
sealing, as before: the register keeps the address apart (HMAC and encrypted column).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from bridge.store.keys import Keys

REMOVED = "[note removed with the erasure]"
UNREADABLE = "[note cannot be read: the state key does not match]"
MARK = "sealed_note"

# Kept outside the numbered schema (bridge.store.schema): created on first use, idempotent.
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS note_keys (
        subject TEXT PRIMARY KEY,
        key BLOB NOT NULL,
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS notes (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        subject TEXT NOT NULL,
        sealed BLOB NOT NULL,
        created_at TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS notes_subject ON notes(subject)",
)


def ensure_schema(db: sqlite3.Connection) -> None:
    for statement in SCHEMA:
        db.execute(statement)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _person_key(db: sqlite3.Connection, keys: Keys, subject: str, *, make: bool) -> Fernet | None:
    row = db.execute("SELECT key FROM note_keys WHERE subject = ?", (subject,)).fetchone()
    if row is not None:
        return Fernet(keys.decrypt(row[0]).encode())
    if not make:
        return None
    key = Fernet.generate_key()
    db.execute(
        "INSERT INTO note_keys (subject, key, created_at) VALUES (?, ?, ?)",
        (subject, keys.encrypt(key.decode()), _now()),
    )
    return Fernet(key)


def seal(db: sqlite3.Connection, keys: Keys, subject: str, text: str) -> dict[str, int]:
    """Encrypt `text` under the person's note key (made on first use), in the caller's
    transaction; returns the marker to store instead of the text."""
    ensure_schema(db)
    cipher = _person_key(db, keys, subject, make=True)
    assert cipher is not None
    cursor = db.execute(
        "INSERT INTO notes (subject, sealed, created_at) VALUES (?, ?, ?)",
        (subject, cipher.encrypt(text.encode()), _now()),
    )
    assert cursor.lastrowid is not None
    return {MARK: cursor.lastrowid, "chars": len(text)}


def marker(value: Any) -> int | None:
    """The note id of a marker (as stored in an event's detail, or as JSON text in a column)."""
    if isinstance(value, str) and value.startswith("{"):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    if isinstance(value, dict) and isinstance(value.get(MARK), int):
        return int(value[MARK])
    return None


def texts(db: sqlite3.Connection, keys: Keys, ids: Iterable[int]) -> dict[int, str]:
    """The kept notes among `ids`, decrypted; a shredded note is absent."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    ensure_schema(db)
    rows = db.execute(
        f"SELECT id, subject, sealed FROM notes WHERE id IN ({','.join('?' * len(wanted))})",
        wanted,
    ).fetchall()
    ciphers: dict[str, Fernet | None] = {}
    found = {}
    for note_id, subject, sealed in rows:
        if subject not in ciphers:
            ciphers[subject] = _person_key(db, keys, subject, make=False)
        cipher = ciphers[subject]
        try:
            found[note_id] = cipher.decrypt(sealed).decode() if cipher else UNREADABLE
        except InvalidToken:
            found[note_id] = UNREADABLE
    return found


def resolve(value: Any, found: dict[int, str]) -> Any:
    """A marker as the text it stands for, or REMOVED once shredded; other values unchanged."""
    note_id = marker(value)
    if note_id is None:
        return value
    return found.get(note_id, REMOVED)


def resolve_details(
    db: sqlite3.Connection, keys: Keys, details: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Event details with their markers resolved (one query for all of them)."""
    ids = [i for d in details for v in d.values() if (i := marker(v)) is not None]
    found = texts(db, keys, ids)
    return [{k: resolve(v, found) for k, v in d.items()} for d in details]


def shred(db: sqlite3.Connection, subject: str) -> int:
    """Delete the person's note key and notes (the markers then read as REMOVED), and any reason
    kept in clear on their requests by an older version; returns the number of notes deleted.
    Checkpoint the WAL afterwards so that no old page keeps the key."""
    ensure_schema(db)
    removed = db.execute("DELETE FROM notes WHERE subject = ?", (subject,)).rowcount
    db.execute("DELETE FROM note_keys WHERE subject = ?", (subject,))
    legacy = db.execute(
        "SELECT id, reason FROM requests WHERE subject = ? AND reason IS NOT NULL", (subject,)
    ).fetchall()
    for request_id, reason in legacy:
        if marker(reason) is None and reason != REMOVED:
            db.execute("UPDATE requests SET reason = ? WHERE id = ?", (REMOVED, request_id))
    return int(removed)
