"""The content of erasure-report.json: per system what was deleted, anonymised, kept or is to be
done by hand. `bridge.erasure.report` fills it from an erasure; `exports.erasure_report` writes it.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from bridge.core.policy import Action


class ReportStep(BaseModel):
    """One step as the report shows it: what was done, or is to be done by hand, and why."""

    seq: int
    record_type: str
    record_id: str
    action: Action
    # bridge.core.steps.StepState, as text
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
