"""The request register: deadlines, duplicates, links, the identity check by code over real SMTP."""

from __future__ import annotations

import email
import email.policy
import json
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console
from typer.testing import CliRunner

from bridge.app import App
from bridge.cli.main import app
from bridge.cli.views import requests_table
from bridge.core.config import Config
from bridge.core.errors import InputError
from bridge.register.deadlines import add_months, due_date
from bridge.register.requests import Register
from bridge.register.verification import CodeSent, check_code, send_code, verify_manually
from bridge.store.db import Store
from sandbox.faults import NO_WAIT
from sandbox.server import Sandbox

runner = CliRunner()
UNKNOWN = "nobody@example.nl"


# --- shared with test_delivery.py ------------------------------------------------------------


@dataclass
class Mail:
    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        body = self.message.get_body(preferencelist=("plain",))
        assert body is not None
        return str(body.get_content())  # type: ignore[attr-defined]


@dataclass
class Mailbox:
    """An aiosmtpd handler that keeps every mail it receives."""

    port: int = 0
    mails: list[Mail] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.mails.append(Mail(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"

    def code(self, index: int = -1) -> str:
        found = re.search(r"^\s{4}(\d{6})\s*$", self.mails[index].text, re.MULTILINE)
        assert found, self.mails[index].text
        return found.group(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    """A real SMTP server on loopback (no STARTTLS offered, no login)."""
    box = Mailbox(port=free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


def settings(sbx: Sandbox, tmp_path: Path, box: Mailbox, **override: str) -> dict[str, str]:
    return {
        **sbx.env,
        "PRIVACY_BRIDGE_HOME": str(tmp_path / "state"),
        "PRIVACY_BRIDGE_OPERATOR": "tester",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(box.port),
        "SMTP_FROM": "privacy@shop.example",
        **override,
    }


def env_file(sbx: Sandbox, tmp_path: Path, box: Mailbox, **override: str) -> Path:
    path = tmp_path / "test.env"
    values = settings(sbx, tmp_path, box, **override)
    path.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    return path


def cli(env: Path, *args: str) -> Any:
    return runner.invoke(app, [*args, "--env-file", str(env)])


def new_request(env: Path, address: str, *extra: str) -> str:
    result = cli(env, "requests", "new", "--type", "access", "--email", address, "--json", *extra)
    assert result.exit_code == 0, result.output
    return str(json.loads(result.stdout)["id"])


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture()
def smtp() -> Iterator[Mailbox]:
    with smtp_server() as box:
        yield box


@pytest.fixture()
def register(tmp_path: Path) -> Register:
    return Register(Store(tmp_path / "state"), "tester")


# --- deadlines ---------------------------------------------------------------------------------


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31)))
def test_due_is_one_calendar_month_later_clamped_to_the_month_end(received: date) -> None:
    due = due_date(received)
    months = (due.year - received.year) * 12 + due.month - received.month
    assert months == 1
    last_day = (add_months(due.replace(day=1), 1) - timedelta(days=1)).day
    assert due.day == min(received.day, last_day)
    assert 28 <= (due - received).days <= 31


@pytest.mark.parametrize(
    ("received", "extended", "due"),
    [
        (date(2026, 1, 31), 0, date(2026, 2, 28)),
        (date(2028, 1, 31), 0, date(2028, 2, 29)),
        (date(2026, 3, 31), 0, date(2026, 4, 30)),
        (date(2026, 12, 15), 0, date(2027, 1, 15)),
        (date(2026, 1, 31), 2, date(2026, 4, 30)),  # counted from receipt, not from 28 Feb
        (date(2026, 11, 30), 1, date(2027, 1, 30)),
    ],
)
def test_due_dates(received: date, extended: int, due: date) -> None:
    assert due_date(received, extended) == due


# --- the register ------------------------------------------------------------------------------


def test_a_new_request_has_a_readable_id_a_due_date_and_an_event(register: Register) -> None:
    made = register.new("access", " Jan@Example.NL ", received=date(2026, 1, 31), channel="web")
    assert re.fullmatch(r"req-20260131-[0-9a-f]{4}", made.id)
    request = register.get(made.id)
    assert request.status == "identity_unverified" and request.due == date(2026, 2, 28)
    assert made.duplicate_of is None and request.address_kept
    assert [e["action"] for e in register.events(made.id)] == ["received"]
    assert register.address(made.id) == "jan@example.nl"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"type_": "refund"}, "unknown type"),
        ({"email": "jan@"}, "not a valid e-mail address"),
        ({"channel": "fax"}, "unknown channel"),
        ({"received": date(2999, 1, 1)}, "in the future"),
    ],
)
def test_bad_input_is_refused(register: Register, kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {"type_": "access", "email": "jan@example.nl", **kwargs}
    with pytest.raises(InputError, match=message):
        register.new(args.pop("type_"), args.pop("email"), **args)


def test_a_second_open_request_is_a_duplicate_to_link_or_cancel(register: Register) -> None:
    first = register.new("access", "jan@example.nl")
    second = register.new("access", "JAN@example.nl", channel="phone")
    other_type = register.new("erasure", "jan@example.nl")
    other_person = register.new("access", "piet@example.nl")
    assert second.duplicate_of == first.id
    assert other_type.duplicate_of is None and other_person.duplicate_of is None
    assert "flagged_duplicate" in [e["action"] for e in register.events(second.id)]

    with pytest.raises(InputError, match="not about the same person"):
        register.link(other_person.id, first.id)
    linked = register.link(second.id, first.id)
    assert linked.linked_to == first.id
    with pytest.raises(InputError, match="linked to"):
        register.start_work(second.id, "export")
    verify_manually(register, first.id, "passport seen at the counter")
    assert register.get(second.id).status == "verified"  # a linked request follows
    third = register.new("access", "jan@example.nl")
    assert third.duplicate_of == first.id
    assert register.cancel(third.id, "duplicate").status == "cancelled"
    assert register.show(first.id)["linked"] == [second.id]


def test_an_extension_is_at_most_two_months_and_recorded(tmp_path: Path) -> None:
    # Within the first month, when an extension may still be told to the customer (art. 12(3)).
    clock = Clock(datetime(2026, 2, 10, 12, tzinfo=UTC))
    register = Register(Store(tmp_path / "state"), "tester", clock=clock)
    made = register.new("erasure", "jan@example.nl", received=date(2026, 1, 31))
    assert register.extend(made.id, 1, "many systems").due == date(2026, 3, 31)
    assert register.extend(made.id, 1, "a processor is slow").due == date(2026, 4, 30)
    with pytest.raises(InputError, match="at most 2"):
        register.extend(made.id, 1, "more")
    with pytest.raises(InputError, match="reason"):
        register.extend(register.new("access", "x@example.nl").id, 1, "  ")
    extended = [e for e in register.events(made.id) if e["action"] == "extended"]
    assert [e["detail"]["months"] for e in extended] == [1, 1]
    assert extended[0]["detail"]["reason"] == "many systems"


def test_work_needs_a_verified_request_and_records_systems(register: Register) -> None:
    made = register.new("access", "jan@example.nl")
    with pytest.raises(InputError, match="verify it first"):
        register.start_work(made.id, "export")
    register.mark_verified(made.id, "manual", "called back on the known number")
    assert register.start_work(made.id, "export") == "jan@example.nl"
    register.record_systems(made.id, {"shop": "ok", "payments": "not_found"})
    with pytest.raises(InputError, match="unknown system status"):
        register.record_systems(made.id, {"shop": "fine"})
    register.await_manual(made.id, "processor asked by mail")
    shown = register.show(made.id)
    assert shown["status"] == "awaiting_manual"
    assert shown["systems"] == {"payments": "not_found", "shop": "ok"}
    assert register.complete(made.id).status == "completed"
    with pytest.raises(InputError, match="completed"):
        register.cancel(made.id)


def test_notes_lose_email_addresses(register: Register) -> None:
    made = register.new("access", "jan@example.nl")
    register.deny(made.id, "asked again by jan@example.nl within a week")
    assert "jan@example.nl" not in json.dumps(register.audit_log())
    assert "<e-mail>" in (register.get(made.id).reason or "")


# --- the identity check over SMTP --------------------------------------------------------------


def test_a_code_goes_to_the_known_address_only_and_verifies(
    sbx: Sandbox, tmp_path: Path, smtp: Mailbox
) -> None:
    env = env_file(sbx, tmp_path, smtp)
    request_id = new_request(env, sbx.shop.subject_email.upper())
    sent = cli(env, "requests", "verify", request_id, "--send-code", "--json")
    assert sent.exit_code == 0, sent.output
    assert json.loads(sent.stdout)["known_by"]
    [mail] = smtp.mails
    assert mail.recipients == [sbx.shop.subject_email] and mail.sender == "privacy@shop.example"
    assert mail.message["To"] == sbx.shop.subject_email
    assert "verificatiecode" in mail.text and "verification code" in mail.text
    assert request_id in mail.message["Subject"]

    wrong = "000000" if smtp.code() != "000000" else "111111"
    refused = cli(env, "requests", "verify", request_id, "--code", wrong)
    assert refused.exit_code == 2 and "wrong code (4 tries left)" in refused.stderr
    done = cli(env, "requests", "verify", request_id, "--code", smtp.code(), "--json")
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["status"] == "verified"
    db = Store(tmp_path / "state").db
    assert db.execute("SELECT COUNT(*) FROM codes").fetchone()[0] == 0


def code_sent(register: Register, request_id: str, config: Config) -> CodeSent:
    """`requests verify --send-code`: the address checked with the connectors of `config`."""
    with App(config) as opened:
        return send_code(register, request_id, config, collect=opened.collect)


def test_five_wrong_codes_lock_until_a_new_code(
    sbx: Sandbox, tmp_path: Path, smtp: Mailbox
) -> None:
    config = Config(settings(sbx, tmp_path, smtp))
    register = App(config).register()
    made = register.new("portability", sbx.shop.subject_email)
    code_sent(register, made.id, config)
    right = smtp.code()
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    for _ in range(5):
        with pytest.raises(InputError, match="wrong code"):
            check_code(register, made.id, wrong)
    with pytest.raises(InputError, match="locked"):
        check_code(register, made.id, right)
    actions = [e["action"] for e in register.events(made.id)]
    assert actions.count("code_rejected") == 5 and "code_locked" in actions
    row = register.store.db.execute("SELECT * FROM codes").fetchone()
    assert right not in row["code_hash"] and len(row["salt"]) == 32

    code_sent(register, made.id, config)
    assert len(smtp.mails) == 2 and check_code(register, made.id, smtp.code()).status == "verified"


def test_a_code_expires(sbx: Sandbox, tmp_path: Path, smtp: Mailbox) -> None:
    clock = Clock(datetime(2026, 11, 21, 9, 0, tzinfo=UTC))
    config = Config(settings(sbx, tmp_path, smtp, PRIVACY_BRIDGE_CODE_HOURS="2"))
    register = App(config).register(clock=clock)
    made = register.new("access", sbx.shop.subject_email)
    code_sent(register, made.id, config)
    clock.now += timedelta(hours=2, seconds=1)
    with pytest.raises(InputError, match="expired"):
        check_code(register, made.id, smtp.code())
    clock.now -= timedelta(seconds=2)
    assert check_code(register, made.id, smtp.code()).status == "verified"


def test_an_unknown_address_gets_no_mail_and_needs_a_manual_check(
    sbx: Sandbox, tmp_path: Path, smtp: Mailbox
) -> None:
    env = env_file(sbx, tmp_path, smtp)
    request_id = new_request(env, UNKNOWN)
    refused = cli(env, "requests", "verify", request_id, "--send-code")
    assert refused.exit_code == 2 and "no system knows the address" in refused.stderr
    assert "--manual" in refused.stderr and UNKNOWN not in refused.output
    assert smtp.mails == []
    assert cli(env, "requests", "verify", request_id, "--manual").exit_code == 2  # needs a note
    ok = cli(env, "requests", "verify", request_id, "--manual", "--note", "ID checked in shop")
    assert ok.exit_code == 0, ok.output
    shown = json.loads(cli(env, "requests", "show", request_id, "--json").stdout)
    verified = [e for e in shown["events"] if e["action"] == "verified"]
    assert verified[0]["detail"] == {
        "method": "manual",
        "note": "ID checked in shop",
        "status": "verified",
    }


def test_an_incomplete_lookup_refuses_rather_than_guesses(
    sbx: Sandbox, tmp_path: Path, smtp: Mailbox
) -> None:
    from sandbox.faults import Fault

    for system in sbx.faults:
        sbx.faults[system].add(Fault(status=503, times=1000, headers=NO_WAIT))
    env = env_file(sbx, tmp_path, smtp)
    request_id = new_request(env, UNKNOWN)
    refused = cli(env, "requests", "verify", request_id, "--send-code")
    assert refused.exit_code == 1 and "cannot tell" in refused.stderr
    assert smtp.mails == []


# --- the command line --------------------------------------------------------------------------


def test_an_overdue_request_is_red(sbx: Sandbox, tmp_path: Path, smtp: Mailbox) -> None:
    env = env_file(sbx, tmp_path, smtp)
    late = new_request(env, "jan@example.nl", "--received", "2020-01-31")
    fresh = new_request(env, "piet@example.nl")
    listed = cli(env, "requests", "list", "--open", "--json")
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert [r["id"] for r in rows] == [late, fresh]  # by due date
    assert rows[0]["overdue"] is True and rows[0]["due"] == "2020-02-29"
    assert rows[0]["days_left"] < 0 and rows[1]["overdue"] is False
    assert "jan@example.nl" not in listed.stdout

    register = App(Config(settings(sbx, tmp_path, smtp))).register()
    table = requests_table(register.list(), register.today())
    assert [row.style for row in table.rows] == ["red", None]
    console = Console(force_terminal=True, color_system="standard", width=200)
    with console.capture() as captured:
        console.print(table)
    late_line = next(line for line in captured.get().splitlines() if late in line)
    assert "\x1b[31m" in late_line and "overdue" in late_line

    text = cli(env, "requests", "list")
    assert text.exit_code == 0 and late in text.stdout and "overdue" in text.stdout


def test_the_operator_is_the_audit_actor(sbx: Sandbox, tmp_path: Path, smtp: Mailbox) -> None:
    env = env_file(sbx, tmp_path, smtp)
    request_id = new_request(env, "jan@example.nl", "--operator", "anna")
    cli(env, "requests", "extend", request_id, "--months", "2", "--reason", "complex")
    events = json.loads(cli(env, "requests", "show", request_id, "--json").stdout)["events"]
    assert [(e["actor"], e["action"]) for e in events] == [
        ("anna", "received"),
        ("tester", "extended"),
    ]


@pytest.mark.parametrize(
    "args",
    [
        ["requests", "show", "req-19990101-0000"],
        ["requests", "new", "--type", "access", "--email", "jan@"],
        ["requests", "new", "--type", "access", "--email", "j@x.nl", "--received", "21-11-2026"],
        ["requests", "new", "--type", "complaint", "--email", "j@x.nl"],
        ["requests", "verify", "req-19990101-0000", "--code", "12"],
        ["requests", "verify", "req-19990101-0000"],
        ["requests", "extend", "req-19990101-0000", "--months", "3", "--reason", "x"],
        ["requests", "deliver", "req-19990101-0000"],
        ["export", "--request", "req-19990101-0000", "--email", "j@x.nl", "--out", "never"],
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    sbx: Sandbox, tmp_path: Path, smtp: Mailbox, args: list[str]
) -> None:
    result = cli(env_file(sbx, tmp_path, smtp), *args)
    assert result.exit_code == 2, result.output
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_the_duplicate_warning_and_link_from_the_command_line(
    sbx: Sandbox, tmp_path: Path, smtp: Mailbox
) -> None:
    env = env_file(sbx, tmp_path, smtp)
    first = new_request(env, "jan@example.nl")
    result = cli(env, "requests", "new", "--type", "access", "--email", "jan@example.nl", "--json")
    second = json.loads(result.stdout)
    assert second["duplicate_of"] == first and "possible duplicate" in result.stderr
    linked = cli(env, "requests", "link", second["id"], "--to", first)
    assert linked.exit_code == 0 and f"linked to {first}" in linked.stdout
    cancelled = cli(env, "requests", "cancel", first, "--reason", "withdrawn")
    assert cancelled.exit_code == 0
    rows = json.loads(cli(env, "requests", "list", "--json").stdout)
    assert {r["status"] for r in rows} == {"cancelled"}
    assert json.loads(cli(env, "requests", "list", "--open", "--json").stdout) == []


def test_the_audit_log_has_no_personal_data(sbx: Sandbox, tmp_path: Path, smtp: Mailbox) -> None:
    env = env_file(sbx, tmp_path, smtp)
    request_id = new_request(env, sbx.shop.subject_email)
    cli(env, "requests", "verify", request_id, "--send-code")
    cli(env, "requests", "verify", request_id, "--code", smtp.code())
    cli(env, "requests", "deny", request_id, "--reason", "manifestly excessive")
    result = cli(env, "requests", "export-log", "--json")
    assert result.exit_code == 0, result.output
    log = json.loads(result.stdout)
    assert [r["id"] for r in log["requests"]] == [request_id]
    assert {"received", "code_sent", "verified", "denied"} <= {e["action"] for e in log["events"]}
    text = result.stdout.lower()
    store = Store(tmp_path / "state")
    subject = store.keys.pseudonym(sbx.shop.subject_email)
    assert sbx.shop.subject_email.lower() not in text and subject not in text
    assert "address" not in log["requests"][0] and "subject" not in log["requests"][0]
    assert smtp.code() not in text
