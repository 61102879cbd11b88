"""The connection to the state database: every statement and every read of its answers turns
what the environment did to the database (a full disk, an I/O error, a damaged or read-only file,
a lock held too long) into a StateError naming the file and what to do; every other error of
SQLite (a constraint, a bug) stays as it is.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from bridge.core.errors import StateError
from bridge.store.state_dir import FIX_HOME


class Cursor(sqlite3.Cursor):
    """A cursor whose reads raise StateError for what the environment did to the database."""

    def fetchone(self) -> Any:
        try:
            return super().fetchone()
        except sqlite3.Error as exc:
            raise state_error(_path_of(self), exc) or exc from None

    def fetchall(self) -> list[Any]:
        try:
            return super().fetchall()
        except sqlite3.Error as exc:
            raise state_error(_path_of(self), exc) or exc from None

    def fetchmany(self, size: int | None = 1) -> list[Any]:
        try:
            return super().fetchmany(size)
        except sqlite3.Error as exc:
            raise state_error(_path_of(self), exc) or exc from None

    def __next__(self) -> Any:
        try:
            return super().__next__()
        except sqlite3.Error as exc:
            raise state_error(_path_of(self), exc) or exc from None


class Connection(sqlite3.Connection):
    """A connection whose statements raise StateError (naming the file and what to do) for a full
    disk, an I/O error, a damaged file, a read-only one or a lock held too long; every other
    error of SQLite (a constraint, a bug) stays as it is."""

    store_path = Path()

    def cursor(self, factory: Any = Cursor) -> Any:
        return super().cursor(factory)

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        try:
            return super().execute(sql, parameters)
        except sqlite3.Error as exc:
            raise state_error(self.store_path, exc) or exc from None

    def executemany(self, sql: str, parameters: Any, /) -> sqlite3.Cursor:
        try:
            return super().executemany(sql, parameters)
        except sqlite3.Error as exc:
            raise state_error(self.store_path, exc) or exc from None


def _path_of(cursor: sqlite3.Cursor) -> Path:
    return getattr(cursor.connection, "store_path", Path())


def state_error(path: Path, exc: sqlite3.Error) -> StateError | None:
    """The StateError for what the environment did to the database at `path`, else None."""
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    home = path.parent
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return StateError(
            f"the state database {path} is damaged ({exc}): restore it from a backup, or move "
            f"{home} aside to start a new register"
        )
    if code == sqlite3.SQLITE_FULL:
        return StateError(
            f"cannot write the state database {path}: the disk is full; free some space and run "
            "the command again"
        )
    if code in (sqlite3.SQLITE_IOERR, sqlite3.SQLITE_NOLFS, sqlite3.SQLITE_PROTOCOL):
        return StateError(
            f"cannot read or write the state database {path} (disk I/O error): check that its "
            "disk has free space and works, then run the command again"
        )
    if code in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM, sqlite3.SQLITE_CANTOPEN):
        return StateError(
            f"cannot write the state database {path} ({exc}): make {home} and its files "
            f"readable and writable for this user, {FIX_HOME}"
        )
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return StateError(
            f"the state database {path} stayed locked by another process; run the command "
            "again when it has finished"
        )
    return None
