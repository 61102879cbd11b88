"""The `privacy-bridge` command: a thin layer over `bridge.api`.

Every command has help text with an example; errors are one line on stderr with a non-zero exit
(2 for bad input), never a traceback.
"""

from __future__ import annotations

import functools
import json
import logging
import signal
import sys
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from bridge import api
from bridge.cli_requests import requests_app, run_housekeeping
from bridge.config import load_config
from bridge.delivery import export_request
from bridge.errors import BridgeError, InputError
from bridge.identity import Listener
from bridge.redact import scrub
from bridge.register import Register
from bridge.views import (
    check_table,
    erasure_summary_table,
    export_progress,
    manual_table,
    plan_tables,
    retention_table,
    summary_table,
    sync_progress,
    sync_table,
)

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

out = Console()
err = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])

EnvFile = Annotated[
    Path | None, typer.Option("--env-file", help="Settings file (default: ./.env if present).")
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print a JSON summary on stdout.")]


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
    Exit 0 when every system answered; 1 when one failed (the package is written and marked
    incomplete); 2 for bad input.
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
        str, typer.Option("--shop", help="Which reference shop to play.")
    ] = "woocommerce",
) -> None:
    """Start the sandbox, export a seeded customer with a rich history, then erase them.

    The erasure's plan is shown first (a dry run), then applied, verified and reported. The
    sandbox and its state are thrown away afterwards; the package and the report stay.

    Example: privacy-bridge demo --out ./demo-out --shop lightspeed
    """
    import tempfile

    from bridge.config import Config
    from sandbox.server import start

    with start(shop) as sandbox, tempfile.TemporaryDirectory() as state:
        email = sandbox.shop.subject_email
        err.print(f"sandbox: {shop} shop with {', '.join(sandbox.servers)} on loopback")
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
        str, typer.Option("--shop", help="Which reference shop to play.")
    ] = "woocommerce",
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
) -> None:
    """Run the fakes on free loopback ports until interrupted (SIGINT or SIGTERM).

    Example: privacy-bridge sandbox serve --env-file sandbox.env --latency-ms 50
    then, in another shell: privacy-bridge export --env-file sandbox.env --email ... --out out
    """
    import time

    from sandbox.data import build_shop
    from sandbox.server import SHOPS, env_file_text, start

    if shop not in SHOPS:
        raise InputError(f"unknown shop {shop!r}; choose from {', '.join(SHOPS)}")
    began = time.perf_counter()
    built = build_shop(shop, seed=seed, scale=scale)
    orders = len(built.woocommerce.orders) + len(built.lightspeed.resources.get("orders", []))
    err.print(
        f"built the {shop} shop (scale {scale}: {orders:,} orders) "
        f"in {time.perf_counter() - began:.1f} s"
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with start(shop, latency_ms=latency_ms, seed=seed, shop=built) as sandbox:
        text = env_file_text(sandbox.env, subject=sandbox.shop.subject_email)
        env_file.write_text(text)
        out.print(text, end="", highlight=False, markup=False)
        err.print(f"subject with a rich history: {sandbox.shop.subject_email}")
        err.print(f"settings written to {env_file}; Ctrl-C to stop")
        while not stop.wait(0.5):
            pass


@app.command()
@handled
def erase(
    email: Annotated[
        str | None, typer.Option("--email", help="The customer's e-mail address.")
    ] = None,
    request: Annotated[
        str | None,
        typer.Option(
            "--request", help="A verified erasure request of the register, instead of --email."
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Collect and show the plan; change nothing.")
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", help="Apply the plan (journaled; rerun to resume).")
    ] = False,
    out_dir: Annotated[Path, typer.Option("--out", help="Where the erasure report goes.")] = Path(
        "erasure-reports"
    ),
    policy: Annotated[
        Path | None,
        typer.Option(
            "--policy", help="Policy file (default: PRIVACY_BRIDGE_POLICY or the built-in one)."
        ),
    ] = None,
    confirm: Annotated[
        str | None, typer.Option("--confirm-manual", help="Mark manual steps done, e.g. 12,13.")
    ] = None,
    note: Annotated[str, typer.Option("--note", help="With --confirm-manual: what was done.")] = "",
    operator: Annotated[
        str | None, typer.Option("--operator", help="Who acts, for the register's audit trail.")
    ] = None,
    env_file: EnvFile = None,
    as_json: JsonFlag = False,
) -> None:
    """Erase one person everywhere: delete, anonymise, or keep restricted what the fiscal term needs.

    Example: privacy-bridge erase --email jan@example.nl --dry-run
    then:    privacy-bridge erase --email jan@example.nl --yes
    or:      privacy-bridge erase --request req-20261121-4f3a --yes

    The plan is journaled before anything changes; running the command again after a crash or a
    failed system resumes it. Exit 0 only when every automatic step is done and verified; manual
    steps are listed (confirm them with --confirm-manual 12,13) and keep the erasure open.
    """
    from bridge.register import Register
    from bridge.request_work import confirm_request_manual, erase_request

    if (email is None) == (request is None):
        raise InputError("give --email or --request (one of them)")
    config = load_config(env_file)
    register = Register.for_config(config, operator) if request else None
    if confirm is not None:
        seqs = _numbers(confirm)
        if register and request:
            changed = confirm_request_manual(register, request, config, seqs, note)
        else:
            changed, _ = api.confirm_manual(email or "", config, seqs, note)
        out.print(f"confirmed {changed} manual step(s)")
        return
    if dry_run == yes:
        raise InputError("choose --dry-run to see the plan or --yes to apply it")
    chosen = api.policy_for(config, policy)

    def run(listener: Listener | None) -> api.EraseResult:
        if register and request:
            return erase_request(
                register, request, config, dry_run=dry_run, policy=chosen, out_dir=out_dir,
                listener=listener,
            )  # fmt: skip
        return api.erase(
            email or "", config, dry_run=dry_run, out_dir=out_dir, policy=chosen, listener=listener
        )

    if as_json:
        outcome = run(None)
        out.print_json(json.dumps(api.erase_summary(outcome), default=str))
    else:
        with export_progress(err) as listener:
            outcome = run(listener)
        for table in plan_tables(outcome.result):
            out.print(table)
        if outcome.result.manual_open:
            out.print(manual_table(outcome.result))
        for problem in outcome.result.problems:
            out.print(f"[red]not verified:[/red] {problem}", highlight=False)
        if outcome.report:
            out.print(f"report: {outcome.report}", highlight=False)
    result = outcome.result
    if result.failed_systems or (not dry_run and not result.complete):
        raise typer.Exit(1)


@app.command("sync")
@handled
def sync_command(
    full: Annotated[
        bool, typer.Option("--full", help="Ignore the cursors: read everything.")
    ] = False,
    env_file: EnvFile = None,
    as_json: JsonFlag = False,
) -> None:
    """Bring the pseudonymised index up to date with what changed in each system.

    Example: privacy-bridge sync --json    (from cron or a systemd timer; see deploy/)

    Exit 0 when every system synced; 1 when one failed (the others are saved); a second sync
    while one runs is refused.
    """
    from bridge.sync import sync

    config = load_config(env_file)
    if as_json:
        result = sync(config, full=full)
    else:
        with sync_progress(err) as listener:
            result = sync(config, full=full, listener=listener)
    summary = {
        "ok": result.ok,
        "seconds": result.seconds,
        "requests": result.requests,
        "streams": [s.__dict__ for s in result.streams],
    }
    if as_json:
        out.print_json(json.dumps(summary))
    else:
        out.print(sync_table(result))
    if not result.ok:
        raise typer.Exit(1)


retention_app = typer.Typer(help="Retention terms: who and what is past the policy's term.")
app.add_typer(retention_app, name="retention")
TodayOption = Annotated[
    str | None, typer.Option("--today", help="Count as if it were this day (YYYY-MM-DD).")
]


def _day(text: str | None) -> date:
    try:
        return date.fromisoformat(text) if text else date.today()
    except ValueError:
        raise InputError("--today takes a date as YYYY-MM-DD") from None


@retention_app.command("due")
@handled
def retention_due(
    env_file: EnvFile = None, as_json: JsonFlag = False, today: TodayOption = None
) -> None:
    """List people inactive for longer than the term, and retained records whose term ended.

    Example: privacy-bridge retention due --json    (after a sync: it reads the index)
    """
    from bridge.retention import due

    config = load_config(env_file)
    found = due(config, api.policy_for(config), _day(today))
    if as_json:
        out.print_json(json.dumps({
            "people": [p.__dict__ for p in found.people],
            "expired": [
                {"erasure": e.erasure_id, "seq": e.seq, "system": e.step.system,
                 "record": e.step.key, "until": str(e.step.until)}
                for e in found.expired
            ],
        }))  # fmt: skip
        return
    out.print(retention_table(found))


@retention_app.command("apply")
@handled
def retention_apply(
    yes: Annotated[bool, typer.Option("--yes", help="Do it without asking (for cron).")] = False,
    operator: Annotated[
        str | None, typer.Option("--operator", help="Who acts, for the register's audit trail.")
    ] = None,
    env_file: EnvFile = None,
    as_json: JsonFlag = False,
    today: TodayOption = None,
) -> None:
    """Open erasure requests for the people past the term, and end expired retentions.

    Example: privacy-bridge retention apply    (shows what is due, then asks)

    The requests are opened verified (the shop itself asks); erase them with
    `privacy-bridge erase --request ID --yes`.
    """
    from bridge.retention import apply, due

    config = load_config(env_file)
    policy, day = api.policy_for(config), _day(today)
    found = due(config, policy, day)
    if not as_json:
        out.print(retention_table(found))
    if not (found.people or found.expired):
        return
    if not yes and not typer.confirm("Open these erasure requests and end these retentions?"):
        raise typer.Exit(1)
    done = apply(config, policy, day, operator)
    if as_json:
        out.print_json(json.dumps(done.__dict__))
    else:
        for opened in done.opened:
            out.print(f"opened erasure request {opened['request']}", highlight=False)
        for ended in done.ended:
            out.print(f"retention ended: {ended['system']} {ended['record']} ({ended['state']})")
        if done.unresolved:
            out.print(
                f"[yellow]{len(done.unresolved)} people with no address in any system: see the index[/yellow]"
            )


def _numbers(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise InputError("--confirm-manual takes step numbers, e.g. 12,13") from None


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
