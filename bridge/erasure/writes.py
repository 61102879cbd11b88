"""A write whose answer was lost is read back before it is sent again.

The HTTP layer never repeats a write that may have landed (a lost or broken answer, a 5xx, a 2xx
that is not JSON): it raises WriteUncertain. `apply_settled` then reads the record back with the
connector's `fetch` (the call verification uses) and lets `landed(step, record)` decide whether
the record already is as the step wants it (gone, or stripped): then the step is done, and
otherwise it is applied once more (and read back again if that answer is lost too, up to ROUNDS
sends). Each write is thus sent again only when the system shows that it did not land.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

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


def apply_settled(
    connector: Writer,
    step: Step,
    policy: Policy,
    landed: Callable[[Step, dict[str, Any] | None], bool],
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
                return f"{done} (its answer was lost; the record read back shows it)"
            if sent >= rounds:
                raise
            sent += 1
            continue
        if sent > 1:
            return f"{outcome} (sent again: the record read back showed it had not landed)"
        return outcome
