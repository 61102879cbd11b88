"""What the register forgets, and when: the encrypted address (with any code and the packages)
of a request that needs it no more, and every note about a person whose erasure completed.

A completed erasure request forgets at once: its address, the addresses of the person's other
closed requests, and the person's sealed notes (`bridge.store.notes.shred`). Other requests keep
the address until `housekeeping` finds them closed for longer than the package term, with no
package left. After either, the WAL is checkpointed so that no old page keeps what was dropped.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from typing import TYPE_CHECKING

from bridge.register import packages as pkgs
from bridge.register.types import RequestType
from bridge.store import notes

if TYPE_CHECKING:
    from bridge.register.requests import Register


def forget_request(register: Register, db: sqlite3.Connection, request_id: str) -> None:
    """Drop the encrypted address, any code and the packages of one request."""
    removed = [pkgs.remove(db, p) for p in pkgs.listed(db, request_id)]
    db.execute("DELETE FROM codes WHERE request_id = ?", (request_id,))
    db.execute("UPDATE requests SET address = NULL WHERE id = ?", (request_id,))
    register.event(db, request_id, "address_dropped", packages_removed=len(removed))


def forget_erased(register: Register, db: sqlite3.Connection, request_id: str) -> bool:
    """Once `request_id` is completed: when it (or a request linked to it) asked for erasure,
    forget the addresses of the person's closed requests and shred every note about them.
    True when something was forgotten (the caller then checkpoints, after the transaction)."""
    erasures = db.execute(
        "SELECT id, subject FROM requests WHERE (id = ? OR linked_to = ?) AND type = ?",
        (request_id, request_id, RequestType.erasure.value),
    ).fetchall()
    for row in erasures:
        forget_request(register, db, row["id"])
    for subject in sorted({row["subject"] for row in erasures}):
        # the person's other closed requests need the address no more either
        closed = db.execute(
            "SELECT id FROM requests WHERE subject = ? AND address IS NOT NULL"
            " AND closed_at IS NOT NULL",
            (subject,),
        ).fetchall()
        for row in closed:
            forget_request(register, db, row["id"])
        removed = notes.shred(db, subject)
        register.event(db, request_id, "notes_removed", notes=removed)
    return bool(erasures)


def forget_closed(register: Register, older_than_days: float) -> list[str]:
    """Drop the addresses of requests closed longer ago than that, with no package left."""
    cutoff = (register.now() - timedelta(days=older_than_days)).isoformat()
    with register.store.transaction() as db:
        rows = db.execute(
            "SELECT id FROM requests WHERE address IS NOT NULL AND closed_at IS NOT NULL"
            " AND closed_at < ? AND id NOT IN"
            " (SELECT request_id FROM packages WHERE request_id IS NOT NULL) ORDER BY id",
            (cutoff,),
        ).fetchall()
        for row in rows:
            forget_request(register, db, row["id"])
    if rows:
        register.checkpoint()
    return [r["id"] for r in rows]
