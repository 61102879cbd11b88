"""The systems privacy-bridge knows, found as plugins: the `privacy_bridge.connectors` entry points.

A system is one folder (a package) whose `SYSTEM` the entry point names, e.g. in pyproject.toml

    [project.entry-points."privacy_bridge.connectors"]
    <name> = "connectors.<name>:SYSTEM"

so a system can also come from another distribution. `SYSTEM` says what the core needs: the
connector class and the policy defaults of its record types. What only the sandbox and the tests
use (the fake, its seed, the contract-suite entry) is named by module path and imported by them
alone, so loading a system never loads its fake.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

from bridge.core.errors import InputError

if TYPE_CHECKING:
    from bridge.core.connector import Connector

GROUP = "privacy_bridge.connectors"


@dataclass(frozen=True)
class System:
    """One system as its folder declares it."""

    connector: type[Connector]
    # The built-in policy's action per record type (`delete`, `anonymise`, `retain`, `manual`);
    # an operator's policy file replaces them (bridge.core.policy).
    actions: dict[str, str] = field(default_factory=dict)
    # Where the systems appear in listings and packages: shop platforms first, then processors.
    order: int = 100
    # "module:attribute" of the sandbox's fake (a `sandbox.plugin.Fake`) and of the contract
    # suite's entry; imported only by the sandbox and the tests.
    fake: str = ""
    contract: str = ""

    @property
    def name(self) -> str:
        return self.connector.name


def load(reference: str) -> Any:
    """The object a "module:attribute" reference names."""
    module, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(module), attribute)


@cache
def systems() -> tuple[System, ...]:
    """Every registered system, in display order. A plugin that cannot be loaded is refused with
    the entry point's name: a half-loaded registry would make every system that is missing
    silently `not configured`."""
    found: list[System] = []
    for point in entry_points(group=GROUP):
        try:
            system = point.load()
        except Exception as exc:
            raise InputError(
                f"the system plugin {point.name!r} ({point.value}) cannot be loaded: "
                f"{type(exc).__name__}; reinstall privacy-bridge or remove that plugin"
            ) from None
        if not isinstance(system, System) or system.name != point.name:
            raise InputError(
                f"the system plugin {point.name!r} ({point.value}) is not a System of that name"
            )
        found.append(system)
    if not found:
        raise InputError(
            f"no system is registered (no {GROUP!r} entry points): install privacy-bridge "
            "with pip (`make demo` does), not by copying its files"
        )
    return tuple(sorted(found, key=lambda s: (s.order, s.name)))


def registry() -> tuple[type[Connector], ...]:
    """The connector class of every registered system, in display order."""
    return tuple(system.connector for system in systems())


def system(name: str) -> System:
    for candidate in systems():
        if candidate.name == name:
            return candidate
    raise KeyError(name)


def by_name(name: str) -> type[Connector]:
    """The connector class of the system called `name` (KeyError when there is none)."""
    return system(name).connector
