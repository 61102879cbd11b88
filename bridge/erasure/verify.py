"""Verification: each applied step against the record as its system holds it now.

`check` says what is wrong with one record after its step (still there after a delete, a field
that still holds a value, the address left on an anonymised record); it also decides, for a write
whose answer was lost, whether the write landed (`bridge.erasure.writes`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bridge.core.connector import Connector
from bridge.core.errors import SystemFailure
from bridge.core.policy import Action, Policy
from bridge.core.redact import scrub
from bridge.core.steps import NO_OPERATION, Step, StepState
from bridge.erasure.journal import JournalEntry

BLANK: tuple[Any, ...] = (None, "", [], {}, False, 0)


def verify(
    entries: Sequence[JournalEntry], connectors: Sequence[Connector], address: str, policy: Policy
) -> list[str]:
    """Each applied step against the record as its system holds it now: the problems found.

    Each system reads back only the records its steps changed, in as few calls as its API allows
    (`Connector.fetch_many`: one at a time unless the connector reads many per call)."""
    available = {c.name: c for c in connectors}
    applied: dict[str, list[Step]] = {}
    problems: list[str] = []
    for entry in entries:
        step = entry.step
        if entry.state is not StepState.done or step.operation == NO_OPERATION:
            continue
        if step.system not in available:
            problems.append(f"{step.system} {step.key}: cannot verify, system not configured")
            continue
        applied.setdefault(step.system, []).append(step)
    for system, steps in applied.items():
        try:
            found = available[system].fetch_many(steps)
        except SystemFailure as exc:
            found = {s.key: exc for s in steps}
        for step in steps:
            current = found.get(step.key, SystemFailure(system, "not read back"))
            if isinstance(current, Exception):
                problems.append(f"{step.system} {step.key}: cannot verify ({scrub(str(current))})")
                continue
            problems += [
                f"{step.system} {step.key}: {p}" for p in check(step, current, address, policy)
            ]
    return problems


def check(step: Step, current: dict[str, Any] | None, address: str, policy: Policy) -> list[str]:
    """What is wrong with a record after its step: present when deleted, personal data left."""
    if step.action is Action.delete:
        return [] if current is None else ["still exists after delete"]
    if current is None:
        return ["gone, although it was to be kept"] if step.action is Action.retain else []
    problems = [
        f"field {name} still holds a value"
        for name in step.fields
        if not _blank(_get(current, name), policy)
    ]
    # A retained record keeps its address when the policy's [retain] remove does not list it.
    address_goes = step.action is Action.anonymise or "e-mail address" in step.removed
    if address_goes and address in json.dumps(current, ensure_ascii=False).lower():
        problems.append("still holds the e-mail address")
    return problems


def _blank(value: Any, policy: Policy) -> bool:
    if isinstance(value, dict):
        return all(_blank(v, policy) for v in value.values())
    if isinstance(value, list):
        return all(_blank(v, policy) for v in value)
    return value in BLANK or value == policy.placeholder_email


def _get(record: dict[str, Any], dotted: str) -> Any:
    value: Any = record
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value
