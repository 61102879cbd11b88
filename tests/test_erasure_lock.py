"""One erasure at a time per person, and a stop (Ctrl-C) that ends an erasure between two steps."""

from __future__ import annotations

import _thread
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from polling import wait_until

from bridge.app import App
from bridge.core.config import Config
from bridge.core.plugins import by_name
from bridge.erasure.guard import Guard, Stopped, run_all
from bridge.erasure.journal import Journal, JournalEntry
from bridge.erasure.process import ErasureResult
from bridge.store.db import Store
from bridge.store.locks import LockHeld
from sandbox.server import Sandbox, env_file_text, start

CLI = [sys.executable, "-m", "bridge"]
READ_ONLY_POSTS = {"/v1/oauth2/token", "/v2/invoicing/search-invoices"}  # PayPal reads by POST


@pytest.fixture()
def fresh(tmp_path: Path) -> Iterator[tuple[Sandbox, Config]]:
    """A sandbox of its own: erasure changes the shop."""
    with start("woocommerce") as sandbox:
        yield sandbox, Config({**sandbox.env, "PRIVACY_BRIDGE_HOME": str(tmp_path / "state")})


def woo_only(sandbox: Sandbox, home: Path) -> Config:
    """Just WooCommerce: one system thread, so a step listener that waits holds every write."""
    names = {s.name for s in by_name("woocommerce").settings}
    env = {k: v for k, v in sandbox.env.items() if k in names}
    return Config({**env, "PRIVACY_BRIDGE_HOME": str(home)})


def run(email: str, config: Config, **kwargs: Any) -> ErasureResult:
    with App(config) as app:
        return app.erase(email, dry_run=False, **kwargs).result


def requests(sandbox: Sandbox) -> dict[str, int]:
    return {name: len(f.requests) for name, f in sandbox.faults.items()}


def writes(sandbox: Sandbox, system: str) -> list[tuple[str, str]]:
    return [
        (method, path)
        for method, path in list(sandbox.faults[system].requests)
        if method != "GET" and path not in READ_ONLY_POSTS
    ]


def states(config: Config, email: str) -> dict[int, str]:
    store = Store(config.home)
    journal = Journal.find(store, store.keys.pseudonym(email))
    assert journal is not None
    return {e.seq: e.state for e in journal.entries()}


def test_a_second_erasure_of_the_same_person_is_refused_and_sends_nothing(
    fresh: tuple[Sandbox, Config], tmp_path: Path
) -> None:
    sandbox, _ = fresh
    config = woo_only(sandbox, tmp_path / "state")
    subject = sandbox.shop.subject_email
    holding, release = threading.Event(), threading.Event()
    first: list[ErasureResult | BaseException] = []

    def on_step(entry: JournalEntry, state: str) -> None:
        holding.set()
        assert release.wait(60), "the test never released the first erasure"

    def first_erasure() -> None:  # in a thread: the library off the main thread, too
        try:
            first.append(run(subject, config, on_step=on_step))
        except BaseException as exc:
            first.append(exc)

    thread = threading.Thread(target=first_erasure)
    thread.start()
    try:
        assert holding.wait(60), first
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # left alone
        store = Store(config.home)
        journal = Journal.find(store, store.keys.pseudonym(subject))
        assert journal is not None
        locks = [p.name for p in Path(config.home).glob("*.lock")]
        assert len(locks) == 1 and locks[0].startswith("erase-")
        assert store.keys.pseudonym(subject) not in locks[0] and subject not in locks[0]
        assert subject not in (Path(config.home) / locks[0]).read_text()
        before = requests(sandbox)

        # The same person from another thread: refused at once, naming the first erasure.
        with pytest.raises(LockHeld) as refused:
            run(subject, config)
        message = str(refused.value)
        assert journal.id in message and f"pid {os.getpid()}" in message and "since " in message
        assert subject not in message and "\n" not in message

        # ... and from another process, through the CLI: one line, exit 2.
        env_file = tmp_path / "sandbox.env"
        env_file.write_text(env_file_text(dict(config.values)))
        cli = subprocess.run(
            [*CLI, "erase", "--email", subject, "--yes", "--env-file", str(env_file)],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "COLUMNS": "200"},  # rich wraps at 80 columns without a terminal
        )
        assert cli.returncode == 2, cli.stderr
        assert len(cli.stderr.strip().splitlines()) == 1, cli.stderr
        assert journal.id in cli.stderr and f"(pid {os.getpid()}, since " in cli.stderr
        assert "another erasure of this person is running" in cli.stderr
        assert subject not in cli.stderr + cli.stdout
        assert requests(sandbox) == before  # neither of them sent anything

        # Someone else is not held up by this person's erasure.
        other = sandbox.shop.traps["containment"]
        assert run(other, config).automatic_done
        assert thread.is_alive()
    finally:
        release.set()
        thread.join(60)
    assert isinstance(first[0], ErasureResult) and first[0].complete, first
    assert not list(Path(config.home).glob("*.lock"))  # released and removed


def test_a_stop_ends_at_a_step_boundary_and_a_rerun_applies_nothing_twice(
    fresh: tuple[Sandbox, Config],
) -> None:
    sandbox, config = fresh
    subject = sandbox.shop.subject_email
    stop = threading.Event()
    mutex = threading.Lock()
    seen: list[tuple[str, int, bool]] = []  # (system, seq, after the stop)
    stopper: dict[str, Any] = {}

    def on_step(entry: JournalEntry, state: str) -> None:
        with mutex:
            seen.append((entry.step.system, entry.seq, stop.is_set()))
            if len(seen) == 3:
                system = entry.step.system
                stopper.update(system=system, writes=len(writes(sandbox, system)))
                stopper["at_stop"] = {s: len(writes(sandbox, s)) for s in sandbox.faults}
                stop.set()

    with pytest.raises(Stopped, match=r"stopped: erasure era-\S+ has \d+ of \d+ automatic steps"):
        run(subject, config, on_step=on_step, stop=stop)

    after = states(config, subject)
    assert "started" not in after.values()  # every step under way finished and was journaled
    assert list(after.values()).count("pending") > 20
    # No call starts after the stop: at most the one under way finishes (one step, or the items
    # of one batch, which are reported after the stop when the stop came from one of them).
    assert all(len(writes(sandbox, s)) - n <= 1 for s, n in stopper["at_stop"].items())
    assert len(writes(sandbox, stopper["system"])) == stopper["writes"]
    done_first = {seq for seq, state in after.items() if state in ("done", "failed")}
    assert done_first == {seq for _, seq, _ in seen}
    writes_first = {s: writes(sandbox, s) for s in sandbox.faults}

    rerun: list[int] = []
    second = run(subject, config, on_step=lambda entry, state: rerun.append(entry.seq))
    assert second.complete, second.problems
    assert not done_first & set(rerun)  # nothing done before is applied again
    for system in sandbox.faults:
        every = writes(sandbox, system)
        # no write sent twice (a batch's path repeats: its items are the journal's steps above)
        singles = [w for w in every if not w[1].endswith("/batch")]
        assert len(singles) == len(set(singles)), system
        assert every[: len(writes_first[system])] == writes_first[system]


def test_the_sigint_handler_sets_the_stop_only_while_steps_are_applied(tmp_path: Path) -> None:
    with Guard(Store(tmp_path / "state"), "jan@example.nl", None, dry_run=False) as guard:
        assert signal.getsignal(signal.SIGINT) is not signal.default_int_handler
        with pytest.raises(KeyboardInterrupt):  # collecting: Ctrl-C interrupts as usual
            signal.raise_signal(signal.SIGINT)
        assert not guard.stop.is_set()
        with guard.applying():
            try:
                signal.raise_signal(signal.SIGINT)  # the first: stop at the next step
            except KeyboardInterrupt:
                pytest.fail("the first Ctrl-C while applying interrupted")
            assert guard.stop.is_set()
            with pytest.raises(KeyboardInterrupt):  # the second: at once
                signal.raise_signal(signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler

    errors: list[BaseException] = []

    def off_the_main_thread() -> None:
        try:
            with Guard(Store(tmp_path / "state"), "jan@example.nl", None, dry_run=False) as guard:
                assert guard.store.home == tmp_path / "state"
                assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=off_the_main_thread)
    thread.start()
    thread.join(10)
    assert not errors and signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_an_interrupt_while_waiting_stops_the_threads_and_returns_at_once() -> None:
    stop, release, started_again = threading.Event(), threading.Event(), threading.Event()
    finished = threading.Event()

    def step_under_way() -> None:
        _thread.interrupt_main()  # the second Ctrl-C, while this step is still under way
        release.wait(30)
        if not stop.is_set():
            started_again.set()
        finished.set()

    with pytest.raises(KeyboardInterrupt):
        run_all([step_under_way], stop)
    assert not finished.is_set()  # returned while the step was still under way: no waiting
    assert stop.is_set()
    release.set()
    assert not started_again.is_set()


def done_steps(home: Path, system: str) -> int:
    db = home / Store.FILE
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=1) as conn:
            return int(
                conn.execute(
                    "SELECT COUNT(*) FROM journal WHERE state = 'done' AND system = ?", (system,)
                ).fetchone()[0]
            )
    except sqlite3.OperationalError:
        return 0


def test_ctrl_c_in_the_cli_stops_cleanly_exits_130_and_a_rerun_finishes(tmp_path: Path) -> None:
    with start("woocommerce", latency_ms=5) as sandbox:
        home = tmp_path / "state"
        subject = sandbox.shop.subject_email
        env_file = tmp_path / "sandbox.env"
        env_file.write_text(env_file_text({**sandbox.env, "PRIVACY_BRIDGE_HOME": str(home)}))
        command = [*CLI, "erase", "--email", subject, "--yes", "--json"]
        command += ["--env-file", str(env_file), "--out", str(tmp_path / "reports")]
        victim = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        wait_until(
            lambda: done_steps(home, "woocommerce") >= 3,  # WooCommerce has ~50 to do
            "three WooCommerce steps done",
            still=lambda: None if victim.poll() is None else "the erasure ended before the Ctrl-C",
            every=0.01,
            polls=6000,
        )
        victim.send_signal(signal.SIGINT)
        stdout, stderr = victim.communicate(timeout=60)
        assert victim.returncode == 130, stderr
        lines = stderr.strip().splitlines()
        assert lines[-1].startswith("stopped: erasure era-"), stderr
        assert "run the same command again to resume" in lines[-1]
        assert "Traceback" not in stderr and subject not in stderr and not stdout
        config = Config({"PRIVACY_BRIDGE_HOME": str(home)})
        after = states(config, subject)
        assert "started" not in after.values() and "pending" in after.values()
        assert not list(home.glob("*.lock"))

        resumed = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert resumed.returncode == 0, resumed.stderr
        assert json.loads(resumed.stdout)["automatic_done"] is True
        for system in sandbox.faults:
            every = writes(sandbox, system)
            assert len(every) == len(set(every)), system
