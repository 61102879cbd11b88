"""Erasure: collect, plan, journal, apply, collect again, verify.

Access before erasure: the person's records are collected first, and every step is planned from
what was found. The plan goes into the journal before anything changes; steps are applied per
system (systems at once, steps of one system in order, honouring their dependencies, in batches
where the connector can: `bridge.erasure.apply`); a second collect adds whatever appeared
meanwhile, and every applied step is checked against the record as the system now holds it, read
back in as few calls as its API allows (`bridge.erasure.verify`). Running the same erasure again resumes the
journal. The caller (`bridge.app`) hands in the connectors, the policy and the state store.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date

from bridge.collect.identity import Listener, resolve
from bridge.core.connector import Connector, checked_email
from bridge.core.errors import InputError
from bridge.core.models import SourceResult, Status
from bridge.core.policy import Policy
from bridge.core.steps import Step, StepState
from bridge.erasure.apply import StepListener, apply_all
from bridge.erasure.guard import Guard
from bridge.erasure.journal import ErasureStatus, Journal, JournalEntry
from bridge.erasure.verify import verify
from bridge.index import entries as index
from bridge.store.db import Store

__all__ = ["ErasureResult", "StepListener", "confirm_manual", "erase", "plan", "recorded"]
# A fresh set of the connectors for one more lookup, closed when the block ends (see `erase`).
Reopen = Callable[[], AbstractContextManager[Sequence[Connector]]]
INCOMPLETE = (Status.error, Status.partial)


@dataclass
class ErasureResult:
    address_hash: str
    steps: list[JournalEntry]
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
        return all(e.state is StepState.done for e in self.steps if e.step.automatic)

    @property
    def manual_open(self) -> list[JournalEntry]:
        return [e for e in self.steps if e.state is StepState.manual]

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
    connectors: Sequence[Connector],
    policy: Policy,
    *,
    store: Store | None,
    reopen: Reopen,
    today: date | None = None,
    dry_run: bool = False,
    request_id: str | None = None,
    listener: Listener | None = None,
    on_step: StepListener | None = None,
    stop: threading.Event | None = None,
) -> ErasureResult:
    """Plan (and unless `dry_run`, apply and verify) the erasure of one person everywhere.

    `connectors` are those of the enabled systems, not yet used for a lookup; `store` is the state
    (None will do for a dry run). Unless `dry_run`, the person is locked for the whole erasure (a
    second one is refused with LockHeld), and setting `stop` (or a Ctrl-C in the main thread)
    ends it at the next step boundary with Stopped; see bridge.erasure.guard.

    The connectors keep what one lookup has read (a listing read once whole, payments read in an
    earlier round, a scan's results), so a second lookup with them could answer from before the
    erasure. Collect and apply share `connectors`; the second collect, which finds what appeared
    meanwhile and verifies every step, gets a set of its own from `reopen()`.
    """
    address = checked_email(email)
    today = today or date.today()
    with Guard(store, address, stop, dry_run=dry_run) as guard:
        sources = resolve(connectors, address, listener=listener)
        steps = plan(connectors, sources, policy, today)
        if dry_run:
            entries = [JournalEntry(i + 1, s, StepState.planned, None) for i, s in enumerate(steps)]
            return ErasureResult("", entries, sources, dry_run=True)

        subject = guard.subject
        journal = Journal.open(guard.store, subject, request_id)
        guard.journaled(journal)
        journal.merge(steps)
        journal.set_status(ErasureStatus.applying)
        with guard.applying():
            apply_all(journal, connectors, policy, on_step, stop=guard.stop, address=address)
        guard.check(journal)
        # Collect again with fresh connectors (see above): new data is planned and applied, then
        # all is verified.
        with reopen() as fresh:
            again = resolve(fresh, address, listener=listener)
            if journal.merge(plan(fresh, again, policy, today)):
                with guard.applying():
                    apply_all(
                        journal,
                        fresh,
                        policy,
                        on_step,
                        states=(StepState.pending,),
                        stop=guard.stop,
                        address=address,
                    )
                guard.check(journal)
            entries = journal.entries()
            problems = verify(entries, fresh, address, policy)
        index.forget(guard.store, subject)  # the index must not lead back to an erased person
        # The report shows what was found before the erasure; a system that failed either
        # collect is reported as failed.
        failed = {s.system: s for s in again if s.status in INCOMPLETE}
        sources = [failed.get(s.system, s) for s in sources]
        result = ErasureResult(subject, journal.entries(), sources, journal.id, problems)
        journal.set_status(_status(result))
        return result


def _status(result: ErasureResult) -> ErasureStatus:
    """Where an applied erasure stands once verified."""
    if not result.complete:
        if not result.automatic_done or result.failed_systems:
            return ErasureStatus.failed
        return ErasureStatus.unverified
    return ErasureStatus.awaiting_manual if result.manual_open else ErasureStatus.verified


def recorded(journal: Journal, sources: Sequence[SourceResult]) -> ErasureResult:
    """The erasure's result again, as its journal holds it now, without running it again.

    The journal keeps every step and its state, not the collect: `sources` says per system how
    the last collect went (the register keeps that per request, `Register.systems`). Nor does it
    keep what the verification found, only whether it found anything: an erasure that is
    `awaiting_manual` or `verified` was verified without a problem; any other is given one
    problem that says so, so that its report cannot read as complete.
    """
    status = journal.status
    verified = status in (ErasureStatus.awaiting_manual, ErasureStatus.verified)
    problems = [] if verified else [f"the erasure is {status.value}: run it again to resume"]
    return ErasureResult(journal.subject, journal.entries(), list(sources), journal.id, problems)


def confirm_manual(
    store: Store, email: str, seqs: Iterable[int], note: str = ""
) -> tuple[int, int]:
    """Mark manual steps of the person's open erasure as done; (changed, still open). Confirming
    the last one of an erasure that awaited only them makes it `verified`."""
    address = checked_email(email)
    journal = Journal.find(store, store.keys.pseudonym(address))
    if journal is None:
        raise InputError("there is no open erasure for this address")
    changed = journal.confirm_manual(seqs, note)
    remaining = sum(1 for e in journal.entries() if e.state is StepState.manual)
    if changed and not remaining and journal.status is ErasureStatus.awaiting_manual:
        journal.set_status(ErasureStatus.verified)
    return changed, remaining
