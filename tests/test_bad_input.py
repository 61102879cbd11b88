"""Every foreseeable bad condition is one line on stderr that names what to fix (issue 11).

One table of cases, each run through the real CLI: bad state (the state directory and its
database, keys), bad settings, bad input, and systems that fail (unreachable, answering HTML,
truncated JSON or JSON of the wrong shape on their first listing). Every case ends with exactly
one line on stderr, no traceback, no "internal error", no secret, and

- exit 2 for bad state, settings or input: nothing written (no package, every file of the state
  directory byte for byte as it was) and nothing sent to any system;
- exit 1 when a system failed: the package is written and marked incomplete.

Conditions of the machine run the installed command in a process of its own: a read-only state
directory or an unreadable file by their file modes (as root, the process runs without the
capabilities that let root ignore them: CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), a full disk as a
file size limit of 0 (RLIMIT_FSIZE: every write fails).
"""

from __future__ import annotations

import gc
import json
import os
import socket
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bridge.cli.main import app
from bridge.core.http import HttpClient
from bridge.core.plugins import by_name, registry
from bridge.register.requests import Register
from bridge.store.db import Store
from sandbox import credentials
from sandbox.faults import HTML_ERROR_PAGE, NO_WAIT, Fault
from sandbox.server import Sandbox

DB = Store.FILE
SUBJECT = "jan.register@example.nl"  # the request already in the register of a prepared state
COMMAND = Path(sys.executable).with_name("privacy-bridge")
# Runs the command (argv[2:]) under a condition of the machine (argv[1]): "full_disk", a file size
# limit of 0, so that every write fails; "file_modes", where root gives up the capabilities that
# let it ignore file modes (exit 77 when it cannot).
MACHINE = """
import ctypes, os, resource, sys
condition, command = sys.argv[1], sys.argv[2:]
if condition == "full_disk":
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
elif os.geteuid() == 0:
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0):  # PR_CAPBSET_DROP: lost at the exec below
            sys.exit(77)
os.execv(command[0], command)
"""
SECRETS = [
    value
    for name, value in vars(credentials).items()
    if name.isupper() and isinstance(value, str) and len(value) > 8
]
SETTING_NAMES = {s.name for cls in registry() for s in cls.settings} | {"PRIVACY_BRIDGE_HOME"}

Prepare = Callable[[Path], None]


@dataclass(frozen=True)
class Case:
    """One bad condition: how to make it, the command, and what the one line must name."""

    name: str
    command: str  # "new", "list", "export" or "check"
    exit: int
    says: str  # a fragment of the line: the file, the setting or the system to look at
    prepare: Prepare | None = None  # makes the condition in the state directory
    settings: dict[str, str] = field(default_factory=dict)  # overrides of the sandbox's
    only: str | None = None  # enable this system only
    fault: Fault | None = None  # on the system `only`
    email: str | None = None  # instead of the sandbox's subject
    machine: str | None = None  # "file_modes" or "full_disk": run in a process of its own


# --- making the bad states ---------------------------------------------------------------------


def register(home: Path) -> None:
    """A state directory with a register holding one request (both keys made)."""
    store = Store(home)
    Register(store, "tester").new("access", SUBJECT)
    store.close()
    gc.collect()


def with_register(*then: Prepare) -> Prepare:
    def prepare(home: Path) -> None:
        register(home)
        for step in then:
            step(home)

    return prepare


def write(name: str, content: bytes) -> Prepare:
    return lambda home: (home / name).write_bytes(content)


def remove(name: str) -> Prepare:
    return lambda home: (home / name).unlink()


def cut_in_half(name: str) -> Prepare:
    def prepare(home: Path) -> None:
        data = (home / name).read_bytes()
        (home / name).write_bytes(data[: len(data) // 2])

    return prepare


def schema_version(number: int) -> Prepare:
    def prepare(home: Path) -> None:
        db = sqlite3.connect(home / DB)
        db.execute(f"PRAGMA user_version = {number}")
        db.commit()
        db.close()

    return prepare


def key_alone(content: bytes) -> Prepare:
    """A state directory with an hmac.key (as an export leaves it) and no database yet."""

    def prepare(home: Path) -> None:
        home.mkdir(mode=0o700)
        (home / "hmac.key").write_bytes(content)

    return prepare


def a_file_at(home: Path) -> None:
    home.write_text("not a directory\n")


def a_file_above(home: Path) -> None:
    home.parent.rmdir()
    home.parent.write_text("not a directory\n")


def a_directory_at(name: str) -> Prepare:
    return lambda home: (home / name).mkdir()


def empty_dir(home: Path) -> None:
    home.mkdir(mode=0o700)


def read_only(home: Path) -> None:
    home.mkdir(mode=0o700, exist_ok=True)
    home.chmod(0o500)


def unreadable(name: str) -> Prepare:
    return lambda home: (home / name).chmod(0o000)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- the table ---------------------------------------------------------------------------------

STATE = [
    Case("state dir is a file", "new", 2, "is a file", a_file_at),
    Case("a file above the state dir", "new", 2, "is a file", a_file_above),
    Case("database is a directory", "list", 2, DB, with_register(remove(DB), a_directory_at(DB))),
    Case("database missing", "list", 2, "is missing", with_register(remove(DB))),
    Case("database empty", "new", 2, "is empty", with_register(write(DB, b""))),
    Case("database not sqlite", "list", 2, "damaged", with_register(write(DB, b"x" * 5000))),
    Case("database cut in half", "new", 2, "damaged", with_register(cut_in_half(DB))),
    Case("database cut in half, export", "export", 2, "damaged", with_register(cut_in_half(DB))),
    Case("schema newer", "list", 2, "version 99", with_register(schema_version(99))),
    Case("hmac.key empty", "new", 2, "hmac.key", with_register(write("hmac.key", b""))),
    Case("hmac.key empty, export", "export", 2, "hmac.key", with_register(write("hmac.key", b""))),
    Case("hmac.key cut short", "list", 2, "hmac.key", with_register(cut_in_half("hmac.key"))),
    Case("hmac.key not a key", "new", 2, "hmac.key", with_register(write("hmac.key", b"{}\n"))),
    Case("hmac.key missing", "new", 2, "hmac.key", with_register(remove("hmac.key"))),
    Case("hmac.key empty, no register yet", "new", 2, "hmac.key", key_alone(b"")),
    Case("hmac.key another", "new", 2, "hmac.key", with_register(write("hmac.key", b"a" * 64))),
    Case("data.key empty", "new", 2, "data.key", with_register(write("data.key", b""))),
    Case("data.key cut short", "new", 2, "data.key", with_register(cut_in_half("data.key"))),
    Case("data.key not a key", "list", 2, "data.key", with_register(write("data.key", b"x" * 44))),
    Case("data.key missing", "new", 2, "data.key", with_register(remove("data.key"))),
    Case(
        "data.key another",
        "new",
        2,
        "data.key",
        with_register(write("data.key", b"A" * 43 + b"=")),
    ),
    Case(
        "state dir read-only", "new", 2, "read-only", with_register(read_only), machine="file_modes"
    ),
    Case("new state dir read-only", "new", 2, "read-only", read_only, machine="file_modes"),
    Case(
        "database unreadable",
        "list",
        2,
        DB,
        with_register(unreadable(DB)),
        machine="file_modes",
    ),
    Case(
        "hmac.key unreadable",
        "new",
        2,
        "hmac.key",
        with_register(unreadable("hmac.key")),
        machine="file_modes",
    ),
    Case("disk full", "new", 2, DB, register, machine="full_disk"),
    Case("disk full, new state dir", "new", 2, DB, empty_dir, machine="full_disk"),
    Case("disk full, export", "export", 2, "hmac.key", empty_dir, machine="full_disk"),
]

SETTINGS = [
    Case(
        "Mollie key garbage", "export", 2, "MOLLIE_API_KEY", settings={"MOLLIE_API_KEY": "garbage"}
    ),
    Case(
        "Mollie key not ASCII",
        "export",
        2,
        "MOLLIE_API_KEY",
        settings={"MOLLIE_API_KEY": "test_sleutelmetÄumlaut"},
    ),
    Case(
        "Mollie key garbage, check",
        "check",
        2,
        "MOLLIE_API_KEY",
        settings={"MOLLIE_API_KEY": "garbage"},
    ),
    Case(
        "URL not a URL", "export", 2, "MYPARCEL_API_URL", settings={"MYPARCEL_API_URL": "not a url"}
    ),
    Case(
        "URL not http",
        "export",
        2,
        "WOOCOMMERCE_URL",
        settings={"WOOCOMMERCE_URL": "ftp://shop.example.nl"},
    ),
    Case(
        "URL without a host",
        "export",
        2,
        "PAYPAL_API_URL",
        settings={"PAYPAL_API_URL": "https://:443/nohost"},
    ),
    Case(
        "URL with a bad port",
        "check",
        2,
        "MYPARCEL_API_URL",
        settings={"MYPARCEL_API_URL": "http://127.0.0.1:99999"},
    ),
    Case(
        "secret with a space",
        "export",
        2,
        "PAYPAL_CLIENT_SECRET",
        settings={"PAYPAL_CLIENT_SECRET": "two words"},
    ),
]

INPUT = [
    Case("malformed e-mail", "export", 2, "e-mail", email="jan@"),
    Case("malformed e-mail, register", "new", 2, "e-mail", register, email="not-an-address"),
]

# The first listing of each system the woocommerce sandbox runs, and answers a vendor may give.
FIRST_LISTING = {
    "woocommerce": "/wp-json/wc/v3/customers",
    "mollie": "/v2/customers",
    "paypal": "/v1/reporting/transactions",
    "myparcel": "/shipments",
}
ANSWERS: dict[str, Callable[[str], Fault]] = {
    # a read is repeated after a malformed 2xx: every attempt gets it
    "HTML": lambda path: Fault(
        status=200,
        body=HTML_ERROR_PAGE,
        content_type="text/html",
        headers=NO_WAIT,
        path=path,
        times=50,
    ),
    "truncated JSON": lambda path: Fault(
        status=200, body=b'[{"id": 1, "email": "jan@exa', headers=NO_WAIT, path=path, times=50
    ),
    "null": lambda path: Fault(status=200, body=b"null", path=path),
    '{"foo":1}': lambda path: Fault(status=200, body=b'{"foo": 1}', path=path),
    "list of scalars": lambda path: Fault(status=200, body=b"[1, 2, 3]", path=path),
}

SYSTEMS = [
    Case(
        "unreachable",
        "export",
        1,
        "myparcel",
        only="myparcel",
        settings={"MYPARCEL_API_URL": "http://127.0.0.1:{closed port}"},
    ),
    *(
        Case(
            f"{system} answers {answer}",
            "export",
            1,
            system,
            only=system,
            fault=make(path),
        )
        for system, path in FIRST_LISTING.items()
        for answer, make in ANSWERS.items()
    ),
]

CASES = [*STATE, *SETTINGS, *INPUT, *SYSTEMS]


def test_the_table_covers_every_kind() -> None:
    assert len({c.name for c in CASES}) == len(CASES) == 59
    assert {c.machine for c in CASES} == {None, "file_modes", "full_disk"}


# --- running a case ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Ran:
    exit: int
    stdout: str
    stderr: str


@pytest.fixture()
def workspace(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path
    for folder, _dirs, files in os.walk(tmp_path):  # what a case made unreadable or read-only
        Path(folder).chmod(0o700)
        for name in files:
            (Path(folder) / name).chmod(0o600)


def arguments(case: Case, sbx: Sandbox, out: Path, env_file: Path) -> list[str]:
    email = case.email if case.email is not None else sbx.shop.subject_email
    command = {
        "new": ["requests", "new", "--type", "access", "--email", email],
        "list": ["requests", "list", "--json"],
        "export": ["export", "--email", email, "--out", str(out), "--json"],
        "check": ["check", "--json"],
    }[case.command]
    return [*command, "--env-file", str(env_file)]


def settings_for(case: Case, sbx: Sandbox, home: Path) -> dict[str, str]:
    env = dict(sbx.env)
    if case.only:
        names = {s.name for s in by_name(case.only).settings}
        env = {k: v for k, v in env.items() if k in names}
    given = {k: v.replace("{closed port}", str(closed_port())) for k, v in case.settings.items()}
    return {**env, **given, "PRIVACY_BRIDGE_HOME": str(home)}


def run(case: Case, args: list[str], workspace: Path, monkeypatch: pytest.MonkeyPatch) -> Ran:
    if case.machine is None:
        for name in SETTING_NAMES & set(os.environ):  # the env file alone decides
            monkeypatch.delenv(name)
        monkeypatch.setattr(HttpClient, "_wait", lambda self, state: 0.0)  # no backoff sleeps
        result = CliRunner().invoke(app, args)
        gc.collect()  # the command's connections to the state database are closed
        return Ran(result.exit_code, result.stdout, result.stderr)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(workspace),
        "PYTHONDONTWRITEBYTECODE": "1",
        "COLUMNS": "200",
    }
    command = [sys.executable, "-c", MACHINE, case.machine, str(COMMAND), *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    if done.returncode == 77:
        pytest.skip("cannot run without the capabilities that let root ignore file modes")
    return Ran(done.returncode, done.stdout, done.stderr)


def snapshot(home: Path) -> dict[str, bytes]:
    """Every file of the state directory with its bytes; SQLite's shared memory and an empty
    write-ahead log (made by merely opening the database) aside."""
    if not home.is_dir():
        return {"(not a directory)": home.read_bytes()} if home.is_file() else {}
    found = {}
    for path in sorted(home.iterdir()):
        info = path.stat()
        if path.name.endswith("-shm") or (path.name.endswith("-wal") and not info.st_size):
            continue
        try:
            found[path.name] = b"(directory)" if path.is_dir() else path.read_bytes()
        except PermissionError:  # made unreadable by the case (and the tests do not run as root)
            found[path.name] = f"({info.st_size} bytes, changed {info.st_mtime_ns})".encode()
    return found


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_bad_condition_is_one_line_naming_what_to_fix(
    case: Case, sbx: Sandbox, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = workspace / "run" / "state"
    out = workspace / "packages"
    (workspace / "run").mkdir()
    settings = settings_for(case, sbx, home)
    env_file = workspace / "test.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in settings.items()))
    if case.prepare:
        case.prepare(home)
    if case.fault is not None:
        sbx.faults[case.only or ""].add(case.fault)
    before = snapshot(home)

    ran = run(case, arguments(case, sbx, out, env_file), workspace, monkeypatch)

    lines = ran.stderr.strip().splitlines()
    assert len(lines) == 1, ran.stderr
    line = lines[0]
    assert ran.exit == case.exit, (ran.exit, line)
    everything = ran.stdout + ran.stderr
    assert "internal error" not in everything and "Traceback" not in everything, everything
    assert case.says in line, line
    for secret in SECRETS:
        assert secret not in everything, "a secret was shown"
    if case.exit == 2:
        assert line.startswith("error: "), line
        for value in case.settings.values():
            assert value not in everything, "a setting's value was shown"
        assert not out.exists() or not any(out.iterdir()), "a package was written"
        assert snapshot(home) == before, "the state directory changed"
        assert sum(sbx.requests(system) for system in sbx.servers) == 0, "a system was asked"
    else:
        summary = json.loads(ran.stdout)
        assert summary["complete"] is False
        with zipfile.ZipFile(summary["package"]) as package:
            assert json.loads(package.read("manifest.json"))["complete"] is False
        failed = {s["system"]: s["status"] for s in summary["systems"]}
        assert failed[case.says] in ("error", "partial"), failed


# --- what is not a lost register ---------------------------------------------------------------


def test_a_first_run_that_stopped_before_the_database_was_set_up_is_set_up(tmp_path: Path) -> None:
    home = tmp_path / "state"
    home.mkdir()
    (home / DB).write_bytes(b"")  # made, then the process was killed
    Register(Store(home), "tester").new("access", SUBJECT)
    assert (home / DB).stat().st_size > 0


def test_the_key_an_export_made_alone_is_kept_for_the_register(tmp_path: Path) -> None:
    from bridge.store.keys import Keys

    home = tmp_path / "state"
    home.mkdir()
    pseudonym = Keys(home).pseudonym(SUBJECT)  # an export names its package so, without a store
    store = Store(home)
    assert store.keys.pseudonym(SUBJECT) == pseudonym
