"""The state directory: made 0700 when missing; one that cannot serve is refused, naming it."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from bridge.core.config import HOME_SETTING
from bridge.core.dirs import private_dir
from bridge.core.errors import InputError, StateError

# The end of every message about the state directory: where else the state can go.
FIX_HOME = f"or set {HOME_SETTING} to a directory this user can write"


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
            f"directory; move it aside, {FIX_HOME}"
        ) from None
    except OSError as exc:
        raise StateError(
            f"cannot use the state directory {home}: {why(exc)}; give this user access to it, "
            f"{FIX_HOME}"
        ) from None
    if info is not None and not stat.S_ISDIR(info.st_mode):
        raise StateError(
            f"the state directory {home} is a file, not a directory: move the file aside, "
            f"{FIX_HOME}"
        )
    if info is None and _file_above(home) is not None:
        raise StateError(
            f"cannot make the state directory {home}: {_file_above(home)} is a file, not a "
            f"directory; move it aside, {FIX_HOME}"
        )
    try:
        private_dir(home)
    except InputError as exc:
        raise StateError(f"{exc} (the state directory, {HOME_SETTING})") from None
    if not os.access(home, os.W_OK | os.X_OK):
        raise StateError(
            f"the state directory {home} is read-only for this user: make it writable, {FIX_HOME}"
        )
    return home


def _file_above(path: Path) -> Path | None:
    """The nearest existing ancestor of `path` when it is not a directory."""
    for parent in path.parents:
        if parent.exists() or parent.is_symlink():
            return None if parent.is_dir() else parent
    return None


def why(exc: OSError) -> str:
    """What an OSError says, in lower case, for a message."""
    return (exc.strerror or type(exc).__name__).lower()
