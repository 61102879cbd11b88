"""The two secrets privacy-bridge keeps in its state directory, each 0600, made on first use.

- the HMAC key that pseudonymises e-mail addresses in the register and the index;
- the encryption key for the addresses an open request still needs (Fernet: AES-128 + HMAC).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from bridge.errors import BridgeError
from connectors.base import normalise_email


def private_dir(path: Path) -> Path:
    """Create `path` (and parents) with mode 0700 when missing."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _key_file(path: Path, make: bytes) -> bytes:
    if path.exists():
        return path.read_bytes().strip()
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as handle:
        handle.write(make)
    return make


class Keys:
    """The keys of one state directory."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self._hmac: bytes | None = None
        self._fernet: Fernet | None = None

    def pseudonym(self, email: str) -> str:
        """HMAC-SHA256 of the normalised address: the same person, the same key, no address."""
        if self._hmac is None:
            self._hmac = _key_file(self.home / "hmac.key", secrets.token_hex(32).encode())
        digest = hmac.new(self._hmac, normalise_email(email).encode(), hashlib.sha256)
        return digest.hexdigest()

    def encrypt(self, text: str) -> bytes:
        return self._cipher().encrypt(text.encode())

    def decrypt(self, token: bytes) -> str:
        try:
            return self._cipher().decrypt(token).decode()
        except InvalidToken:
            raise BridgeError(
                "stored data cannot be decrypted: the state key does not match"
            ) from None

    def _cipher(self) -> Fernet:
        if self._fernet is None:
            self._fernet = Fernet(_key_file(self.home / "data.key", Fernet.generate_key()))
        return self._fernet
