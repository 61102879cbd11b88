"""What every command module of the CLI shares: the consoles, the error handling, the options."""

from __future__ import annotations

import errno
import functools
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from bridge.core.errors import BridgeError
from bridge.core.redact import scrub

if TYPE_CHECKING:
    from bridge.app import App
    from bridge.register.requests import Register
    from bridge.register.types import Request

out = Console()
err = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])

EnvFile = Annotated[
    Path | None, typer.Option("--env-file", help="Settings file (default: ./.env if present).")
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")]
Operator = Annotated[
    str | None,
    typer.Option(
        "--operator",
        help="Who acts, for the audit trail (default: PRIVACY_BRIDGE_OPERATOR, else the OS user).",
    ),
]
RequestId = Annotated[str, typer.Argument(help="The request id, e.g. req-20261121-4f3a.")]


@contextmanager
def opened(env_file: Path | None) -> Iterator[App]:
    """The App of one command, from the settings in force (closed afterwards)."""
    from bridge.app import App
    from bridge.core.config import load_config

    with App(load_config(env_file)) as app:
        yield app


@contextmanager
def register_of(env_file: Path | None, operator: str | None) -> Iterator[Register]:
    """The request register, acting as `operator`."""
    with opened(env_file) as app:
        yield app.register(operator)


def say(text: str, console: Console = out) -> None:
    """One plain line: no markup, no highlighting, no wrapping (paths stay whole)."""
    console.print(text, markup=False, highlight=False, soft_wrap=True)


def print_json(data: Any) -> None:
    out.print_json(json.dumps(data, default=str))


def said(request: Request, what: str) -> None:
    say(f"{request.id}: {what} (status {request.status.value})")


def handled(command: F) -> F:
    """Turn every failure into one line on stderr and an exit status."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except BridgeError as exc:
            _error(str(exc))
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err.print("interrupted")
            raise typer.Exit(130) from None
        except (typer.Exit, typer.Abort):
            raise
        except OSError as exc:
            message = local_failure(exc)
            if message is None:
                _internal(exc)
            _error(message)
            raise typer.Exit(2) from None
        except Exception as exc:
            _internal(exc)

    return wrapper  # type: ignore[return-value]


def line(label: str, message: str) -> None:
    """One line on stderr, however long, with no markup read from the message (paths, ids)."""
    text = escape(scrub(" ".join(message.split())))
    err.print(f"[red]{label}:[/red] {text}", highlight=False, soft_wrap=True)


def _error(message: str) -> None:
    line("error", message)


def _internal(exc: BaseException) -> NoReturn:
    err.print(f"[red]internal error:[/red] {type(exc).__name__} (please report it)")
    logging.getLogger("privacy_bridge").debug("internal error: %s", scrub(repr(exc)))
    raise typer.Exit(1) from None


# What the machine did rather than the operator's input or a bug: one line naming the file.
_NO_SPACE = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_NO_ACCESS = {errno.EACCES, errno.EPERM, errno.EROFS}
_LOCAL = _NO_SPACE | _NO_ACCESS | {errno.EIO, errno.ENOTDIR, errno.EISDIR, errno.EEXIST}


def local_failure(exc: OSError) -> str | None:
    """The message for a file or disk failure that escaped its module (a full disk while a
    package or a lock file is written, a directory that is read-only), else None (a bug, a
    network error: those are the connectors' and the HTTP layer's)."""
    if type(exc).__module__ != "builtins" or exc.errno not in _LOCAL:
        return None
    what = (exc.strerror or type(exc).__name__).lower()
    where = f"cannot write {exc.filename}" if exc.filename else "cannot write a file"
    if exc.errno in _NO_SPACE:
        return f"{where}: {what}; free some space and run the command again"
    if exc.errno in _NO_ACCESS:
        return f"{where}: {what}; make it writable for this user, or choose another place"
    return f"{where}: {what}"
