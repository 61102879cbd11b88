"""Shared fixtures: one running sandbox per test session, its fault queues cleared per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bridge.core.config import Config
from bridge.core.connector import Connector
from sandbox.server import Sandbox, start

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    with start("woocommerce") as running:
        yield running


@pytest.fixture()
def sbx(sandbox: Sandbox) -> Iterator[Sandbox]:
    """The session's sandbox with empty fault queues and request logs."""
    for faults in sandbox.faults.values():
        faults.clear()
    yield sandbox
    for faults in sandbox.faults.values():
        faults.clear()


@pytest.fixture()
def config(sbx: Sandbox, tmp_path: Path) -> Config:
    return Config({**sbx.env, "PRIVACY_BRIDGE_HOME": str(tmp_path / "state")})


def quick(cls: type[Connector], config: Config) -> Connector:
    """A connector that retries without real backoff (for `open_connectors(config, quick)`): the
    vendors' own hints (Retry-After) still apply."""
    connector = cls.from_config(config)
    connector.http.backoff = 0.001
    return connector


def only(sbx: Sandbox, *systems: str, tmp_path: Path) -> Config:
    """Settings that enable just these systems of the sandbox."""
    from bridge.core.plugins import by_name

    names = {s.name for system in systems for s in by_name(system).settings}
    env = {k: v for k, v in sbx.env.items() if k in names}
    return Config({**env, "PRIVACY_BRIDGE_HOME": str(tmp_path / "state")})
