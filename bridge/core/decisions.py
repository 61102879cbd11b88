"""What happens to one record: decided in one place, `decide()`.

The operator's action for the record's type (`bridge.core.policy`), combined with what the
system's API can do to such a record (the connector's `Capability`) and the record's date. It
never does more than the policy allows; what the API cannot do becomes a manual step; a type the
policy does not name is manual.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Literal

from bridge.core.policy import Action, Policy


def record_date(value: object) -> date | None:
    """The date of an ISO-8601 or "YYYY-MM-DD HH:MM:SS" timestamp; None when there is none."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None


def _dig(data: Mapping[str, Any], dotted: str) -> Any:
    value: Any = data
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


@dataclass(frozen=True)
class Capability:
    """What a system's API can do to records of one type: declared by its connector, per type.

    - `delete`, `anonymise`: the API deletes such a record / replaces every personal field of it;
    - `strip`: per category of `CATEGORIES`, the record's own fields the API can clear while the
      record is kept; `fixed`: the categories it holds in fields the API cannot change;
    - `restrict`: the API can mark a kept record as restricted;
    - `personal`: False for a record with no personal data of its own (anonymising changes nothing);
    - `date`: the (dotted) field whose date starts the fiscal term; None: retained from today;
    - `deleted_with`: the record type whose deletion takes this one along (no call of its own);
      `cascades`: the record types deleted along with this one;
    - `keeps`: why the system keeps such a record under its own duty whatever the shop asks
      (reported as kept until the term ends, then a request by hand), `basis` its legal basis;
    - `only_if` (field, value): this capability holds only for records with that value in that
      field; the others have `otherwise`.
    """

    delete: bool = False
    anonymise: bool = False
    strip: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    fixed: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    restrict: bool = False
    personal: bool = True
    date: str | None = None
    deleted_with: str | None = None
    cascades: tuple[str, ...] = ()
    keeps: str = ""
    basis: str = ""
    only_if: tuple[str, Any] | None = None
    otherwise: Capability | None = None

    def for_record(self, data: Mapping[str, Any]) -> Capability:
        if self.only_if is None or _dig(data, self.only_if[0]) == self.only_if[1]:
            return self
        return (self.otherwise or NOTHING).for_record(data)

    def summary(self) -> str:
        """What the API can do, in a few words (for the README's table)."""
        can = []
        if self.delete:
            along = ", ".join(t.replace("_", " ") for t in self.cascades)
            can.append("delete" + (f" (its {along} go along)" if along else ""))
        if self.deleted_with:
            can.append(f"deleted with its {self.deleted_with.replace('_', ' ')}")
        if self.anonymise:
            can.append("anonymise" if self.personal else "nothing personal to anonymise")
        if self.strip:
            can.append("strip " + ", ".join(self.strip))
        if self.restrict:
            can.append("flag as restricted")
        if self.fixed:
            can.append("cannot change its " + ", ".join(self.fixed))
        if self.keeps:
            can.append("nothing: the system keeps it under its own duty")
        text = ", ".join(can) or "nothing"
        if self.only_if is not None:
            field_, value = self.only_if
            other = (self.otherwise or NOTHING).summary()
            text = f"if {field_} is {value!r}: {text}; else {other}"
        return text


NOTHING = Capability()
How = Literal["delete", "anonymise", "strip", "keep", "with_parent", "manual"]
AUTOMATIC: tuple[How, ...] = ("delete", "anonymise", "strip")


@dataclass(frozen=True)
class Decision:
    """What happens to one record: `action` is the outcome, `how` the way to it.

    `how`: delete, anonymise or strip (an API call), keep or with_parent (no call), or manual
    (by hand, `todo` says what; the action is then `manual`, or `retain` for a record that is
    kept but must be stripped by hand). `remove`/`fields`: the categories and own fields the API
    strips off a kept record; `by_hand`: categories the API cannot remove, left to a manual step.
    `wanted`: the policy's action for the type (None when the policy does not name it).
    """

    action: Action
    how: How
    why: str
    until: date | None = None
    remove: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    by_hand: tuple[str, ...] = ()
    basis: str = ""
    todo: str = ""  # the manual instruction, with {what} and {where} to fill in
    wanted: Action | None = None

    @property
    def automatic(self) -> bool:
        return self.how in AUTOMATIC

    def instruction(self, what: str, where: str) -> str:
        return self.todo.format(what=what, where=where)


def decide(
    policy: Policy,
    record_type: str,
    can: Capability,
    data: Mapping[str, Any],
    today: date,
    *,
    term_ended: bool = False,
    parent: Decision | None = None,
    along: Collection[str] | None = None,
) -> Decision:
    """The one decision per record: the policy's action, what the API can do, and the date.

    - `manual`, or a type the policy does not name: a manual step, nothing is written;
    - `retain`: under the fiscal term (from the capability's date field in `data`) the record is
      kept, restricted where the API can, and stripped of the policy's `[retain] remove`
      categories as far as the API can strip them (the rest by hand); past the term (or with
      `term_ended`) it is treated as `anonymise`;
    - `anonymise` is never a deletion; `delete` only where the API deletes the record (or its
      `parent` decision deletes it along), and only when every type it takes `along` (default:
      all its cascades) may be deleted too;
    - what the API cannot do is a manual step; a record the system keeps under its own duty is
      reported as kept until the term ends.
    """
    made = _decide(
        policy, record_type, can.for_record(data), data, today, term_ended, parent, along
    )
    return replace(made, wanted=policy.actions.get(record_type))


def _decide(
    policy: Policy,
    record_type: str,
    can: Capability,
    data: Mapping[str, Any],
    today: date,
    term_ended: bool,
    parent: Decision | None,
    along: Collection[str] | None,
) -> Decision:
    wanted = policy.actions.get(record_type)
    if wanted is None:
        return Decision(
            Action.manual,
            "manual",
            "the erasure policy does not name this kind of record",
            todo="The erasure policy does not name this kind of record: decide what happens to "
            "{what} and do it in {where} by hand.",
        )
    if wanted is Action.manual:
        return Decision(
            Action.manual,
            "manual",
            "the erasure policy leaves this kind of record to the operator",
            todo="The erasure policy leaves {what} to you: handle it in {where} by hand.",
        )
    when = record_date(_dig(data, can.date)) if can.date else None
    end = policy.until(when or today)
    within = not term_ended and end > today
    if wanted is Action.retain:
        if within:
            return _retain(policy, can, end)
        wanted = Action.anonymise
    past = "past the fiscal term: " if policy.actions.get(record_type) is Action.retain else ""
    if wanted is Action.delete:
        types = can.cascades if along is None else [t for t in along if t in can.cascades]
        blocked = sorted({t for t in types if policy.actions.get(t) is not Action.delete})
        if blocked:
            others = ", ".join(t.replace("_", " ") for t in blocked)
            return Decision(
                Action.manual,
                "manual",
                f"deleting it would delete its {others} along, which the policy does not allow",
                todo="The erasure policy says to delete {what}, but not its "
                + others
                + ", which its deletion takes along: decide in {where} by hand.",
            )
        if can.deleted_with:
            if parent is not None and parent.action is Action.delete and parent.automatic:
                return Decision(
                    Action.delete, "with_parent", f"deleted with its {can.deleted_with}"
                )
        elif can.delete:
            return Decision(Action.delete, "delete", "the erasure policy says delete")
    elif not can.personal:
        return Decision(Action.anonymise, "keep", past + "it holds no personal data of its own")
    elif can.anonymise:
        return Decision(
            Action.anonymise,
            "anonymise",
            past + "anonymised",
            by_hand=tuple(can.fixed),
        )
    # the API cannot do it
    if can.keeps and within:
        return Decision(
            Action.retain, "keep", can.keeps, until=end, basis=can.basis or policy.legal_basis
        )
    verb = "delete" if wanted is Action.delete else "anonymise"
    if can.keeps:
        return Decision(
            Action.manual,
            "manual",
            f"past the {policy.fiscal_years}-year fiscal term, and the system's API cannot {verb} it",
            todo="Ask {where} to erase or anonymise {what}: it is past the "
            f"{policy.fiscal_years}-year term for which it had to be kept.",
        )
    if can.deleted_with and wanted is Action.delete:
        return Decision(
            Action.manual,
            "manual",
            f"it can only be deleted with its {can.deleted_with}, which is not deleted",
            todo="Delete {what} in {where} by hand: it goes only with its "
            f"{can.deleted_with.replace('_', ' ')}, which this erasure does not delete.",
        )
    todo = (
        "Delete {what} in {where}."
        if wanted is Action.delete
        else "Anonymise {what} in {where}: remove or replace every personal field."
    )
    return Decision(Action.manual, "manual", past + f"the system's API cannot {verb} it", todo=todo)


def _retain(policy: Policy, can: Capability, end: date) -> Decision:
    basis = can.basis or policy.legal_basis
    if can.keeps:
        return Decision(Action.retain, "keep", can.keeps, until=end, basis=basis)
    remove = tuple(c for c in policy.retain.remove if c in can.strip)
    by_hand = tuple(c for c in policy.retain.remove if c in can.fixed and c not in can.strip)
    fields = tuple(f for c in remove for f in can.strip[c])
    why = f"part of the fiscal administration until {end}: kept, restricted"
    if remove:
        why += ", without its " + ", ".join(remove)
    how: How
    if remove or (can.restrict and can.personal):
        how = "strip"
    elif by_hand:
        how = "manual"
    else:
        how = "keep"
    todo = ""
    if by_hand:
        todo = (
            "Keep {what} until "
            f"{end}, restricted, but remove its {', '.join(by_hand)} in "
            "{where}: its API cannot."
        )
    return Decision(
        Action.retain,
        how,
        why,
        until=end,
        remove=remove,
        fields=fields,
        by_hand=by_hand,
        basis=basis,
        todo=todo,
    )
