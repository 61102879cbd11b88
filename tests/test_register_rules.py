"""The register's rules (issue 15): an overdue receipt is warned about, an extension only within
the first month, refusals say what to do instead, the requests `retention apply` opens follow
their own deadline rule, `retention due` names the people, and steps by hand are confirmed from
what the tool prints, each confirmation an audit event. Dates are injected, never read."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from bridge import api
from bridge.app import App
from bridge.cli.main import app
from bridge.cli.views import request_notes, requests_table
from bridge.core.config import Config
from bridge.core.errors import InputError
from bridge.index.retention import display_name, due, identify
from bridge.index.sync import sync
from bridge.register.deadlines import RETENTION_DAYS
from bridge.register.erasing import confirm_steps, erase_request
from bridge.register.requests import Register
from bridge.register.step_numbers import parse, ranges
from bridge.register.types import DeadlineRule
from bridge.store.db import Store
from sandbox.server import Sandbox, start

runner = CliRunner()
TODAY = datetime(2026, 3, 10, 12, tzinfo=UTC)


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture()
def clock() -> Clock:
    return Clock(TODAY)


@pytest.fixture()
def register(tmp_path: Path, clock: Clock) -> Register:
    return Register(Store(tmp_path / "state"), "tester", clock=clock)


def state_env(tmp_path: Path) -> Path:
    """Settings for the register commands alone: they open no system."""
    path = tmp_path / "register.env"
    home = tmp_path / "state"
    path.write_text(f"PRIVACY_BRIDGE_HOME={home}\nPRIVACY_BRIDGE_OPERATOR=tester\n")
    return path


def cli(env: Path, *args: str) -> Any:
    return runner.invoke(app, [*args, "--env-file", str(env)])


# --- registration -----------------------------------------------------------------------------


def test_a_receipt_whose_deadline_passed_is_registered_with_a_warning(register: Register) -> None:
    late = register.new("access", "jan@example.nl", received=date(2026, 1, 31))
    assert register.get(late.id).due == date(2026, 2, 28)
    assert len(late.warnings) == 1
    (warning,) = late.warnings
    assert late.id in warning and "2026-02-28" in warning and "10 day(s) overdue" in warning
    received = register.events(late.id)[0]
    assert received["action"] == "received" and received["detail"]["overdue_days"] == 10

    in_time = register.new("access", "piet@example.nl", received=date(2026, 2, 20))
    due_today = register.new("access", "kees@example.nl", received=date(2026, 2, 10))
    assert in_time.warnings == () and due_today.warnings == ()
    assert "overdue_days" not in register.events(in_time.id)[0]["detail"]


def test_the_warning_is_one_line_and_in_json_a_list(tmp_path: Path) -> None:
    env = state_env(tmp_path)
    base = ["requests", "new", "--type", "access", "--received", "2020-01-31"]
    text = cli(env, *base, "--email", "jan@example.nl")
    assert text.exit_code == 0, text.output
    assert text.stderr.count("\n") == 1 and text.stderr.startswith("warning:")
    assert "overdue already" in text.stderr
    made = cli(env, *base, "--email", "piet@example.nl", "--json")
    assert made.exit_code == 0, made.output
    data = json.loads(made.stdout)
    assert len(data["warnings"]) == 1 and "2020-02-29" in data["warnings"][0]
    fresh = json.loads(cli(env, *base[:4], "--email", "kees@example.nl", "--json").stdout)
    assert fresh["warnings"] == []


def test_the_channel_of_the_tools_own_requests_is_not_for_the_operator(
    register: Register,
) -> None:
    with pytest.raises(InputError, match="retention apply opens itself"):
        register.new("erasure", "jan@example.nl", channel="retention")


# --- extension --------------------------------------------------------------------------------


def test_an_extension_is_allowed_until_the_last_day_of_the_first_month(
    register: Register, clock: Clock
) -> None:
    clock.now = datetime(2026, 2, 28, 12, tzinfo=UTC)
    made = register.new("erasure", "jan@example.nl", received=date(2026, 1, 31))
    assert register.extend(made.id, 1, "many systems").due == date(2026, 3, 31)

    clock.now = datetime(2026, 3, 1, 12, tzinfo=UTC)  # not overdue, but past the first month
    with pytest.raises(InputError) as refused:
        register.extend(made.id, 1, "a processor is slow")
    message = str(refused.value)
    assert "first month ended on 2026-02-28" in message and "answer it by 2026-03-31" in message
    assert register.get(made.id).extended_months == 1


def test_an_overdue_request_is_not_extended_and_the_refusal_says_what_to_do(
    register: Register,
) -> None:
    made = register.new("access", "jan@example.nl", received=date(2026, 1, 31))
    with pytest.raises(InputError) as refused:
        register.extend(made.id, 2, "complex")
    message = str(refused.value)
    assert "overdue since 2026-02-28" in message and "art. 12(3)" in message
    assert f"requests deny {made.id} --reason" in message
    assert [e["action"] for e in register.events(made.id)] == ["received"]


def test_extend_refuses_an_overdue_request_in_one_line_with_exit_2(tmp_path: Path) -> None:
    env = state_env(tmp_path)
    made = cli(env, "requests", "new", "--type", "access", "--email", "j@example.nl",
               "--received", "2020-01-31", "--json")  # fmt: skip
    request_id = json.loads(made.stdout)["id"]
    refused = cli(env, "requests", "extend", request_id, "--months", "1", "--reason", "slow")
    assert refused.exit_code == 2
    assert len(refused.stderr.strip().splitlines()) == 1 and "overdue since" in refused.stderr


# --- refusals in words ------------------------------------------------------------------------


def test_completing_an_unverified_request_says_why_and_what_to_do(register: Register) -> None:
    made = register.new("rectification", "jan@example.nl")
    with pytest.raises(InputError) as refused:
        register.complete(made.id, "address corrected")
    message = str(refused.value)
    assert "identity is not verified" in message and "identity_unverified" not in message
    assert f"requests verify {made.id} --send-code" in message
    assert f"requests deny {made.id}" in message

    register.cancel(made.id, "withdrawn")
    with pytest.raises(InputError, match="already cancelled: nothing left to complete"):
        register.complete(made.id)


def test_complete_on_an_unverified_request_is_one_line_with_exit_2(tmp_path: Path) -> None:
    env = state_env(tmp_path)
    made = cli(env, "requests", "new", "--type", "access", "--email", "j@example.nl", "--json")
    request_id = json.loads(made.stdout)["id"]
    refused = cli(env, "requests", "complete", request_id, "--note", "done")
    assert refused.exit_code == 2, refused.output
    assert len(refused.stderr.strip().splitlines()) == 1
    assert "identity is not verified" in refused.stderr and "refused (" not in refused.stderr
    shown = cli(env, "requests", "cancel", request_id, "--json")
    assert shown.exit_code == 0 and json.loads(shown.stdout)["status"] == "cancelled"


# --- requests the tool opens itself -----------------------------------------------------------


def test_a_retention_request_has_its_own_channel_and_deadline_rule(
    register: Register, clock: Clock
) -> None:
    made = register.open_retention("jan@example.nl", "2018-05-04T10:00:00")
    request = register.get(made.id)
    assert request.channel == "retention" and request.status == "verified"
    assert request.rule is DeadlineRule.retention
    assert request.due == TODAY.date() + timedelta(days=RETENTION_DAYS) == made.due
    data = request.to_dict(register.today())
    assert data["deadline_rule"] == "retention" and "not extendable" in data["deadline"]
    with pytest.raises(InputError, match="opened by retention apply") as refused:
        register.extend(made.id, 1, "busy")
    assert f"erase --request {made.id} --yes" in str(refused.value)

    customer = register.new("erasure", "piet@example.nl")
    assert register.get(customer.id).to_dict(register.today())["deadline_rule"] == "customer"
    table = requests_table(register.list(), register.today())  # by due date: 14 days first
    assert [str(c) for c in table.columns[1]._cells] == ["erasure (retention)", "erasure"]
    (note,) = request_notes(register.list())
    assert note.startswith(made.id) and "the shop's own target" in note


@pytest.mark.parametrize("width", [60, 80])
def test_request_ids_are_never_cut_however_narrow(register: Register, width: int) -> None:
    made = [register.new("erasure", f"p{i}@example.nl").id for i in range(2)]
    made.append(register.open_retention("old@example.nl", "2018-05-04").id)
    console = Console(width=width, record=True)
    console.print(requests_table(register.list(), register.today()))
    text = console.export_text()
    assert all(request_id in text for request_id in made), text


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Sandbox, Config]]:
    with start("woocommerce") as sandbox:
        home = tmp_path_factory.mktemp("retention") / "state"
        config = Config({**sandbox.env, "PRIVACY_BRIDGE_HOME": str(home)})
        with App(config) as opened:
            assert sync(opened.store, opened.connectors).ok
        yield sandbox, config


def test_retention_due_names_the_people_read_live_and_stores_nothing(
    synced: tuple[Sandbox, Config], tmp_path: Path
) -> None:
    sandbox, config = synced
    policy, today = api.policy_for(config), sandbox.shop.today
    with App(config) as opened:
        people = due(opened.store, policy, today).people
        shown = identify(opened.store, opened.connectors, people)
    assert people and set(shown) == {p.subject for p in people}
    keys = Store(config.home).keys
    named = [s for s in shown.values() if s.email]
    assert named and all(s.name for s in named)
    for subject, who in shown.items():
        assert who.email is None or keys.pseudonym(who.email) == subject
    # What the shop says, for display only: no name or address lands in the state directory.
    for file in Path(config.home).iterdir():
        if file.is_file():
            data = file.read_bytes()
            assert not any(s.email and s.email.encode() in data for s in named), file.name

    env = tmp_path / "shop.env"
    env.write_text("".join(f"{k}={v}\n" for k, v in config.values.items()))
    day = today.isoformat()
    listed = cli(env, "retention", "due", "--json", "--today", day)
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)["people"]
    assert {r["email"] for r in rows if r.get("email")} == {s.email for s in named}
    bare = json.loads(cli(env, "retention", "due", "--json", "--today", day, "--index-only").stdout)
    assert all("email" not in r and "name" not in r for r in bare["people"])
    text = cli(env, "retention", "due", "--today", day)
    first_name = str(named[0].name).split()[0]  # the table folds long cells at 80 columns
    assert text.exit_code == 0 and first_name in text.stdout


@pytest.mark.parametrize(
    ("data", "name"),
    [
        ({"first_name": "Jan", "last_name": "Jansen"}, "Jan Jansen"),
        ({"first_name": "", "billing": {"first_name": "Piet", "last_name": "Bos"}}, "Piet Bos"),
        ({"name": "Kees de Vries", "email": "k@example.nl"}, "Kees de Vries"),
        ({"payer_info": {"payer_name": {"given_name": "An", "surname": "Smit"}}}, "An Smit"),
        ({"id": 5, "line_items": [{"name": "Kamado"}]}, None),
    ],
)
def test_a_name_is_read_where_systems_keep_it(data: dict[str, Any], name: str | None) -> None:
    assert display_name(data) == name


# --- steps by hand, confirmed as the tool prints them ------------------------------------------


def test_steps_by_hand_are_confirmed_from_pasted_ranges_each_an_audit_event(
    tmp_path: Path,
) -> None:
    note = "gedaan in de admin van de verwerker"
    with start("woocommerce") as sandbox:
        config = Config({**sandbox.env, "PRIVACY_BRIDGE_HOME": str(tmp_path / "state")})
        with App(config) as opened:
            register = opened.register("anna")
            made = register.new("erasure", sandbox.shop.subject_email)
            register.mark_verified(made.id, "manual", "ID seen")
            outcome = erase_request(
                register, made.id, erase=opened.erase, dry_run=False, out_dir=tmp_path / "r"
            )
            assert outcome.complete and outcome.result.manual_open
            manual = {e.seq: e.step.system for e in outcome.result.manual_open}

            shown = register.show(made.id)
            assert shown["status"] == "awaiting_manual"
            per_system: dict[str, list[int]] = {}
            for seq, system in manual.items():
                per_system.setdefault(system, []).append(seq)
            assert shown["manual_open"] == {
                s: {"count": len(q), "steps": ranges(q)} for s, q in per_system.items()
            }

            # The first system's steps, pasted as printed (with the en dash), plus one that
            # is not waiting: confirmed, the stranger named.
            first, *rest = sorted(per_system)
            pasted = shown["manual_open"][first]["steps"] + ", 1"
            assert 1 not in manual
            with pytest.raises(InputError, match="note"):
                confirm_steps(register, made.id, parse(pasted), "  ")
            done = confirm_steps(register, made.id, parse(pasted), note)
            assert done.confirmed == sorted(per_system[first]) and done.not_open == [1]
            assert done.remaining == len(manual) - len(per_system[first])
            event = [e for e in register.events(made.id) if e["action"] == "manual_confirmed"][-1]
            assert event["actor"] == "anna"
            assert event["detail"]["steps"] == ranges(per_system[first])
            assert event["detail"]["systems"] == {first: len(per_system[first])}
            assert event["detail"]["note"] == note  # sealed: read back while kept
            raw = register.store.db.execute("SELECT detail FROM events").fetchall()
            assert not any(note in r["detail"] for r in raw)  # never in clear
            if rest:
                assert register.show(made.id)["manual_open"].keys() == set(rest)
                assert register.systems(made.id)[first] != "manual"
                with pytest.raises(InputError, match="not waiting for confirmation"):
                    confirm_steps(register, made.id, parse(pasted), note)

            left = [s for s in manual if manual[s] != first]
            if left:
                final = confirm_steps(register, made.id, parse(ranges(left)), note)
                assert final.completed and final.remaining == 0
            shown = register.show(made.id)
            assert shown["status"] == "completed" and shown["manual_open"] == {}
            assert "manual" not in shown["systems"].values()
            confirmations = [e for e in shown["events"] if e["action"] == "manual_confirmed"]
            assert confirmations and all(
                e["detail"].get("note", "[note removed") != note for e in confirmations
            )
