"""Access and portability (GDPR art. 15, 20): everything the systems hold about one person, as
one data package, written as a zip (`exports.package`).

The caller (`bridge.app`) hands in the connectors of the enabled systems, the subject's keyed
pseudonym, which names the file, and the shop's privacy statement (art. 15(1): what is done with
the data, beside the copy), which goes into the package as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from bridge import __version__
from bridge.collect.identity import Listener, resolve
from bridge.core.connector import Connector
from bridge.core.dirs import check_private_dir
from bridge.core.models import DataPackage, SourceResult, Status, Subject
from bridge.core.statement import Statement
from exports.package import write_package

# The subject's keyed pseudonym (an HMAC of the address: `bridge.store.keys.Keys.pseudonym`).
Pseudonym = Callable[[str], str]


@dataclass(frozen=True)
class ExportResult:
    package: Path
    data: DataPackage

    @property
    def complete(self) -> bool:
        return self.data.complete


class Collector(Protocol):
    """What the register asks the systems about an address (bridge.app.App.collect)."""

    def __call__(self, email: str) -> DataPackage: ...


class Exporter(Protocol):
    """What writes a person's package for the register (bridge.app.App.export)."""

    def __call__(
        self, email: str, out_dir: Path, *, listener: Listener | None = None
    ) -> ExportResult: ...


def package(
    address: str, sources: list[SourceResult], statement: Statement | None = None
) -> DataPackage:
    """The data package of what the systems answered: complete when each found or had nothing."""
    return DataPackage(
        subject=Subject(email=address),
        generated_at=datetime.now(UTC).replace(microsecond=0),
        complete=all(s.status in (Status.ok, Status.not_found) for s in sources),
        sources=sources,
        version=__version__,
        statement=statement,
    )


def collect(
    connectors: Sequence[Connector],
    address: str,
    *,
    listener: Listener | None = None,
    statement: Statement | None = None,
) -> DataPackage:
    """Everything the systems hold about `address` (checked and normalised), not yet written."""
    return package(address, resolve(connectors, address, listener=listener), statement)


def export(
    connectors: Sequence[Connector],
    address: str,
    out_dir: Path,
    pseudonym: Pseudonym,
    *,
    listener: Listener | None = None,
    statement: Statement | None = None,
) -> ExportResult:
    """Collect and write the data package (a zip in `out_dir`); incomplete packages are marked.

    An `out_dir` that cannot be made private (0700) is refused before any request is sent; the
    file is named by the subject's keyed `pseudonym`, asked for before the systems are.
    """
    check_private_dir(out_dir)
    name = pseudonym(address)
    data = collect(connectors, address, listener=listener, statement=statement)
    views = {c.name: c.views for c in connectors}
    return ExportResult(write_package(data, out_dir, pseudonym=name, views=views), data)
