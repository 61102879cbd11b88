"""`privacy-bridge erase`: plan, apply, resume and confirm an erasure.

A dry run writes nothing (no report, no worksheet, no journal): it shows a banner and the totals
per system and action (every step with --steps, or in --json's `plan`). An applied erasure shows
its phases as they run (collect, plan, apply, verify), one verdict line for the verification,
and writes the customer's report and the operator's worksheet into --out, by default
`<PRIVACY_BRIDGE_HOME>/reports` (never the current directory: a cron job's, a checkout's).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer

from bridge import api
from bridge.app import App, policy_for
from bridge.cli.common import EnvFile, JsonFlag, err, handled, out, print_json, say
from bridge.cli.progress import ErasureProgress, erase_progress
from bridge.cli.views import erasure_summary_table, manual_table, plan_tables
from bridge.core.config import load_config
from bridge.core.connector import checked_email
from bridge.core.errors import InputError
from bridge.core.steps import StepState
from bridge.erasure.guard import Stopped
from bridge.erasure.process import ErasureResult
from bridge.erasure.report import EraseResult
from bridge.register.delivery import TELL_BY_HAND, tell_by_hand
from bridge.register.step_numbers import parse as step_numbers
from bridge.register.step_numbers import ranges
from exports.erasure_models import state_line
from exports.erasure_report import worksheet_path

# Where reports go without --out: in the state directory, beside the register that names them.
REPORTS = "reports"
DRY_RUN_BANNER = "DRY RUN: nothing was changed and nothing was written; --yes applies this plan"


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
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Where the report and the worksheet go (with --yes; default: the folder "
            "reports in the state directory, PRIVACY_BRIDGE_HOME).",
        ),
    ] = None,
    steps: Annotated[
        bool,
        typer.Option("--steps", help="List every step, not only the totals per system."),
    ] = False,
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
    requests to processors) is written beside it, never into it: into --out, by default
    <PRIVACY_BRIDGE_HOME>/reports. A dry run writes nothing and prints the totals per system
    and action (--steps: every step; --json: the plan).
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
                " (e.g. --note 'deleted in the back office of the processor')"
            )
        with App(config) as app:
            if request:
                done = confirm_steps(
                    app.register(operator), request, seqs, note or "", config=config
                )
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
                if done.final is not None:
                    say(f"final report: {done.final.report}")
                    told = "the customer was mailed the final report"
                    say(f"{done.request_id}: " + (TELL_BY_HAND if done.tell_by_hand else told))
                return
            changed, remaining = app.confirm_manual(email or "", seqs, note or "")
        if as_json:
            print_json({"confirmed": changed, "remaining": remaining})
        else:
            say(f"confirmed {changed} step(s) by hand; {remaining} still open")
        return
    if dry_run == yes:
        raise InputError("choose --dry-run to see the plan or --yes to apply it")
    if email is not None:
        checked_email(email)  # refused before anything is shown or opened
    if dry_run and out_dir is not None:
        raise InputError("--out goes with --yes: a dry run writes nothing")
    chosen = policy_for(config, policy)
    reports = None if dry_run else (out_dir or config.home / REPORTS)

    def run(shown: ErasureProgress | None) -> EraseResult:
        with App(config, policy=chosen) as app:
            listener = shown.listener if shown else None
            on_step = shown.on_step if shown else None
            try:
                if request:
                    eraser = partial(app.erase, on_step=on_step)
                    register = app.register(operator)
                    result = erase_request(
                        register, request, erase=eraser, dry_run=dry_run,
                        out_dir=reports, listener=listener, config=config,
                    )  # fmt: skip
                    if tell_by_hand(register, request):
                        say(f"{request}: {TELL_BY_HAND}", err)
                    return result
                return app.erase(
                    email or "", dry_run=dry_run, out_dir=reports, listener=listener,
                    on_step=on_step,
                )  # fmt: skip
            except Stopped as exc:  # a Ctrl-C between two steps: one line, exit 130 as for SIGINT
                say(str(exc), err)
                raise typer.Exit(exc.exit_code) from None

    if as_json:
        outcome = run(None)
        summary = api.erase_summary(outcome)
        print_json({**summary, "plan": _plan(outcome.result)} if dry_run else summary)
    else:
        with erase_progress(err, dry_run=dry_run) as progress:
            outcome = run(progress)
        _show(outcome, dry_run=dry_run, steps=steps)
    result = outcome.result
    if result.failed_systems or (not dry_run and not result.complete):
        raise typer.Exit(1)


def _show(outcome: EraseResult, *, dry_run: bool, steps: bool) -> None:
    """The erasure for a person to read: totals (every step with `steps`), what failed, what is
    to do by hand, the verification's verdict, the files, and where it stands."""
    result = outcome.result
    if dry_run:
        say(DRY_RUN_BANNER)
    title = "Erasure plan (dry run)" if dry_run else "Erasure applied"
    out.print(erasure_summary_table(result, title))
    if steps:
        for table in plan_tables(result):
            out.print(table)
    elif not dry_run:
        for table in plan_tables(result, only=lambda e: e.state is StepState.failed):
            out.print(table)
    if result.manual_open:
        out.print(manual_table(result))
    for problem in result.problems:
        out.print(f"[red]not verified:[/red] {problem}", highlight=False, soft_wrap=True)
    if not dry_run:
        say(verdict(result))
    if outcome.report:
        say(f"report: {outcome.report}")
        say(f"worksheet: {worksheet_path(outcome.report)}")
    if dry_run and not steps:
        say("every step: add --steps (or --json for the plan as data)")
    # The last line says where the erasure stands as its report does (one function decides).
    say(state_line(outcome.assessment()))


def verdict(result: ErasureResult) -> str:
    """The verification's result in one line: every applied step read back from its system."""
    applied = [e for e in result.steps if e.step.automatic and e.state is StepState.done]
    systems = len({e.step.system for e in applied})
    if result.failed_systems:
        return (
            f"verification: incomplete: {', '.join(result.failed_systems)} could not be read"
            " again; run the command again to resume"
        )
    if result.problems:
        return (
            f"verification: {len(result.problems)} of {len(applied)} applied step(s) not in"
            " effect (see 'not verified' above); run the command again to resume"
        )
    return f"verification: all {len(applied)} applied step(s) hold in {systems} system(s)"


def _plan(result: ErasureResult) -> list[dict[str, Any]]:
    """A dry run's steps for --json: what --yes would do, step by step."""
    return [
        {
            "seq": e.seq,
            "system": e.step.system,
            "action": e.step.action.value,
            "record_type": e.step.record_type,
            "record_id": e.step.record_id,
            "reason": e.step.reason,
            "until": e.step.until.isoformat() if e.step.until else None,
            "by_hand": not e.step.automatic,
            "instruction": e.step.instruction or None,
        }
        for e in result.steps
    ]
