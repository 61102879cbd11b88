"""Lock files in the state directory: one holder at a time, anyone else refused at once.

An `flock` on a file of its own: the kernel releases it when the holder exits, however it exits,
so a crash or a kill -9 never leaves a stale lock. It also keeps two threads of one process apart
(each opens the file anew). The holder writes who it is into the file (pid, since when, and what
the caller adds) for the message of whoever is refused, and removes the file when done.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bridge.core.errors import InputError

# What the refused caller is told: a fixed line, or one made from what the holder wrote.
Busy = str | Callable[[dict[str, Any]], str]


class LockHeld(InputError):
    """Someone else holds the lock: refused, nothing touched (exit 2, like every state error)."""


class Held:
    """A lock this process holds; `note` tells whoever is refused who holds it."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self.fd = fd
        self.holder: dict[str, Any] = {
            "pid": os.getpid(),
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        self._write()

    def note(self, **fields: Any) -> None:
        self.holder.update(fields)
        self._write()

    def _write(self) -> None:
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, json.dumps(self.holder).encode(), 0)


def holder(path: Path) -> dict[str, Any]:
    """What the holder of a lock wrote about itself ({} while it is still writing)."""
    try:
        found = json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


@contextmanager
def exclusive(path: Path, busy: Busy) -> Iterator[Held]:
    """Hold the lock file `path` for the block; raise LockHeld (`busy`) if someone else does."""
    fd = _acquire(path, busy)
    try:
        yield Held(path, fd)
    finally:
        # Removed while still locked: whoever opened it meanwhile sees that and opens a new one.
        with suppress(FileNotFoundError):
            path.unlink()
        os.close(fd)


def _acquire(path: Path, busy: Busy) -> int:
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise LockHeld(busy if isinstance(busy, str) else busy(holder(path))) from None
        except BaseException:
            os.close(fd)
            raise
        if _same_file(fd, path):
            return fd
        os.close(fd)  # the previous holder removed the file just as we locked it: again


def _same_file(fd: int, path: Path) -> bool:
    try:
        on_disk = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (mine.st_dev, mine.st_ino) == (on_disk.st_dev, on_disk.st_ino)
