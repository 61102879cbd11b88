"""The Python API behind the CLI: what an operator's own scripts can import.

from bridge.api import export
from bridge.core.config import load_config
result = export("jan@example.nl", Path("out"), load_config())

Each call works with its own `bridge.app.App` (the store, the policy and the connectors, built
once and closed afterwards); a script that does more than one thing may use an App itself.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from bridge.app import App, ConnectorFactory, policy_for
from bridge.collect.check import CheckResult
from bridge.collect.export import ExportResult
from bridge.collect.identity import Listener
from bridge.core.config import Config
from bridge.core.connector import Connector
from bridge.core.models import DataPackage, SourceResult
from bridge.core.policy import Policy
from bridge.erasure.process import StepListener
from bridge.erasure.report import EraseResult

__all__ = [
    "CheckResult",
    "EraseResult",
    "ExportResult",
    "check",
    "collect",
    "confirm_manual",
    "erase",
    "erase_summary",
    "export",
    "open_connectors",
    "policy_for",
    "summary",
]


@contextmanager
def open_connectors(
    config: Config, factory: ConnectorFactory | None = None
) -> Iterator[list[Connector]]:
    """The connectors of every enabled system, closed afterwards."""
    with App(config, factory=factory) as app:
        yield app.connectors


def collect(email: str, config: Config, *, listener: Listener | None = None) -> DataPackage:
    """Everything the enabled systems hold about `email`, not yet written anywhere."""
    with App(config) as app:
        return app.collect(email, listener=listener)


def export(
    email: str, out_dir: Path, config: Config, *, listener: Listener | None = None
) -> ExportResult:
    """Collect and write the data package (a zip in `out_dir`); incomplete packages are marked.

    The address, an existing `out_dir` that cannot be made private (0700) and the state directory
    are checked before any request is sent. The file is named by the subject's keyed pseudonym.
    """
    with App(config) as app:
        return app.export(email, out_dir, listener=listener)


def check(config: Config) -> list[CheckResult]:
    """One cheap authenticated call per enabled system."""
    with App(config) as app:
        return app.check()


def erase(
    email: str,
    config: Config,
    *,
    dry_run: bool,
    out_dir: Path | None = None,
    policy: Policy | None = None,
    today: date | None = None,
    request_id: str | None = None,
    listener: Listener | None = None,
    on_step: StepListener | None = None,
    stop: threading.Event | None = None,
) -> EraseResult:
    """Plan the erasure (`dry_run`) or apply, verify and report it; rerunning resumes it.

    One erasure per person at a time: a second one is refused (bridge.store.locks.LockHeld). Setting
    `stop` (or Ctrl-C in the main thread) ends it between two steps, raising
    bridge.erasure.guard.Stopped; running it again resumes it.
    """
    with App(config, policy=policy) as app:
        return app.erase(
            email,
            dry_run=dry_run,
            out_dir=out_dir,
            today=today,
            request_id=request_id,
            listener=listener,
            on_step=on_step,
            stop=stop,
        )


def confirm_manual(email: str, config: Config, seqs: list[int], note: str = "") -> tuple[int, int]:
    """Mark manual steps of the person's open erasure as done; (changed, still open)."""
    with App(config) as app:
        return app.confirm_manual(email, seqs, note)


def summary(result: ExportResult) -> dict[str, object]:
    """The `--json` summary of an export."""
    return {
        "package": str(result.package),
        "complete": result.complete,
        "systems": [_system_summary(s) for s in result.data.sources],
    }


def _system_summary(source: SourceResult) -> dict[str, object]:
    counts: dict[str, int] = {}
    for record in source.records:
        counts[record.type] = counts.get(record.type, 0) + 1
    return {
        "system": source.system,
        "status": source.status.value,
        "error": source.error,
        "failed": source.failed,
        "records": counts,
        "requests": source.requests,
        "minimum": source.minimum,
        "critical": source.critical,
        "seconds": source.seconds,
    }


def erase_summary(outcome: EraseResult) -> dict[str, object]:
    """The `--json` summary of an erasure: `state` and `complete` as its report says them (one
    function decides: exports.erasure_models.assess); `automatic_done` when every automatic step
    is done and verified, while steps by hand may still be open."""
    result = outcome.result
    assessed = outcome.assessment()
    counts: dict[str, dict[str, dict[str, int]]] = {}
    for entry in result.steps:
        per_action = counts.setdefault(entry.step.system, {}).setdefault(
            entry.step.action.value, {}
        )
        per_action[entry.state] = per_action.get(entry.state, 0) + 1
    return {
        "erasure_id": result.erasure_id,
        "dry_run": result.dry_run,
        "state": assessed.state.value,
        "complete": assessed.complete,
        "automatic_done": result.complete,
        "open_steps": assessed.open_steps.model_dump(mode="json"),
        "report": str(outcome.report) if outcome.report else None,
        "systems": [
            {
                "system": s.system,
                "status": s.status.value,
                "error": s.error,
                "steps": counts.get(s.system, {}),
            }
            for s in result.sources
        ],
        "manual": [
            {"seq": e.seq, "system": e.step.system, "instruction": e.step.instruction}
            for e in result.manual_open
        ],
        "problems": result.problems,
    }
