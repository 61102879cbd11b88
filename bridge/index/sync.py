"""The scheduled sync: each system's changes since its cursor, into the pseudonymised index.

Systems run at once, the streams of one system one after another. Every batch is written with its
cursor in one transaction (bridge.index.entries.write), so a crash or a kill resumes without gaps, and
upserts keep a repeated batch from doubling anything. A lock file keeps two syncs apart.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bridge.core.connector import Connector
from bridge.core.errors import SystemFailure
from bridge.core.redact import scrub
from bridge.index import entries as index
from bridge.store.db import Store
from bridge.store.locks import exclusive

# (system, stream, entries written so far)
SyncListener = Callable[[str, str, int], None]


@dataclass
class StreamResult:
    system: str
    stream: str
    entries: int = 0
    batches: int = 0
    cursor: str | None = None
    error: str | None = None


@dataclass
class SyncResult:
    streams: list[StreamResult] = field(default_factory=list)
    requests: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(s.error is None for s in self.streams)


@contextmanager
def sync_lock(home: Path) -> Iterator[None]:
    """One sync at a time per state directory; the second is refused at once, not queued."""
    with exclusive(home / "sync.lock", "another sync is running (lock held on sync.lock)"):
        yield


def sync(
    store: Store,
    connectors: Sequence[Connector],
    *,
    full: bool = False,
    listener: SyncListener | None = None,
) -> SyncResult:
    """Bring the index in `store` up to date with what changed in the systems of `connectors`
    (`full`: from the beginning, ignoring the cursors)."""
    started = time.monotonic()
    result = SyncResult()
    with sync_lock(store.home):
        syncing = [c for c in connectors if c.streams]
        with ThreadPoolExecutor(max_workers=max(1, len(syncing))) as pool:
            jobs = [pool.submit(_sync_system, store, c, full, listener) for c in syncing]
            for job in jobs:
                result.streams += job.result()
        result.requests = {c.name: c.requests_made for c in syncing}
    result.seconds = round(time.monotonic() - started, 3)
    return result


def _sync_system(
    store: Store, connector: Connector, full: bool, listener: SyncListener | None
) -> Sequence[StreamResult]:
    saved = {stream: value for stream, (value, _) in index.cursors(store, connector.name).items()}
    results = []
    for stream in connector.streams:
        outcome = StreamResult(connector.name, stream, cursor=None if full else saved.get(stream))
        try:
            for batch in connector.changes(stream, outcome.cursor):
                index.write(store, connector.name, stream, batch.entries, batch.cursor)
                outcome.entries += len(batch.entries)
                outcome.batches += 1
                outcome.cursor = batch.cursor or outcome.cursor
                if listener:
                    listener(connector.name, stream, outcome.entries)
        except SystemFailure as exc:
            outcome.error = scrub(str(exc))
        results.append(outcome)
    return results
