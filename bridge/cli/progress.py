"""What a running command shows while it works: the export's systems, the erasure's phases
(collect, plan, apply, verify) per system, the systems `check` still waits for, the sync's streams."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from bridge.collect.identity import Listener
from bridge.core.steps import StepState

if TYPE_CHECKING:
    from bridge.erasure.journal import JournalEntry


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


PHASES = ("collect", "plan", "apply", "verify")
# The states of a step that a run applies (a dry run's are `planned`).
TO_APPLY = (StepState.planned, StepState.pending, StepState.started, StepState.failed)


class ErasureProgress:
    """What an erasure is doing, phase by phase (collect, plan, apply, verify), with a line per
    system: its records found, its steps done and to do, its reading back.

    Fed by the resolver's events (`listener`: both collects) and by each applied step
    (`on_step`, from the systems' worker threads); `planned` takes the journaled plan when the
    core tells it (then `apply` counts "12 of 55"; without it, "12 done"). The resolver numbers
    its rounds from 1 in each collect, so a system's second "round 1" is the verification's."""

    def __init__(self, progress: Progress, *, dry_run: bool = False) -> None:
        self._progress = progress
        self._dry_run = dry_run
        self._lock = threading.Lock()
        self.phase = "collect"
        self._header: TaskID | None = None  # drawn at the first event: a refusal draws nothing
        self._tasks: dict[str, TaskID] = {}
        self._collects: dict[str, int] = {}  # how many collects a system has started
        self._found: dict[str, str] = {}  # the first collect's outcome per system
        self._checked: dict[str, str] = {}  # the verification's reading back per system
        self._todo: dict[str, int] = {}
        self._done: dict[str, int] = {}
        self._failed: dict[str, int] = {}

    def listener(self, system: str, event: str, detail: str) -> None:
        with self._lock:
            again = self._collects.get(system, 0)
            if event == "start" and detail == "round 1":
                self._collects[system] = again = again + 1
                if again > 1:
                    self.phase = "verify"
            text = {
                "start": f"searching ({detail})",
                "done": f"{detail} records",
                "error": f"[red]failed: {escape(detail)}[/red]",
            }.get(event, event)
            if again > 1:
                # the second collect re-reads what is left (kept records too): not a count to
                # alarm anyone, only whether the system could be read back
                reading = {"start": f"reading back ({detail})", "done": "read back"}
                self._checked[system] = reading.get(event, text)
            else:
                self._found[system] = text
            self._show(system)

    def planned(self, entries: Iterable[JournalEntry]) -> None:
        """Steps about to be applied (the plan, then what the second collect adds): counted
        per system as to do; a step by hand, or one already done, is none of apply's work."""
        with self._lock:
            self.phase = "plan"
            systems = set()
            for entry in entries:
                systems.add(entry.step.system)
                if entry.step.automatic and entry.state in TO_APPLY:
                    self._todo[entry.step.system] = self._todo.get(entry.step.system, 0) + 1
                else:
                    self._todo.setdefault(entry.step.system, 0)
            self._show(*sorted(systems))

    def on_step(self, entry: JournalEntry, state: StepState) -> None:
        with self._lock:
            self.phase = "apply"
            system = entry.step.system
            counts = self._done if state is StepState.done else self._failed
            counts[system] = counts.get(system, 0) + 1
            self._show(system)

    def finish(self) -> None:
        with self._lock:
            if self._header is None:
                return  # nothing ran (refused before the first event)
            self.phase = "done"
            self._show()
            for task in (self._header, *self._tasks.values()):
                self._progress.update(task, total=1, completed=1)

    def _show(self, *systems: str) -> None:
        """Redraw the header and these systems' lines (callers hold the lock)."""
        if self._header is None:
            self._header = self._progress.add_task("", total=None)
        for system in systems:
            if system not in self._tasks:
                self._tasks[system] = self._progress.add_task("", total=None)
            self._progress.update(self._tasks[system], description=self._line(system))
        self._progress.update(self._header, description=self._headline())

    def _line(self, system: str) -> str:
        parts = [f"[bold]{system}[/bold]", f"collect: {self._found.get(system, 'waiting')}"]
        if system in self._todo:
            parts.append(f"plan: {self._todo[system]} step(s) to apply")
        done, failed = self._done.get(system, 0), self._failed.get(system, 0)
        if done or failed:
            total = f" of {self._todo[system]}" if system in self._todo else ""
            fail = f", [red]{failed} failed[/red]" if failed else ""
            parts.append(f"apply: {done}{total} done{fail}")
        if system in self._checked:
            parts.append(f"verify: {self._checked[system]}")
        return " · ".join(parts)

    def _headline(self) -> str:
        if self.phase == "done" and self._dry_run:
            return "[bold]dry run: collected and planned[/bold] (nothing applied)"
        if self.phase == "done":
            return "[bold]erasure: every phase run[/bold] (collect, plan, apply, verify)"
        number = PHASES.index(self.phase) + 1
        done, failed = sum(self._done.values()), sum(self._failed.values())
        detail = {
            "collect": "looking the person up in every system",
            "plan": f"{sum(self._todo.values())} step(s) to apply",
            "apply": f"{done + failed}"
            + (f" of {sum(self._todo.values())}" if self._todo else "")
            + f" step(s) applied ({failed} failed)",
            "verify": "reading every system again and checking each applied step",
        }[self.phase]
        return f"[bold]phase {number}/4 {self.phase}[/bold]: {detail}"


@contextmanager
def erase_progress(console: Console, *, dry_run: bool = False) -> Iterator[ErasureProgress]:
    """The erasure's phases and a line per system (see ErasureProgress) on `console`."""
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        shown = ErasureProgress(progress, dry_run=dry_run)
        yield shown
        shown.finish()


@contextmanager
def check_progress(console: Console, systems: Sequence[str]) -> Iterator[Callable[[str], None]]:
    """While systems are asked: one line naming those still awaited ("waiting for: mollie,
    paypal"), so a dead host is not silence; the function given marks a system answered."""
    waiting = list(systems)
    lock = threading.Lock()
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(f"waiting for: {', '.join(waiting)}", total=None)

        def answered(system: str) -> None:
            with lock:
                if system in waiting:
                    waiting.remove(system)
                text = f"waiting for: {', '.join(waiting)}" if waiting else "every system answered"
                progress.update(task, description=text)

        yield answered


@contextmanager
def sync_progress(console: Console) -> Iterator[Callable[[str, str, int], None]]:
    """A line per system and stream, counting the entries written."""
    tasks: dict[tuple[str, str], TaskID] = {}
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:

        def listener(system: str, stream: str, entries: int) -> None:
            key = (system, stream)
            if key not in tasks:
                tasks[key] = progress.add_task("", total=None)
            progress.update(tasks[key], description=f"{system} {stream}: {entries} entries")

        yield listener
        for task in tasks.values():
            progress.update(task, total=1, completed=1)
