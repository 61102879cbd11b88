"""The erasure report: per system what an erasure did, is to do by hand, and the notice to each
processor (GDPR art. 19), as `exports.erasure_models` holds it and `exports.erasure_report`
writes it (the customer's report, and the operator's worksheet beside it).

Where the erasure stands is not copied from the erasure: `exports.erasure_models.assess` reads
it from the report's steps, and `assessment()` gives the CLI the same answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from bridge.collect.identity import Listener
from bridge.core.models import SourceResult
from bridge.core.plugins import by_name
from bridge.core.statement import Shop, Text
from bridge.erasure.journal import JournalEntry
from bridge.erasure.process import ErasureResult
from exports.erasure_models import Assessment, ErasureReport, ReportStep, SystemReport, assess


@dataclass(frozen=True)
class EraseResult:
    """An erasure, and its report's path when one was written."""

    result: ErasureResult
    report: Path | None

    @property
    def complete(self) -> bool:
        """Every automatic step done and verified (manual steps may still be open: see
        `assessment`)."""
        return self.result.complete

    def assessment(self) -> Assessment:
        """Where the erasure stands, as its report says it (complete, open, failed, dry run)."""
        return assessment(self.result)


class Eraser(Protocol):
    """What erases a person for the register, with its report (bridge.app.App.erase)."""

    def __call__(
        self,
        email: str,
        *,
        dry_run: bool,
        out_dir: Path | None = None,
        request_id: str | None = None,
        listener: Listener | None = None,
    ) -> EraseResult: ...


def reported(
    result: ErasureResult, out_dir: Path | None, *, shop: Shop | None = None
) -> EraseResult:
    """The erasure with its report (and the operator's worksheet beside it) written into
    `out_dir` (0700; none when it is None). `shop` names the shop and its privacy contact on
    the customer's report (the privacy statement's `shop`)."""
    from exports.erasure_report import write_erasure_report

    path = write_erasure_report(report(result), out_dir, shop=shop) if out_dir else None
    return EraseResult(result, path)


def assessment(result: ErasureResult) -> Assessment:
    """Where the erasure stands, decided as for its report (exports.erasure_models.assess)."""
    return assess(report(result))


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
                labels=_labels(source.system, {s.record_type for s in steps}),
            )
        )
    return ErasureReport(
        erasure_id=result.erasure_id,
        subject_hash=result.address_hash,
        generated_at=datetime.now(UTC).replace(microsecond=0),
        dry_run=result.dry_run,
        problems=result.problems,
        systems=systems,
    )


def _labels(system: str, record_types: set[str]) -> dict[str, Text]:
    """How the system's connector names these record types to a person (its views), if it does."""
    try:
        views = by_name(system).views
    except KeyError:  # a system no longer registered: its types are shown by their own names
        return {}
    return {
        kind: Text(nl=view.label.nl, en=view.label.en)
        for kind, view in views.items()
        if kind in record_types and view.label.nl and view.label.en
    }


def _notice(source: SourceResult, entries: Sequence[JournalEntry]) -> str:
    """The art. 19 notice to a processor: what the shop erased, what it asks of them."""
    ids = ", ".join(sorted({e.step.record_id for e in entries}))
    return (
        f"To {source.title or source.system}: under art. 17 and 19 GDPR we inform you that a "
        "customer of ours has had their personal data erased. Please erase, or where the law "
        "obliges you to keep it, restrict the personal data you process for us about this "
        f"customer in these records: {ids}."
    )
