"""The Python API behind the CLI: what an operator's own scripts can import.

from bridge.api import export
from bridge.core.config import load_config
result = export("jan@example.nl", Path("out"), load_config())
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from bridge import __version__
from bridge.collect.identity import Listener, resolve
from bridge.core import http
from bridge.core.config import Config
from bridge.core.connector import Connector, checked_email
from bridge.core.dirs import check_private_dir, private_dir
from bridge.core.errors import BridgeError, InputError, SystemFailure
from bridge.core.models import DataPackage, SourceResult, Status, Subject
from bridge.core.policy import POLICY_SETTING, Policy, load_policy
from bridge.erasure.journal import Journal
from bridge.erasure.process import ErasureResult, StepListener
from bridge.erasure.process import erase as run_erasure
from bridge.erasure.process import report as erasure_report
from bridge.index.entries import IndexView
from bridge.store.db import Store
from bridge.store.keys import Keys
from connectors import REGISTRY
from exports.package import write_package


@dataclass(frozen=True)
class ExportResult:
    package: Path
    data: DataPackage

    @property
    def complete(self) -> bool:
        return self.data.complete


@dataclass(frozen=True)
class CheckResult:
    system: str
    title: str
    ok: bool
    message: str
    requests: int


@contextmanager
def open_connectors(
    config: Config, factory: Callable[[type[Connector], Config], Connector] | None = None
) -> Iterator[list[Connector]]:
    """The connectors of every enabled system, closed afterwards."""
    classes = [cls for cls in REGISTRY if cls.enabled(config)]
    if not classes:
        names = ", ".join(s.name for s in REGISTRY[0].settings)
        raise InputError(f"no system is configured: set e.g. {names} (see .env.example)")
    build = factory or (lambda cls, cfg: cls.from_config(cfg))
    for cls in classes:  # every setting of the wrong form, before anything is sent or written
        config.check(cls.settings, cls.name)
    http.configure(config.values)  # the size limit and deadline of the clients built next
    connectors: list[Connector] = []
    try:
        for cls in classes:
            connectors.append(_built(cls, config, build))
        if (config.home / Store.FILE).exists():  # an index exists: let lookups use it
            store = Store(config.home)
            for connector in connectors:
                view = IndexView(store, connector.name)
                if view.cursors:
                    connector.index = view
        yield connectors
    finally:
        for connector in connectors:
            connector.close()


def _built(
    cls: type[Connector],
    config: Config,
    build: Callable[[type[Connector], Config], Connector],
) -> Connector:
    """The connector, or an InputError naming its settings when its client refuses them (a
    vendor SDK checks a key's form, e.g.); the client's own message may hold the value."""
    try:
        return build(cls, config)
    except BridgeError:
        raise
    except Exception as exc:
        names = ", ".join(s.name for s in cls.settings)
        raise InputError(
            f"{cls.name}: its client refused the settings ({type(exc).__name__}): check {names} "
            "(see .env.example)"
        ) from None


def collect(email: str, config: Config, *, listener: Listener | None = None) -> DataPackage:
    """Everything the enabled systems hold about `email`, not yet written anywhere."""
    address = checked_email(email)
    with open_connectors(config) as connectors:
        return _package(address, resolve(connectors, address, listener=listener))


def _package(address: str, sources: list[SourceResult]) -> DataPackage:
    return DataPackage(
        subject=Subject(email=address),
        generated_at=datetime.now(UTC).replace(microsecond=0),
        complete=all(s.status in (Status.ok, Status.not_found) for s in sources),
        sources=sources,
        version=__version__,
    )


def export(
    email: str, out_dir: Path, config: Config, *, listener: Listener | None = None
) -> ExportResult:
    """Collect and write the data package (a zip in `out_dir`); incomplete packages are marked.

    The address, an existing `out_dir` that cannot be made private (0700) and the state directory
    are checked before any request is sent. The file is named by the subject's keyed pseudonym.
    """
    address = checked_email(email)
    with open_connectors(config) as connectors:
        check_private_dir(out_dir)
        pseudonym = Keys(private_dir(config.home)).pseudonym(address)
        data = _package(address, resolve(connectors, address, listener=listener))
    return ExportResult(write_package(data, out_dir, pseudonym=pseudonym), data)


def check(config: Config) -> list[CheckResult]:
    """One cheap authenticated call per enabled system."""
    results = []
    with open_connectors(config) as connectors:
        for connector in connectors:
            try:
                connector.check()
                ok, message = True, "reachable, credentials accepted"
            except SystemFailure as exc:
                ok, message = False, str(exc).removeprefix(f"{connector.name}: ")
            results.append(
                CheckResult(connector.name, connector.title, ok, message, connector.requests_made)
            )
    return results


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
        "seconds": source.seconds,
    }


@dataclass(frozen=True)
class EraseResult:
    result: ErasureResult
    report: Path | None

    @property
    def complete(self) -> bool:
        return self.result.complete


def policy_for(config: Config, path: Path | None = None) -> Policy:
    """The operator's policy file (argument, then PRIVACY_BRIDGE_POLICY), else the default."""
    configured = config.values.get(POLICY_SETTING, "").strip()
    return load_policy(path or (Path(configured) if configured else None))


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
    from exports.erasure_report import write_erasure_report

    checked_email(email)  # a bad address is refused before the report's directory is looked at
    if out_dir is not None:
        check_private_dir(out_dir)  # refused before any request when it cannot be made private
    result = run_erasure(
        email,
        config,
        policy or policy_for(config),
        today=today,
        dry_run=dry_run,
        request_id=request_id,
        listener=listener,
        on_step=on_step,
        stop=stop,
        open_connectors=open_connectors,
    )
    path = write_erasure_report(erasure_report(result), out_dir) if out_dir else None
    return EraseResult(result, path)


def confirm_manual(email: str, config: Config, seqs: list[int], note: str = "") -> tuple[int, int]:
    """Mark manual steps of the person's open erasure as done; (changed, still open)."""
    address = checked_email(email)
    store = Store(config.home)
    journal = Journal.find(store, store.keys.pseudonym(address))
    if journal is None:
        raise InputError("there is no open erasure for this address")
    changed = journal.confirm_manual(seqs, note)
    remaining = sum(1 for e in journal.entries() if e.state == "manual")
    if changed and not remaining and journal.status == "awaiting_manual":
        journal.set_status("verified")
    return changed, remaining


def erase_summary(outcome: EraseResult) -> dict[str, object]:
    """The `--json` summary of an erasure."""
    result = outcome.result
    counts: dict[str, dict[str, dict[str, int]]] = {}
    for entry in result.steps:
        per_action = counts.setdefault(entry.step.system, {}).setdefault(
            entry.step.action.value, {}
        )
        per_action[entry.state] = per_action.get(entry.state, 0) + 1
    return {
        "erasure_id": result.erasure_id,
        "dry_run": result.dry_run,
        "complete": result.complete,
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
