"""What every command module of the CLI shares: the consoles, the error handling, the options,
and `Cli`, the root command that holds the whole tree to the conventions of `gh` and `stripe`
(`-h` beside `--help`, global flags anywhere, usage errors on one line, help without noise).
"""

from __future__ import annotations

import errno
import functools
import json
import logging
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from typer import _click as click  # typer's own click (vendored since typer 0.20)
from typer.core import TyperArgument, TyperGroup, TyperOption

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
JsonFlag = Annotated[
    bool, typer.Option("--json", help="Print JSON on stdout (ids and paths whole, never cut).")
]
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
            say("interrupted", err)
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
    err.print(f"[red]internal error:[/red] {type(exc).__name__} (please report it)", soft_wrap=True)
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


# --- the conventions of the whole command tree ---------------------------------------------------

HELP_NAMES = ["-h", "--help"]
# Flags of the root that may be typed anywhere, as `gh` and `stripe` take them: `export -v …`.
GLOBAL_FLAGS = frozenset({"-v", "--verbose"})
# A line of a help paragraph that starts an example keeps its own line ("then: privacy-bridge …").
_EXAMPLE_LINE = re.compile(r"^(Example|[\w ,]{1,30}):\s+privacy-bridge\b|^- ")


class Cli(TyperGroup):
    """The root `privacy-bridge` group: every command below it gets `-h`, help texts without
    type noise on flags and with paragraphs that wrap to the terminal, and global flags wherever
    they are typed; a usage error (a missing option, a bad number) is one line on stderr, exit 2,
    like every other error (`handled`)."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        _tidy(self)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoisted(self, args))

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        params = super().get_params(ctx)
        _quiet(params)  # typer adds the completion flags after __init__
        return params

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(
                args, prog_name, complete_var, standalone_mode, windows_expand_args, **extra
            )
        try:
            code = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except click.exceptions.NoArgsIsHelpError:
            sys.exit(2)  # the help is printed already: no command given is bad input
        except click.ClickException as exc:
            usage_error(exc)
            sys.exit(exc.exit_code)
        except typer.Abort:  # a question answered by end of input
            line("error", "aborted: nothing was done")
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


def usage_error(exc: click.ClickException) -> None:
    """A usage error as one line that names where help is: the command to copy stays whole."""
    ctx: click.Context | None = getattr(exc, "ctx", None)
    hint = f" (see: {ctx.command_path} --help)" if ctx is not None else ""
    line("error", exc.format_message().rstrip(".") + hint)


def hoisted(root: click.Command, args: list[str]) -> list[str]:
    """`args` with the global flags moved before the sub-command, wherever they were typed; a
    token that is the value of an option (`--note -v`) stays where it is."""
    flags: list[str] = []
    rest: list[str] = []
    command: click.Command | None = root
    tokens = iter(args)
    for token in tokens:
        if token == "--":  # everything after it is an argument, as typed
            rest += [token, *tokens]
            break
        if token in GLOBAL_FLAGS:
            flags.append(token)
            continue
        rest.append(token)
        if command is None:
            continue
        option = _option(command, token)
        if option is not None and not (option.is_flag or option.count) and "=" not in token:
            value = next(tokens, None)  # its value, whatever it looks like
            if value is not None:
                rest.append(value)
        elif isinstance(command, TyperGroup) and not token.startswith("-"):
            command = command.commands.get(token)
    return [*flags, *rest]


def _option(command: click.Command, token: str) -> TyperOption | None:
    name = token.split("=", 1)[0]
    for param in command.params:
        if isinstance(param, TyperOption) and name in (*param.opts, *param.secondary_opts):
            return param
    return None


def _tidy(command: click.Command) -> None:
    """Give `command` and every command below it `-h`, flags without a `<bool>` type in their
    help, help paragraphs that wrap to the terminal (a docstring's line breaks are kept only
    before an example), and help read as plain text, not as rich markup."""
    ctx = click.Context(command, help_option_names=HELP_NAMES)
    command.get_help_option(ctx)  # made now with both names, and kept by the command
    _quiet([*command.params, command.get_help_option(ctx)])
    for param in command.params:
        if isinstance(param, TyperOption | TyperArgument) and param.help:
            param.help = escape(param.help)  # typer reads rich markup: `[shop]` is text here
    if command.help:
        command.help = escape(_reflowed(command.help))
        command.short_help = command.help.split("\n\n", 1)[0].replace("\n", " ")
    for sub in getattr(command, "commands", {}).values():
        _tidy(sub)


def _quiet(params: Sequence[click.Parameter | None]) -> None:
    """No type shown for a flag: typer shows `<bool>` otherwise, though a flag takes no value."""
    for param in params:
        if isinstance(param, TyperOption) and (param.is_flag or param.count):
            param.metavar = ""


def _reflowed(text: str) -> str:
    import inspect

    paragraphs = inspect.cleandoc(text).split("\n\n")
    joined = []
    for paragraph in paragraphs:
        lines = paragraph.splitlines()
        merged = lines[:1]
        for text_line in lines[1:]:
            if _EXAMPLE_LINE.match(text_line.strip()):
                merged.append(text_line.strip())
            else:
                merged[-1] += " " + text_line.strip()
        joined.append("\n".join(merged))
    return "\n\n".join(joined)
