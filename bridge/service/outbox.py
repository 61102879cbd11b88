"""The webhook outbox: the register's events about requests a client registered, turned into
signed POSTs to that client's callback URL, kept in the state database until delivered.

How changes are learnt: the register writes an audit event for every change of a request
(`bridge.register.requests`: `received`, and every status change with `status` in its detail);
`scan` reads the events past each request's `seen_seq` and puts one outbox row per event and
client, in one transaction that holds the write lock, so no event is skipped or taken twice.
No edit of the register is needed.

`deliver` sends the rows that are due. A failed POST (no answer, or not 2xx) is retried after
30 s, 1, 2, 4 … minutes (doubling, at most 6 hours apart) up to `MAX_ATTEMPTS`, then marked
failed. A row being sent is leased for `LEASE` first, so the `serve` loop and a cron's
`webhooks deliver` never send the same row at once; a process killed mid-send leaves it to be
sent again after the lease, under the same event id (receivers deduplicate by id).
Rows of a revoked client, or one without a callback URL, are dropped.

The body names ids, the request's type, status and due date only: never a person, never an
operator's note.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bridge.service import clients
from bridge.service.tables import ensure_schema
from bridge.service.webhooks import post
from bridge.store.db import Store

# Events that announce a change of a request besides those carrying a new `status`.
ANNOUNCED = frozenset({"received", "extended", "package", "delivered", "package_expired"})
# The service's own audit events: they change no request.
OWN = frozenset({"api_call", "package_link", "package_downloaded"})
FIRST_RETRY = 30.0  # seconds
MAX_DELAY = 6 * 3600.0
MAX_ATTEMPTS = 12  # ~ 20 hours of retries in all
LEASE = timedelta(minutes=5)

# Sends one event: (url, body, secret, unix time) -> None when delivered, else what went wrong.
Sender = Callable[[str, bytes, str, int], str | None]


@dataclass
class Delivered:
    queued: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    dropped: int = 0

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


def utc(moment: datetime) -> datetime:
    """One form for every stored time, so that they compare as text (next_at <= now)."""
    return moment.astimezone(UTC).replace(microsecond=0)


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed try (1 -> 30 s, 2 -> 60 s, ...)."""
    return timedelta(seconds=min(MAX_DELAY, FIRST_RETRY * 2 ** max(0, attempts - 1)))


def scan(store: Store, *, now: datetime) -> int:
    """Queue one webhook per new register event of a request registered over HTTP; how many."""
    now = utc(now)
    queued = 0
    with store.transaction() as db:
        ensure_schema(db)
        floor = db.execute("SELECT MIN(seen_seq) FROM service_requests").fetchone()[0]
        if floor is None:
            return 0
        top = int(db.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()[0])
        rows = db.execute(
            "SELECT e.seq, e.request_id, e.at, e.action, e.detail, s.client, s.reference,"
            " s.seen_seq FROM events e JOIN service_requests s ON s.request_id = e.request_id"
            " WHERE e.seq > ? AND e.seq <= ? ORDER BY e.seq",
            (floor, top),
        ).fetchall()
        for row in rows:
            if row["seq"] <= row["seen_seq"]:
                continue
            body = _body(db, row)
            if body is None:
                continue
            queued += db.execute(
                "INSERT OR IGNORE INTO webhook_outbox (event_id, client, source_seq, body, state,"
                " next_at, created_at) VALUES (?, ?, ?, ?, 'pending', ?, ?)",
                (
                    body["id"],
                    row["client"],
                    row["seq"],
                    json.dumps(body),
                    now.isoformat(),
                    now.isoformat(),
                ),
            ).rowcount
        # Every event up to `top` has been looked at: no request needs to look further back.
        db.execute("UPDATE service_requests SET seen_seq = ? WHERE seen_seq < ?", (top, top))
    return queued


def _body(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any] | None:
    """The webhook for one register event, or None when the event changes nothing a client
    follows (the service's own audit events, a note)."""
    detail = json.loads(row["detail"] or "{}")
    if row["action"] in OWN or (row["action"] not in ANNOUNCED and "status" not in detail):
        return None
    request = db.execute(
        "SELECT type, status, due FROM requests WHERE id = ?", (row["request_id"],)
    ).fetchone()
    if request is None:
        return None
    created = int(datetime.fromisoformat(row["at"]).timestamp())
    return {
        "id": "evt_" + secrets.token_hex(12),
        "type": f"request.{row['action']}",
        "created": created,
        "sequence": row["seq"],  # the register's order: deliveries may arrive out of it
        "data": {
            "request_id": row["request_id"],
            "reference": row["reference"],
            "request_type": request["type"],
            # The status the event set; for other events, the status when it was queued.
            "status": str(detail.get("status") or request["status"]),
            "due": request["due"],
        },
    }


def deliver(store: Store, *, now: datetime, send: Sender = post, limit: int = 100) -> Delivered:
    """Send the webhooks that are due (at most `limit`); what became of them."""
    now = utc(now)
    done = Delivered()
    with store.transaction() as db:
        ensure_schema(db)
        rows = db.execute(
            "SELECT o.id, o.client, o.body, o.attempts, c.callback, c.revoked_at"
            " FROM webhook_outbox o LEFT JOIN service_clients c ON c.name = o.client"
            " WHERE o.state = 'pending' AND o.next_at <= ? ORDER BY o.id LIMIT ?",
            (now.isoformat(), limit),
        ).fetchall()
        for row in rows:  # leased: nobody else sends them while we do
            db.execute(
                "UPDATE webhook_outbox SET next_at = ? WHERE id = ?",
                ((now + LEASE).isoformat(), row["id"]),
            )
    for row in rows:
        if row["callback"] is None or row["revoked_at"] is not None:
            _finish(store, row["id"], "dropped", row["attempts"], None, now)
            done.dropped += 1
            continue
        problem = send(
            row["callback"],
            row["body"].encode(),
            clients.secret(store, row["client"]),
            int(now.timestamp()),
        )
        attempts = row["attempts"] + 1
        if problem is None:
            _finish(store, row["id"], "delivered", attempts, None, now)
            done.delivered += 1
        elif attempts >= MAX_ATTEMPTS:
            _finish(store, row["id"], "failed", attempts, problem, now)
            done.failed += 1
        else:
            _finish(store, row["id"], "pending", attempts, problem, now + backoff(attempts))
            done.retrying += 1
    return done


def _finish(
    store: Store, row_id: int, state: str, attempts: int, problem: str | None, at: datetime
) -> None:
    with store.transaction() as db:
        db.execute(
            "UPDATE webhook_outbox SET state = ?, attempts = ?, last_error = ?, next_at = ?,"
            " delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE delivered_at END WHERE id = ?",
            (state, attempts, problem, at.isoformat(), state, at.isoformat(), row_id),
        )


def run_once(store: Store, *, now: datetime, send: Sender = post) -> Delivered:
    """Queue what the register recorded since the last run, then send what is due."""
    queued = scan(store, now=now)
    done = deliver(store, now=now, send=send)
    done.queued = queued
    return done


def pending(store: Store) -> dict[str, int]:
    """How many outbox rows are in each state."""
    ensure_schema(store.db)
    rows = store.db.execute("SELECT state, COUNT(*) AS n FROM webhook_outbox GROUP BY state")
    return {r["state"]: int(r["n"]) for r in rows}
