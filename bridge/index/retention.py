"""Retention enforcement: people whose last activity is older than the term, and retained
records whose term has ended.

`due()` only reads the index and the erasure journals. `apply()` opens an erasure request for
each such person (the address is read back from the record in the shop: the index holds none),
and ends each expired retention: anonymised where the system's API allows it, otherwise a
request by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bridge.core.connector import Connector
from bridge.core.errors import InputError, SystemFailure
from bridge.core.policy import Action, Policy
from bridge.core.redact import scrub
from bridge.core.steps import NO_OPERATION, Step, StepState
from bridge.erasure.journal import Journal
from bridge.index import entries as index
from bridge.register.requests import Register
from bridge.register.types import CLOSED, RequestType
from bridge.store.db import Store


@dataclass(frozen=True)
class DuePerson:
    subject: str  # HMAC of the address: the index knows no address
    last_activity: str
    systems: list[str]
    records: int


@dataclass(frozen=True)
class ExpiredRetention:
    erasure_id: str
    seq: int
    step: Step


@dataclass
class Due:
    people: list[DuePerson] = field(default_factory=list)
    expired: list[ExpiredRetention] = field(default_factory=list)


@dataclass
class Applied:
    opened: list[dict[str, Any]] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)  # no usable address in any system
    ended: list[dict[str, Any]] = field(default_factory=list)


def due(store: Store, policy: Policy, today: date) -> Due:
    """Who and what in `store` is past its term on `today`; reads only, sends nothing."""
    cutoff = policy.term_start(today)
    people = [
        DuePerson(r["subject"], r["last"], sorted(str(r["systems"]).split(",")), r["records"])
        for r in index.last_activity(store, cutoff)
    ]
    expired = []
    for row in store.db.execute("SELECT id FROM erasures").fetchall():
        journal = Journal(store, row["id"])
        for entry in journal.entries():
            step = entry.step
            if (
                step.action is Action.retain
                and entry.state is StepState.done
                and step.until
                and step.until <= today
            ):
                expired.append(ExpiredRetention(journal.id, entry.seq, step))
    return Due(people, expired)


def apply(
    register: Register, connectors: Sequence[Connector], policy: Policy, today: date
) -> Applied:
    """Open an erasure request (in `register`, as its operator) for each person past the term,
    and end each expired retention in its system."""
    store = register.store
    found = due(store, policy, today)
    outcome = Applied()
    by_name = {c.name: c for c in connectors}
    for person in found.people:
        if _open_erasure(store, person.subject):
            continue
        address = _address(store, person.subject, by_name)
        if address is None:
            outcome.unresolved.append(person.subject)
            continue
        try:
            made = register.new("erasure", address, received=today, channel="internal")
        except InputError:  # an address the shop kept that no mail system would accept
            outcome.unresolved.append(person.subject)
            continue
        register.mark_verified(
            made.id,
            "internal",
            f"retention term ended (last activity {person.last_activity[:10]})",
        )
        outcome.opened.append({"request": made.id, "last_activity": person.last_activity})
    for item in found.expired:
        connector = by_name.get(item.step.system)
        if connector is None:
            continue
        step = connector.expire(item.step, policy)
        journal = Journal(store, item.erasure_id)
        journal.replace(item.seq, step)
        state, result = StepState.manual, None
        if step.operation == NO_OPERATION:
            state, result = StepState.done, "nothing left to change"
        elif step.automatic:
            try:
                result, state = connector.apply(step, policy), StepState.done
            except SystemFailure as exc:
                result, state = scrub(str(exc)), StepState.failed
        journal.mark(item.seq, state, result)
        outcome.ended.append({"system": step.system, "record": step.key, "state": state})
    return outcome


def _open_erasure(store: Store, subject: str) -> bool:
    return bool(
        store.db.execute(
            "SELECT 1 FROM requests WHERE subject = ? AND type = ? AND status NOT IN "
            f"({','.join('?' * len(CLOSED))})",
            (subject, RequestType.erasure, *CLOSED),
        ).fetchone()
    )


def _address(store: Store, subject: str, connectors: dict[str, Any]) -> str | None:
    """The address a shop record of this person holds now; the index itself holds none."""
    for row in index.records_of_subject(store, subject):
        connector = connectors.get(row["system"])
        if connector is None:
            continue
        try:
            address = connector.address_of(row["record_type"], row["record_id"])
        except SystemFailure:
            continue
        if address and store.keys.pseudonym(address) == subject:
            return str(address)
    return None
