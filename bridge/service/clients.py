"""The service's clients: a name, a bearer token kept only as its SHA-256, a webhook secret
kept encrypted (it must be read back to sign), an optional callback URL; and which requests
each client registered, with the caller's own reference.

    made = add(store, "webshop", "https://shop.example.nl/privacy-hook", now=now)
    print(made.token, made.secret)          # shown once; never stored in clear
    client = authenticate(store, made.token)

A token is 256 random bits, so one unsalted SHA-256 is enough to keep it from being read back
from a copy of the state (a slow hash protects guessable passwords, not random keys).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from bridge.core.errors import InputError
from bridge.service.tables import ensure_schema
from bridge.store.db import Store

TOKEN_PREFIX = "pbt_"
SECRET_PREFIX = "whsec_"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


@dataclass(frozen=True)
class Client:
    name: str
    callback: str | None
    created_at: str
    revoked_at: str | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class NewClient:
    """A client just added, with its token and webhook secret: shown once, then only hashed
    (the token) or encrypted (the secret)."""

    client: Client
    token: str
    secret: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def checked_name(name: str) -> str:
    text = name.strip()
    if not _NAME.match(text):
        raise InputError(
            "a client name is 1-40 lower-case letters, digits, '-' or '_', starting with a letter"
            " or digit (e.g. webshop)"
        )
    return text


def checked_callback(url: str | None) -> str | None:
    """An http(s) URL with a host and no user or password in it (they would be stored in clear),
    or None."""
    if url is None or not url.strip():
        return None
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError("the callback must be an http:// or https:// URL with a host")
    if parts.username or parts.password:
        raise InputError("the callback URL must not hold a user or password")
    if len(text) > 2000:
        raise InputError("the callback URL is longer than 2000 characters")
    return text


def add(store: Store, name: str, callback: str | None = None, *, now: datetime) -> NewClient:
    """A new client with a fresh token and webhook secret; a name is never reused (the audit
    trail names clients), so adding an existing one, even revoked, is refused."""
    client_name = checked_name(name)
    url = checked_callback(callback)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    stamp = now.isoformat()
    with store.transaction() as db:
        ensure_schema(db)
        if db.execute("SELECT 1 FROM service_clients WHERE name = ?", (client_name,)).fetchone():
            raise InputError(
                f"a client named {client_name!r} exists (revoked names stay taken for the audit"
                " trail): choose another name"
            )
        db.execute(
            "INSERT INTO service_clients (name, token_hash, secret, callback, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (client_name, token_hash(token), store.keys.encrypt(secret), url, stamp),
        )
    return NewClient(Client(client_name, url, stamp, None), token, secret)


def listed(store: Store) -> list[Client]:
    ensure_schema(store.db)
    rows = store.db.execute(
        "SELECT name, callback, created_at, revoked_at FROM service_clients ORDER BY name"
    ).fetchall()
    return [Client(r["name"], r["callback"], r["created_at"], r["revoked_at"]) for r in rows]


def get(store: Store, name: str) -> Client | None:
    return next((c for c in listed(store) if c.name == name), None)


def revoke(store: Store, name: str, *, now: datetime) -> Client:
    """Refuse the client's token from now on; its pending webhooks are dropped by the outbox."""
    client_name = name.strip()
    with store.transaction() as db:
        ensure_schema(db)
        changed = db.execute(
            "UPDATE service_clients SET revoked_at = COALESCE(revoked_at, ?) WHERE name = ?",
            (now.isoformat(), client_name),
        ).rowcount
    if not changed:
        raise InputError(f"no client named {client_name!r} (see clients list)")
    found = get(store, client_name)
    assert found is not None
    return found


def authenticate(store: Store, token: str) -> Client | None:
    """The active client whose token this is, else None (unknown, malformed or revoked)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    digest = token_hash(token)
    ensure_schema(store.db)
    row = store.db.execute(
        "SELECT name, token_hash, callback, created_at, revoked_at FROM service_clients"
        " WHERE token_hash = ?",
        (digest,),
    ).fetchone()
    # The lookup is by hash, so its timing tells nothing of the token; compare anyway.
    if row is None or not hmac.compare_digest(row["token_hash"], digest):
        return None
    if row["revoked_at"] is not None:
        return None
    return Client(row["name"], row["callback"], row["created_at"], None)


def secret(store: Store, name: str) -> str:
    """The client's webhook signing secret, decrypted (to sign; never logged)."""
    ensure_schema(store.db)
    row = store.db.execute("SELECT secret FROM service_clients WHERE name = ?", (name,)).fetchone()
    if row is None:
        raise InputError(f"no client named {name!r}")
    return store.keys.decrypt(row["secret"])


# --- the requests a client registered ---------------------------------------------------------


def own(
    store: Store, request_id: str, client: str, reference: str | None, *, now: datetime
) -> None:
    """Record that `client` registered `request_id`. Its webhooks start with the request's first
    register event, so the `received` event (written just before, in the register's own
    transaction) is announced too."""
    with store.transaction() as db:
        ensure_schema(db)
        first = db.execute(
            "SELECT MIN(seq) FROM events WHERE request_id = ?", (request_id,)
        ).fetchone()[0]
        seen = int(first) - 1 if first is not None else _last_seq(db)
        db.execute(
            "INSERT OR IGNORE INTO service_requests (request_id, client, reference, seen_seq,"
            " created_at) VALUES (?, ?, ?, ?, ?)",
            (request_id, client, reference, seen, now.isoformat()),
        )


def owner(store: Store, request_id: str) -> tuple[str, str | None] | None:
    """(client, reference) of a request registered over HTTP, else None."""
    ensure_schema(store.db)
    row = store.db.execute(
        "SELECT client, reference FROM service_requests WHERE request_id = ?", (request_id,)
    ).fetchone()
    return None if row is None else (row["client"], row["reference"])


def _last_seq(db: sqlite3.Connection) -> int:
    return int(db.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()[0])
