"""A write whose answer was lost is read back before it is sent again.

The HTTP layer never repeats a write that may have landed (a lost or broken answer, a 5xx, a 2xx
that is not JSON): it raises WriteUncertain. `apply_settled` then reads the record back with the
connector's `fetch` (the call verification uses) and lets `landed(step, record)` decide whether
the record already is as the step wants it (gone, or stripped): then the step is done, and
otherwise it is applied once more (and read back again if that answer is lost too, up to ROUNDS
sends). Each write is thus sent again only when the system shows that it did not land.

`apply_batch_settled` does the same for a batch (`Connector.apply_batch`): the items whose fate
is unknown (the whole answer lost, or an item missing from it) are read back together
(`fetch_many`), and only those that did not land go out again, in one batch. `started` steps of
an interrupted run are read back first in the same way (`resumed`), so a batch that may have
landed before a crash is never sent blindly again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from bridge.core.errors import SystemFailure
from bridge.core.http_retry import WriteUncertain
from bridge.core.policy import Action, Policy
from bridge.core.steps import Step

ROUNDS = 5  # sends of one step (each after a read-back) before it is left failed for a rerun
DONE = {
    Action.delete: "deleted",
    Action.anonymise: "anonymised",
    Action.retain: "restricted and stripped",
}


class Writer(Protocol):
    def apply(self, step: Step, policy: Policy) -> str: ...

    def fetch(self, step: Step) -> dict[str, Any] | None: ...


class BatchWriter(Protocol):
    def apply_batch(self, steps: Sequence[Step], policy: Policy) -> dict[str, str | Exception]: ...

    def fetch_many(self, steps: Sequence[Step]) -> dict[str, dict[str, Any] | Exception | None]: ...


Landed = Callable[[Step, dict[str, Any] | None], bool]
LOST = "its answer was lost; the record read back shows it"


def apply_settled(
    connector: Writer,
    step: Step,
    policy: Policy,
    landed: Landed,
    rounds: int = ROUNDS,
) -> str:
    """`connector.apply(step)`; after WriteUncertain, the record read back decides: done as it
    is, or applied again (at most `rounds` sends in all). A failure to read back is raised, as is
    the last WriteUncertain: the step stays open for a rerun, which starts the same way."""
    sent = 1
    while True:
        try:
            outcome = connector.apply(step, policy)
        except WriteUncertain:
            if landed(step, connector.fetch(step)):
                done = DONE.get(step.action, "done")
                return f"{done} ({LOST})"
            if sent >= rounds:
                raise
            sent += 1
            continue
        if sent > 1:
            return f"{outcome} (sent again: the record read back showed it had not landed)"
        return outcome


def apply_batch_settled(
    connector: BatchWriter,
    steps: Sequence[Step],
    policy: Policy,
    landed: Landed,
    *,
    resumed: bool = False,
    rounds: int = ROUNDS,
) -> dict[str, str | Exception]:
    """`connector.apply_batch(steps)`, per step key its outcome or its exception. The items
    whose answer is unknown (WriteUncertain, whole or per item, or missing from the answer) and,
    when `resumed`, every step before the first send, are read back together: those that show
    the change are done, the rest are sent again in one batch (at most `rounds` sends). A
    failure of the whole call is every item's failure; a failed read-back leaves the item open."""
    results: dict[str, str | Exception] = {}
    pending = list(steps)
    sent = 0
    unknown: dict[str, Exception] = {}
    if resumed:
        unknown = {s.key: WriteUncertain(s.system, "interrupted in an earlier run") for s in steps}
    while pending:
        if unknown:
            pending = _read_back(connector, pending, unknown, landed, results, sent, rounds)
            if not pending:
                break
        sent += 1
        try:
            answers = connector.apply_batch(pending, policy)
        except WriteUncertain as exc:
            answers = {s.key: exc for s in pending}
        except Exception as exc:  # the whole call failed: so did each of its items
            answers = {s.key: exc for s in pending}
        unknown = {}
        for step in pending:
            answer = answers.get(step.key, WriteUncertain(step.system, "no answer for the item"))
            if isinstance(answer, WriteUncertain):
                unknown[step.key] = answer
            elif isinstance(answer, str) and sent > 1:
                results[step.key] = (
                    f"{answer} (sent again: the record read back showed it had not landed)"
                )
            else:
                results[step.key] = answer
        pending = [s for s in pending if s.key in unknown]
    return results


def _read_back(
    connector: BatchWriter,
    pending: list[Step],
    unknown: dict[str, Exception],
    landed: Landed,
    results: dict[str, str | Exception],
    sent: int,
    rounds: int,
) -> list[Step]:
    """The steps of `pending` to send (again): those whose record does not show the change."""
    try:
        current = connector.fetch_many(pending)
    except SystemFailure as exc:
        current = {s.key: exc for s in pending}
    again = []
    for step in pending:
        record = current.get(step.key, SystemFailure(step.system, "not read back"))
        if isinstance(record, Exception):
            results[step.key] = record  # cannot tell: left open for a rerun
        elif landed(step, record):
            done = DONE.get(step.action, "done")
            results[step.key] = f"{done} ({LOST})" if sent else f"{done} (found done on resuming)"
        elif sent >= rounds:
            results[step.key] = unknown[step.key]
        else:
            again.append(step)
    return again
