"""Write a zip atomically and privately: a 0600 temporary file beside the target, then rename.

A reader never sees a half-written package, and a failure leaves no file behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from bridge.core.dirs import private_dir
from exports.manifest import ArchivedFile

FILE_MODE = 0o600
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


class ZipWriter:
    """Adds files to an open zip and remembers each one's path, SHA-256 and size."""

    def __init__(self, archive: zipfile.ZipFile, moment: datetime) -> None:
        self._archive = archive
        stamp = moment.timetuple()[:6]
        self._date_time = max(stamp, _ZIP_EPOCH)
        self._entries: list[ArchivedFile] = []

    @property
    def entries(self) -> list[ArchivedFile]:
        """The files added so far, in the order they were added."""
        return list(self._entries)

    def add(self, path: str, content: bytes) -> ArchivedFile:
        """Add one file, deflated, with the moment as its date and owner-only permissions."""
        info = zipfile.ZipInfo(path, date_time=self._date_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.create_system = 3  # unix, so the permissions below are honoured on extraction
        info.external_attr = (0o100000 | FILE_MODE) << 16
        self._archive.writestr(info, content)
        entry = ArchivedFile(
            path=path, sha256=hashlib.sha256(content).hexdigest(), bytes=len(content)
        )
        self._entries.append(entry)
        return entry


def ensure_private_dir(out_dir: Path) -> None:
    """Make `out_dir` owner-only (0700): created so, or an existing one with broader permissions
    narrowed when it is the user's; an InputError when it cannot be (bridge.core.dirs.private_dir)."""
    private_dir(out_dir)


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_zip(target: Path, moment: datetime) -> Iterator[ZipWriter]:
    """Yield a writer for a zip that appears at `target` (mode 0600) only once it is complete.

    An existing file at `target` is replaced. If the body raises, the temporary file is removed
    and nothing appears at `target`.
    """
    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}-", suffix=".part")
    temp = Path(temp_name)
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "wb") as handle:
            with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                yield ZipWriter(archive, moment)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)
