"""The data packages recorded for requests: where they are, until when, and removing them.

A package is a zip with the person's data outside the state directory; the `packages` table keeps
its path (the file name carries no address), the request it answers and its expiry.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bridge.core.config import Config
from bridge.register.types import number_setting

PACKAGE_DAYS_SETTING = "PRIVACY_BRIDGE_PACKAGE_DAYS"
DEFAULT_PACKAGE_DAYS = 30.0


@dataclass(frozen=True)
class Package:
    path: Path
    request_id: str | None
    created_at: str
    expires_at: str
    complete: bool

    def expired(self, now: datetime) -> bool:
        return datetime.fromisoformat(self.expires_at) <= now

    def to_dict(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "request_id": self.request_id,
            "created_at": self.created_at,
            "expires_at": self.expires_at,
            "complete": self.complete,
        }


def package_days(config: Config) -> float:
    """How long a package is kept (PRIVACY_BRIDGE_PACKAGE_DAYS, default 30)."""
    return number_setting(config, PACKAGE_DAYS_SETTING, DEFAULT_PACKAGE_DAYS)


def insert(
    db: sqlite3.Connection,
    path: Path,
    request_id: str,
    created: datetime,
    expires: datetime,
    complete: bool,
) -> None:
    db.execute(
        "INSERT OR REPLACE INTO packages (path, request_id, created_at, expires_at, complete)"
        " VALUES (?, ?, ?, ?, ?)",
        (str(path.resolve()), request_id, created.isoformat(), expires.isoformat(), int(complete)),
    )


def listed(db: sqlite3.Connection, request_id: str | None = None) -> list[Package]:
    """Recorded packages, newest first (all of them when `request_id` is None)."""
    where = "" if request_id is None else " WHERE request_id = ?"
    args = () if request_id is None else (request_id,)
    rows = db.execute(f"SELECT * FROM packages{where} ORDER BY created_at DESC, path", args)
    return [
        Package(
            Path(r["path"]), r["request_id"], r["created_at"], r["expires_at"], bool(r["complete"])
        )
        for r in rows
    ]


def remove(db: sqlite3.Connection, package: Package) -> bool:
    """Delete the file (if still there) and its row; True when a file was deleted."""
    existed = package.path.exists()
    package.path.unlink(missing_ok=True)
    db.execute("DELETE FROM packages WHERE path = ?", (str(package.path),))
    return existed
