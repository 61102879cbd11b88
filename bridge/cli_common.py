"""What every command module of the CLI shares: the consoles, the error handling, the options."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from bridge.errors import BridgeError
from bridge.redact import scrub

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


def handled(command: F) -> F:
    """Turn every failure into one line on stderr and an exit status."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except BridgeError as exc:
            err.print(f"[red]error:[/red] {scrub(str(exc))}", highlight=False, markup=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err.print("interrupted")
            raise typer.Exit(130) from None
        except (typer.Exit, typer.Abort):
            raise
        except Exception as exc:
            err.print(f"[red]internal error:[/red] {type(exc).__name__} (please report it)")
            logging.getLogger("privacy_bridge").debug("internal error: %s", scrub(repr(exc)))
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]
