"""The directories privacy-bridge writes into (out directories, the state directory): owner-only.

A directory the tool creates is made 0700 (whatever the umask); one that already exists with
broader permissions is narrowed to 0700 when it belongs to the user. One that cannot be made
private (another user's, not a directory, a chmod the file system ignores) is refused with one
line naming it, before anything is written into it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from bridge.core.errors import InputError

DIR_MODE = 0o700
_OTHERS = 0o077  # group and world bits


def private_dir(path: Path) -> Path:
    """`path` as an owner-only directory (0700), created with its parents when missing; `path`.

    Raises InputError when it cannot be created or made private.
    """
    try:
        path.mkdir(mode=DIR_MODE, parents=True)
    except FileExistsError:
        return _narrowed(path)
    except OSError as exc:
        raise InputError(f"cannot create the directory {path}: {_why(exc)}") from None
    os.chmod(path, DIR_MODE)  # mkdir's mode is subject to the umask
    return path


def check_private_dir(path: Path) -> None:
    """Make an existing `path` private as `private_dir` does, or refuse it; a missing one is left
    to be created when the first file is written (so bad input creates nothing)."""
    if path.exists() or path.is_symlink():
        _narrowed(path)


def _narrowed(path: Path) -> Path:
    try:
        info = path.stat()
    except OSError as exc:
        raise InputError(f"cannot use the directory {path}: {_why(exc)}") from None
    if not stat.S_ISDIR(info.st_mode):
        raise InputError(f"{path} is not a directory")
    if os.name != "posix" or not stat.S_IMODE(info.st_mode) & _OTHERS:
        return path
    mode = f"{stat.S_IMODE(info.st_mode):04o}"
    if info.st_uid != os.geteuid():
        raise InputError(
            f"the directory {path} is open to others (mode {mode}) and belongs to another user,"
            " so it cannot be made private (0700): use a directory of your own"
        )
    try:
        os.chmod(path, DIR_MODE)
        narrowed = stat.S_IMODE(path.stat().st_mode) & _OTHERS == 0
    except OSError as exc:
        raise InputError(f"cannot make the directory {path} private (0700): {_why(exc)}") from None
    if not narrowed:
        raise InputError(
            f"cannot make the directory {path} private (0700): its file system keeps mode {mode}"
        )
    return path


def _why(exc: OSError) -> str:
    return (exc.strerror or type(exc).__name__).lower()
