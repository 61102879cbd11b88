"""An erasure request from the register: refused until verified, then erased, confirmed, forgotten."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bridge.cli.main import app
from bridge.register.step_numbers import ranges
from sandbox.server import Sandbox, start

runner = CliRunner()


@pytest.fixture()
def env(tmp_path: Path) -> Iterator[tuple[Sandbox, Path]]:
    with start("woocommerce") as sandbox:
        path = tmp_path / "shop.env"
        values = {**sandbox.env, "PRIVACY_BRIDGE_HOME": str(tmp_path / "state")}
        path.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
        yield sandbox, path


def cli(path: Path, *args: str) -> object:
    return runner.invoke(app, [*args, "--env-file", str(path)])


def test_an_erasure_request_from_new_to_completed_forgets_the_address(
    env: tuple[Sandbox, Path], tmp_path: Path
) -> None:
    sandbox, path = env
    address = sandbox.shop.subject_email
    made = runner.invoke(
        app,
        [
            "requests",
            "new",
            "--type",
            "erasure",
            "--email",
            address,
            "--json",
            "--env-file",
            str(path),
        ],
    )
    assert made.exit_code == 0, made.output
    request_id = json.loads(made.stdout)["id"]

    refused = runner.invoke(
        app, ["erase", "--request", request_id, "--yes", "--env-file", str(path)]
    )
    assert refused.exit_code == 2 and "verify it first" in refused.stderr
    assert not any(m in ("PUT", "DELETE") for f in sandbox.faults.values() for m, _ in f.requests)

    verified = runner.invoke(
        app,
        [
            "requests",
            "verify",
            request_id,
            "--manual",
            "--note",
            "ID seen",
            "--env-file",
            str(path),
        ],
    )
    assert verified.exit_code == 0, verified.output
    erased = runner.invoke(
        app,
        [
            "erase",
            "--request",
            request_id,
            "--yes",
            "--json",
            "--out",
            str(tmp_path / "r"),
            "--env-file",
            str(path),
        ],
    )
    assert erased.exit_code == 0, erased.output
    summary = json.loads(erased.stdout)
    # everything automatic done; the steps by hand keep it open, in the JSON as in the report
    assert summary["automatic_done"] is True and summary["manual"]
    assert summary["state"] == "open" and summary["complete"] is False
    assert summary["open_steps"]["total"] == len(summary["manual"])
    shown = json.loads(
        runner.invoke(
            app, ["requests", "show", request_id, "--json", "--env-file", str(path)]
        ).stdout
    )
    assert shown["status"] == "awaiting_manual"

    # pasted as the tool prints them: ranges with an en dash (`57–71, 80`)
    steps = ranges([m["seq"] for m in summary["manual"]])
    assert "–" in steps
    confirmed = runner.invoke(
        app,
        [
            "erase",
            "--request",
            request_id,
            "--confirm-manual",
            steps,
            "--note",
            "done in admin",
            "--env-file",
            str(path),
        ],
    )
    assert confirmed.exit_code == 0, confirmed.output
    shown = json.loads(
        runner.invoke(
            app, ["requests", "show", request_id, "--json", "--env-file", str(path)]
        ).stdout
    )
    assert shown["status"] == "completed"

    state = tmp_path / "state"
    needle = address.encode()
    for file in state.iterdir():
        if file.is_file():
            assert needle not in file.read_bytes().lower(), file.name
