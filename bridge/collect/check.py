"""`check`: per enabled system, one cheap authenticated call: reachable, credentials accepted."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bridge.core.connector import Connector
from bridge.core.errors import SystemFailure


@dataclass(frozen=True)
class CheckResult:
    system: str
    title: str
    ok: bool
    message: str
    requests: int


def check(connectors: Sequence[Connector]) -> list[CheckResult]:
    """One cheap authenticated call per connector."""
    results = []
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
