"""The state: one SQLite file in the state directory (0600, its directory 0700).

It holds the request register and its append-only audit events, the erasure journal, the sync
cursors and the pseudonymised index. People are keyed by the HMAC of their normalised address
(`bridge.store.keys`); an address is kept, encrypted, only while a request needs it.

What can go wrong with the state is refused with one line naming the file and what to do
(`StateError`, exit 2), before anything is changed:

- the state directory is a file, cannot be created, or is read-only for this user;
- the database is missing or empty (0 bytes) where a register existed: the directory holds the
  marker a store leaves (`MARKER`) or a `data.key`. It is made anew only in a directory without
  such a trace (a first run, or one that stopped before the database was set up);
- the database cannot be read and written by this user, is damaged (not SQLite, cut short), or
  has a schema version newer than this code knows;
- a key file is damaged, missing while the state depends on it, or not the key the database was
  made with (the database records a fingerprint of each key: `state_meta`);
- while in use: a full disk, an I/O error, a database locked too long (every statement goes
  through `_Connection`, which turns such errors of SQLite into StateError).
"""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bridge.core.config import HOME_SETTING
from bridge.core.dirs import private_dir
from bridge.core.errors import InputError, StateError
from bridge.store.keys import DATA_KEY, HMAC_KEY, KEY_FILES, Keys, fingerprint, read_key

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
]
# Left in the state directory once its database is set up: a missing or empty database is then
# a lost register, never a first run.
MARKER = "state.created"
# Tables whose rows hold what each key made: a missing key is then refused, not made anew.
_KEYED = {
    HMAC_KEY: (
        "SELECT 1 FROM requests UNION ALL SELECT 1 FROM index_entries"
        " UNION ALL SELECT 1 FROM erasures UNION ALL SELECT 1 FROM codes LIMIT 1"
    ),
    DATA_KEY: "SELECT 1 FROM requests WHERE address IS NOT NULL LIMIT 1",
}
# Tables made outside the numbered schema, on first use, whose rows need a key.
_KEYED_IF_MADE = {DATA_KEY: ("note_keys", "notes")}
_FIX_HOME = f"or set {HOME_SETTING} to a directory this user can write"


class Store:
    """A connection per thread to the state database, with the keys of the same directory."""

    FILE = "privacy-bridge.sqlite3"

    def __init__(self, home: Path) -> None:
        self.home = state_dir(home)
        self.path = self.home / self.FILE
        self.keys = Keys(self.home, guard=self._key_missing, made=self._key_made)
        self._local = threading.local()
        created = self._prepare()
        try:
            self._migrate()
            self._check_keys()
            self._mark()  # last: a marker next to no database would read as a lost register
        except BaseException:
            self.close()
            if created:  # leave no half-made database behind for the next run to trip on
                for suffix in ("", "-wal", "-shm"):
                    with suppress(OSError):
                        os.unlink(f"{self.path}{suffix}")
            raise

    @property
    def db(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(
                    self.path, timeout=30, isolation_level=None, factory=_Connection
                )
            except sqlite3.Error as exc:
                raise _state_error(self.path, exc) or exc from None
            conn.store_path = self.path
            conn.row_factory = sqlite3.Row
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=FULL")  # a journal entry must survive a kill -9
                conn.execute("PRAGMA secure_delete=ON")  # erased addresses leave no bytes behind
            except BaseException:
                conn.close()
                raise
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            if db.in_transaction:  # SQLite may have rolled back already (a full disk)
                with suppress(sqlite3.Error, StateError):
                    db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _prepare(self) -> bool:
        """Check the database file, or make an empty one where no register was; True if made."""
        try:
            info = os.stat(self.path)
        except FileNotFoundError:
            info = None
        except OSError as exc:
            raise StateError(
                f"cannot use the state database {self.path}: {_why(exc)}; make {self.home} "
                f"readable and writable for this user, {_FIX_HOME}"
            ) from None
        traces = self._traces()
        if info is None:
            if traces:
                raise StateError(
                    f"the state database {self.path} is missing, but {self.home} held a register "
                    f"({', '.join(traces)}): {self._restore()}"
                )
            try:
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            except FileExistsError:  # another process made it first
                return False
            except OSError as exc:
                raise StateError(
                    f"cannot create the state database {self.path}: {_why(exc)}; free some space "
                    f"or make {self.home} writable, {_FIX_HOME}"
                ) from None
            return True
        if not stat.S_ISREG(info.st_mode):
            raise StateError(
                f"the state database {self.path} is not a file: move it aside, {_FIX_HOME}"
            )
        if not os.access(self.path, os.R_OK | os.W_OK):
            raise StateError(
                f"the state database {self.path} cannot be read and written by this user: run "
                "as the user that owns it, or give this user access to it"
            )
        if info.st_size == 0 and traces:
            raise StateError(
                f"the state database {self.path} is empty (0 bytes), but {self.home} held a "
                f"register ({', '.join(traces)}): {self._restore()}"
            )
        return False

    def _traces(self) -> list[str]:
        """What in the directory shows that a register was kept here."""
        found = [name for name in (MARKER, DATA_KEY) if (self.home / name).exists()]
        with suppress(OSError):
            if os.stat(f"{self.path}-wal").st_size:
                found.append(f"{self.FILE}-wal")
        return found

    def _restore(self) -> str:
        return (
            f"restore {self.FILE} from a backup, or move {self.home} aside to start a new "
            "register (the requests, journal and index kept there would be left behind)"
        )

    def _migrate(self) -> None:
        version = self._version(self.db)
        if version == len(SCHEMA):
            return
        with self.transaction() as db:
            version = self._version(db)
            for number, script in enumerate(SCHEMA[version:], start=version + 1):
                for statement in _statements(script):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {number}")

    def _version(self, db: sqlite3.Connection) -> int:
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        if version > len(SCHEMA):
            raise StateError(
                f"the state database {self.path} has schema version {version}, newer than this "
                f"privacy-bridge knows (version {len(SCHEMA)}): upgrade privacy-bridge, or restore "
                "a backup made by this version"
            )
        return version

    def _mark(self) -> None:
        """Leave the marker of a set-up database (once; also in a directory made before it)."""
        marker = self.home / MARKER
        if marker.exists():
            return
        text = (
            f"privacy-bridge keeps a register in {self.FILE} here "
            f"(set up by {datetime.now(UTC).isoformat(timespec='seconds')} or earlier).\n"
            "If that file is lost, restore it from a backup: it is never made anew next to this.\n"
        )
        try:
            fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return
        except OSError as exc:
            raise StateError(
                f"cannot write {marker}: {_why(exc)}; make {self.home} writable, {_FIX_HOME}"
            ) from None
        try:
            os.write(fd, text.encode())
        except OSError as exc:
            os.close(fd)
            marker.unlink()
            raise StateError(f"cannot write {marker}: {_why(exc)}; free some space") from None
        os.close(fd)

    def _check_keys(self) -> None:
        """Each key file: of the right form, and the key this database was made with; a missing
        one only where nothing depends on it."""
        for name in KEY_FILES:
            key = read_key(self.home / name)
            if key is None:
                self._key_missing(name)
                continue
            recorded = self._meta(f"key:{name}")
            if recorded is None:
                self._key_made(name, key)
            elif recorded != fingerprint(key):
                raise StateError(
                    f"the key file {self.home / name} is not the key {self.FILE} was made with: "
                    f"restore the {name} that belongs with it from a backup of {self.home}"
                )

    def _key_missing(self, name: str) -> None:
        """Refuse to make key `name` anew when the database holds what the lost one made."""
        used = self._meta(f"key:{name}") is not None or self._has_rows(_KEYED[name])
        for table in _KEYED_IF_MADE.get(name, ()):
            made = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
            if not used and self.db.execute(made, (table,)).fetchone() is not None:
                used = self._has_rows(f"SELECT 1 FROM {table} LIMIT 1")
        if used:
            raise StateError(
                f"the key file {self.home / name} is missing, but {self.FILE} holds data made with "
                f"it: restore it from a backup of {self.home} (a new key cannot read that data)"
            )

    def _has_rows(self, query: str) -> bool:
        return self.db.execute(query).fetchone() is not None

    def _key_made(self, name: str, key: bytes) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO state_meta (name, value) VALUES (?, ?)",
            (f"key:{name}", fingerprint(key)),
        )

    def _meta(self, name: str) -> str | None:
        row = self.db.execute("SELECT value FROM state_meta WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


def state_dir(home: Path) -> Path:
    """`home` as the state directory: created 0700 when missing; one that is not a directory,
    cannot be made, or is read-only for this user is refused, naming it."""
    try:
        info = home.stat()
    except FileNotFoundError:
        info = None
    except NotADirectoryError:
        raise StateError(
            f"cannot make the state directory {home}: {_file_above(home)} is a file, not a "
            f"directory; move it aside, {_FIX_HOME}"
        ) from None
    except OSError as exc:
        raise StateError(
            f"cannot use the state directory {home}: {_why(exc)}; give this user access to it, "
            f"{_FIX_HOME}"
        ) from None
    if info is not None and not stat.S_ISDIR(info.st_mode):
        raise StateError(
            f"the state directory {home} is a file, not a directory: move the file aside, "
            f"{_FIX_HOME}"
        )
    if info is None and _file_above(home) is not None:
        raise StateError(
            f"cannot make the state directory {home}: {_file_above(home)} is a file, not a "
            f"directory; move it aside, {_FIX_HOME}"
        )
    try:
        private_dir(home)
    except InputError as exc:
        raise StateError(f"{exc} (the state directory, {HOME_SETTING})") from None
    if not os.access(home, os.W_OK | os.X_OK):
        raise StateError(
            f"the state directory {home} is read-only for this user: make it writable, {_FIX_HOME}"
        )
    return home


def _file_above(path: Path) -> Path | None:
    """The nearest existing ancestor of `path` when it is not a directory."""
    for parent in path.parents:
        if parent.exists() or parent.is_symlink():
            return None if parent.is_dir() else parent
    return None


def _why(exc: OSError) -> str:
    return (exc.strerror or type(exc).__name__).lower()


class _Cursor(sqlite3.Cursor):
    """A cursor whose reads raise StateError for what the environment did to the database."""

    def fetchone(self) -> Any:
        try:
            return super().fetchone()
        except sqlite3.Error as exc:
            raise _state_error(_path_of(self), exc) or exc from None

    def fetchall(self) -> list[Any]:
        try:
            return super().fetchall()
        except sqlite3.Error as exc:
            raise _state_error(_path_of(self), exc) or exc from None

    def fetchmany(self, size: int | None = 1) -> list[Any]:
        try:
            return super().fetchmany(size)
        except sqlite3.Error as exc:
            raise _state_error(_path_of(self), exc) or exc from None

    def __next__(self) -> Any:
        try:
            return super().__next__()
        except sqlite3.Error as exc:
            raise _state_error(_path_of(self), exc) or exc from None


class _Connection(sqlite3.Connection):
    """A connection whose statements raise StateError (naming the file and what to do) for a full
    disk, an I/O error, a damaged file, a read-only one or a lock held too long; every other
    error of SQLite (a constraint, a bug) stays as it is."""

    store_path = Path()

    def cursor(self, factory: Any = _Cursor) -> Any:
        return super().cursor(factory)

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        try:
            return super().execute(sql, parameters)
        except sqlite3.Error as exc:
            raise _state_error(self.store_path, exc) or exc from None

    def executemany(self, sql: str, parameters: Any, /) -> sqlite3.Cursor:
        try:
            return super().executemany(sql, parameters)
        except sqlite3.Error as exc:
            raise _state_error(self.store_path, exc) or exc from None


def _path_of(cursor: sqlite3.Cursor) -> Path:
    return getattr(cursor.connection, "store_path", Path())


def _state_error(path: Path, exc: sqlite3.Error) -> StateError | None:
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
            f"readable and writable for this user, {_FIX_HOME}"
        )
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return StateError(
            f"the state database {path} stayed locked by another process; run the command "
            "again when it has finished"
        )
    return None


def _statements(script: str) -> list[str]:
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
