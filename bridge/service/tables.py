"""The service's tables in the state database, made on first use (idempotent).

They sit outside the numbered schema (`bridge.store.schema`) as the sealed notes do: a state
directory that never serves HTTP never gets them, and an older privacy-bridge ignores them.
Nothing in them names a person: client names, hashes, request ids, the caller's reference (an
id, checked by `bridge.service.models`) and webhook bodies made of ids and statuses.
"""

from __future__ import annotations

import sqlite3

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS service_clients (
        name TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,   -- SHA-256 of the bearer token; the token is not kept
        secret BLOB NOT NULL,              -- the webhook signing secret, encrypted with data.key
        callback TEXT,
        created_at TEXT NOT NULL,
        revoked_at TEXT
    )""",
    """CREATE TABLE IF NOT EXISTS service_requests (
        request_id TEXT PRIMARY KEY,
        client TEXT NOT NULL,
        reference TEXT,
        seen_seq INTEGER NOT NULL DEFAULT 0,  -- register events up to here are in the outbox
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS service_downloads (
        token_hash TEXT PRIMARY KEY,
        request_id TEXT NOT NULL,
        client TEXT NOT NULL,
        package TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT
    )""",
    """CREATE TABLE IF NOT EXISTS webhook_outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id TEXT NOT NULL UNIQUE,
        client TEXT NOT NULL,
        source_seq INTEGER NOT NULL,       -- the register event it announces
        body TEXT NOT NULL,
        state TEXT NOT NULL,               -- pending, delivered, failed, dropped
        attempts INTEGER NOT NULL DEFAULT 0,
        next_at TEXT NOT NULL,
        last_error TEXT,
        created_at TEXT NOT NULL,
        delivered_at TEXT,
        UNIQUE (client, source_seq)
    )""",
    "CREATE INDEX IF NOT EXISTS webhook_outbox_due ON webhook_outbox(state, next_at)",
)


def ensure_schema(db: sqlite3.Connection) -> None:
    """Make the service's tables when missing (cheap when they exist)."""
    for statement in SCHEMA:
        db.execute(statement)
