"""One-time, expiring links to a request's package.

`issue` makes a random token (kept as its SHA-256 only) bound to one package file; `redeem`
spends it atomically, so two racing downloads cannot both succeed. The link itself is the
credential (so that a plugin can hand it to the customer's browser): it is usable once, for
PRIVACY_BRIDGE_DOWNLOAD_MINUTES (default 15) minutes, and never written to a log or an event.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path

from bridge.core.config import Config, positive_number
from bridge.service.clients import token_hash
from bridge.service.tables import ensure_schema
from bridge.store.db import Store

MINUTES_SETTING = "PRIVACY_BRIDGE_DOWNLOAD_MINUTES"
DEFAULT_MINUTES = 15.0
PREFIX = "dl_"


def minutes(config: Config) -> float:
    return positive_number(config.values, MINUTES_SETTING, DEFAULT_MINUTES)


@dataclass(frozen=True)
class Link:
    token: str
    expires_at: datetime


class Refused(StrEnum):
    unknown = "unknown"
    used = "used"
    expired = "expired"


@dataclass(frozen=True)
class Redeemed:
    request_id: str
    client: str
    package: Path


def issue(
    store: Store,
    request_id: str,
    client: str,
    package: Path,
    *,
    now: datetime,
    valid_minutes: float,
) -> Link:
    token = PREFIX + secrets.token_urlsafe(32)
    expires = now + timedelta(minutes=valid_minutes)
    with store.transaction() as db:
        ensure_schema(db)
        db.execute(
            "INSERT INTO service_downloads (token_hash, request_id, client, package, created_at,"
            " expires_at) VALUES (?, ?, ?, ?, ?, ?)",
            (
                token_hash(token),
                request_id,
                client,
                str(package),
                now.isoformat(),
                expires.isoformat(),
            ),
        )
    return Link(token, expires)


def redeem(store: Store, token: str, *, now: datetime) -> Redeemed | Refused:
    """Spend the link: what it opens, or why not (unknown, already used, expired)."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return Refused.unknown
    digest = token_hash(token)
    with store.transaction() as db:
        ensure_schema(db)
        row = db.execute(
            "SELECT * FROM service_downloads WHERE token_hash = ?", (digest,)
        ).fetchone()
        if row is None:
            return Refused.unknown
        if row["used_at"] is not None:
            return Refused.used
        if datetime.fromisoformat(row["expires_at"]) <= now:
            return Refused.expired
        db.execute(
            "UPDATE service_downloads SET used_at = ? WHERE token_hash = ?",
            (now.isoformat(), digest),
        )
    return Redeemed(row["request_id"], row["client"], Path(row["package"]))


def who(store: Store, token: str) -> tuple[str, str] | None:
    """(request id, client) of a link, used or not, for the audit of a refused download."""
    ensure_schema(store.db)
    row = store.db.execute(
        "SELECT request_id, client FROM service_downloads WHERE token_hash = ?",
        (token_hash(token),),
    ).fetchone()
    return None if row is None else (row["request_id"], row["client"])
