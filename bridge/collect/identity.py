"""Identity resolution in rounds: from an e-mail address to every record that belongs to it.

Round 1 gives the e-mail address to the systems that can search by it. Their records reveal new
identifiers (customer ids, order numbers, payment references); each next round gives every system
the new identifiers it claims (those of the kinds it looks up; of a neutral kind, such as a payment
reference, only the ones it recognises as its own), all systems of a round at once, until nothing
new appears.
Records are de-duplicated by (system, type, id), keeping every reason that linked them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field

from bridge.core import parallel
from bridge.core.connector import EMAIL, SHAPE_ERRORS, Collected, Connector
from bridge.core.errors import SystemFailure
from bridge.core.http import HttpClient
from bridge.core.models import Identifier, Record, SourceResult, Status
from bridge.core.redact import scrub

log = logging.getLogger("privacy_bridge.identity")
MAX_ROUNDS = 8

# (system, event, detail): "start" | "done" | "error", with a record count or a message.
Listener = Callable[[str, str, str], None]


@dataclass
class _Run:
    connector: Connector
    records: dict[tuple[str, str], Record] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    lookup: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # resource -> why
    read: set[str] = field(default_factory=set)  # resources read without failure
    hidden: set[str] = field(default_factory=set)  # kinds the failed resources may have held
    given: set[Identifier] = field(default_factory=set)
    error: str | None = None
    seconds: float = 0.0
    minimum: int | None = None  # summed over the rounds; None while no round computed one
    critical: int = 0  # the critical path's requests, summed over the rounds (`parallel`)

    def merge(self, collected: Collected) -> None:
        for record in collected.records:
            key = (record.type, record.id)
            if key in self.records:
                known = self.records[key].matched_by
                known.extend(m for m in record.matched_by if m not in known)
            else:
                self.records[key] = record
        self.notes.extend(n for n in collected.notes if n not in self.notes)
        self.lookup.extend(n for n in collected.lookup if n not in self.lookup)
        for resource, why in collected.failed.items():
            self.failed.setdefault(resource, why)
        self.read |= collected.read
        self.hidden |= collected.hidden
        if collected.minimum is not None:
            self.minimum = (self.minimum or 0) + collected.minimum
        if self.failed and not self.read and not self.records and self.error is None:
            # nothing could be read at all: a failed system, not an empty one
            self.error = "; ".join(f"{r}: {why}" for r, why in self.failed.items())


def resolve(
    connectors: Sequence[Connector], email: str, *, listener: Listener | None = None
) -> list[SourceResult]:
    """Collect everything the systems hold about `email` (already normalised)."""
    with ExitStack() as deadlines:  # one deadline per system over all its rounds
        for connector in connectors:
            http = getattr(connector, "http", None)
            if isinstance(http, HttpClient):
                deadlines.enter_context(http.collecting())
        return _resolve(connectors, email, listener)


def _resolve(
    connectors: Sequence[Connector], email: str, listener: Listener | None
) -> list[SourceResult]:
    notify = listener or (lambda system, event, detail: None)
    runs = [_Run(c) for c in connectors]
    known: dict[Identifier, Identifier] = {}
    seed = Identifier(kind=EMAIL, value=email, via="the address the request came from")
    known[seed] = seed
    for round_no in range(1, MAX_ROUNDS + 1):
        work = [(run, _new_for(run, known)) for run in runs if run.error is None]
        work = [(run, ids) for run, ids in work if ids]
        if not work:
            break
        log.debug("round %d: %d systems", round_no, len(work))
        for run, _ids in work:
            notify(run.connector.name, "start", f"round {round_no}")
        with ThreadPoolExecutor(max_workers=len(work), thread_name_prefix="resolve") as pool:
            outcomes = list(pool.map(lambda item: _collect(*item), work))
        for (run, ids), outcome in zip(work, outcomes, strict=True):
            run.given.update(ids)
            if isinstance(outcome, str):
                run.error = outcome
                notify(run.connector.name, "error", outcome)
                continue
            run.merge(outcome)
            for ident in outcome.revealed:
                known.setdefault(ident, ident)
            notify(run.connector.name, "done", str(len(run.records)))
    return [_result(run, _hidden_from(run, runs)) for run in runs]


def _hidden_from(run: _Run, runs: Sequence[_Run]) -> list[str]:
    """The systems that failed, wholly or in a resource that reveals identifiers this one is
    searched by: what they could not read may have named records here too."""
    wanted = run.connector.looks_up - {EMAIL}
    return [
        f"{other.connector.name} could not be read completely, and names the "
        f"{', '.join(sorted(k.replace('_', ' ') for k in shared))} this system is searched by"
        for other in runs
        if other is not run
        and (shared := (other.connector.reveals if other.error else other.hidden) & wanted)
    ]


def _new_for(run: _Run, known: dict[Identifier, Identifier]) -> list[Identifier]:
    """The identifiers the system claims (`Connector.claim`, in its own kinds) that it has not
    been given yet; of two that it claims alike, the one found first."""
    claimed: dict[Identifier, Identifier] = {}
    for ident in known.values():
        own = run.connector.claim(ident)
        if own is not None and own not in run.given:
            claimed.setdefault(own, own)
    return list(claimed.values())


def _collect(run: _Run, ids: list[Identifier]) -> Collected | str:
    started = time.monotonic()
    path = parallel.Chain()
    try:
        with parallel.chain() as path:
            return run.connector.collect(ids)
    except SystemFailure as exc:
        return _without_prefix(str(exc), run.connector.name)
    except SHAPE_ERRORS as exc:  # an answer without the fields it should have had
        log.debug("%s failed: %s", run.connector.name, scrub(repr(exc)))
        return f"answered in an unexpected shape ({type(exc).__name__})"
    except Exception as exc:  # a bug: reported, never raised past here
        log.debug("%s failed: %s", run.connector.name, scrub(repr(exc)))
        return f"unexpected failure ({type(exc).__name__})"
    finally:
        run.seconds += time.monotonic() - started
        run.critical += path.depth


def _without_prefix(message: str, system: str) -> str:
    return message[len(system) + 2 :] if message.startswith(f"{system}: ") else message


def _result(run: _Run, hidden: list[str]) -> SourceResult:
    c = run.connector
    failed = [f"{resource}: {why}" for resource, why in run.failed.items()] + hidden
    if run.error:
        status = Status.error
    elif failed:
        status = Status.partial
    else:
        status = Status.ok if run.records else Status.not_found
    error = run.error or (f"incomplete: {'; '.join(failed)}" if failed else None)
    return SourceResult(
        system=c.name,
        title=c.title,
        role=c.role,
        status=status,
        error=error,
        failed=failed,
        records=list(run.records.values()),
        notes=[*c.notes, *run.notes],
        categories={
            t: c.categories.get(t, []) for t in sorted({r.type for r in run.records.values()})
        },
        lookup=run.lookup,
        requests=c.requests_made,
        minimum=run.minimum,
        critical=run.critical,
        seconds=round(run.seconds, 3),
    )
