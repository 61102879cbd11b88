"""The Python API behind the CLI: what an operator's own scripts can import.

from bridge.api import export
from bridge.config import load_config
result = export("jan@example.nl", Path("out"), load_config())
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bridge import __version__
from bridge.config import Config
from bridge.errors import InputError, SystemFailure
from bridge.identity import Listener, resolve
from bridge.models import DataPackage, SourceResult, Status, Subject
from connectors import REGISTRY
from connectors.base import Connector, checked_email
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
    connectors = [build(cls, config) for cls in classes]
    try:
        yield connectors
    finally:
        for connector in connectors:
            connector.close()


def collect(email: str, config: Config, *, listener: Listener | None = None) -> DataPackage:
    """Everything the enabled systems hold about `email`, not yet written anywhere."""
    address = checked_email(email)
    with open_connectors(config) as connectors:
        sources = resolve(connectors, address, listener=listener)
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
    """Collect and write the data package (a zip in `out_dir`); incomplete packages are marked."""
    data = collect(email, config, listener=listener)
    return ExportResult(write_package(data, out_dir), data)


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
        "records": counts,
        "requests": source.requests,
        "seconds": source.seconds,
    }
