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
  through `bridge.store.connection.Connection`, which turns such errors of SQLite into
  StateError).

The schema is `bridge.store.schema`; the directory's own checks are `bridge.store.state_dir`.
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

from bridge.core.errors import StateError
from bridge.store.connection import Connection, state_error
from bridge.store.keys import DATA_KEY, HMAC_KEY, KEY_FILES, Keys, fingerprint, read_key
from bridge.store.schema import SCHEMA, statements
from bridge.store.state_dir import FIX_HOME, state_dir, why

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
_KEYED_IF_MADE = {DATA_KEY: ("note_keys", "notes", "service_clients")}


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
                    self.path, timeout=30, isolation_level=None, factory=Connection
                )
            except sqlite3.Error as exc:
                raise state_error(self.path, exc) or exc from None
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
                f"cannot use the state database {self.path}: {why(exc)}; make {self.home} "
                f"readable and writable for this user, {FIX_HOME}"
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
                    f"cannot create the state database {self.path}: {why(exc)}; free some space "
                    f"or make {self.home} writable, {FIX_HOME}"
                ) from None
            return True
        if not stat.S_ISREG(info.st_mode):
            raise StateError(
                f"the state database {self.path} is not a file: move it aside, {FIX_HOME}"
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
                for statement in statements(script):
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
                f"cannot write {marker}: {why(exc)}; make {self.home} writable, {FIX_HOME}"
            ) from None
        try:
            os.write(fd, text.encode())
        except OSError as exc:
            os.close(fd)
            marker.unlink()
            raise StateError(f"cannot write {marker}: {why(exc)}; free some space") from None
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
