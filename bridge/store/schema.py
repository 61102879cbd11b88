"""The numbered schema of the state database: each version a script, applied in order once.

`PRAGMA user_version` holds the version a database has; `bridge.store.db.Store` applies the
scripts past it in one transaction, and refuses a database newer than this code knows. Tables
made outside it, on first use: the sealed notes (`bridge.store.notes`).
"""

from __future__ import annotations

SCHEMA = [
    # version 1
    """
    CREATE TABLE requests (
        id TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        status TEXT NOT NULL,
        subject TEXT NOT NULL,          -- HMAC of the normalised address
        address BLOB,                   -- encrypted address, while the request needs it
        channel TEXT NOT NULL,
        received TEXT NOT NULL,
        due TEXT NOT NULL,
        extended_months INTEGER NOT NULL DEFAULT 0,
        reason TEXT,
        linked_to TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX requests_subject ON requests(subject, type, status);
    CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        request_id TEXT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TRIGGER events_no_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
    CREATE TRIGGER events_no_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
    CREATE TABLE codes (
        request_id TEXT PRIMARY KEY,
        code_hash TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        tries INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE packages (
        path TEXT PRIMARY KEY,
        request_id TEXT,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
    );
    CREATE TABLE erasures (
        id TEXT PRIMARY KEY,
        subject TEXT NOT NULL,
        request_id TEXT,
        status TEXT NOT NULL,           -- planned, applying, applied, verified, failed
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE journal (
        erasure_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        system TEXT NOT NULL,
        record_type TEXT NOT NULL,
        record_id TEXT NOT NULL,
        action TEXT NOT NULL,           -- delete, anonymise, retain, manual
        step TEXT NOT NULL,             -- the planned step as JSON: ids and field names, no values
        state TEXT NOT NULL,            -- pending, started, done, failed, manual, confirmed
        outcome TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (erasure_id, seq),
        UNIQUE (erasure_id, system, record_type, record_id)
    );
    CREATE TABLE cursors (
        system TEXT NOT NULL,
        stream TEXT NOT NULL,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (system, stream)
    );
    CREATE TABLE index_entries (
        system TEXT NOT NULL,
        record_type TEXT NOT NULL,
        record_id TEXT NOT NULL,
        subject TEXT NOT NULL,
        activity TEXT,
        links TEXT NOT NULL DEFAULT '[]',
        PRIMARY KEY (system, record_type, record_id)
    );
    CREATE INDEX index_subject ON index_entries(subject);
    """,
    # version 2: the request register (issue 6)
    """
    ALTER TABLE requests ADD COLUMN duplicate_of TEXT;
    ALTER TABLE requests ADD COLUMN closed_at TEXT;
    ALTER TABLE codes ADD COLUMN salt TEXT NOT NULL DEFAULT '';
    ALTER TABLE packages ADD COLUMN complete INTEGER NOT NULL DEFAULT 1;
    CREATE TABLE request_systems (
        request_id TEXT NOT NULL,
        system TEXT NOT NULL,
        status TEXT NOT NULL,           -- ok, not_found, error, skipped, manual
        updated_at TEXT NOT NULL,
        PRIMARY KEY (request_id, system)
    );
    """,
    # version 3: what the store knows of its directory (the fingerprint of each key)
    """
    CREATE TABLE state_meta (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    # version 4: the art. 19 notices to processors, per request and processor (issue 15)
    """
    CREATE TABLE notices (
        request_id TEXT NOT NULL,
        system TEXT NOT NULL,
        erasure_id TEXT,
        state TEXT NOT NULL,            -- unsent (stays a manual step), sent, acknowledged
        recipient TEXT,                 -- the processor's notice address, once sent to it
        language TEXT,                  -- nl or en, once sent
        records TEXT NOT NULL DEFAULT '[]', -- the records it names: types, ids, actions; no values
        sent_on TEXT,
        reminders INTEGER NOT NULL DEFAULT 0,
        reminded_on TEXT,
        overdue_on TEXT,
        acknowledged_on TEXT,
        acknowledged_by TEXT,
        note TEXT,                      -- the operator's note, sealed (bridge.store.notes marker)
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (request_id, system)
    );
    """,
]


def statements(script: str) -> list[str]:
    """Split a schema script into statements, keeping trigger bodies whole."""
    statements, current = [], []
    for line in script.splitlines():
        line = line.split("--")[0].rstrip()
        if not line.strip():
            continue
        current.append(line)
        text = "\n".join(current)
        if text.rstrip().endswith(";") and (
            "CREATE TRIGGER" not in text or text.rstrip().endswith("END;")
        ):
            statements.append(text)
            current = []
    return statements
