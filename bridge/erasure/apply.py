"""Applying the journaled steps: systems at once, each system's steps as their order allows.

A system's steps go in rounds: every step whose dependencies (`Step.after`) are done is ready;
the ready steps of an operation the connector can apply in batches (`Connector.batch_operations`)
go out together, as many per call as it declares, the others one at a time, in journal order.
A step whose dependencies are not done once nothing else can move waits for a rerun (failed).

Each step is journaled on its own, batch or not: `started` before its call, then `done` or
`failed` from its own item of the answer. A write whose answer was lost is read back before it is
sent again (`bridge.erasure.writes`); for a batch the items of unknown fate are read back together,
and a batch step found `started` (a crash mid-batch) is read back before anything is sent.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from bridge.core.connector import Connector
from bridge.core.errors import SystemFailure
from bridge.core.policy import Action, Policy
from bridge.core.redact import scrub
from bridge.core.steps import NO_OPERATION, Step, StepState
from bridge.erasure.guard import run_all
from bridge.erasure.journal import Journal, JournalEntry
from bridge.erasure.verify import check
from bridge.erasure.writes import apply_batch_settled, apply_settled

log = logging.getLogger("privacy_bridge.erasure")
# Told of each step applied: the entry as journaled, and its new state.
StepListener = Callable[[JournalEntry, StepState], None]
# What a run applies: a rerun retries failed and interrupted steps as well.
RESUMED = (StepState.pending, StepState.started, StepState.failed)


def apply_all(
    journal: Journal,
    connectors: Sequence[Connector],
    policy: Policy,
    on_step: StepListener | None,
    states: tuple[StepState, ...] = RESUMED,
    stop: threading.Event | None = None,
    *,
    address: str,
) -> None:
    """Apply the steps in these states (a rerun retries failed and interrupted ones).

    Once `stop` is set no system starts another step (or batch); those under way finish.
    """
    by_system: dict[str, list[JournalEntry]] = {}
    for entry in journal.entries():
        by_system.setdefault(entry.step.system, []).append(entry)
    available = {c.name: c for c in connectors}
    stop = stop or threading.Event()
    run_all(
        [
            partial(
                SystemRun(journal, available.get(system), policy, on_step, address).run,
                entries,
                states,
                stop,
            )
            for system, entries in by_system.items()
        ],
        stop,
    )


class SystemRun:
    """One system's steps, in rounds of the steps that are ready."""

    def __init__(
        self,
        journal: Journal,
        connector: Connector | None,
        policy: Policy,
        on_step: StepListener | None,
        address: str,
    ) -> None:
        self.journal = journal
        self.connector = connector
        self.policy = policy
        self.on_step = on_step
        self.address = address
        self.sizes = dict(connector.batch_operations) if connector else {}
        self.state: dict[str, StepState] = {}

    def run(
        self, entries: list[JournalEntry], states: tuple[StepState, ...], stop: threading.Event
    ) -> None:
        self.state = {e.step.key: e.state for e in entries}
        todo = [e for e in entries if e.state in states]
        while todo:
            ready = [e for e in todo if self._waiting(e) == [] or self.connector is None]
            if not ready:
                for entry in todo:
                    waiting = ", ".join(self._waiting(entry))
                    self._finish([(entry, StepState.failed, f"waits for {waiting}")])
                return
            for unit in self._units(ready):
                if stop.is_set():
                    return  # stopped between two calls: the rest stays as journaled for a rerun
                self._apply(unit)
            todo = [e for e in todo if e not in ready]

    def _waiting(self, entry: JournalEntry) -> list[str]:
        return [k for k in entry.step.after if self.state.get(k) is not StepState.done]

    def _units(self, ready: list[JournalEntry]) -> list[list[JournalEntry]]:
        """The calls to make, in journal order: a batch per operation (split at its size), or
        one step."""
        units: list[list[JournalEntry]] = []
        open_batch: dict[str, list[JournalEntry]] = {}
        for entry in ready:
            size = self.sizes.get(entry.step.operation, 0)
            batch = open_batch.get(entry.step.operation)
            if size <= 1:
                units.append([entry])
            elif batch is not None and len(batch) < size:
                batch.append(entry)
            else:
                open_batch[entry.step.operation] = [entry]
                units.append(open_batch[entry.step.operation])
        return units

    def _apply(self, unit: list[JournalEntry]) -> None:
        if self.connector is None:
            self._finish(
                [(e, StepState.failed, "the system is no longer configured") for e in unit]
            )
            return
        if len(unit) > 1 or self.sizes.get(unit[0].step.operation, 0) > 1:
            self._apply_batch(self.connector, unit)
            return
        entry = unit[0]
        self.journal.mark(entry.seq, StepState.started)
        try:
            if entry.step.operation == NO_OPERATION:
                kept = entry.step.action is Action.retain
                outcome = "kept as planned" if kept else "done"
            else:
                outcome = apply_settled(self.connector, entry.step, self.policy, self._landed)
            self._finish([(entry, StepState.done, outcome)])
        except Exception as exc:  # reported per step; the other steps and systems go on
            self._finish([(entry, StepState.failed, _failure(entry, exc))])

    def _apply_batch(self, connector: Connector, unit: list[JournalEntry]) -> None:
        resumed = any(e.state is StepState.started for e in unit)
        self.journal.mark_many([(e.seq, StepState.started, None) for e in unit])
        try:
            results = apply_batch_settled(
                connector, [e.step for e in unit], self.policy, self._landed, resumed=resumed
            )
        except Exception as exc:  # e.g. a read-back that failed as a whole
            results = {e.step.key: exc for e in unit}
        done: list[tuple[JournalEntry, StepState, str]] = []
        for entry in unit:
            result = results.get(entry.step.key)
            if isinstance(result, str):
                done.append((entry, StepState.done, result))
            else:
                why = result or SystemFailure(entry.step.system, "no outcome for the step")
                done.append((entry, StepState.failed, _failure(entry, why)))
        self._finish(done)

    def _landed(self, step: Step, current: dict[str, Any] | None) -> bool:
        return not check(step, current, self.address, self.policy)

    def _finish(self, results: list[tuple[JournalEntry, StepState, str]]) -> None:
        self.journal.mark_many([(e.seq, state, outcome) for e, state, outcome in results])
        for entry, state, outcome in results:
            self.state[entry.step.key] = state
            if self.on_step:
                self.on_step(JournalEntry(entry.seq, entry.step, state, outcome), state)


def _failure(entry: JournalEntry, exc: BaseException) -> str:
    if isinstance(exc, SystemFailure):
        return scrub(str(exc))
    log.debug("step %s failed: %s", entry.seq, scrub(repr(exc)))
    return f"unexpected failure ({type(exc).__name__})"
