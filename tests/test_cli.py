"""The command line: help texts, bad input, the export and its exit statuses."""

from __future__ import annotations

import json
import os
import stat
import zipfile
from pathlib import Path
from typing import Any

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from bridge.cli.main import app
from sandbox.faults import NO_WAIT, Fault
from sandbox.server import Sandbox

runner = CliRunner()


def env_file(sbx: Sandbox, tmp_path: Path, **override: str) -> Path:
    path = tmp_path / "test.env"
    values = {**sbx.env, "PRIVACY_BRIDGE_HOME": str(tmp_path / "state"), **override}
    path.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    return path


def all_commands() -> list[tuple[str, Any]]:
    found = []
    for name, command in get_command(app).commands.items():  # type: ignore[attr-defined]
        subcommands = getattr(command, "commands", None)
        if subcommands:
            found += [(f"{name} {sub}", c) for sub, c in subcommands.items()]
        else:
            found.append((name, command))
    return found


@pytest.mark.parametrize(("name", "command"), all_commands())
def test_every_command_has_help_with_an_example(name: str, command: Any) -> None:
    assert command.help and "Example:" in command.help, name


def test_export_writes_a_private_package_and_a_json_summary(sbx: Sandbox, tmp_path: Path) -> None:
    out = tmp_path / "packages"
    result = runner.invoke(
        app,
        [
            "export",
            "--email",
            sbx.shop.subject_email,
            "--out",
            str(out),
            "--json",
            "--env-file",
            str(env_file(sbx, tmp_path)),
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    package = Path(summary["package"])
    assert summary["complete"] is True and package.parent == out
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(package).st_mode) == 0o600
    with zipfile.ZipFile(package) as zf:
        data = json.loads(zf.read("data.json"))
    assert data["complete"] is True
    assert {s["system"] for s in data["sources"]} == set(sbx.servers)


@pytest.mark.parametrize("email", ["not-an-address", "jan@", "@x.nl", "a b@x.nl", ""])
def test_a_malformed_email_is_one_line_and_exit_2(sbx: Sandbox, tmp_path: Path, email: str) -> None:
    out = tmp_path / "never"
    result = runner.invoke(
        app,
        ["export", "--email", email, "--out", str(out), "--env-file", str(env_file(sbx, tmp_path))],
    )
    assert result.exit_code == 2
    assert "not a valid e-mail address" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert not out.exists() and sbx.requests("woocommerce") == 0


def test_no_configured_system_is_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.split("_")[0] in {"WOOCOMMERCE", "MOLLIE", "PAYPAL", "LIGHTSPEED", "MYPARCEL"}:
            monkeypatch.delenv(name)
    empty = tmp_path / "empty.env"
    empty.write_text("")
    result = runner.invoke(
        app,
        ["export", "--email", "jan@example.nl", "--out", str(tmp_path), "--env-file", str(empty)],
    )
    assert result.exit_code == 2 and "no system is configured" in result.stderr


def test_a_failing_system_gives_an_incomplete_package_and_exit_1(
    sbx: Sandbox, tmp_path: Path
) -> None:
    sbx.faults["woocommerce"].add(Fault(status=503, times=1000, headers=NO_WAIT))
    result = runner.invoke(
        app,
        [
            "export",
            "--email",
            sbx.shop.subject_email,
            "--out",
            str(tmp_path / "p"),
            "--json",
            "--env-file",
            str(env_file(sbx, tmp_path)),
        ],
    )
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    assert summary["complete"] is False and Path(summary["package"]).exists()
    woo = next(s for s in summary["systems"] if s["system"] == "woocommerce")
    assert woo["status"] == "error" and "503" in woo["error"]


def test_a_wrong_key_never_shows_the_key(sbx: Sandbox, tmp_path: Path) -> None:
    path = env_file(sbx, tmp_path, WOOCOMMERCE_CONSUMER_SECRET="cs_wrongwrongwrong")
    result = runner.invoke(app, ["check", "--json", "--env-file", str(path)])
    assert result.exit_code == 1
    checks = {c["system"]: c for c in json.loads(result.stdout)}
    assert checks["woocommerce"]["ok"] is False
    assert "cs_wrongwrongwrong" not in result.output


def test_a_missing_env_file_is_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", "--env-file", str(tmp_path / "nope.env")])
    assert result.exit_code == 2 and "env file not found" in result.stderr
