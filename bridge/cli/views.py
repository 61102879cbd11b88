"""Rich tables for the CLI (what runs meanwhile: bridge.cli.progress); no logic of its own.

Ids the operator copies into the next command (request ids, step numbers) are never cut: their
columns do not wrap (`no_wrap`, and `fold` only where a terminal is narrower than the id), and the
other columns wrap first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from rich import box
from rich.table import Table
from rich.text import Text

from bridge.core.models import DataPackage, Status
from bridge.core.steps import StepState
from bridge.register.types import RULE_TEXT, DeadlineRule
from exports.erasure_report import compact_ids

if TYPE_CHECKING:
    from bridge.collect.check import CheckResult
    from bridge.erasure.journal import JournalEntry
    from bridge.erasure.process import ErasureResult
    from bridge.index.retention import Due, Shown
    from bridge.index.sync import SyncResult
    from bridge.register.types import Request

STATUS_STYLE = {
    Status.ok: "green",
    Status.not_found: "yellow",
    Status.partial: "red",
    Status.error: "red",
    Status.skipped: "dim",
    Status.manual: "magenta",
}


def summary_table(data: DataPackage) -> Table:
    table = Table(title="Data package" + ("" if data.complete else " (INCOMPLETE)"))
    for column in ("system", "status", "records", "requests (minimum)", "seconds"):
        table.add_column(column)
    for source in data.sources:
        counts: dict[str, int] = {}
        for record in source.records:
            counts[record.type] = counts.get(record.type, 0) + 1
        style = STATUS_STYLE.get(source.status, "")
        status = source.status.value + (f": {source.error}" if source.error else "")
        table.add_row(
            source.system,
            f"[{style}]{status}[/{style}]",
            ", ".join(f"{n} {t}" for t, n in sorted(counts.items())) or "-",
            str(source.requests) + ("" if source.minimum is None else f" ({source.minimum})"),
            f"{source.seconds:.2f}",
        )
    return table


def check_table(results: Sequence[CheckResult]) -> Table:
    table = Table(title="Systems")
    for column in ("system", "ok", "message", "requests"):
        table.add_column(column)
    for r in results:
        mark = "[green]yes[/green]" if r.ok else "[red]no[/red]"
        table.add_row(r.title or r.system, mark, r.message, str(r.requests))
    return table


ACTION_STYLE = {"delete": "red", "anonymise": "yellow", "retain": "cyan", "manual": "magenta"}
STATE_STYLE = {
    StepState.done: "green",
    StepState.failed: "red",
    StepState.manual: "magenta",
    StepState.confirmed: "green",
}


def plan_tables(
    result: ErasureResult, only: Callable[[JournalEntry], bool] | None = None
) -> list[Table]:
    """Per system, each step (or each that `only` picks; a system with none is left out) with
    its action, record, reason, end date and state."""
    tables = []
    for source in result.sources:
        entries = [e for e in result.steps if e.step.system == source.system]
        if only is not None:
            entries = [e for e in entries if only(e)]
            if not entries:
                continue
        title = f"{source.title or source.system}: {len(entries)} steps"
        if source.status is Status.error:
            title += f" [red](collect failed: {source.error})[/red]"
        elif source.status is Status.partial:
            title += f" [red]({source.error})[/red]"
        table = Table(title=title, title_justify="left")
        table.add_column("#", no_wrap=True, overflow="fold")  # a step number to paste
        for column in ("action", "record", "reason", "until", "state"):
            table.add_column(column, overflow="fold")
        for e in entries:
            action = e.step.action.value
            style, state_style = ACTION_STYLE.get(action, ""), STATE_STYLE.get(e.state, "")
            reason = e.step.reason + (f" [dim]({e.outcome})[/dim]" if e.outcome else "")
            table.add_row(
                str(e.seq),
                f"[{style}]{action}[/{style}]" if style else action,
                f"{e.step.record_type} {e.step.record_id}",
                reason,
                str(e.step.until or ""),
                f"[{state_style}]{e.state}[/{state_style}]" if state_style else e.state,
            )
        tables.append(table)
    return tables


def manual_table(result: ErasureResult) -> Table:
    """Manual steps, one row per system and reason: the first instruction stands for the rest."""
    table = Table(title="To do by hand (keeps the erasure open)", title_justify="left")
    table.add_column("steps", no_wrap=True, overflow="fold")  # pasted into --confirm-manual
    table.add_column("system")
    table.add_column("instruction", overflow="fold")
    groups: dict[tuple[str, str], list[JournalEntry]] = {}
    for entry in result.manual_open:
        groups.setdefault((entry.step.system, entry.step.reason), []).append(entry)
    for (system, _reason), entries in groups.items():
        text = entries[0].step.instruction
        if len(entries) > 1:
            others = ", ".join(e.step.record_id for e in entries[1:])
            text += f" [dim]Likewise for {others}.[/dim]"
        table.add_row(compact_ids([str(e.seq) for e in entries]), system, text)
    return table


def erasure_summary_table(result: ErasureResult, title: str) -> Table:
    """Per system, how many records each action touches (and, once applied, in which state),
    with a row of totals; a dry run's steps are all `planned`, so it shows no states."""
    table = Table(title=title, title_justify="left", show_footer=True)
    states_shown = not result.dry_run
    totals = {a: sum(1 for e in result.steps if e.step.action.value == a) for a in ACTION_STYLE}
    table.add_column("system", footer=f"total: {len(result.steps)} steps")
    for action in ACTION_STYLE:
        table.add_column(action, footer=str(totals[action]) if totals[action] else "-")
    table.add_column("kept until")
    if states_shown:
        table.add_column("states")
    for source in result.sources:
        entries = [e for e in result.steps if e.step.system == source.system]
        counts = {a: sum(1 for e in entries if e.step.action.value == a) for a in ACTION_STYLE}
        ends = sorted(e.step.until for e in entries if e.step.until)
        states: dict[StepState, int] = {}
        for e in entries:
            states[e.state] = states.get(e.state, 0) + 1
        table.add_row(
            source.system
            if source.status not in (Status.error, Status.partial)
            else f"[red]{source.system}: {source.error}[/red]",
            *(
                f"[{ACTION_STYLE[a]}]{n}[/{ACTION_STYLE[a]}]" if n else "-"
                for a, n in counts.items()
            ),
            f"{ends[0]} … {ends[-1]}" if ends else "-",
            *(
                [
                    ", ".join(
                        f"[{STATE_STYLE.get(s, '')}]{n} {s}[/{STATE_STYLE.get(s, '')}]"
                        if STATE_STYLE.get(s)
                        else f"{n} {s}"
                        for s, n in sorted(states.items())
                    )
                ]
                if states_shown
                else []
            ),
        )
    return table


def sync_table(result: SyncResult) -> Table:
    table = Table(title=f"Sync ({result.seconds:.1f} s)", title_justify="left")
    for column in ("system", "stream", "entries", "cursor", "status"):
        table.add_column(column)
    for s in result.streams:
        status = f"[red]{s.error}[/red]" if s.error else "[green]ok[/green]"
        table.add_row(s.system, s.stream, str(s.entries), s.cursor or "-", status)
    return table


def retention_table(found: Due, shown: Mapping[str, Shown] | None = None) -> Table:
    """Who and what is past its term; a person by name and address when `shown` (read live
    from the shop by `bridge.index.retention.identify`), else by pseudonym."""
    table = Table(title="Past the retention term", title_justify="left")
    for column in ("what", "who or which record", "since / until", "systems"):
        table.add_column(column, overflow="fold")
    for person in found.people:
        table.add_row(
            "person inactive",
            _who(person.subject, (shown or {}).get(person.subject)),
            person.last_activity[:10],
            ", ".join(person.systems),
        )
    for item in found.expired:
        table.add_row("retention ended", item.step.key, str(item.step.until), item.step.system)
    return table


def _who(subject: str, shown: Shown | None) -> Text:
    """A person as the operator can recognise them, the pseudonym kept as the index's key."""
    tag = f"#{subject[:10]}"
    if shown is None:
        return Text(tag)
    if shown.email:
        who = f"{shown.name}, {shown.email}" if shown.name else shown.email
        return Text.assemble(who, (f" ({shown.system}; {tag})", "dim"))
    return Text.assemble(tag, (f" ({shown.problem})", "yellow"))


def requests_table(requests: list[Request], today: date) -> Table:
    """Sorted by due date; an overdue request's row is red (receipt and channel: see --json).
    A request the tool opened itself (`retention apply`) says so in its type: its due date is
    the shop's own target, not a customer's deadline."""
    table = Table(title=f"Requests on {today.isoformat()}", box=box.SIMPLE_HEAD, pad_edge=False)
    # Every later command needs the id: it is never cut; narrow terminals wrap the others.
    widest = max((len(r.id) for r in requests), default=len("request"))
    table.add_column("request", no_wrap=True, overflow="fold", min_width=widest)
    table.add_column("type")
    table.add_column("status")
    table.add_column("due", no_wrap=True, min_width=10)
    table.add_column("days left")
    for r in requests:
        left = r.days_left(today)
        days = "-" if not r.open else f"{-left} overdue" if left < 0 else str(left)
        style = "red" if r.overdue(today) else ("dim" if not r.open else None)
        kind = r.type.value + (" (retention)" if r.rule is DeadlineRule.retention else "")
        table.add_row(r.id, kind, r.status.value, r.due.isoformat(), days, style=style)
    return table


def request_notes(requests: list[Request]) -> list[str]:
    """One line per request that is linked, flagged as a duplicate, extended, or opened by the
    tool itself (with the rule its due date follows)."""
    lines = []
    for r in requests:
        notes = [
            f"linked to {r.linked_to}" if r.linked_to else "",
            f"duplicate of {r.duplicate_of}" if r.duplicate_of and not r.linked_to else "",
            f"extended by {r.extended_months} month(s)" if r.extended_months else "",
            f"due date: {RULE_TEXT[r.rule]}" if r.rule is DeadlineRule.retention else "",
        ]
        if text := "; ".join(n for n in notes if n):
            lines.append(f"{r.id}: {text}")
    return lines


def systems_table(systems: Mapping[str, str], manual: Mapping[str, Mapping[str, Any]]) -> Table:
    """A request's state per system, with the steps by hand each still waits for (count and
    numbers as `--confirm-manual` takes them)."""
    table = Table(title="Systems", title_justify="left")
    for column in ("system", "status", "steps by hand to confirm"):
        table.add_column(column, overflow="fold")
    for system in sorted(set(systems) | set(manual)):
        status = systems.get(system, "-")
        known = {s.value: s for s in Status}
        style = STATUS_STYLE.get(known[status], "") if status in known else ""
        open_ = manual.get(system)
        table.add_row(
            system,
            Text(status, style=style),
            f"{open_['count']}: {open_['steps']}" if open_ else "-",
        )
    return table
