"""Retention enforcement: people whose last activity is older than the term, and retained
records whose term has ended.

`due()` only reads the index and the erasure journals. `identify()` reads, for the operator's
review before `apply`, who each such person is (name and address) live from a shop record; it
is shown and never stored. `apply()` opens an erasure request for each such person (the address
is read back from the record in the shop: the index holds none) on the register's own channel
`retention`, with the shop's own deadline rule (`bridge.register.deadlines`), and ends each
expired retention: anonymised where the system's API allows it, otherwise a request by hand.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bridge.core.connector import Connector
from bridge.core.errors import BridgeError, InputError, SystemFailure
from bridge.core.models import Identifier
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
            made = register.open_retention(address, person.last_activity)
        except InputError:  # an address the shop kept that no mail system would accept
            outcome.unresolved.append(person.subject)
            continue
        outcome.opened.append(
            {
                "request": made.id,
                "last_activity": person.last_activity,
                "due": made.due.isoformat(),
                "deadline_rule": "retention",
            }
        )
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


@dataclass(frozen=True)
class Shown:
    """Who a due person is, as a shop record says now: for the operator's eyes only, never
    stored or logged. `problem` says why nothing could be read (the person shows by pseudonym)."""

    name: str | None = None
    email: str | None = None
    system: str | None = None
    problem: str | None = None


def identify(
    store: Store, connectors: Sequence[Connector], people: Sequence[DuePerson]
) -> dict[str, Shown]:
    """Per subject, the name and address a shop record of the person holds now, read live
    (the index holds neither): the address as `apply` will find it, the name from the person's
    records in that system. A system that cannot be read leaves the person unnamed, not the
    command failed."""
    by_name = {c.name: c for c in connectors}
    return {p.subject: _shown(store, p.subject, by_name) for p in people}


def _shown(store: Store, subject: str, connectors: dict[str, Connector]) -> Shown:
    failed: list[str] = []
    # A customer record names the person best; orders and the rest after it.
    rows = sorted(
        index.records_of_subject(store, subject), key=lambda r: r["record_type"] != "customer"
    )
    for row in rows:
        connector = connectors.get(row["system"])
        if connector is None:
            continue
        try:
            address = connector.address_of(row["record_type"], row["record_id"])
        except BridgeError:
            failed.append(connector.name)
            continue
        if not address or store.keys.pseudonym(address) != subject:
            continue
        return Shown(
            _name_in(connector, str(address), row["record_type"], row["record_id"]),
            str(address),
            connector.name,
        )
    if failed:
        return Shown(problem=f"could not read {', '.join(sorted(set(failed)))}")
    return Shown(problem="no record in the shop holds the address any more")


def _name_in(connector: Connector, address: str, record_type: str, record_id: str) -> str | None:
    """The person's name in `connector`'s records found by `address` (the record the index
    pointed at first), or None."""
    if "email" not in connector.looks_up:
        return None
    try:
        found = connector.collect([Identifier(kind="email", value=address, via="retention due")])
    except BridgeError:
        return None
    records = sorted(found.records, key=lambda r: (r.type, r.id) != (record_type, record_id))
    for record in records:
        if name := display_name(record.data):
            return name
    return None


# Where systems keep a person's name: as two parts, as one, or inside a nested object (an
# order's billing address, a shipment's recipient, a PayPal payer).
_FIRST = ("first_name", "firstname", "firstName", "given_name", "givenName")
_LAST = ("last_name", "lastname", "lastName", "surname", "family_name", "familyName")
_WHOLE = ("full_name", "fullName", "name", "person", "reviewer")
_NESTED = ("billing", "customer", "recipient", "payer_info", "payer_name", "name", "shipping")


def display_name(data: Mapping[str, Any], depth: int = 0) -> str | None:
    """A person's name in a record as its system returned it, or None."""
    parts = [_text(data, _FIRST), _text(data, _LAST)]
    if any(parts):
        return " ".join(p for p in parts if p)
    if whole := _text(data, _WHOLE):
        return whole
    for key in _NESTED:
        nested = data.get(key)
        if depth < 2 and isinstance(nested, Mapping) and (name := display_name(nested, depth + 1)):
            return name
    return None


def _text(data: Mapping[str, Any], keys: Sequence[str]) -> str | None:
    for key in keys:
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())[:100]
    return None


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
