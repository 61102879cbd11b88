"""One erasure at a time per person, and an erasure that stops between steps when asked.

`Guard` is what `bridge.erasure.process.erase` holds while it applies an erasure:

- the person's lock, a file in the state directory named by a hash of their pseudonym (never the
  address): a second erasure of the same person, from another process or thread, is refused at
  once and told which erasure (journal id), which pid and since when; other people are not held;
- a stop event, checked before each step: once set, no system starts another step, the steps in
  flight finish and are journaled, and `erase` raises `Stopped` (the rest stays `pending`, and
  running the erasure again resumes it). The caller can pass its own event (a GUI's stop button,
  a test); in the main thread the first Ctrl-C while steps are applied sets it, a second Ctrl-C
  raises KeyboardInterrupt as usual (the steps in flight then stay `started`, and a rerun repeats
  them, which is safe since every step is idempotent). Outside the main thread, or when the
  program has a SIGINT handler of its own, signals are left alone.
"""

from __future__ import annotations

import hashlib
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from bridge.core.errors import BridgeError
from bridge.core.steps import StepState
from bridge.erasure.journal import Journal
from bridge.store.db import Store
from bridge.store.locks import Held, exclusive


class Stopped(BridgeError):
    """The erasure stopped between steps, as asked; the journal resumes it."""

    exit_code = 130


def lock_path(home: Path, subject: str) -> Path:
    """The person's lock file: a hash of their pseudonym, so nothing leads back to the address."""
    digest = hashlib.sha256(f"erasure-lock:{subject}".encode()).hexdigest()[:32]
    return home / f"erase-{digest}.lock"


def _refusal(holder: dict[str, Any]) -> str:
    erasure = holder.get("erasure") or "one not journaled yet"
    since = f", since {holder['since']}" if holder.get("since") else ""
    pid = f"pid {holder['pid']}" if holder.get("pid") else "another process"
    return f"another erasure of this person is running: {erasure} ({pid}{since})"


class Guard:
    """The person's lock and the stop event of one erasure (neither for a dry run, which needs
    no `store` either)."""

    def __init__(
        self, store: Store | None, address: str, stop: threading.Event | None, *, dry_run: bool
    ) -> None:
        if store is None and not dry_run:
            raise ValueError("an erasure that is applied needs the state store")
        self.stop = stop or threading.Event()
        self.dry_run = dry_run
        self._address = address
        self._store = store
        self._subject = ""
        self._lock: Held | None = None
        self._sigint: _Sigint | None = None
        self._exit = ExitStack()

    @property
    def store(self) -> Store:
        assert self._store is not None, "a dry run has no store"
        return self._store

    @property
    def subject(self) -> str:
        return self._subject

    def __enter__(self) -> Guard:
        if self.dry_run:
            return self
        with ExitStack() as entering:
            self._subject = self.store.keys.pseudonym(self._address)
            path = lock_path(self.store.home, self._subject)
            self._lock = entering.enter_context(exclusive(path, _refusal))
            self._sigint = entering.enter_context(_sigint_sets(self.stop))
            self._exit = entering.pop_all()
        return self

    def __exit__(self, *exc: object) -> None:
        self._exit.close()

    def journaled(self, journal: Journal) -> None:
        """Name the erasure in the lock, for whoever is refused."""
        if self._lock is not None:
            self._lock.note(erasure=journal.id)

    @contextmanager
    def applying(self) -> Iterator[None]:
        """While steps are applied, the first Ctrl-C stops at the next step instead."""
        if self._sigint is None:
            yield
            return
        self._sigint.applying = True
        try:
            yield
        finally:
            self._sigint.applying = False

    def check(self, journal: Journal) -> None:
        """Raise Stopped if a stop was asked for; the journal stays open for a rerun."""
        if not self.stop.is_set():
            return
        entries = [e for e in journal.entries() if e.step.automatic]
        done = sum(1 for e in entries if e.state is StepState.done)
        raise Stopped(
            f"stopped: erasure {journal.id} has {done} of {len(entries)} automatic steps done, "
            "none half-way; run the same command again to resume"
        )


class _Sigint:
    """SIGINT while steps are applied: the first sets the stop, the next one interrupts."""

    def __init__(self, stop: threading.Event) -> None:
        self.stop = stop
        self.applying = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        if not self.applying or self.stop.is_set():
            raise KeyboardInterrupt
        self.stop.set()
        try:
            sys.stderr.write("stopping after the steps under way (Ctrl-C again to stop at once)\n")
            sys.stderr.flush()
        except (OSError, RuntimeError, ValueError):
            pass


@contextmanager
def _sigint_sets(stop: threading.Event) -> Iterator[_Sigint | None]:
    """Install the handler in the main thread, unless the program has one of its own."""
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield None
        return
    handler = _Sigint(stop)
    signal.signal(signal.SIGINT, handler)
    try:
        yield handler
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def run_all(tasks: Sequence[Callable[[], None]], stop: threading.Event) -> None:
    """Each task in a thread of its own; wait for all, then raise the first task's failure.

    Interrupted while waiting (KeyboardInterrupt), it sets `stop`, so no task starts another
    step, and re-raises at once: the threads are daemons, so the process need not wait for the
    steps in flight.
    """
    failures: list[BaseException | None] = [None] * len(tasks)

    def run(i: int) -> None:
        try:
            tasks[i]()
        except BaseException as exc:  # handed to the caller below
            failures[i] = exc

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(len(tasks))]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    except BaseException:
        stop.set()
        raise
    for failure in failures:
        if failure is not None:
            raise failure
