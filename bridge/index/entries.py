"""The pseudonymised index: per record, the HMAC of its person's address, a date, and the ids
it reveals. The sync writes it; lookups read it through `IndexView`, one per system.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from bridge.core.connector import IndexEntry, normalise_email
from bridge.store.db import Store


def write(
    store: Store, system: str, stream: str, entries: list[IndexEntry], cursor: str | None
) -> None:
    """Upsert the entries and save the stream's cursor in one transaction: a crash leaves both
    as they were, so the next run repeats the batch rather than skipping it."""
    now = datetime.now().astimezone().isoformat(timespec="seconds")
    rows = [
        (
            system,
            e.record_type,
            e.record_id,
            store.keys.pseudonym(e.email) if e.email and "@" in e.email else "",
            e.activity,
            json.dumps(list(e.links)),
        )
        for e in entries
    ]
    with store.transaction() as db:
        db.executemany(
            "INSERT INTO index_entries (system, record_type, record_id, subject, activity, links) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (system, record_type, record_id) DO UPDATE SET "
            "subject = excluded.subject, activity = excluded.activity, links = excluded.links",
            rows,
        )
        if cursor is not None:
            db.execute(
                "INSERT INTO cursors (system, stream, value, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (system, stream) DO UPDATE SET value = excluded.value, "
                "updated_at = excluded.updated_at",
                (system, stream, cursor, now),
            )


def cursors(store: Store, system: str) -> dict[str, tuple[str, str]]:
    """stream -> (cursor, when it was saved)."""
    rows = store.db.execute(
        "SELECT stream, value, updated_at FROM cursors WHERE system = ?", (system,)
    ).fetchall()
    return {r["stream"]: (r["value"], r["updated_at"]) for r in rows}


def forget(store: Store, subject: str) -> int:
    """Remove an erased person from the index."""
    with store.transaction() as db:
        return db.execute("DELETE FROM index_entries WHERE subject = ?", (subject,)).rowcount


def last_activity(store: Store, before: date) -> list[dict[str, Any]]:
    """People whose latest activity in any system is older than `before`."""
    rows = store.db.execute(
        "SELECT subject, MAX(activity) AS last, COUNT(*) AS records, "
        "GROUP_CONCAT(DISTINCT system) AS systems FROM index_entries WHERE subject != '' "
        "GROUP BY subject HAVING MAX(activity) < ? ORDER BY last",
        (before.isoformat(),),
    ).fetchall()
    return [dict(r) for r in rows]


def records_of_subject(store: Store, subject: str) -> list[dict[str, Any]]:
    rows = store.db.execute(
        "SELECT system, record_type, record_id, activity, links FROM index_entries WHERE subject = ?",
        (subject,),
    ).fetchall()
    return [dict(r) for r in rows]


class IndexView:
    """One system's part of the index, as a connector may use it (`bridge.core.connector.IndexLookup`)."""

    def __init__(self, store: Store, system: str) -> None:
        self.store = store
        self.system = system
        saved = cursors(store, system)
        self.cursors = {stream: value for stream, (value, _) in saved.items()}
        stamps = [datetime.fromisoformat(at) for _, at in saved.values()]
        self.synced_at = min(stamps) if stamps else None

    def records_of(self, email: str, record_type: str) -> list[tuple[str, str | None]]:
        subject = self.store.keys.pseudonym(normalise_email(email))
        rows = self.store.db.execute(
            "SELECT record_id, activity FROM index_entries WHERE system = ? AND record_type = ? "
            "AND subject = ?",
            (self.system, record_type, subject),
        ).fetchall()
        return [(r["record_id"], r["activity"]) for r in rows]

    def linked(self, kind: str, value: str, record_type: str) -> list[tuple[str, str | None]]:
        rows = self.store.db.execute(
            "SELECT record_id, activity FROM index_entries, json_each(index_entries.links) AS link "
            "WHERE system = ? AND record_type = ? AND json_extract(link.value, '$[0]') = ? "
            "AND json_extract(link.value, '$[1]') = ?",
            (self.system, record_type, kind, value),
        ).fetchall()
        return [(r["record_id"], r["activity"]) for r in rows]
