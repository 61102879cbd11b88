"""`sandbox serve --env-file F` gives the sandbox a state directory of its own (F.home, 0700),
written into F, so that its fake requests, index and keys never land in the real one."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from dotenv import dotenv_values
from polling import wait_until
from typer.testing import CliRunner

from bridge.cli.demo import sandbox_home
from bridge.cli.main import app
from bridge.core.config import HOME_SETTING, load_config
from bridge.store.db import Store

CLI = [sys.executable, "-m", "bridge"]
runner = CliRunner()


@pytest.fixture()
def served(tmp_path: Path) -> Iterator[tuple[Path, subprocess.Popen[bytes]]]:
    """`sandbox serve` in its own process (without a PRIVACY_BRIDGE_HOME of the environment),
    until its env file is written; stopped with SIGTERM afterwards."""
    env_file = tmp_path / "sandbox.env"
    environ = {k: v for k, v in os.environ.items() if k != HOME_SETTING}
    proc = subprocess.Popen(
        [*CLI, "sandbox", "serve", "--env-file", str(env_file)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=environ,
    )
    try:
        wait_until(
            lambda: env_file.exists() and HOME_SETTING in env_file.read_text(),
            "sandbox did not start",
            still=lambda: None if proc.poll() is None else "sandbox serve ended",
            every=0.1,
            polls=600,
        )
        yield env_file, proc
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)


def test_serve_writes_a_state_directory_of_its_own_into_the_env_file(
    served: tuple[Path, subprocess.Popen[bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file, _ = served
    home = Path(str(dotenv_values(env_file)[HOME_SETTING]))
    assert home == env_file.with_name("sandbox.env.home") == sandbox_home(env_file)
    assert home.is_absolute() and home.is_dir()
    assert stat.S_IMODE(home.stat().st_mode) == 0o700

    # The commands that read the file use it: a request registered lands there.
    monkeypatch.delenv(HOME_SETTING, raising=False)
    assert load_config(env_file, environ={}).home == home
    made = runner.invoke(
        app,
        [
            "requests",
            "new",
            "--type",
            "access",
            "--email",
            "jan@example.nl",
            "--operator",
            "tester",
            "--env-file",
            str(env_file),
        ],
    )
    assert made.exit_code == 0, made.output
    assert (home / Store.FILE).is_file()


def test_the_home_is_beside_the_env_file_whatever_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert sandbox_home(Path("sandbox.env")) == tmp_path / "sandbox.env.home"
    assert sandbox_home(Path("conf/shop.env")) == tmp_path / "conf" / "shop.env.home"
