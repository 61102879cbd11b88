"""The words of the request register: types, channels, statuses, a request row, and the checks
that turn the operator's input into them (one-line InputErrors, exit 2).
"""

from __future__ import annotations

import getpass
import sqlite3
from dataclasses import asdict, dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from bridge.core.config import Config, positive_number
from bridge.core.errors import InputError
from bridge.core.redact import scrub_emails
from bridge.register.deadlines import RETENTION_DAYS, days_left

OPERATOR_SETTING = "PRIVACY_BRIDGE_OPERATOR"


class RequestType(StrEnum):
    access = "access"
    portability = "portability"
    erasure = "erasure"
    rectification = "rectification"
    restriction = "restriction"
    objection = "objection"


class Channel(StrEnum):
    email = "email"
    web = "web"
    phone = "phone"
    letter = "letter"
    internal = "internal"  # opened by the shop itself (older versions' retention requests too)
    retention = "retention"  # opened by `retention apply`: its own deadline rule (see deadlines)


# Channels the operator may give to `requests new`; `retention` is the tool's own.
OPERATOR_CHANNELS = (Channel.email, Channel.web, Channel.phone, Channel.letter, Channel.internal)


class DeadlineRule(StrEnum):
    """Which rule set a request's due date (`bridge.register.deadlines`)."""

    customer = "customer"  # one month from receipt, extendable by two within it (art. 12(3))
    retention = "retention"  # the shop's own target after a retention term ended (art. 17(1)(a))


RULE_TEXT = {
    DeadlineRule.customer: "customer request: one month from receipt (art. 12(3))",
    DeadlineRule.retention: (
        f"retention: the shop's own target, {RETENTION_DAYS} days from opening (art. 17(1)(a):"
        " without undue delay); no customer deadline, not extendable"
    ),
}


class RequestStatus(StrEnum):
    identity_unverified = "identity_unverified"
    verified = "verified"
    in_progress = "in_progress"
    awaiting_manual = "awaiting_manual"
    completed = "completed"
    denied = "denied"
    cancelled = "cancelled"


S = RequestStatus
OPEN = (S.identity_unverified, S.verified, S.in_progress, S.awaiting_manual)
CLOSED = (S.completed, S.denied, S.cancelled)
WORKABLE = (S.verified, S.in_progress)


@dataclass(frozen=True)
class Request:
    """One row of the register, without the address."""

    id: str
    type: RequestType
    status: RequestStatus
    channel: Channel
    received: date
    due: date
    extended_months: int
    reason: str | None
    linked_to: str | None
    duplicate_of: str | None
    created_at: str
    updated_at: str
    closed_at: str | None
    address_kept: bool

    @property
    def open(self) -> bool:
        return self.status in OPEN

    @property
    def rule(self) -> DeadlineRule:
        """Opened by `retention apply`: the shop's own target; anything else: a customer's."""
        return (
            DeadlineRule.retention if self.channel is Channel.retention else DeadlineRule.customer
        )

    def days_left(self, today: date) -> int:
        return days_left(self.due, today)

    def overdue(self, today: date) -> bool:
        return self.open and self.days_left(today) < 0

    def to_dict(self, today: date) -> dict[str, Any]:
        data = asdict(self)
        data.update(received=self.received.isoformat(), due=self.due.isoformat())
        data.update(days_left=self.days_left(today), overdue=self.overdue(today), open=self.open)
        data.update(deadline_rule=self.rule.value, deadline=RULE_TEXT[self.rule])
        return data


@dataclass(frozen=True)
class NewRequest:
    """A request just registered; `warnings` are one line each (an overdue receipt date)."""

    id: str
    due: date
    duplicate_of: str | None
    warnings: tuple[str, ...] = ()


def choice(kind: type[StrEnum], value: str, what: str) -> Any:
    """`value` as a member of `kind`, or an InputError naming the choices."""
    try:
        return kind(value.strip().lower())
    except ValueError:
        names = "|".join(m.value for m in kind)
        hint = names if len(names) < 40 else "see --help"
        raise InputError(f"unknown {what} {value!r} ({hint})") from None


def parse_day(value: str, what: str = "date") -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"bad {what} {value!r}: use YYYY-MM-DD") from None


def note_text(value: str | None, what: str = "reason", required: bool = True) -> str | None:
    """Operator text: one line, at most 500 characters, e-mail addresses removed.

    It is never stored in clear: the register seals it (`bridge.store.notes`) under the person's
    note key, shredded when their erasure completes. E-mail addresses are taken out regardless.
    """
    text = " ".join((value or "").split())[:500]
    if not text:
        if required:
            raise InputError(f"a {what} is required")
        return None
    return scrub_emails(text)


def number_setting(config: Config, name: str, default: float) -> float:
    return positive_number(config.values, name, default)


def operator_name(config: Config, given: str | None = None) -> str:
    """The audit actor: `--operator`, else PRIVACY_BRIDGE_OPERATOR, else the OS user."""
    name = (given or config.values.get(OPERATOR_SETTING, "")).strip()
    if not name:
        try:
            name = getpass.getuser()
        except Exception:  # no user name (containers without a passwd entry)
            name = "unknown"
    return " ".join(name.split())[:100]


def request_from_row(row: sqlite3.Row) -> Request:
    return Request(
        id=row["id"],
        type=RequestType(row["type"]),
        status=RequestStatus(row["status"]),
        channel=Channel(row["channel"]),
        received=date.fromisoformat(row["received"]),
        due=date.fromisoformat(row["due"]),
        extended_months=row["extended_months"],
        reason=row["reason"],
        linked_to=row["linked_to"],
        duplicate_of=row["duplicate_of"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        closed_at=row["closed_at"],
        address_kept=row["address"] is not None,
    )
