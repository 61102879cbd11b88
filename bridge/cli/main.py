"""The `privacy-bridge` command: a thin layer over `bridge.api`.

Every command has help text with an example; errors are one line on stderr with a non-zero exit
(2 for bad input), never a traceback.
"""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import Annotated

import typer

from bridge import api
from bridge.cli.common import EnvFile, JsonFlag, err, handled, line, out
from bridge.cli.erase import erase
from bridge.cli.index import retention_app, sync_command
from bridge.cli.requests import requests_app, run_housekeeping
from bridge.cli.views import (
    check_table,
    erasure_summary_table,
    export_progress,
    manual_table,
    summary_table,
)
from bridge.collect.identity import Listener
from bridge.core.config import load_config
from bridge.core.errors import InputError
from bridge.register.delivery import export_request
from bridge.register.requests import Register

app = typer.Typer(
    name="privacy-bridge",
    help="Find, export and erase one person's data across a webshop and its processors.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
sandbox_app = typer.Typer(help="The built-in sandbox: fakes of every system with a seeded shop.")
app.add_typer(sandbox_app, name="sandbox")
app.add_typer(requests_app, name="requests")
app.command()(erase)
app.command("sync")(sync_command)
app.add_typer(retention_app, name="retention")


@app.callback()
def _options(
    verbose: Annotated[
        bool,
        typer.Option("--verbose", "-v", help="Log requests (no secrets, no e-mail addresses)."),
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
        if request is not None:
            register = Register.for_config(config, operator)
            return export_request(register, request, out_dir, config, listener=listener)
        return api.export(email or "", out_dir, config, listener=listener)

    if as_json:
        result = run()
        summary = api.summary(result)
        out.print_json(json.dumps({**summary, "request": request} if request else summary))
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

    Example: privacy-bridge check --json
    """
    results = api.check(load_config(env_file))
    if as_json:
        out.print_json(json.dumps([r.__dict__ for r in results]))
    else:
        out.print(check_table(results))
    if not all(r.ok for r in results):
        raise typer.Exit(1)


@app.command()
@handled
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Where the package goes.")] = Path(
        "demo-out"
    ),
    shop: Annotated[
        str | None,
        typer.Option(
            "--shop",
            help="Which reference shop to play (default: the first in `sandbox serve --help`).",
        ),
    ] = None,
) -> None:
    """Start the sandbox, export a seeded customer with a rich history, then erase them.

    The erasure's plan is shown first (a dry run), then applied, verified and reported. The
    sandbox and its state are thrown away afterwards; the package and the report stay.

    Example: privacy-bridge demo --out ./demo-out
    """
    import tempfile

    from bridge.core.config import Config
    from sandbox.server import DEFAULT_SHOP, start

    with start(shop or DEFAULT_SHOP) as sandbox, tempfile.TemporaryDirectory() as state:
        email = sandbox.shop.subject_email
        err.print(
            f"sandbox: {sandbox.shop.kind} shop with {', '.join(sandbox.servers)} on loopback"
        )
        err.print(f"exporting the data of {email}")
        config = Config({**sandbox.env, "PRIVACY_BRIDGE_HOME": state})
        with export_progress(err) as listener:
            result = api.export(email, out_dir, config, listener=listener)
        out.print(summary_table(result.data))
        out.print(f"package: {result.package}", highlight=False)
        policy = api.policy_for(config)
        err.print(f"planning the erasure of {email}")
        plan = api.erase(email, config, dry_run=True, policy=policy)
        out.print(erasure_summary_table(plan.result, "Erasure plan (dry run: nothing changed yet)"))
        err.print("applying the erasure")
        erased = api.erase(email, config, dry_run=False, policy=policy, out_dir=out_dir)
    out.print(erasure_summary_table(erased.result, "Erasure applied"))
    if erased.result.manual_open:
        out.print(manual_table(erased.result))
    for problem in erased.result.problems:
        out.print(f"[red]not verified:[/red] {problem}", highlight=False)
    verdict = "verified" if erased.complete else "NOT complete"
    out.print(f"erasure {verdict}; report: {erased.report}", highlight=False)
    if not (result.complete and erased.complete):
        raise typer.Exit(1)


@sandbox_app.command("serve")
@handled
def sandbox_serve(
    env_file: Annotated[
        Path, typer.Option("--env-file", help="Where to write the settings.")
    ] = Path("sandbox.env"),
    latency_ms: Annotated[int, typer.Option("--latency-ms", min=0, help="Delay per request.")] = 0,
    shop: Annotated[
        str | None,
        typer.Option(
            "--shop",
            help="Which reference shop to play: one of sandbox.server.SHOPS (default: the first).",
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the generated shop.")] = 7,
    scale: Annotated[
        int,
        typer.Option(
            "--scale",
            min=1,
            help="Make the shop about N times as large: N-1 copies of its people with all "
            "their records (70: about 100,000 orders and 20,000 customers).",
        ),
    ] = 1,
    hostile: Annotated[
        bool,
        typer.Option(
            "--hostile",
            help="Play the vendors at their least helpful (sandbox.hostile.HOSTILE): person "
            "filters ignored, unconfirmed fields spelled the other way, side resources missing.",
        ),
    ] = False,
) -> None:
    """Run the fakes on free loopback ports until interrupted (SIGINT or SIGTERM).

    Example: privacy-bridge sandbox serve --env-file sandbox.env --latency-ms 50
    then, in another shell: privacy-bridge export --env-file sandbox.env --email ... --out out
    """
    import time

    from sandbox.data import build_shop
    from sandbox.hostile import HOSTILE
    from sandbox.server import SHOPS, env_file_text, start

    shop = shop or next(iter(SHOPS))
    if shop not in SHOPS:
        raise InputError(f"unknown shop {shop!r}; choose from {', '.join(SHOPS)}")
    began = time.perf_counter()
    built = build_shop(shop, seed=seed, scale=scale)
    orders = built.order_count()
    err.print(
        f"built the {shop} shop (scale {scale}: {orders:,} orders) "
        f"in {time.perf_counter() - began:.1f} s"
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    hostility = HOSTILE if hostile else None
    with start(shop, latency_ms=latency_ms, seed=seed, shop=built, hostile=hostility) as sandbox:
        text = env_file_text(sandbox.env, subject=sandbox.shop.subject_email)
        env_file.write_text(text)
        out.print(text, end="", highlight=False, markup=False)
        err.print(f"subject with a rich history: {sandbox.shop.subject_email}")
        err.print(f"settings written to {env_file}; Ctrl-C to stop")
        while not stop.wait(0.5):
            pass


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
