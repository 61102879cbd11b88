"""Rich tables and progress for the CLI; no logic of its own."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from bridge.identity import Listener
from bridge.models import DataPackage, Status

if TYPE_CHECKING:
    from bridge.api import CheckResult

STATUS_STYLE = {
    Status.ok: "green",
    Status.not_found: "yellow",
    Status.error: "red",
    Status.skipped: "dim",
    Status.manual: "magenta",
}


@contextmanager
def export_progress(console: Console) -> Iterator[Listener]:
    """A spinner per system that the resolver's events move along."""
    tasks: dict[str, TaskID] = {}
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:

        def listener(system: str, event: str, detail: str) -> None:
            if system not in tasks:
                tasks[system] = progress.add_task(system, total=None)
            text = {
                "start": f"{system}: searching ({detail})",
                "done": f"{system}: {detail} records",
                "error": f"[red]{system}: {detail}[/red]",
            }.get(event, system)
            progress.update(tasks[system], description=text)

        yield listener
        for task in tasks.values():
            progress.update(task, total=1, completed=1)


def summary_table(data: DataPackage) -> Table:
    table = Table(title="Data package" + ("" if data.complete else " (INCOMPLETE)"))
    for column in ("system", "status", "records", "requests", "seconds"):
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
            str(source.requests),
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
