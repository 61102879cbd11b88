"""The steps of an erasure plan: what happens to each record, why, and until when.

A step holds ids, field names, reasons and dates: never a personal value. That is what makes it
safe to journal, to show in a dry run and to put in the report.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from bridge.core.policy import Action, Decision, Policy


class Step(BaseModel):
    system: str
    record_type: str
    record_id: str
    action: Action
    operation: str = Field(
        description="What the connector does: an API call it names, 'none' (kept as it is, or "
        "gone with the step it waits for) or 'manual'."
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
        return self.operation != "manual"


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
        else ("manual" if decision.how == "manual" else "none"),
        "until": decision.until,
        "legal_basis": decision.basis if retained else "",
        "kept": list(policy.retain.keep) if retained and decision.how != "keep" else [],
        "fields": list(decision.fields),
        "removed": list(decision.remove),
        "reason": decision.why,
        "instruction": decision.instruction(what, where) if decision.how == "manual" else "",
    }
    return Step.model_validate(fields | extra)


class ReportStep(BaseModel):
    """One step as the report shows it: what was done, or is to be done by hand, and why."""

    seq: int
    record_type: str
    record_id: str
    action: Action
    state: str = Field(description="planned, done, failed, manual (to do by hand) or confirmed.")
    outcome: str | None = None
    reason: str = ""
    legal_basis: str = ""
    until: date | None = None
    instruction: str = ""


class SystemReport(BaseModel):
    system: str
    title: str
    role: str = ""
    status: str = Field(description="How collecting from the system went: ok, not_found, error.")
    error: str | None = None
    steps: list[ReportStep] = Field(default_factory=list)
    notice: str = Field(default="", description="The notice to this processor (GDPR art. 19).")


class ErasureReport(BaseModel):
    """The content of erasure-report.json: per system what was deleted, anonymised, kept, manual."""

    erasure_id: str | None
    subject_hash: str = Field(description="HMAC of the address: the report names no one.")
    generated_at: datetime
    dry_run: bool
    complete: bool = Field(description="Every automatic step done and verified.")
    open_manual_steps: int
    problems: list[str] = Field(default_factory=list)
    systems: list[SystemReport]
