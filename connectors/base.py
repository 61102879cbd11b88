"""The connector protocol, and the helpers every connector shares.

A connector knows one system. It declares the settings it reads, the identifier kinds it can
look a person up by (`looks_up`), and for each record type the categories of personal data it
holds. `collect()` gets the identifiers found so far and returns the records that belong to the
subject plus the identifiers those records reveal for the next systems.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar, Protocol, Self

from bridge.config import Config, Setting
from bridge.errors import InputError, SystemFailure
from bridge.http import HttpClient
from bridge.models import Identifier, Record
from bridge.plan import Step
from bridge.policy import Action, Policy

EMAIL = "email"  # the one identifier kind the core itself starts from

# Deliberately simple: one @, no spaces, a dot in the domain. Deliverability is the mail's job.
_EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class IndexLookup(Protocol):
    """What a connector may ask of the sync index about its own system."""

    synced_at: datetime | None  # when this system's index was last brought up to date
    cursors: dict[str, str]

    def records_of(self, email: str, record_type: str) -> list[tuple[str, str | None]]:
        """(record id, activity) of this system's records of the person with that address."""
        ...

    def linked(self, kind: str, value: str, record_type: str) -> list[tuple[str, str | None]]:
        """(record id, activity) of this system's records that reveal that identifier."""
        ...


def normalise_email(value: str) -> str:
    """The form in which two addresses are compared: trimmed and lower-cased."""
    return value.strip().lower()


def checked_email(value: str) -> str:
    """The normalised address, or an InputError for something that is not an address."""
    email = normalise_email(value)
    if not _EMAIL_SHAPE.match(email) or len(email) > 254:
        raise InputError("not a valid e-mail address")
    return email


def same_email(found: object, wanted: str) -> bool:
    """Exact match on the normalised address: `dejan@x.nl` is not `jan@x.nl`."""
    return isinstance(found, str) and normalise_email(found) == wanted


@dataclass(frozen=True)
class IndexEntry:
    """One record as the sync index keeps it: who (by address, hashed by the core), when, links."""

    record_type: str
    record_id: str
    email: str | None  # as the record has it; the core stores only its HMAC
    activity: str | None  # ISO date or time of the person's activity this record shows
    links: tuple[tuple[str, str], ...] = ()  # (identifier kind, value) the record reveals


@dataclass
class Batch:
    """Entries of one sync stream, and the cursor to save once they are written.

    A stream that pages in cursor order moves the cursor with every batch; one that cannot
    (newest first, or ordered by id) repeats the old cursor until its last batch, so that an
    interrupted run starts again from the old one: entries are upserts, so nothing doubles.
    """

    entries: list[IndexEntry]
    cursor: str | None


@dataclass
class Collected:
    """What one `collect()` call found."""

    records: list[Record] = field(default_factory=list)
    revealed: list[Identifier] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    lookup: list[str] = field(default_factory=list)  # how the system was searched

    def add(self, type_: str, id_: object, matched_by: str, data: dict[str, Any]) -> None:
        self.records.append(Record(type=type_, id=str(id_), matched_by=[matched_by], data=data))

    def reveal(self, kind: str, value: object, via: str, **context: str) -> None:
        if value not in (None, "", 0, "0"):
            self.revealed.append(Identifier(kind=kind, value=str(value), via=via, context=context))


class Connector(ABC):
    """One system behind the common protocol."""

    name: ClassVar[str]
    title: ClassVar[str]
    role: ClassVar[str]
    settings: ClassVar[tuple[Setting, ...]]
    looks_up: ClassVar[frozenset[str]]
    categories: ClassVar[dict[str, list[str]]]
    notes: ClassVar[tuple[str, ...]] = ()

    http: HttpClient
    # The sync streams this system offers (see `changes`), and the index view the core attaches
    # when an index exists, so that lookups can use it instead of scanning.
    streams: ClassVar[tuple[str, ...]] = ()
    index: IndexLookup | None = None

    @classmethod
    def enabled(cls, config: Config) -> bool:
        return config.has(cls.settings)

    @classmethod
    @abstractmethod
    def from_config(cls, config: Config) -> Self:
        """Build the connector from the settings in force (raise InputError when one is missing)."""

    @abstractmethod
    def check(self) -> None:
        """Make one cheap authenticated call; raise SystemFailure when it fails."""

    @abstractmethod
    def collect(self, identifiers: Sequence[Identifier]) -> Collected:
        """Find the records these identifiers point at; keep only exact matches."""

    # -- erasure: the defaults make every record a manual step, which a connector narrows down --

    def plan_erasure(self, records: Sequence[Record], policy: Policy, today: date) -> list[Step]:
        """The steps for these records; the default asks the operator to do everything by hand."""
        return [
            manual_step(self.name, r, f"{self.title} has no API to erase this record.")
            for r in records
        ]

    def apply(self, step: Step, policy: Policy) -> str:
        """Carry out one automatic step; idempotent, "already gone" counts as done."""
        raise SystemFailure(self.name, f"cannot apply {step.operation}")

    def fetch(self, step: Step) -> dict[str, Any] | None:
        """The record as it is now, for verification; None when it no longer exists."""
        raise NotImplementedError

    def expire(self, step: Step, policy: Policy) -> Step:
        """The step that ends a retention whose term has passed: by default a request by hand."""
        what = f"{step.record_type.replace('_', ' ')} {step.record_id}"
        return step.model_copy(
            update={
                "action": Action.anonymise,
                "operation": "manual",
                "until": None,
                "reason": f"the term for which {what} had to be kept ended on {step.until}",
                "instruction": f"The fiscal term of {what} ended on {step.until}: anonymise or "
                f"delete it in {self.title}.",
            }
        )

    def address_of(self, record_type: str, record_id: str) -> str | None:
        """The e-mail address a record holds now (to open a request for its person), if known."""
        return None

    # -- the scheduled sync ---------------------------------------------------------------------

    def changes(self, stream: str, cursor: str | None) -> Iterator[Batch]:
        """What changed in `stream` since `cursor` (everything when None), batch by batch."""
        raise NotImplementedError(stream)

    @property
    def requests_made(self) -> int:
        return self.http.requests_made

    def close(self) -> None:
        self.http.close()


def require(config: Config, settings: tuple[Setting, ...], system: str) -> list[str]:
    """The values of `settings`, in order; an InputError naming what is missing."""
    missing = config.missing(settings)
    if missing:
        raise InputError(f"{system}: missing setting {', '.join(missing)}")
    return [config.get(s) or "" for s in settings]


def pages(
    fetch: Callable[[int], tuple[list[Any], int | None]],
    system: str,
    page_size: int | None = None,
) -> Iterator[Any]:
    """Items of a page-numbered listing, page 1 up, until the last page, a short or empty page.

    `fetch(page)` returns the page's items and the total number of pages when the system says it;
    without a total, a page shorter than `page_size` (or an empty one) is the last.
    A page that repeats the previous one is a server bug, reported instead of looped on forever.
    """
    page, previous = 1, None
    while True:
        items, total_pages = fetch(page)
        marker = [repr(sorted(i.items())) if isinstance(i, dict) else repr(i) for i in items[:3]]
        if items and marker == previous:
            raise SystemFailure(system, f"pagination repeated page {page - 1} as page {page}")
        previous = marker
        yield from items
        if not items or (total_pages is not None and page >= total_pages):
            return
        if total_pages is None and page_size is not None and len(items) < page_size:
            return
        page += 1


def manual_step(system: str, record: Record, reason: str, instruction: str = "") -> Step:
    return Step(
        system=system,
        record_type=record.type,
        record_id=record.id,
        action=Action.manual,
        operation="manual",
        reason=reason,
        instruction=instruction or reason,
    )


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


def kept_by_processor(
    system: str,
    title: str,
    record: Record,
    when: date | None,
    policy: Policy,
    today: date,
    *,
    reason: str,
    legal_basis: str,
) -> Step:
    """A record the processor keeps and we cannot erase: retained while the fiscal term runs,
    after that a manual request to the processor to erase it."""
    action, until = policy.decide("payment", when, today)
    if action is Action.retain:
        return Step(
            system=system,
            record_type=record.type,
            record_id=record.id,
            action=Action.retain,
            operation="none",
            until=until,
            legal_basis=legal_basis,
            reason=reason,
        )
    return manual_step(
        system,
        record,
        f"past the {policy.fiscal_years}-year fiscal term, and {title} has no API to erase it",
        f"Ask {title} to erase or anonymise {record.type.replace('_', ' ')} {record.id}: it is "
        f"past the {policy.fiscal_years}-year term for which it had to be kept.",
    )
