"""`privacy-bridge erase`: plan, apply, resume and confirm an erasure."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from bridge import api
from bridge.app import App, policy_for
from bridge.cli.common import EnvFile, JsonFlag, err, handled, out, print_json, say
from bridge.cli.views import export_progress, manual_table, plan_tables
from bridge.collect.identity import Listener
from bridge.core.config import load_config
from bridge.core.errors import InputError
from bridge.erasure.guard import Stopped
from bridge.register.step_numbers import parse as step_numbers
from bridge.register.step_numbers import ranges
from exports.erasure_models import state_line
from exports.erasure_report import worksheet_path


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
        str | None,
        typer.Option(
            "--confirm-manual",
            help="Mark steps by hand done, as the tool prints them: 56–69, 95 (needs --note).",
        ),
    ] = None,
    note: Annotated[
        str | None,
        typer.Option("--note", help="With --confirm-manual (required): what was done, and where."),
    ] = None,
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
    steps are listed (confirm them with --confirm-manual 12,13) and keep the erasure open: the
    last line says complete, open, failed or dry run, as the report's erasure-report.json does.
    The customer's report is a zip; the operator's worksheet (the manual steps, the SQL, the
    requests to processors) is written beside it, never into it.
    """
    from bridge.register.erasing import confirm_steps, erase_request

    if (email is None) == (request is None):
        raise InputError("give --email or --request (one of them)")
    if note is not None and confirm is None:
        raise InputError("--note goes with --confirm-manual")
    config = load_config(env_file)
    if confirm is not None:
        try:
            seqs = step_numbers(confirm)
        except InputError as exc:
            raise InputError(f"--confirm-manual: {exc}") from None
        if not (note or "").strip():
            raise InputError(
                "--confirm-manual needs --note: what was done, and where"
                " (e.g. --note 'deleted in the Mollie dashboard')"
            )
        with App(config) as app:
            if request:
                done = confirm_steps(app.register(operator), request, seqs, note or "")
                if as_json:
                    print_json(done.to_dict())
                    return
                say(
                    f"{done.request_id}: confirmed {len(done.confirmed)} step(s) by hand"
                    f" ({ranges(done.confirmed)}); {done.remaining} still open"
                    + ("; request completed" if done.completed else "")
                )
                if done.not_open:
                    say(
                        "not waiting (already confirmed, automatic or unknown):"
                        f" {ranges(done.not_open)}",
                        err,
                    )
                return
            changed, remaining = app.confirm_manual(email or "", seqs, note or "")
        if as_json:
            print_json({"confirmed": changed, "remaining": remaining})
        else:
            say(f"confirmed {changed} step(s) by hand; {remaining} still open")
        return
    if dry_run == yes:
        raise InputError("choose --dry-run to see the plan or --yes to apply it")
    chosen = policy_for(config, policy)

    def run(listener: Listener | None) -> api.EraseResult:
        with App(config, policy=chosen) as app:
            try:
                if request:
                    return erase_request(
                        app.register(operator), request, erase=app.erase, dry_run=dry_run,
                        out_dir=out_dir, listener=listener,
                    )  # fmt: skip
                return app.erase(email or "", dry_run=dry_run, out_dir=out_dir, listener=listener)
            except Stopped as exc:  # a Ctrl-C between two steps: one line, exit 130 as for SIGINT
                err.print(str(exc), highlight=False, markup=False, soft_wrap=True)
                raise typer.Exit(exc.exit_code) from None

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
            out.print(f"worksheet: {worksheet_path(outcome.report)}", highlight=False)
        # The last line says where the erasure stands as its report does (one function decides).
        out.print(state_line(outcome.assessment()), highlight=False, markup=False, soft_wrap=True)
    result = outcome.result
    if result.failed_systems or (not dry_run and not result.complete):
        raise typer.Exit(1)
