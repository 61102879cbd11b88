"""The two secrets privacy-bridge keeps in its state directory, each 0600, made on first use.

- `hmac.key`, the HMAC key that pseudonymises e-mail addresses in the register and the index
  (64 lower-case hex digits);
- `data.key`, the encryption key for the addresses an open request still needs (Fernet: AES-128 +
  HMAC; 44 characters of url-safe base64).

A key file is checked whenever it is read: an empty, cut-short or foreign file is refused with one
line naming it (StateError), never replaced, since a new key would orphan every pseudonym or
leave every stored address unreadable. A missing key is made only when nothing depends on it: the
store (`bridge.store.db`) says so for its directory; a key is written whole or not at all (a
temporary file, then a hard link that fails if another process made the key first).
"""

from __future__ import annotations

import errno
import hashlib
import hmac
import os
import re
import secrets
import threading
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from bridge.core.connector import normalise_email
from bridge.core.dirs import private_dir
from bridge.core.errors import StateError

HMAC_KEY = "hmac.key"
DATA_KEY = "data.key"
KEY_FILES = (HMAC_KEY, DATA_KEY)
# The exact form each key file is made in (surrounding white space is tolerated when read).
_FORMS = {
    HMAC_KEY: (re.compile(rb"[0-9a-f]{64}"), "64 lower-case hex digits"),
    DATA_KEY: (re.compile(rb"[A-Za-z0-9_-]{43}="), "44 characters of url-safe base64"),
}
# What a new key in place of a lost one would do.
_LOSS = {
    HMAC_KEY: "a new key would orphan every pseudonym of the register and the index",
    DATA_KEY: "a new key would leave every stored address and note unreadable",
}
# Told, before a missing key is made, whether anything in the state depends on it (then the
# callee raises StateError); given the key once made, to record it.
Guard = Callable[[str], None]
Made = Callable[[str, bytes], None]


def fingerprint(key: bytes) -> str:
    """What the store records of a key to recognise it later; it reveals nothing of the key."""
    return hashlib.sha256(b"privacy-bridge key fingerprint:" + key).hexdigest()


def read_key(path: Path) -> bytes | None:
    """The key in `path` as checked for its form, or None when there is no such file."""
    name = path.name
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StateError(
            f"cannot read the key file {path}: {_why(exc)}; run as the user that owns it, or "
            "give this user access to it"
        ) from None
    key = raw.strip()
    form, described = _FORMS[name]
    if form.fullmatch(key):
        if name == DATA_KEY:
            try:
                Fernet(key)
            except ValueError:
                key = b""
        if key:
            return key
    what = "it is empty" if not key else f"it holds {len(key)} bytes, not {described}"
    raise StateError(
        f"the key file {path} is damaged ({what}): restore it from a backup of {path.parent} "
        f"({_LOSS[name]})"
    )


def _make_key(path: Path, make: bytes) -> bytes:
    """Write a new key whole, unless another process made one first (then theirs)."""
    private_dir(path.parent)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, make)
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS):
                raise
            os.replace(temporary, path)  # a file system without hard links
    except OSError as exc:
        raise StateError(
            f"cannot write the key file {path}: {_why(exc)}; free some space or make "
            f"{path.parent} writable, then run the command again"
        ) from None
    finally:
        with suppress(OSError):
            temporary.unlink()
    found = read_key(path)
    assert found is not None, path
    return found


def _why(exc: OSError) -> str:
    return (exc.strerror or type(exc).__name__).lower()


class Keys:
    """The keys of one state directory.

    `guard(name)` is asked before a missing key is made and raises when the state depends on it;
    `made(name, key)` is told of a key once made. Without a guard (a Keys of its own, not a
    store's), a directory that holds a state database asks the store.
    """

    def __init__(self, home: Path, *, guard: Guard | None = None, made: Made | None = None) -> None:
        self.home = home
        self._guard = guard
        self._made = made
        self._hmac: bytes | None = None
        self._fernet: Fernet | None = None
        # Threads of one command (a sync's systems) may all want a missing key at once: one
        # makes it, the others read it, and none sees the state it is writing as orphaned.
        self._lock = threading.Lock()

    def pseudonym(self, email: str) -> str:
        """HMAC-SHA256 of the normalised address: the same person, the same key, no address."""
        if self._hmac is None:
            self._hmac = self.key(HMAC_KEY)
        digest = hmac.new(self._hmac, normalise_email(email).encode(), hashlib.sha256)
        return digest.hexdigest()

    def encrypt(self, text: str) -> bytes:
        return self._cipher().encrypt(text.encode())

    def decrypt(self, token: bytes) -> str:
        try:
            return self._cipher().decrypt(token).decode()
        except InvalidToken:
            raise StateError(
                f"stored data cannot be decrypted with {self.home / DATA_KEY}: it is not the key "
                "the data was encrypted with; restore the right one from a backup"
            ) from None

    def key(self, name: str) -> bytes:
        """The key in the file `name`, made when missing and nothing depends on it."""
        with self._lock:
            return self._load_or_make(name)

    def _load_or_make(self, name: str) -> bytes:
        path = self.home / name
        found = read_key(path)
        if found is not None:
            return found
        if self._guard is not None:
            self._guard(name)
        else:
            self._ask_the_store()
        make = secrets.token_hex(32).encode() if name == HMAC_KEY else Fernet.generate_key()
        key = _make_key(path, make)
        if self._made is not None:
            self._made(name, key)
        return key

    def _ask_the_store(self) -> None:
        """Opening the store of this directory refuses a missing key the state depends on."""
        from bridge.store.db import Store  # the store holds a Keys: imported here, not above

        if (self.home / Store.FILE).exists():
            Store(self.home).close()

    def _cipher(self) -> Fernet:
        if self._fernet is None:
            self._fernet = Fernet(self.key(DATA_KEY))
        return self._fernet
