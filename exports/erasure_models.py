"""The content of erasure-report.json: per system what was deleted, anonymised, kept or is to be
done by hand, and where the erasure stands. `bridge.erasure.report` fills it from an erasure;
`exports.erasure_report` writes it.

Where an erasure stands is decided in one place, `assess()`, from the steps themselves: the
JSON's `state`, `complete` and `open_steps`, the customer's page, the operator's worksheet and the
CLI's last line all read it, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field, computed_field

from bridge.core.policy import Action
from bridge.core.statement import Text
from bridge.core.steps import StepState

# Step states that mean an automatic step has not (yet) taken effect outside a dry run.
NOT_DONE = (StepState.planned, StepState.pending, StepState.started, StepState.failed)
# System statuses that mean it was not (completely) read: nothing there is known to be erased.
NOT_COLLECTED = ("error", "partial")
# A system of this role is the shop's own; any other is a company the shop asks (art. 19).
OWN_ROLE = "platform"


class ErasureState(StrEnum):
    """Where an erasure stands: the one answer every document gives."""

    dry_run = "dry_run"  # a plan: nothing was changed
    failed = "failed"  # a step failed or did not take effect, or a system was not read
    open = "open"  # everything automatic done and verified; steps by hand or at companies open
    complete = "complete"  # nothing open, nothing failed


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
    labels: dict[str, Text] = Field(
        default_factory=dict,
        description="Per record type, its name in Dutch and English (the connector's views).",
    )

    @property
    def own(self) -> bool:
        """The shop's own system (its platform), not a company it asks."""
        return self.role.split(":", 1)[0].strip() == OWN_ROLE


class OpenSteps(BaseModel):
    """The manual steps still open: by hand in the shop's own systems, or asked of a company."""

    by_hand: int = Field(description="Manual steps in the shop's own systems.")
    at_companies: int = Field(description="Requests to companies (processors) not yet confirmed.")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def total(self) -> int:
        return self.by_hand + self.at_companies


@dataclass(frozen=True)
class Assessment:
    """Where an erasure stands, and the counts behind it."""

    state: ErasureState
    open_steps: OpenSteps
    failed_steps: int  # failed, or (outside a dry run) never carried out
    not_collected: tuple[str, ...]  # systems not (completely) read
    problems: int  # steps the check afterwards found not to have taken effect
    steps: int  # every step, whatever its state

    @property
    def complete(self) -> bool:
        return self.state is ErasureState.complete


class ErasureReport(BaseModel):
    """The content of erasure-report.json: per system what was deleted, anonymised, kept, manual."""

    erasure_id: str | None
    subject_hash: str = Field(description="HMAC of the address: the report names no one.")
    generated_at: datetime
    dry_run: bool
    problems: list[str] = Field(default_factory=list)
    systems: list[SystemReport]

    @computed_field(description="complete, open, failed or dry_run (see ErasureState).")  # type: ignore[prop-decorator]
    @property
    def state(self) -> ErasureState:
        return assess(self).state

    @computed_field(  # type: ignore[prop-decorator]
        description="True only when every step is done and verified and nothing is open."
    )
    @property
    def complete(self) -> bool:
        return assess(self).complete

    @computed_field  # type: ignore[prop-decorator]
    @property
    def open_steps(self) -> OpenSteps:
        return assess(self).open_steps

    @computed_field(description="Manual steps still open (open_steps.total).")  # type: ignore[prop-decorator]
    @property
    def open_manual_steps(self) -> int:
        return assess(self).open_steps.total

    @computed_field(description="Steps failed or not carried out.")  # type: ignore[prop-decorator]
    @property
    def failed_steps(self) -> int:
        return assess(self).failed_steps


def assess(report: ErasureReport) -> Assessment:
    """Where `report`'s erasure stands: the one function that decides it.

    A dry run is a plan whatever it holds. Otherwise it has failed when a step failed or was
    never carried out, a system was not read, or the check afterwards found a step without
    effect; it is open while a manual step is (by hand, or a request to a company not yet
    confirmed); complete only when none of these hold.
    """
    by_hand = at_companies = failed = 0
    for system in report.systems:
        for step in system.steps:
            if step.state == StepState.manual:
                if system.own:
                    by_hand += 1
                else:
                    at_companies += 1
            elif step.state in NOT_DONE and not report.dry_run:
                failed += 1
    not_collected = tuple(s.system for s in report.systems if s.status in NOT_COLLECTED)
    open_steps = OpenSteps(by_hand=by_hand, at_companies=at_companies)
    if report.dry_run:
        state = ErasureState.dry_run
    elif failed or not_collected or report.problems:
        state = ErasureState.failed
    elif open_steps.total:
        state = ErasureState.open
    else:
        state = ErasureState.complete
    steps = sum(len(system.steps) for system in report.systems)
    return Assessment(state, open_steps, failed, not_collected, len(report.problems), steps)


def state_line(assessment: Assessment) -> str:
    """Where the erasure stands in one English line: the CLI's last line and the worksheet's."""
    a = assessment
    opened = a.open_steps
    todo = (
        f"{opened.total} manual step(s) open ({opened.by_hand} by hand in the shop's own "
        f"systems, {opened.at_companies} requests to companies awaiting confirmation)"
    )
    if a.state is ErasureState.dry_run:
        return f"dry run: nothing was changed ({a.steps} step(s) planned)"
    if a.state is ErasureState.complete:
        return "erasure complete: every step done and verified, nothing open"
    if a.state is ErasureState.open:
        return f"erasure open: {todo}; confirm them with --confirm-manual when done"
    reasons = []
    if a.failed_steps:
        reasons.append(f"{a.failed_steps} step(s) failed or not carried out")
    if a.not_collected:
        reasons.append(f"not read: {', '.join(a.not_collected)}")
    if a.problems:
        reasons.append(f"{a.problems} step(s) without effect when checked")
    if opened.total:
        reasons.append(todo)
    return f"erasure failed: {'; '.join(reasons)}; run it again to resume"
