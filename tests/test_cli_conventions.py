"""The CLI keeps the conventions of `gh` and `stripe` (issue 15, item 4), checked by walking every
command of typer's tree, not a list kept by hand: `-h` and `--help`, `--version`, shell
completion, `-v` anywhere, `--json` on every command that prints a result, help without type
noise on flags or internal names, usage errors on one line, and no input that reaches
"internal error": every command is run with wrong values (a malformed address, an unknown
request id, bad numbers and dates, missing files, an env file whose only system is a dead host)
and must end 0, 1 or 2, with one line on stderr when it fails.

No sandbox: a wrong value is refused before any request; the dead host (127.0.0.1:9) refuses
connections at once, and the retries do not sleep (HttpClient._wait patched).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from rich.progress import Progress
from typer.main import get_command
from typer.testing import CliRunner

from bridge.cli.common import hoisted
from bridge.cli.demo import SHOP_CHOICES
from bridge.cli.main import app
from bridge.cli.progress import ErasureProgress, check_progress
from bridge.cli.views import requests_table
from bridge.core.http import HttpClient
from bridge.core.policy import Action
from bridge.core.steps import Step, StepState
from bridge.erasure.journal import JournalEntry

runner = CliRunner()
UNKNOWN_ID = "req-20260101-zzzz"
DEAD_HOST = "http://127.0.0.1:9"

# The commands without --json, and why JSON makes no sense for them.
NO_JSON = {
    "demo": "a show for a person to watch: it starts a sandbox, prints tables and screenshots",
    "sandbox serve": "runs until interrupted; what it prints is the env file it writes",
    "serve": "runs until interrupted; --write-openapi writes a file",
}
# What each command needs besides its required parameters to get past its own checks.
BASE: dict[str, list[str]] = {
    "export": ["--email", "jan@example.nl"],
    "erase": ["--email", "jan@example.nl", "--dry-run"],
    "requests verify": ["--send-code"],
    "retention apply": ["--yes"],
}
# A plausible value for each required parameter, by its name in the function.
GOOD = {
    "type_": "access",
    "email": "jan@example.nl",
    "request_id": UNKNOWN_ID,
    "months": "1",
    "reason": "asked twice",
    "to": "req-20260101-yyyy",
    "note": "done",
}


def leaves() -> list[tuple[str, Any]]:
    """Every command that runs something, by its full name ("requests new")."""
    found: list[tuple[str, Any]] = []

    def walk(prefix: str, command: Any) -> None:
        for name, sub in command.commands.items():
            full = f"{prefix} {name}".strip()
            if getattr(sub, "commands", None):
                walk(full, sub)
            else:
                found.append((full, sub))

    walk("", get_command(app))
    return found


def groups() -> list[str]:
    names = [""]
    names += [name for name, c in get_command(app).commands.items() if getattr(c, "commands", None)]
    return names


def options(command: Any) -> dict[str, Any]:
    """The command's parameters by their function name."""
    return {p.name: p for p in command.params}


def invoke(args: list[str], width: int = 80) -> Any:
    """The command at a terminal `width` wide (80: the issue's; errors are checked narrower)."""
    return runner.invoke(app, args, env={"COLUMNS": str(width), "TERMINAL_WIDTH": str(width)})


def assert_no_crash(args: list[str], result: Any) -> None:
    everything = result.stdout + result.stderr
    assert "internal error" not in everything and "Traceback" not in everything, (args, everything)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        args,
        repr(result.exception),
    )
    assert result.exit_code in (0, 1, 2), (args, result.exit_code, everything)


def assert_one_line_error(args: list[str], result: Any) -> None:
    assert_no_crash(args, result)
    assert result.exit_code == 2, (args, result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), (args, result.stderr)


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A state directory of the test's own, in the environment (no .env of the checkout)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PRIVACY_BRIDGE_HOME", str(tmp_path / "state"))
    monkeypatch.setattr(HttpClient, "_wait", lambda self, state: 0.0)  # no backoff sleeps
    return tmp_path / "state"


def dead_env(tmp_path: Path) -> Path:
    """Settings whose only system is a host that refuses every connection."""
    path = tmp_path / "dead.env"
    path.write_text(
        f"MOLLIE_API_URL={DEAD_HOST}\nMOLLIE_API_KEY=test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM\n"
        f"PRIVACY_BRIDGE_HOME={tmp_path / 'state'}\nPRIVACY_BRIDGE_REQUEST_TIMEOUT_S=2\n"
    )
    return path


def base_args(name: str, command: Any, tmp_path: Path) -> list[str]:
    """The command with its required parameters given plausible values (ids unknown)."""
    args = name.split()
    for param in command.params:
        if not param.required or param.name in ("out_dir", "path"):
            continue
        value = GOOD.get(param.name or "", "x")
        args += [value] if param.param_type_name == "argument" else [param.opts[0], value]
    params = options(command)
    if "out_dir" in params and params["out_dir"].required:
        args += ["--out", str(tmp_path / "out")]
    if "path" in params:
        args += [str(tmp_path / "statement.toml")]
    return args + BASE.get(name, [])


# --- help, version, completion ---------------------------------------------------------------------


@pytest.mark.parametrize("group", groups())
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_every_group_has_help_under_both_names(group: str, flag: str) -> None:
    result = invoke([*group.split(), flag])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.stdout and "-h" in result.stdout


@pytest.mark.parametrize(("name", "command"), leaves())
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_every_command_has_help_without_noise(name: str, command: Any, flag: str) -> None:
    result = invoke([*name.split(), flag])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "Usage:" in text and "Example:" in text, name
    assert "<bool>" not in text and "BOOLEAN" not in text, name
    assert not re.search(r"\bsandbox\.\w+\.[A-Z]", text), name  # no internal names
    assert not re.search(r"…\s*│", text), (name, text)  # a help text cut at the panel's edge


def test_requests_new_names_every_type_in_its_help() -> None:
    text = invoke(["requests", "new", "--help"]).stdout
    for kind in ("access", "portability", "erasure", "rectification", "restriction", "objection"):
        assert kind in text


def test_the_shops_are_named_in_words() -> None:
    from sandbox.server import SHOPS

    assert [s for s in SHOPS if s not in SHOP_CHOICES] == []
    for name in ("demo", "sandbox serve"):
        text = " ".join(invoke([*name.split(), "--help"]).stdout.split())
        assert "woocommerce" in text and "lightspeed" in text


def test_help_is_plain_text_not_markup() -> None:
    text = invoke(["statement", "init", "--help"]).stdout
    assert "placeholders in [shop]" in " ".join(text.split())


def test_version() -> None:
    result = invoke(["--version"])
    assert result.exit_code == 0 and re.fullmatch(r"privacy-bridge \S+\n", result.stdout)


def test_shell_completion_is_offered_and_shows_a_script() -> None:
    text = invoke(["--help"]).stdout
    assert "--install-completion" in text and "--show-completion" in text
    shown = invoke(["--show-completion", "bash"])
    assert shown.exit_code == 0 and "_PRIVACY_BRIDGE_COMPLETE" in shown.stdout


def test_no_command_shows_help_and_exit_2() -> None:
    result = invoke([])
    assert result.exit_code == 2 and "Usage:" in result.stdout


# --- --json ------------------------------------------------------------------------------------------


def test_every_command_that_prints_a_result_takes_json() -> None:
    without = {name for name, command in leaves() if "as_json" not in options(command)}
    assert without == set(NO_JSON), "give them --json, or say in NO_JSON why not"


@pytest.mark.parametrize("name", ["requests export-log", "requests list"])
def test_json_of_the_register_parses(name: str, home: Path) -> None:
    result = invoke([*name.split(), "--json"])
    assert result.exit_code == 0, result.output
    json.loads(result.stdout)


def test_statement_init_json(home: Path, tmp_path: Path) -> None:
    result = invoke(["statement", "init", str(tmp_path / "s.toml"), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["path"] == str(tmp_path / "s.toml")


# --- global options anywhere -------------------------------------------------------------------------


def test_verbose_is_taken_after_the_sub_command(home: Path) -> None:
    result = invoke(["requests", "list", "-v", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []
    result = invoke(["export", "--verbose", "--email", "not-an-address", "--out", "x"])
    assert_one_line_error(["export"], result)


def test_a_flag_typed_as_an_options_value_stays_its_value() -> None:
    root = get_command(app)
    args = ["requests", "cancel", "req-1", "--reason", "-v", "-v"]
    assert hoisted(root, args) == ["-v", "requests", "cancel", "req-1", "--reason", "-v"]
    assert hoisted(root, ["export", "--", "-v"]) == ["export", "--", "-v"]


# --- wrong values: never "internal error" ------------------------------------------------------------

# A wrong value for each parameter that can take one, by its name in the function.
BAD: dict[str, list[str]] = {
    "email": ["not-an-address", "jan@", ""],
    "months": ["x", "7", "-1"],
    "received": ["31-01-2026", "2026-02-30"],
    "today": ["2026-13-01"],
    "type_": ["bogus"],
    "channel": ["pigeon"],
    "latency_ms": ["-1", "x"],
    "scale": ["0"],
    "seed": ["x"],
    "code": ["abc"],
    "confirm": ["x-y", "0"],
    "shop": ["shopify"],
    "request_id": [UNKNOWN_ID, ""],
    "to": [UNKNOWN_ID],
    "request": [UNKNOWN_ID],
}


def cases() -> Iterator[tuple[str, str, str]]:
    for name, command in leaves():
        for param in command.params:
            for value in BAD.get(param.name or "", []):
                yield name, param.name or "", value


@pytest.mark.parametrize(("name", "param", "value"), list(cases()))
def test_a_wrong_value_is_one_line_and_exit_2(
    name: str, param: str, value: str, home: Path, tmp_path: Path
) -> None:
    command = dict(leaves())[name]
    args = base_args(name, command, tmp_path)
    given = options(command)[param]
    if given.param_type_name == "argument":
        args[args.index(GOOD[param])] = value
    elif given.opts[0] in args:
        args[args.index(given.opts[0]) + 1] = value
    else:
        args += [given.opts[0], value]
    if param == "request":  # instead of --email
        args = [a for a in args if a not in ("--email", "jan@example.nl")]
    if param == "confirm":  # confirming needs a note, and no --dry-run
        args = [*(a for a in args if a != "--dry-run"), "--note", "done"]
    assert_one_line_error(args, invoke(args, width=40))


@pytest.mark.parametrize(("name", "command"), leaves())
def test_an_unknown_option_is_one_line_and_exit_2(name: str, command: Any) -> None:
    args = [*name.split(), "--no-such-option"]
    result = invoke(args, width=40)
    assert_one_line_error(args, result)
    assert f"privacy-bridge {name} --help" in result.stderr


@pytest.mark.parametrize(
    ("name", "command"), [(n, c) for n, c in leaves() if "env_file" in options(c)]
)
def test_a_missing_file_is_one_line_and_exit_2(
    name: str, command: Any, home: Path, tmp_path: Path
) -> None:
    if name == "sandbox serve":  # its --env-file is where it writes: made, not read
        args = [*name.split(), "--env-file", str(tmp_path / "no" / "such" / "dir" / "x.env")]
        args += ["--shop", "shopify"]
    else:
        args = [*base_args(name, command, tmp_path), "--env-file", str(tmp_path / "none.env")]
    assert_one_line_error(args, invoke(args))


def test_missing_policy_and_statement_directory_are_one_line(home: Path, tmp_path: Path) -> None:
    erase = ["erase", "--email", "jan@example.nl", "--dry-run", "--policy", str(tmp_path / "p")]
    assert_one_line_error(erase, invoke(erase))
    init = ["statement", "init", str(tmp_path / "no" / "dir" / "s.toml")]
    assert_one_line_error(init, invoke(init))


@pytest.mark.parametrize(
    ("name", "command"),
    [
        (n, c)
        for n, c in leaves()
        if "env_file" in options(c) and n not in ("sandbox serve", "serve")
    ],
)
def test_a_dead_host_is_an_answer_never_a_crash(
    name: str, command: Any, home: Path, tmp_path: Path
) -> None:
    """Every command against settings whose only system refuses connections, in JSON where it
    takes it: 0, 1 or 2, never internal error; a failure of input (2) is one line."""
    args = [*base_args(name, command, tmp_path), "--env-file", str(dead_env(tmp_path))]
    if "as_json" in options(command):
        args.append("--json")
    result = invoke(args)
    assert_no_crash(args, result)
    if result.exit_code == 2:
        assert len(result.stderr.strip().splitlines()) == 1, (args, result.stderr)
    if result.exit_code == 0 and "--json" in args:
        json.loads(result.stdout)


def test_check_against_a_dead_host_is_exit_1(home: Path, tmp_path: Path) -> None:
    result = invoke(["check", "--json", "--env-file", str(dead_env(tmp_path))])
    assert result.exit_code == 1
    (mollie,) = json.loads(result.stdout)
    assert mollie["ok"] is False and "unreachable" in mollie["message"]


def test_demo_with_an_unknown_shop_names_the_shops() -> None:
    result = invoke(["demo", "--shop", "shopify"])
    assert_one_line_error(["demo"], result)
    assert "woocommerce" in result.stderr and "lightspeed" in result.stderr


def test_erase_dry_run_refuses_out_it_would_not_use(home: Path, tmp_path: Path) -> None:
    args = ["erase", "--email", "jan@example.nl", "--dry-run", "--out", str(tmp_path / "r")]
    result = invoke(args)
    assert_one_line_error(args, result)
    assert not (tmp_path / "r").exists()


# --- one line, whatever the width ----------------------------------------------------------------


def test_an_error_is_one_line_at_any_width(home: Path) -> None:
    long_id = "req-20260131-" + "b7" * 40
    for width in ("40", "200"):
        result = runner.invoke(
            app, ["requests", "show", long_id], env={"COLUMNS": width, "TERMINAL_WIDTH": width}
        )
        assert result.exit_code == 2
        assert len(result.stderr.strip().splitlines()) == 1 and long_id in result.stderr


def test_request_ids_are_never_cut_in_a_narrow_table() -> None:
    from datetime import date

    console = Console(file=StringIO(), width=50, force_terminal=False)
    request = _request("req-20260131-b7a9c3d2")
    console.print(requests_table([request], date(2026, 2, 1)))
    assert "req-20260131-b7a9c3d2" in console.file.getvalue()  # type: ignore[attr-defined]


def _request(request_id: str) -> Any:
    """A request as the register makes it (through the register, into a throwaway state)."""
    import tempfile

    from bridge.register.requests import Register
    from bridge.store.db import Store

    with tempfile.TemporaryDirectory() as state:
        store = Store(Path(state))
        made = Register(store, "tester").new("access", "jan@example.nl")
        request = Register(store, "tester").get(made.id)
        store.close()
    return request.__class__(**{**request.__dict__, "id": request_id})


# --- progress that says what is happening --------------------------------------------------------


def _entry(seq: int, system: str, action: Action = Action.delete) -> JournalEntry:
    step = Step.model_construct(
        system=system, record_type="order", record_id=str(seq), action=action, operation="delete"
    )
    return JournalEntry(seq, step, StepState.pending, None)


def test_the_erasure_progress_names_its_phases_and_counts() -> None:
    console = Console(file=StringIO(), width=200, force_terminal=False)
    with Progress(console=console) as progress:
        shown = ErasureProgress(progress)
        shown.listener("mollie", "start", "round 1")
        shown.listener("mollie", "done", "55")
        assert shown.phase == "collect"
        shown.planned([_entry(1, "mollie"), _entry(2, "mollie")])
        assert shown.phase == "plan"
        shown.on_step(_entry(1, "mollie"), StepState.done)
        assert shown.phase == "apply"
        assert "apply: 1 of 2 done" in shown._line("mollie")
        shown.listener("mollie", "start", "round 1")  # the verification's collect
        assert shown.phase == "verify"
        shown.listener("mollie", "done", "40")
        line = shown._line("mollie")
        assert "collect: 55 records" in line and "verify: read back" in line
        assert "40" not in line  # what is left (kept records) is no count to alarm anyone
        shown.finish()


def test_check_names_the_systems_it_waits_for() -> None:
    console = Console(file=StringIO(), width=120, force_terminal=True)
    with check_progress(console, ["mollie", "paypal"]) as answered:
        answered("mollie")
        console.get_time = lambda: 1e9  # type: ignore[method-assign]
    shown = console.file.getvalue()  # type: ignore[attr-defined]
    assert "waiting for: mollie, paypal" in shown  # drawn as soon as the systems are asked
