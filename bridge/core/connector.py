"""The connector protocol, and the helpers every connector shares.

A connector knows one system. It declares the settings it reads, the identifier kinds it can
look a person up by (`looks_up`), and for each record type the categories of personal data it
holds. `collect()` gets the identifiers found so far and returns the records that belong to the
subject plus the identifiers those records reveal for the next systems.
"""

from __future__ import annotations

import threading
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar, Generic, Protocol, Self, TypeVar

from email_validator import EmailNotValidError, validate_email

from bridge.core.config import Config, Setting
from bridge.core.decisions import NOTHING, Capability, Decision, decide
from bridge.core.errors import InputError, SystemFailure
from bridge.core.http import HttpClient
from bridge.core.models import Identifier, Record
from bridge.core.paging import Page, Paginator
from bridge.core.policy import Policy
from bridge.core.presentation import RecordView
from bridge.core.rate_budget import Limits
from bridge.core.steps import Step, step_for

EMAIL = "email"  # the one identifier kind the core itself starts from
# What reading an answer of an unexpected shape raises: a failure of that answer's resource.
SHAPE_ERRORS = (KeyError, TypeError, AttributeError, ValueError, IndexError)

# The operator's address is checked as mail systems check one (email-validator: RFC 5322/5321
# syntax, no quoted local part, no IP literal, no special-use domain), without the network.
_BAD_EMAIL = "not a valid e-mail address"


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
    """The form in which two addresses are compared: NFC, trimmed and lower-cased.

    Lenient on purpose (vendors' fields pass through here): it never raises and refuses nothing.
    The operator's input goes through `checked_email`."""
    return unicodedata.normalize("NFC", value).strip().lower()


def checked_email(value: str) -> str:
    """The operator's address in its normalised form, or a one-line InputError (exit 2).

    Refused, never repaired: an invisible or format character (Unicode category Cf: zero-width
    space, right-to-left override, soft hyphen, BOM); any character outside ASCII (an accented
    local part, an internationalised domain): the shop platforms store ASCII addresses only
    (see the shop connectors); and whatever
    email-validator refuses without looking up the domain (`&`, `=` or `<>` in it, a display name,
    two dots, a special-use domain such as `.invalid`), a local part over 64 characters or an
    address over 254. The message names the reason, never the address.
    """
    text = unicodedata.normalize("NFC", value).strip()
    hidden = sorted({c for c in text if unicodedata.category(c) == "Cf"})
    if hidden:
        names = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, '')}".rstrip() for c in hidden)
        raise InputError(f"{_BAD_EMAIL}: it holds an invisible character ({names}); type it again")
    if not text.isascii():
        raise InputError(
            f"{_BAD_EMAIL}: only ASCII addresses are accepted, as the shops store them"
            " (a shop platform refuses accented letters and internationalised domains)"
        )
    try:
        validate_email(
            text,
            check_deliverability=False,
            allow_smtputf8=False,
            allow_display_name=False,
            allow_quoted_local=False,
            allow_domain_literal=False,
        )
    except EmailNotValidError as exc:
        reason = " ".join(str(exc).split()).rstrip(".")
        raise InputError(f"{_BAD_EMAIL}: {reason[:1].lower()}{reason[1:]}") from None
    email = normalise_email(text)
    if len(email.rpartition("@")[0]) > 64 or len(email) > 254:
        raise InputError(f"{_BAD_EMAIL}: too long (64 characters before the @, 254 in all)")
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
    failed: dict[str, str] = field(default_factory=dict)  # resource -> why it could not be read
    read: set[str] = field(default_factory=set)  # resources read without failure
    hidden: set[str] = field(default_factory=set)  # identifier kinds a failed resource held back
    # The fewest requests a plan could have made given what this call learned; None when the
    # connector does not compute one. What counts: each page of a listing the person's records
    # had to be read from (at the page size the API allows at most), each record that needs a
    # call of its own, each lookup by an identifier that nothing else could answer, the token
    # an API requires. Not counted: retries, a listing or record read a second time, reads of
    # resources the answers already proved empty. Summed over the rounds (bridge.collect).
    minimum: int | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def need(self, n: int = 1, why: str = "") -> None:
        """Add `n` requests to the minimum (`why` documents it at the call site); thread-safe,
        for the reads a connector runs at once (`bridge.core.parallel.each`)."""
        with self._lock:
            self.minimum = (self.minimum or 0) + max(n, 0)

    @contextmanager
    def reading(self, resource: str, reveals: Iterable[str] = ()) -> Iterator[None]:
        """Reads of one resource: a failure costs that resource only. The records proven so far
        stay, and the system's result becomes `partial`, naming the resource (or `error`, when
        nothing could be read at all); the systems searched by the identifier kinds the resource
        `reveals` are told they may be incomplete."""
        try:
            yield
        except SystemFailure as exc:
            self.failed.setdefault(resource, str(exc).removeprefix(f"{exc.system}: "))
            self.hidden.update(reveals)
        except SHAPE_ERRORS as exc:  # a field the answer should have had, in another shape
            self.failed.setdefault(
                resource, f"answered in an unexpected shape ({type(exc).__name__})"
            )
            self.hidden.update(reveals)
        else:
            self.read.add(resource)

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
    # The identifier kinds its records reveal to other systems: when this system fails, the
    # systems that look up by these kinds may be incomplete, and say so.
    reveals: ClassVar[frozenset[str]] = frozenset()
    categories: ClassVar[dict[str, list[str]]]
    # Per record type it reports: what its API can do to such a record (see bridge.core.decisions)
    capabilities: ClassVar[dict[str, Capability]] = {}
    # The API call (a Step's operation) that carries out an automatic decision, by its `how`
    operations: ClassVar[dict[str, str]] = {}
    # The operations its API can apply to many records in one call (`apply_batch`), each with the
    # most records one call may carry
    batch_operations: ClassVar[dict[str, int]] = {}
    notes: ClassVar[tuple[str, ...]] = ()
    # How each record type reads to a person (bridge.core.presentation): the documents lay out
    # records from it; a type without one is shown field by field.
    views: ClassVar[Mapping[str, RecordView]] = {}
    # The vendor's documented limits, in one place: its windows, and the most requests kept in
    # flight at once, which its independent reads fan out to (`bridge.core.parallel.each`). The
    # connector builds its HttpClient's budget from them (`limits.budget()`); the docstring cites
    # the source. By default: one request at a time, no window.
    limits: ClassVar[Limits] = Limits()

    http: HttpClient
    # The sync streams this system offers (see `changes`), and the index view the core attaches
    # when an index exists, so that lookups can use it instead of scanning.
    streams: ClassVar[tuple[str, ...]] = ()
    index: IndexLookup | None = None

    @classmethod
    def enabled(cls, config: Config) -> bool:
        return config.has(cls.settings)

    def claim(self, identifier: Identifier) -> Identifier | None:
        """The identifier as this system looks it up, or None when it is not for this system.

        By default those of the kinds in `looks_up`, as they are. A system that looks up by a
        neutral kind (a payment reference a shop reveals) claims only the ones that are its own,
        recognised by their form or context, and returns them in a kind of its own; the
        resolution gives each claimed identifier to the system once."""
        return identifier if identifier.kind in self.looks_up else None

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

    # -- erasure: every record as the policy and the capabilities decide --------------------------

    def decide(
        self,
        record: Record,
        policy: Policy,
        today: date,
        *,
        parent: Decision | None = None,
        along: Sequence[str] | None = None,
        dated_by: dict[str, Any] | None = None,
    ) -> Decision:
        """The core's decision for one record (`dated_by`: the data to read its date from)."""
        can = self.capabilities.get(record.type, NOTHING)
        data = record.data if dated_by is None else {**dated_by, **record.data}
        return decide(policy, record.type, can, data, today, parent=parent, along=along)

    def step(self, record: Record, decision: Decision, policy: Policy, **extra: Any) -> Step:
        """The step for a decision; the operation of an automatic one from `operations`."""
        extra.setdefault("operation", self.operations.get(decision.how, ""))
        return step_for(
            self.name, record.type, record.id, decision, policy, where=self.title, **extra
        )

    def plan_erasure(self, records: Sequence[Record], policy: Policy, today: date) -> list[Step]:
        """The steps for these records, each as the policy and the capabilities decide."""
        return [self.step(r, self.decide(r, policy, today), policy) for r in records]

    def apply(self, step: Step, policy: Policy) -> str:
        """Carry out one automatic step; idempotent, "already gone" counts as done."""
        raise SystemFailure(self.name, f"cannot apply {step.operation}")

    def fetch(self, step: Step) -> dict[str, Any] | None:
        """The record as it is now, for verification; None when it no longer exists."""
        raise NotImplementedError

    def apply_batch(self, steps: Sequence[Step], policy: Policy) -> dict[str, str | Exception]:
        """Carry out steps of one operation of `batch_operations` in one call: per step key its
        outcome, or what went wrong with that record (WriteUncertain when its fate is unknown).
        A failure of the whole call is raised (WriteUncertain when its answer was lost)."""
        raise SystemFailure(self.name, f"cannot apply {steps[0].operation} in batches")

    def fetch_many(self, steps: Sequence[Step]) -> dict[str, dict[str, Any] | Exception | None]:
        """`fetch` of each step's record, per step key (its SystemFailure when it cannot be
        read); a system whose API reads many records in one call overrides it."""
        found: dict[str, dict[str, Any] | Exception | None] = {}
        for step in steps:
            try:
                found[step.key] = self.fetch(step)
            except SystemFailure as exc:
                found[step.key] = exc
        return found

    def expire(self, step: Step, policy: Policy) -> Step:
        """The step that ends a retention whose term has passed, as the policy now decides:
        by default nothing (no personal data) or a request by hand."""
        decision = self.ended(step, policy)
        what = f"{step.record_type.replace('_', ' ')} {step.record_id}"
        if decision.how == "keep":
            return step.model_copy(
                update={"action": decision.action, "until": None, "reason": decision.why}
            )
        instruction = decision.instruction(what, self.title) if decision.how == "manual" else ""
        return step.model_copy(
            update={
                "action": decision.action,
                "operation": "manual",
                "until": None,
                "reason": f"the term for which {what} had to be kept ended on {step.until}",
                "instruction": instruction
                or f"The fiscal term of {what} ended on {step.until}: "
                f"{decision.action.value} it in {self.title}.",
            }
        )

    def ended(self, step: Step, policy: Policy) -> Decision:
        """The decision for a retained record whose term has ended."""
        can = self.capabilities.get(step.record_type, NOTHING)
        return decide(policy, step.record_type, can, {}, date.today(), term_ended=True)

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


def records_in(items: Any, system: str, what: str) -> list[dict[str, Any]]:
    """The records of a listing, each an object with an `id`; anything else is a failure of
    that listing (a wrong shape is never an empty answer)."""
    if not isinstance(items, list):
        raise SystemFailure(system, f"answered {what} in an unexpected shape (not a list)")
    for item in items:
        if not isinstance(item, dict) or item.get("id") in (None, "", False):
            raise SystemFailure(system, f"answered {what} in an unexpected shape (not records)")
    return items


P = TypeVar("P", bound=Paginator)


@dataclass(frozen=True, eq=False)
class Stream(Generic[P]):
    """One scheduled-sync stream, declared: the listing it reads (`path`, with `params`), how
    that listing pages, what the index keeps of each record (`entry`), the record field the
    cursor follows (`cursor_field`; None where the cursor is no record's field: the time of a
    full read of a listing without a date filter, the end of a date window) and the query
    parameter the cursor is sent in (`since`). `ordered`: the listing comes in cursor order, so
    the cursor moves with every batch; otherwise it is saved with the last batch only, so that
    an interrupted run starts again from the old one. A connector offers the names of its
    streams (`Connector.streams`) and reads one in `changes` as its declaration says."""

    name: str  # the stream's name in the index, which keeps its cursor under it
    path: str
    paging: P
    entry: Callable[[dict[str, Any]], IndexEntry]
    cursor_field: str | None = None
    since: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    ordered: bool = True


def batches(stream: Stream[Any], pages: Iterable[Page[Any]], cursor: str | None) -> Iterator[Batch]:
    """A batch per page of a stream's listing, the cursor the newest `cursor_field` seen (see
    `Stream.ordered` for when it is saved)."""
    newest = cursor
    for page in pages:
        stamps = [str(i.get(stream.cursor_field or "") or "") for i in page.items]
        newest = max([newest or "", *stamps]) or None
        entries = [stream.entry(i) for i in page.items]
        yield Batch(entries, newest if stream.ordered or page.last else cursor)
