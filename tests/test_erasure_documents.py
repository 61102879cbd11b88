"""The erasure's two documents for the sandbox's subject, through the CLI: the customer's page holds
no operator material, every open manual step is on the worksheet, and the CLI's last line, the
JSON and the page say the same about where the erasure stands."""

from __future__ import annotations

import json
import re
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bridge.cli.main import app
from exports.erasure_report import worksheet_path
from sandbox.server import start
from tests.bilingual import unpaired

runner = CliRunner()
# What only the operator may see: SQL, the shop's tables, API paths, instructions to the operator.
OPERATOR = re.compile(
    r"UPDATE |SELECT |DELETE FROM|wp_|/v\d+/|/wp-json|orders/\d|\bAsk [A-Z]|Send this request|"
    r"merchant support|--confirm-manual",
)


@dataclass(frozen=True)
class Erased:
    lines: list[str]
    report: dict[str, object]
    page: str
    sheet: str
    zip_path: Path
    names: list[str]


def _erase(env: Path, out: Path, *extra: str) -> tuple[int, str]:
    done = runner.invoke(
        app, ["erase", "--email", EMAIL[0], *extra, "--out", str(out), "--env-file", str(env)]
    )
    return done.exit_code, done.stdout


EMAIL: list[str] = []


@pytest.fixture(scope="module")
def erased(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Erased]:
    """The sandbox's subject erased once, with a sandbox of its own (erasure changes the shop)."""
    tmp = tmp_path_factory.mktemp("erase")
    with start("woocommerce") as sandbox:
        EMAIL[:] = [sandbox.shop.subject_email]
        env = tmp / "test.env"
        values = {**sandbox.env, "PRIVACY_BRIDGE_HOME": str(tmp / "state")}
        env.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
        code, stdout = _erase(env, tmp / "out", "--yes")
        assert code == 0, stdout
        (path,) = (tmp / "out").glob("*.zip")
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            report = json.loads(archive.read("erasure-report.json"))
            page = archive.read("index.html").decode("utf-8")
        yield Erased(
            lines=[line for line in stdout.splitlines() if line.strip()],
            report=report,
            page=page,
            sheet=worksheet_path(path).read_text(encoding="utf-8"),
            zip_path=path,
            names=names,
        )


def test_the_json_is_not_complete_while_manual_steps_are_open(erased: Erased) -> None:
    open_steps = erased.report["open_steps"]
    assert isinstance(open_steps, dict) and open_steps["total"] > 0
    assert erased.report["complete"] is False and erased.report["state"] == "open"


def test_the_cli_last_line_agrees_with_the_json(erased: Erased) -> None:
    last = erased.lines[-1]
    open_steps = erased.report["open_steps"]
    assert isinstance(open_steps, dict)
    assert last.startswith(f"erasure {erased.report['state']}: {open_steps['total']} manual")
    assert f"{open_steps['by_hand']} by hand" in last
    assert f"{open_steps['at_companies']} requests to companies" in last
    assert any(line.startswith("worksheet: ") for line in erased.lines)


def test_the_customer_page_holds_no_operator_material(erased: Erased) -> None:
    found = OPERATOR.findall(erased.page)
    assert found == []
    for system in erased.report["systems"]:  # type: ignore[attr-defined]
        for step in system["steps"]:
            if step["instruction"]:
                assert step["instruction"][:40] not in erased.page
        if system["notice"]:
            assert system["notice"][:40] not in erased.page
    assert "<table" not in erased.page
    assert 'id="state-open"' in erased.page
    assert unpaired(erased.page) == []


def test_every_open_manual_step_is_on_the_worksheet(erased: Erased) -> None:
    steps = [
        step
        for system in erased.report["systems"]  # type: ignore[attr-defined]
        for step in system["steps"]
        if step["state"] == "manual"
    ]
    assert len(steps) == erased.report["open_manual_steps"]
    for step in steps:
        assert f'<li value="{step["seq"]}">' in erased.sheet
        assert step["record_id"] in erased.sheet
    assert "UPDATE wp_wc_orders" in erased.sheet  # the SQL is for the operator
    for system in erased.report["systems"]:  # type: ignore[attr-defined]
        if system["notice"]:
            assert system["notice"][:60] in erased.sheet


def test_the_worksheet_is_private_and_not_in_the_zip(erased: Erased) -> None:
    sheet = worksheet_path(erased.zip_path)
    assert stat.S_IMODE(sheet.stat().st_mode) == 0o600
    assert erased.names == ["erasure-report.json", "index.html", "manifest.json"]
