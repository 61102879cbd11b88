"""The steps of an erasure plan: what happens to each record, why, and until when, and the
states a step goes through.

A step holds ids, field names, reasons and dates: never a personal value. That is what makes it
safe to journal, to show in a dry run and to put in the report (`exports.erasure_models`).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from bridge.core.decisions import Decision
from bridge.core.policy import Action, Policy

# The operations a step names besides a connector's API call (stored as they are, in the journal):
NO_OPERATION = "none"  # nothing to call: kept as it is, or gone with the step it waits for
BY_HAND = "manual"  # the operator does it, as the step's instruction says


class StepState(StrEnum):
    """Where a step stands. The journal stores the value (`bridge.erasure.journal`): `pending` →
    `started` (written before the call) → `done` or `failed` (after it); a manual step is
    `manual` until the operator confirms it (`confirmed`). A dry run's steps are `planned`: they
    are never journaled."""

    planned = "planned"
    pending = "pending"
    started = "started"
    done = "done"
    failed = "failed"
    manual = "manual"
    confirmed = "confirmed"


class Step(BaseModel):
    system: str
    record_type: str
    record_id: str
    action: Action
    operation: str = Field(
        description=f"What the connector does: an API call it names, {NO_OPERATION!r} (kept as it "
        f"is, or gone with the step it waits for) or {BY_HAND!r}."
    )
    params: dict[str, Any] = Field(default_factory=dict, description="Ids and field names only.")
    fields: list[str] = Field(default_factory=list, description="Fields removed or replaced.")
    kept: list[str] = Field(default_factory=list, description="Fields a retained record keeps.")
    removed: list[str] = Field(
        default_factory=list,
        description="The policy's [retain] remove categories taken off a retained record.",
    )
    reason: str = ""
    legal_basis: str = ""
    until: date | None = None
    after: list[str] = Field(
        default_factory=list, description="Keys of steps of this system that must be done first."
    )
    instruction: str = Field(default="", description="For a manual step: what to do, exactly.")

    @property
    def key(self) -> str:
        return f"{self.record_type}:{self.record_id}"

    @property
    def automatic(self) -> bool:
        return self.operation != BY_HAND


def step_for(
    system: str,
    record_type: str,
    record_id: str,
    decision: Decision,
    policy: Policy,
    *,
    where: str,
    operation: str = "",
    what: str = "",
    **extra: Any,
) -> Step:
    """The step that carries out a decision: `operation` names the connector's API call for an
    automatic one; a manual one gets the decision's instruction (unless `instruction` is given)."""
    if decision.automatic and not operation:
        raise ValueError(f"{system} names no operation to {decision.how} a {record_type}")
    what = what or f"{record_type.replace('_', ' ')} {record_id}"
    retained = decision.action is Action.retain
    fields: dict[str, Any] = {
        "system": system,
        "record_type": record_type,
        "record_id": record_id,
        "action": decision.action,
        "operation": operation
        if decision.automatic
        else (BY_HAND if decision.how == "manual" else NO_OPERATION),
        "until": decision.until,
        "legal_basis": decision.basis if retained else "",
        "kept": list(policy.retain.keep) if retained and decision.how != "keep" else [],
        "fields": list(decision.fields),
        "removed": list(decision.remove),
        "reason": decision.why,
        "instruction": decision.instruction(what, where) if decision.how == "manual" else "",
    }
    return Step.model_validate(fields | extra)
