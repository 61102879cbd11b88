"""One record at a time: the index brought up to date for a single record between syncs.

A system that tells us a record changed (a webhook) needs its entry put or removed now rather than
at the next scheduled sync. `put` writes through `bridge.index.entries.write`, the function the
sync writes every batch with, so the entry holds exactly what the sync would store (the HMAC of
the address, the date, the links: never the address); it passes no cursor, because one record
says nothing about the others the stream's cursor stands for (the next sync still reads them).
`drop` removes a record the system no longer has. Neither names a system: the caller (the door of
one vendor, `bridge.service.hooks`) reads the record and makes its entry with the stream's own
`Stream.entry`.

Between the two writers there is no lock: both upsert the system's current answer, so the last
write wins, and an older batch of the sync written after a hook is corrected by the next sync (the
record's change moved its date past the cursor the sync saved).
"""

from __future__ import annotations

from bridge.core.connector import IndexEntry
from bridge.index import entries
from bridge.store.db import Store


def put(store: Store, system: str, stream: str, entry: IndexEntry) -> None:
    """Upsert one record's entry as the sync does, leaving the stream's cursor where it is."""
    entries.write(store, system, stream, [entry], cursor=None)


def drop(store: Store, system: str, record_type: str, record_id: str) -> int:
    """Remove one record's entry (the system deleted the record); how many were removed."""
    with store.transaction() as db:
        return db.execute(
            "DELETE FROM index_entries WHERE system = ? AND record_type = ? AND record_id = ?",
            (system, record_type, record_id),
        ).rowcount
