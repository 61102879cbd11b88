"""Package and report names carry the keyed pseudonym; every directory written into is 0700.

A name is the first 8 hex digits of the state's HMAC of the address, so a list of addresses does
not tell whose file it is. Out directories and the state directory are made 0700 when the tool
creates them and when they exist with broader permissions and are the user's; one that cannot be
made private is refused in one line before anything is sent or written.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bridge.cli.main import app
from bridge.core.dirs import check_private_dir, private_dir
from bridge.core.errors import InputError
from bridge.core.models import DataPackage, Subject
from bridge.store.db import Store
from bridge.store.keys import Keys
from exports.naming import package_filename, subject_tag
from sandbox.server import Sandbox

runner = CliRunner()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    old = os.umask(0)
    yield
    os.umask(old)


def not_mine(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """Make `path` look like another user's: this process's effective uid is another one."""
    owner = path.stat().st_uid
    monkeypatch.setattr(os, "geteuid", lambda: owner + 1)


# --- directories -----------------------------------------------------------------------------


def test_a_new_directory_is_0700_whatever_the_umask(tmp_path: Path, open_umask: None) -> None:
    made = private_dir(tmp_path / "a" / "b")
    assert made == tmp_path / "a" / "b" and mode(made) == 0o700


@pytest.mark.parametrize("before", [0o777, 0o755, 0o750, 0o701, 0o1777])
def test_an_open_directory_of_mine_is_narrowed(tmp_path: Path, before: int) -> None:
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(before)
    private_dir(out)
    assert mode(out) == 0o700


def test_a_private_directory_is_left_as_it_is(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o500)  # narrower than 0700 is the owner's choice
    private_dir(out)
    assert mode(out) == 0o500
    out.chmod(0o700)


def test_another_users_open_directory_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "shared"
    out.mkdir()
    out.chmod(0o777)
    not_mine(monkeypatch, out)
    with pytest.raises(InputError) as caught:
        private_dir(out)
    message = str(caught.value)
    assert "belongs to another user" in message and "0777" in message and str(out) in message
    assert "\n" not in message and caught.value.exit_code == 2
    assert mode(out) == 0o777


def test_another_users_private_directory_is_accepted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "theirs"
    out.mkdir(mode=0o700)
    not_mine(monkeypatch, out)
    assert private_dir(out) == out


def test_a_chmod_the_file_system_ignores_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "mounted"
    out.mkdir()
    out.chmod(0o777)
    monkeypatch.setattr(os, "chmod", lambda *_a, **_k: None)
    with pytest.raises(InputError, match="its file system keeps mode 0777"):
        private_dir(out)


def test_a_file_is_not_a_directory(tmp_path: Path) -> None:
    path = tmp_path / "file"
    path.write_text("x")
    with pytest.raises(InputError, match="is not a directory"):
        private_dir(path)
    with pytest.raises(InputError, match="is not a directory"):
        check_private_dir(path)


def test_check_leaves_a_missing_directory_missing(tmp_path: Path) -> None:
    check_private_dir(tmp_path / "later")
    assert not (tmp_path / "later").exists()


def test_the_state_directory_is_narrowed(tmp_path: Path) -> None:
    home = tmp_path / "state"
    home.mkdir()
    home.chmod(0o777)
    store = Store(home)
    assert mode(home) == 0o700
    assert mode(home / Store.FILE) == 0o600
    store.keys.pseudonym("jan@example.nl")
    assert mode(home / "hmac.key") == 0o600
    store.close()


def _env(sbx: Sandbox, tmp_path: Path) -> Path:
    path = tmp_path / "test.env"
    values = {**sbx.env, "PRIVACY_BRIDGE_HOME": str(tmp_path / "state")}
    path.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    return path


def test_export_narrows_an_open_out_and_home(sbx: Sandbox, tmp_path: Path) -> None:
    out, home = tmp_path / "out", tmp_path / "state"
    for directory in (out, home):
        directory.mkdir()
        directory.chmod(0o777)
    env = str(_env(sbx, tmp_path))
    args = ["export", "--email", sbx.shop.subject_email, "--out", str(out), "--json"]
    result = runner.invoke(app, [*args, "--env-file", env])
    assert result.exit_code == 0, result.output
    package = Path(json.loads(result.stdout)["package"])
    assert (mode(out), mode(home), mode(package)) == (0o700, 0o700, 0o600)


def test_export_refuses_another_users_out_before_any_request(
    sbx: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "shared"
    out.mkdir()
    out.chmod(0o777)
    not_mine(monkeypatch, out)
    env = str(_env(sbx, tmp_path))
    args = ["export", "--email", sbx.shop.subject_email, "--out", str(out)]
    result = runner.invoke(app, [*args, "--env-file", env])
    assert result.exit_code == 2, result.output
    assert len(result.stderr.strip().splitlines()) == 1
    assert "belongs to another user" in result.stderr
    assert list(out.iterdir()) == [] and mode(out) == 0o777
    assert sum(sbx.requests(system) for system in sbx.servers) == 0


def test_erase_refuses_another_users_report_directory_before_any_request(
    sbx: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "reports"
    out.mkdir()
    out.chmod(0o775)
    not_mine(monkeypatch, out)
    env = str(_env(sbx, tmp_path))
    # --yes: a dry run writes nothing, so it takes no --out (refused as input on its own)
    args = ["erase", "--email", sbx.shop.subject_email, "--yes", "--out", str(out)]
    result = runner.invoke(app, [*args, "--env-file", env])
    assert result.exit_code == 2, result.output
    assert len(result.stderr.strip().splitlines()) == 1 and "0775" in result.stderr
    assert sum(sbx.requests(system) for system in sbx.servers) == 0


# --- names -----------------------------------------------------------------------------------


def test_the_package_is_named_by_the_keyed_pseudonym(sbx: Sandbox, tmp_path: Path) -> None:
    subject = sbx.shop.subject_email
    env = str(_env(sbx, tmp_path))
    args = ["export", "--email", subject, "--out", str(tmp_path / "out"), "--json"]
    result = runner.invoke(app, [*args, "--env-file", env])
    assert result.exit_code == 0, result.output
    name = Path(json.loads(result.stdout)["package"]).name
    keyed = Keys(tmp_path / "state").pseudonym(subject)[:8]
    unkeyed = hashlib.sha256(subject.strip().lower().encode()).hexdigest()[:8]
    assert name.startswith(f"privacy-bridge-{keyed}-") and unkeyed not in name
    assert subject.split("@")[0].lower() not in name.lower()


def test_another_state_key_gives_another_name(tmp_path: Path) -> None:
    package = DataPackage(
        subject=Subject(email="jan@example.nl"),
        generated_at=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
        complete=True,
        sources=[],
    )
    first = package_filename(package, Keys(tmp_path / "a").pseudonym("jan@example.nl"))
    second = package_filename(package, Keys(tmp_path / "b").pseudonym("jan@example.nl"))
    assert first != second
    assert first.endswith("-20250102T030405Z.zip") and second.endswith("-20250102T030405Z.zip")


@pytest.mark.parametrize("wrong", ["jan@example.nl", "", "short", "0123abc"])
def test_a_name_needs_the_pseudonym_never_an_address(wrong: str) -> None:
    with pytest.raises(ValueError, match="keyed pseudonym"):
        subject_tag(wrong)
