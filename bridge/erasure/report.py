"""The erasure report: per system what an erasure did, is to do by hand, and the notice to each
processor (GDPR art. 19), as `exports.erasure_models` holds it and `exports.erasure_report`
writes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from bridge.collect.identity import Listener
from bridge.core.models import SourceResult
from bridge.erasure.journal import JournalEntry
from bridge.erasure.process import ErasureResult
from exports.erasure_models import ErasureReport, ReportStep, SystemReport


@dataclass(frozen=True)
class EraseResult:
    """An erasure, and its report's path when one was written."""

    result: ErasureResult
    report: Path | None

    @property
    def complete(self) -> bool:
        return self.result.complete


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


def reported(result: ErasureResult, out_dir: Path | None) -> EraseResult:
    """The erasure with its report written into `out_dir` (0700; none when it is None)."""
    from exports.erasure_report import write_erasure_report

    path = write_erasure_report(report(result), out_dir) if out_dir else None
    return EraseResult(result, path)


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


def _notice(source: SourceResult, entries: Sequence[JournalEntry]) -> str:
    """The art. 19 notice to a processor: what the shop erased, what it asks of them."""
    ids = ", ".join(sorted({e.step.record_id for e in entries}))
    return (
        f"To {source.title or source.system}: under art. 17 and 19 GDPR we inform you that a "
        "customer of ours has had their personal data erased. Please erase, or where the law "
        "obliges you to keep it, restrict the personal data you process for us about this "
        f"customer in these records: {ids}."
    )
