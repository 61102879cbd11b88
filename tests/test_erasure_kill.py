"""A kill -9 in the middle of an erasure, then the same command again: the same end state as an
uninterrupted run, on a sandbox that runs in its own process (so it survives the kill)."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from polling import wait_until

from bridge.api import open_connectors
from bridge.core.config import load_config
from bridge.erasure.journal import Journal
from bridge.store.db import Store

CLI = [sys.executable, "-m", "bridge"]
# Fields that differ between two sandboxes for reasons other than the erasure: their own host
# and port in URLs, and the moment of the last change.
VOLATILE = re.compile(r"modified|url|_links")


@pytest.fixture()
def two_sandboxes(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """Two identical sandboxes (same seed, same day), each in its own process."""
    procs, files = [], []
    for name in ("a", "b"):
        env_file = tmp_path / f"{name}.env"
        procs.append(
            subprocess.Popen(
                [*CLI, "sandbox", "serve", "--env-file", str(env_file), "--latency-ms", "15"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        files.append(env_file)
    wait_until(
        lambda: all(f.exists() and "MOLLIE_API_KEY" in f.read_text() for f in files),
        "sandbox did not start",
        every=0.1,
        polls=600,
    )
    for name, env_file in zip(("a", "b"), files, strict=True):
        with env_file.open("a") as handle:
            handle.write(f"PRIVACY_BRIDGE_HOME={tmp_path / ('state-' + name)}\n")
    yield files[0], files[1]
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)


def subject(env_file: Path) -> str:
    line = next(
        line for line in env_file.read_text().splitlines() if line.startswith("# subject: ")
    )
    return line.removeprefix("# subject: ")


def erase_cmd(env_file: Path, tmp_path: Path) -> list[str]:
    return [
        *CLI,
        "erase",
        "--email",
        subject(env_file),
        "--yes",
        "--json",
        "--env-file",
        str(env_file),
        "--out",
        str(tmp_path / "reports"),
    ]


def end_state(env_file: Path) -> dict[str, Any]:
    """Every record the journal touched, as its system holds it now (volatile fields dropped)."""
    config = load_config(env_file)
    store = Store(config.home)
    subject_hash = store.keys.pseudonym(subject(env_file))
    journal = Journal.open(store, subject_hash)
    state: dict[str, Any] = {}
    with open_connectors(config) as connectors:
        by_name = {c.name: c for c in connectors}
        for entry in journal.entries():
            step = entry.step
            if step.operation in ("none", "manual"):
                continue
            record = by_name[step.system].fetch(step)
            state[f"{step.system}/{step.key}"] = _stable(record)
    return state


def _stable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if not VOLATILE.search(k)}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def done_steps(home: Path) -> int:
    db = home / "privacy-bridge.sqlite3"
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=1) as conn:
            return int(
                conn.execute("SELECT COUNT(*) FROM journal WHERE state = 'done'").fetchone()[0]
            )
    except sqlite3.OperationalError:
        return 0


def test_kill_9_half_way_then_resume_equals_an_uninterrupted_run(
    two_sandboxes: tuple[Path, Path], tmp_path: Path
) -> None:
    killed_env, clean_env = two_sandboxes
    home = load_config(killed_env).home
    victim = subprocess.Popen(
        erase_cmd(killed_env, tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    wait_until(
        lambda: done_steps(home) >= 8,
        "eight steps done",
        still=lambda: None if victim.poll() is None else "the erasure finished before the kill",
    )
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    interrupted = done_steps(home)
    resumed = subprocess.run(
        erase_cmd(killed_env, tmp_path), capture_output=True, text=True, timeout=300
    )
    assert resumed.returncode == 0, resumed.stderr
    summary = json.loads(resumed.stdout)
    assert summary["automatic_done"] is True and summary["state"] == "open"
    clean = subprocess.run(
        erase_cmd(clean_env, tmp_path), capture_output=True, text=True, timeout=300
    )
    assert clean.returncode == 0, clean.stderr
    assert json.loads(clean.stdout)["automatic_done"] is True
    assert 0 < interrupted < done_steps(home)
    killed_state, clean_state = end_state(killed_env), end_state(clean_env)
    differing = {
        key: [
            k
            for k in killed_state[key]
            if killed_state[key].get(k) != (clean_state.get(key) or {}).get(k)
        ]
        for key in killed_state
        if killed_state[key] != clean_state.get(key)
    }
    assert killed_state and not differing, differing
