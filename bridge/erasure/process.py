"""Erasure: collect, plan, journal, apply, collect again, verify.

Access before erasure: the person's records are collected first, and every step is planned from
what was found. The plan goes into the journal before anything changes; steps are applied per
system (systems at once, steps of one system in order, honouring their dependencies); a second
collect adds whatever appeared meanwhile, and every applied step is checked against the record
as the system now holds it. Running the same erasure again resumes the journal.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

from bridge.collect.identity import Listener, resolve
from bridge.core.config import Config
from bridge.core.connector import Connector, checked_email
from bridge.core.errors import SystemFailure
from bridge.core.models import SourceResult, Status
from bridge.core.policy import Action, Policy
from bridge.core.redact import scrub
from bridge.core.steps import ErasureReport, ReportStep, Step, SystemReport
from bridge.erasure.guard import Guard, run_all
from bridge.erasure.journal import Entry, Journal
from bridge.erasure.writes import apply_settled
from bridge.index import entries as index

log = logging.getLogger("privacy_bridge.erasure")
BLANK: tuple[Any, ...] = (None, "", [], {}, False, 0)
# (seq, state, system, detail)
StepListener = Callable[[Entry, str], None]
INCOMPLETE = (Status.error, Status.partial)


@dataclass
class ErasureResult:
    address_hash: str
    steps: list[Entry]
    sources: list[SourceResult]
    erasure_id: str | None = None
    problems: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def failed_systems(self) -> list[str]:
        """Systems that could not be read completely: their erasure stays open until a rerun."""
        return [s.system for s in self.sources if s.status in INCOMPLETE]

    @property
    def automatic_done(self) -> bool:
        return all(e.state == "done" for e in self.steps if e.step.automatic)

    @property
    def manual_open(self) -> list[Entry]:
        return [e for e in self.steps if e.state == "manual"]

    @property
    def complete(self) -> bool:
        """Every automatic step done and verified, and every system collected."""
        return (
            not self.dry_run
            and self.automatic_done
            and not self.problems
            and not self.failed_systems
        )


def plan(
    connectors: Sequence[Connector], sources: Sequence[SourceResult], policy: Policy, today: date
) -> list[Step]:
    """Every record of every system that answered, with what happens to it."""
    steps: list[Step] = []
    by_name = {c.name: c for c in connectors}
    for source in sources:
        if source.records and source.status is not Status.error:
            steps += by_name[source.system].plan_erasure(source.records, policy, today)
    return steps


def erase(
    email: str,
    config: Config,
    policy: Policy,
    *,
    today: date | None = None,
    dry_run: bool = False,
    request_id: str | None = None,
    listener: Listener | None = None,
    on_step: StepListener | None = None,
    stop: threading.Event | None = None,
    open_connectors: Callable[[Config], AbstractContextManager[list[Connector]]],
) -> ErasureResult:
    """Plan (and unless `dry_run`, apply and verify) the erasure of one person everywhere.

    `open_connectors(config)` gives the connectors of the enabled systems (see bridge.api).
    Unless `dry_run`, the person is locked for the whole erasure (a second one is refused with
    LockHeld), and setting `stop` (or a Ctrl-C in the main thread) ends it at the next step
    boundary with Stopped; see bridge.erasure.guard.
    """
    opener = open_connectors
    address = checked_email(email)
    today = today or date.today()
    with Guard(config.home, address, stop, dry_run=dry_run) as guard:
        with opener(config) as connectors:
            sources = resolve(connectors, address, listener=listener)
            steps = plan(connectors, sources, policy, today)
        if dry_run:
            entries = [Entry(i + 1, s, "planned", None) for i, s in enumerate(steps)]
            return ErasureResult("", entries, sources, dry_run=True)

        store, subject = guard.store, guard.subject
        journal = Journal.open(store, subject, request_id)
        guard.journaled(journal)
        journal.merge(steps)
        journal.set_status("applying")
        with opener(config) as connectors, guard.applying():
            _apply_all(journal, connectors, policy, on_step, stop=guard.stop, address=address)
        guard.check(journal)
        # Collect again with fresh connectors: new data is planned and applied, then all is
        # verified.
        with opener(config) as connectors:
            again = resolve(connectors, address, listener=listener)
            if journal.merge(plan(connectors, again, policy, today)):
                with guard.applying():
                    _apply_all(
                        journal,
                        connectors,
                        policy,
                        on_step,
                        states=("pending",),
                        stop=guard.stop,
                        address=address,
                    )
                guard.check(journal)
            entries = journal.entries()
            problems = _verify(entries, connectors, address, policy)
        index.forget(store, subject)  # the index must not lead back to an erased person
        # The report shows what was found before the erasure; a system that failed either
        # collect is reported as failed.
        failed = {s.system: s for s in again if s.status in INCOMPLETE}
        sources = [failed.get(s.system, s) for s in sources]
        result = ErasureResult(subject, journal.entries(), sources, journal.id, problems)
        if not result.complete:
            journal.set_status(
                "failed" if not result.automatic_done or result.failed_systems else "unverified"
            )
        else:
            journal.set_status("awaiting_manual" if result.manual_open else "verified")
        return result


def _apply_all(
    journal: Journal,
    connectors: Sequence[Connector],
    policy: Policy,
    on_step: StepListener | None,
    states: tuple[str, ...] = ("pending", "started", "failed"),
    stop: threading.Event | None = None,
    *,
    address: str,
) -> None:
    """Apply the steps in these states (a rerun retries failed and interrupted ones).

    Once `stop` is set no system starts another step; the steps under way finish.
    """
    by_system: dict[str, list[Entry]] = {}
    for entry in journal.entries():
        by_system.setdefault(entry.step.system, []).append(entry)
    available = {c.name: c for c in connectors}
    work = [(available.get(system), entries) for system, entries in by_system.items()]
    stop = stop or threading.Event()
    run_all(
        [
            partial(_apply_system, journal, c, es, policy, on_step, states, stop, address=address)
            for c, es in work
        ],
        stop,
    )


def _apply_system(
    journal: Journal,
    connector: Connector | None,
    entries: list[Entry],
    policy: Policy,
    on_step: StepListener | None,
    states: tuple[str, ...],
    stop: threading.Event | None = None,
    *,
    address: str,
) -> None:
    """One system's steps in order; a step whose dependencies are not done waits for a rerun.

    A write whose answer was lost is read back before it is sent again (bridge.erasure.writes): the
    record as `check` finds it, for the person's `address`, decides.
    """
    state = {e.step.key: e.state for e in entries}
    for entry in entries:
        if stop is not None and stop.is_set():
            return  # stopped between two steps: the rest stays as journaled for a rerun
        if entry.state not in states:
            continue
        waiting = [k for k in entry.step.after if state.get(k) != "done"]
        if connector is None:
            outcome, new_state = "the system is no longer configured", "failed"
        elif waiting:
            outcome, new_state = f"waits for {', '.join(waiting)}", "failed"
        else:
            journal.mark(entry.seq, "started")
            try:
                if entry.step.operation == "none":
                    outcome = "kept as planned" if entry.step.action is Action.retain else "done"
                else:
                    outcome = apply_settled(
                        connector,
                        entry.step,
                        policy,
                        lambda step, current: not check(step, current, address, policy),
                    )
                new_state = "done"
            except SystemFailure as exc:
                outcome, new_state = scrub(str(exc)), "failed"
            except Exception as exc:  # reported per step; the other steps and systems go on
                log.debug("step %s failed: %s", entry.seq, scrub(repr(exc)))
                outcome, new_state = f"unexpected failure ({type(exc).__name__})", "failed"
        journal.mark(entry.seq, new_state, outcome)
        state[entry.step.key] = new_state
        if on_step:
            on_step(Entry(entry.seq, entry.step, new_state, outcome), new_state)


def _verify(
    entries: Sequence[Entry], connectors: Sequence[Connector], address: str, policy: Policy
) -> list[str]:
    """Each applied step against the record as its system holds it now."""
    available = {c.name: c for c in connectors}
    problems: list[str] = []
    for entry in entries:
        step = entry.step
        if entry.state != "done" or step.operation == "none":
            continue
        connector = available.get(step.system)
        if connector is None:
            problems.append(f"{step.system} {step.key}: cannot verify, system not configured")
            continue
        try:
            current = connector.fetch(step)
        except SystemFailure as exc:
            problems.append(f"{step.system} {step.key}: cannot verify ({scrub(str(exc))})")
            continue
        problems += [
            f"{step.system} {step.key}: {p}" for p in check(step, current, address, policy)
        ]
    return problems


def check(step: Step, current: dict[str, Any] | None, address: str, policy: Policy) -> list[str]:
    """What is wrong with a record after its step: present when deleted, personal data left."""
    if step.action is Action.delete:
        return [] if current is None else ["still exists after delete"]
    if current is None:
        return ["gone, although it was to be kept"] if step.action is Action.retain else []
    problems = [
        f"field {name} still holds a value"
        for name in step.fields
        if not _blank(_get(current, name), policy)
    ]
    # A retained record keeps its address when the policy's [retain] remove does not list it.
    address_goes = step.action is Action.anonymise or "e-mail address" in step.removed
    if address_goes and address in json.dumps(current, ensure_ascii=False).lower():
        problems.append("still holds the e-mail address")
    return problems


def _blank(value: Any, policy: Policy) -> bool:
    if isinstance(value, dict):
        return all(_blank(v, policy) for v in value.values())
    if isinstance(value, list):
        return all(_blank(v, policy) for v in value)
    return value in BLANK or value == policy.placeholder_email


def _get(record: dict[str, Any], dotted: str) -> Any:
    value: Any = record
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def report(result: ErasureResult) -> ErasureReport:
    """The erasure report's content: per system its steps, and a notice for each processor."""
    systems = []
    for source in result.sources:
        entries = [e for e in result.steps if e.step.system == source.system]
        steps = [
            ReportStep(
                seq=e.seq,
                record_type=e.step.record_type,
                record_id=e.step.record_id,
                action=e.step.action,
                state=e.state,
                outcome=e.outcome,
                reason=e.step.reason,
                legal_basis=e.step.legal_basis,
                until=e.step.until,
                instruction=e.step.instruction,
            )
            for e in entries
        ]
        systems.append(
            SystemReport(
                system=source.system,
                title=source.title or source.system,
                role=source.role,
                status=source.status.value,
                error=source.error,
                steps=steps,
                notice=_notice(source, entries) if source.role != "platform" and entries else "",
            )
        )
    return ErasureReport(
        erasure_id=result.erasure_id,
        subject_hash=result.address_hash,
        generated_at=datetime.now(UTC).replace(microsecond=0),
        dry_run=result.dry_run,
        complete=result.complete,
        open_manual_steps=len(result.manual_open),
        problems=result.problems,
        systems=systems,
    )


def _notice(source: SourceResult, entries: Sequence[Entry]) -> str:
    """The art. 19 notice to a processor: what the shop erased, what it asks of them."""
    ids = ", ".join(sorted({e.step.record_id for e in entries}))
    return (
        f"To {source.title or source.system}: under art. 17 and 19 GDPR we inform you that a "
        "customer of ours has had their personal data erased. Please erase, or where the law "
        "obliges you to keep it, restrict the personal data you process for us about this "
        f"customer in these records: {ids}."
    )
