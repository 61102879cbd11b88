"""The `privacy-bridge` command: a thin layer over `bridge.api` and `bridge.app`.

Every command has help text with an example (`-h` or `--help`) and `--json` where it prints
anything; errors are one line on stderr with a non-zero exit (2 for bad input), never a
traceback. The root (`bridge.cli.common.Cli`) takes `--version`, shell completion, and `-v`
anywhere on the line.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path
from typing import Annotated

import typer

from bridge import api
from bridge.app import App
from bridge.cli.common import (
    HELP_NAMES,
    Cli,
    EnvFile,
    JsonFlag,
    err,
    handled,
    line,
    out,
    print_json,
    say,
)
from bridge.cli.customer_contact import run_housekeeping
from bridge.cli.demo import demo, sandbox_app
from bridge.cli.erase import erase
from bridge.cli.index import retention_app, sync_command
from bridge.cli.progress import check_progress, export_progress
from bridge.cli.requests import requests_app
from bridge.cli.serve import clients_app, serve, webhooks_app
from bridge.cli.statement import statement_app, unfinished
from bridge.cli.views import check_table, summary_table
from bridge.collect.check import CheckResult
from bridge.collect.check import check as check_systems
from bridge.collect.identity import Listener
from bridge.core.config import load_config
from bridge.core.connector import Connector
from bridge.core.errors import InputError
from bridge.register.delivery import export_request

app = typer.Typer(
    name="privacy-bridge",
    help="Find, export and erase one person's data across a webshop and its processors.",
    epilog=(
        "Global: -v/--verbose anywhere on the line; -h/--help on every command; --json on "
        "every command that prints a result. Shell completion: privacy-bridge "
        "--install-completion (bash, zsh, fish, PowerShell), or --show-completion to see it. "
        "Exit 0 done, 1 a system failed or work is still open, 2 bad input or settings."
    ),
    cls=Cli,
    context_settings={"help_option_names": HELP_NAMES},
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,
)
app.command()(demo)
app.add_typer(sandbox_app, name="sandbox")
app.add_typer(requests_app, name="requests")
app.command()(erase)
app.command("sync")(sync_command)
app.add_typer(retention_app, name="retention")
app.add_typer(statement_app, name="statement")
app.command("serve")(serve)
app.add_typer(clients_app, name="clients")
app.add_typer(webhooks_app, name="webhooks")


def _version(shown: bool) -> None:
    """`--version`: the installed distribution's version, then exit 0."""
    if shown:
        try:
            version = metadata.version("privacy-bridge")
        except metadata.PackageNotFoundError:  # run from a checkout that is not installed
            version = "unknown (not installed)"
        say(f"privacy-bridge {version}")
        raise typer.Exit(0)


@app.callback()
def _options(
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose",
            "-v",
            help="Log requests on stderr (no secrets, no e-mail addresses); anywhere on the line.",
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", is_eager=True, callback=_version
        ),
    ] = False,
) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
        stream=sys.stderr,
    )


@app.command()
@handled
def export(
    out_dir: Annotated[
        Path, typer.Option("--out", help="Directory for the package (created 0700).")
    ],
    email: Annotated[
        str | None, typer.Option("--email", help="The customer's e-mail address.")
    ] = None,
    request: Annotated[
        str | None,
        typer.Option("--request", help="A verified request of the register, instead of --email."),
    ] = None,
    env_file: EnvFile = None,
    operator: Annotated[
        str | None, typer.Option("--operator", help="Who acts, for the register's audit trail.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Collect one person's data from every configured system into a data package (zip).

    Example: privacy-bridge export --email jan@example.nl --out ./packages
    or:      privacy-bridge export --request req-20261121-4f3a --out ./packages

    With --request the request must be verified; it moves to in_progress, and the package is
    recorded for `requests deliver` (it expires after PRIVACY_BRIDGE_PACKAGE_DAYS).
    Exit 0 when every system answered completely; 1 when one failed or is partial (the package
    is written and marked incomplete, naming what failed); 2 for bad input.
    """
    config = load_config(env_file)
    if (email is None) == (request is None):
        raise InputError("give --email or --request (one of them)")

    def run(listener: Listener | None = None) -> api.ExportResult:
        with App(config) as app:
            if request is not None:
                register = app.register(operator)
                return export_request(
                    register, request, out_dir, config, export=app.export, listener=listener
                )
            return app.export(email or "", out_dir, listener=listener)

    if as_json:
        result = run()
        summary = api.summary(result)
        print_json({**summary, "request": request} if request else summary)
    else:
        with export_progress(err) as listener:
            result = run(listener)
        out.print(summary_table(result.data))
        out.print(f"package: {result.package}", highlight=False)
    if not result.complete:
        failed = [s for s in result.data.sources if s.status.value in ("error", "partial")]
        line("incomplete", "; ".join(f"{s.system} {s.status.value}: {s.error}" for s in failed))
        raise typer.Exit(1)


@app.command()
@handled
def check(env_file: EnvFile = None, as_json: JsonFlag = False) -> None:
    """Tell, per configured system, whether it is reachable and the credentials work.

    The systems are asked at once; while they answer, a line on stderr names those still
    awaited ("waiting for: <system>, <system>"), so a host that does not answer is not silence.
    Warns (on stderr; the exit status stays) while the privacy statement given with each package
    is still the built-in example or takes parts from it; a statement file that is not valid is
    exit 2, before any system is asked.

    Example: privacy-bridge check --json
    """
    config = load_config(env_file)
    notes = unfinished(config)
    with App(config) as opened:
        connectors = opened.connectors
        if as_json:
            results = _checked(connectors, None)
        else:
            with check_progress(err, [c.name for c in connectors]) as answered:
                results = _checked(connectors, answered)
    if as_json:
        print_json([r.__dict__ for r in results])
    else:
        out.print(check_table(results))
    for note in notes:
        line("warning", note)
    if not all(r.ok for r in results):
        raise typer.Exit(1)


def _checked(
    connectors: Sequence[Connector], answered: Callable[[str], None] | None
) -> list[CheckResult]:
    """Each system's check, all at once (each connector has a client of its own), in the
    connectors' order; `answered` is told each system as it answers."""

    def one(connector: Connector) -> CheckResult:
        try:
            return check_systems([connector])[0]
        finally:
            if answered is not None:
                answered(connector.name)

    if not connectors:
        return []
    with ThreadPoolExecutor(max_workers=len(connectors), thread_name_prefix="check") as pool:
        return list(pool.map(one, connectors))


@app.command()
@handled
def housekeeping(
    env_file: EnvFile = None,
    operator: Annotated[
        str | None, typer.Option("--operator", help="Who acts, for the audit trail.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Delete expired packages (files and rows) and expired codes; forget the addresses of
    requests closed longer than PRIVACY_BRIDGE_PACKAGE_DAYS ago. Run it daily.

    Example: privacy-bridge housekeeping --json
    """
    run_housekeeping(env_file, operator, as_json)


def main() -> None:
    app()
