"""The art. 19 notices to processors (issue 15, item 1): mailed over a real SMTP server on
loopback after an erasure of the sandbox's subject, in each processor's language, to its own
address; one without an address stays a manual step; acknowledged, reminded, overdue; nothing sent
twice; no person in the audit trail. Days are injected, never waited for."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from test_register import Mail, Mailbox, smtp_server
from typer.testing import CliRunner

from bridge.app import App
from bridge.cli.main import app
from bridge.core.config import Config
from bridge.core.errors import InputError
from bridge.register.erasing import confirm_steps, erase_request
from bridge.register.notice_settings import NO_ADDRESS, notice_settings, recipient
from bridge.register.notices import (
    acknowledge,
    list_notices,
    remind,
    send_notices,
)
from bridge.register.requests import Register
from bridge.register.step_numbers import parse
from bridge.store.db import Store
from bridge.store.schema import SCHEMA, statements
from sandbox.server import start

runner = CliRunner()
NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)
TODAY = NOW.date()
MOLLIE_TO = "privacy@mollie.example"
PAYPAL_TO = "dpo@paypal.example"
NOTE = "bevestigd door Jan Jansen van de support, ticket 4411"


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Erased:
    """One erasure of the sandbox's subject, its state kept aside to be copied per test."""

    state: Path
    env: dict[str, str]
    request_id: str
    address: str
    outcome: Any
    # Per processor: the ids of its records the erasure keeps or leaves to be done by hand.
    ids: dict[str, set[str]]
    names: set[str]  # the subject's names in the shop: never in a notice


@pytest.fixture(scope="module")
def erased(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Erased]:
    root = tmp_path_factory.mktemp("notices")
    with start("woocommerce") as sandbox:
        config = Config({**sandbox.env, "PRIVACY_BRIDGE_HOME": str(root / "state")})
        with App(config) as opened:
            register = Register(opened.store, "anna", clock=Clock(NOW))
            # The subject's names, read before the erasure takes them away.
            names = {
                part
                for customer in sandbox.shop.woocommerce.customers
                if customer.get("email", "").lower() == sandbox.shop.subject_email.lower()
                for part in (customer.get("first_name"), customer.get("last_name"))
                if part
            }
            assert names
            made = register.new("erasure", sandbox.shop.subject_email)
            register.mark_verified(made.id, "manual", "ID seen")
            outcome = erase_request(register, made.id, erase=opened.erase, dry_run=False)
            assert outcome.complete and outcome.result.manual_open
            ids: dict[str, set[str]] = {}
            for entry in outcome.result.steps:
                # (a step named after its system is the request to it, not a record)
                if entry.step.action.value in ("retain", "manual") and (
                    entry.step.record_id != entry.step.system
                ):
                    ids.setdefault(entry.step.system, set()).add(entry.step.record_id)
            yield Erased(
                root / "state", dict(sandbox.env), made.id, sandbox.shop.subject_email,
                outcome, ids, names,
            )  # fmt: skip


@pytest.fixture(scope="module")
def mailbox() -> Iterator[Mailbox]:
    with smtp_server() as box:
        yield box


@dataclass
class Case:
    register: Register
    config: Config
    env: Path
    box: Mailbox
    erased: Erased
    clock: Clock


@pytest.fixture()
def case(
    erased: Erased, mailbox: Mailbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Case]:
    """A copy of the erased state, with Mollie (Dutch) and PayPal (English) given an address and
    MyParcel none; the CLI's register runs on the test's clock."""
    mailbox.mails.clear()
    state = tmp_path / "state"
    shutil.copytree(erased.state, state)
    values = {
        **erased.env,
        "PRIVACY_BRIDGE_HOME": str(state),
        "PRIVACY_BRIDGE_OPERATOR": "anna",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(mailbox.port),
        "SMTP_FROM": "privacy@shop.example",
        "PRIVACY_BRIDGE_NOTICE_TO_MOLLIE": MOLLIE_TO,
        "PRIVACY_BRIDGE_NOTICE_TO_PAYPAL": PAYPAL_TO,
        "PRIVACY_BRIDGE_NOTICE_LANG_PAYPAL": "en",
    }
    env = tmp_path / "test.env"
    env.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    clock = Clock(NOW)

    def register(self: App, operator: str | None = None, **_: Any) -> Register:
        return Register(self.store, operator or "anna", clock=clock)

    monkeypatch.setattr(App, "register", register)
    store = Store(state)
    try:
        yield Case(
            Register(store, "anna", clock=clock), Config(values), env, mailbox, erased, clock
        )
    finally:
        store.close()


def cli(case: Case, *args: str) -> Any:
    return runner.invoke(app, [*args, "--env-file", str(case.env)])


def sent(case: Case) -> list[Mail]:
    return send_and_list(case)[0]


def send_and_list(case: Case) -> tuple[list[Mail], list[Any]]:
    before = len(case.box.mails)
    states = send_notices(
        case.register, case.erased.request_id, case.erased.outcome, case.config, TODAY
    )
    return case.box.mails[before:], states


def on(case: Case, day: date) -> None:
    case.clock.now = datetime.combine(day, NOW.timetz())


# --- sending ----------------------------------------------------------------------------------


def test_each_processor_with_an_address_gets_one_mail_in_its_language(case: Case) -> None:
    request_id = case.erased.request_id
    mails, states = send_and_list(case)
    assert {m.recipients[0] for m in mails} == {MOLLIE_TO, PAYPAL_TO}
    assert all(len(m.recipients) == 1 for m in mails)
    by_to = {m.recipients[0]: m for m in mails}
    dutch, english = by_to[MOLLIE_TO], by_to[PAYPAL_TO]
    assert request_id in str(dutch.message["Subject"]) and request_id in dutch.text
    assert request_id in str(english.message["Subject"]) and request_id in english.text
    assert "Verzoek tot verwijdering" in str(dutch.message["Subject"])
    assert "Geachte" in dutch.text and "Dear" not in dutch.text
    assert "Request to erase" in str(english.message["Subject"]) and "Dear" in english.text
    # What the processor needs to find the records, and nothing more of the person.
    for mail, system in ((dutch, "mollie"), (english, "paypal")):
        for record_id in case.erased.ids[system]:
            assert record_id in mail.text, (system, record_id)
        assert case.erased.address in mail.text
        for name in case.erased.names:
            assert name not in mail.text
        assert str(mail.message["From"]) == "privacy@shop.example"
    assert not any(i in dutch.text for i in case.erased.ids["paypal"])

    # Every processor with a kept record or a step by hand has a notice; MyParcel has no address
    # and stays a manual step; Mailchimp (erased through its API, nothing kept) is not asked.
    by_system = {s.system: s for s in states}
    assert set(by_system) == {"mollie", "paypal", "myparcel"}
    assert by_system["myparcel"].status == NO_ADDRESS and by_system["myparcel"].actions == [
        "not_sent"
    ]
    assert by_system["mollie"].actions == ["sent"] and by_system["mollie"].language == "nl"
    assert by_system["paypal"].language == "en" and by_system["paypal"].sent_on == TODAY
    assert "myparcel" in case.register.show(request_id)["manual_open"]

    listed = cli(case, "requests", "notices", "--request", request_id, "--json")
    assert listed.exit_code == 0, listed.output
    rows = {r["system"]: r for r in json.loads(listed.stdout)}
    assert rows["myparcel"]["status"] == NO_ADDRESS and rows["myparcel"]["to"] is None
    assert rows["mollie"]["to"] == MOLLIE_TO and rows["mollie"]["state"] == "sent"
    text = cli(case, "requests", "notices")
    assert text.exit_code == 0 and NO_ADDRESS in text.stdout and request_id in text.stdout


def test_nothing_is_sent_twice_on_a_rerun(case: Case) -> None:
    assert len(sent(case)) == 2
    mails, states = send_and_list(case)
    assert mails == [] and all(s.actions in ([], ["not_sent"]) for s in states)
    assert remind(case.register, case.config, TODAY) == []
    assert len(case.box.mails) == 2
    sent_events = [e for e in case.register.events() if e["action"] == "notice_sent"]
    assert len(sent_events) == 2


def test_an_address_configured_later_is_sent_by_the_next_run(case: Case) -> None:
    sent(case)
    later = Config(
        {**case.config.values, "PRIVACY_BRIDGE_NOTICE_TO_MYPARCEL": "p@myparcel.example"}
    )
    done = remind(case.register, later, TODAY + timedelta(days=1))
    assert [(n.system, n.actions) for n in done] == [("myparcel", ["sent"])]
    assert case.box.mails[-1].recipients == ["p@myparcel.example"]
    assert "31250496" in case.box.mails[-1].text  # a shipment to be erased by hand
    assert "Geachte" in case.box.mails[-1].text  # Dutch unless set otherwise


# --- following up -----------------------------------------------------------------------------


def test_ack_closes_one_reminders_go_to_the_other_and_it_turns_overdue(case: Case) -> None:
    request_id = case.erased.request_id
    sent(case)
    paypal_steps = case.register.show(request_id)["manual_open"]["paypal"]["count"]
    assert paypal_steps >= 1

    on(case, TODAY + timedelta(days=3))
    refused = cli(case, "requests", "notices", "--ack", request_id, "paypal")
    assert refused.exit_code == 2 and "--note" in refused.stderr
    acked = cli(
        case, "requests", "notices", "--ack", request_id, "paypal", "--note", NOTE, "--json"
    )
    assert acked.exit_code == 0, acked.output
    done = json.loads(acked.stdout)
    assert done["state"] == "acknowledged" and done["acknowledged_by"] == "anna"
    assert done["acknowledged_on"] == (TODAY + timedelta(days=3)).isoformat()
    assert done["note"] == NOTE and done["confirmed_count"] == paypal_steps
    shown = case.register.show(request_id)
    assert "paypal" not in shown["manual_open"] and shown["status"] == "awaiting_manual"
    again = cli(case, "requests", "notices", "--ack", request_id, "paypal", "--note", NOTE)
    assert again.exit_code == 2 and "acknowledged" in again.stderr
    unknown = cli(case, "requests", "notices", "--ack", request_id, "mailchimp", "--note", NOTE)
    assert unknown.exit_code == 2 and "no notice" in unknown.stderr

    # Before the interval: nothing. After it: a reminder to Mollie only (PayPal acknowledged,
    # MyParcel never sent); the same day again: nothing.
    assert remind(case.register, case.config, TODAY + timedelta(days=13)) == []
    on(case, TODAY + timedelta(days=14))
    before = len(case.box.mails)
    reminded = cli(case, "requests", "notices", "--remind")
    assert reminded.exit_code == 0, reminded.output
    assert reminded.stdout.strip().splitlines() == [
        f"{request_id} mollie: reminder 1 sent to {MOLLIE_TO}"
    ]
    (reminder,) = case.box.mails[before:]
    assert reminder.recipients == [MOLLIE_TO]
    assert str(reminder.message["Subject"]).startswith("Herinnering 1:")
    assert request_id in str(reminder.message["Subject"]) and TODAY.isoformat() in reminder.text
    assert all(i in reminder.text for i in case.erased.ids["mollie"])
    rerun = cli(case, "requests", "notices", "--remind", "--json")
    assert rerun.exit_code == 0 and json.loads(rerun.stdout) == []
    assert len(case.box.mails) == before + 1

    # Past the overdue days: marked once, shown, and still reminded every interval.
    listed = list_notices(case.register, case.config, TODAY + timedelta(days=29), request_id)
    assert not any(n.overdue for n in listed)
    on(case, TODAY + timedelta(days=30))
    late = cli(case, "requests", "notices", "--remind", "--json")
    assert late.exit_code == 0, late.output
    (mollie,) = json.loads(late.stdout)
    assert mollie["system"] == "mollie" and mollie["actions"] == ["overdue", "reminded"]
    assert mollie["overdue"] is True and mollie["reminders"] == 2
    assert mollie["overdue_on"] == (TODAY + timedelta(days=30)).isoformat()
    shown_text = cli(case, "requests", "notices", "--request", request_id)
    assert "OVERDUE" in shown_text.stdout and "acknowledged" in shown_text.stdout
    assert remind(case.register, case.config, TODAY + timedelta(days=31)) == []
    marks = [e for e in case.register.events(request_id) if e["action"] == "notice_overdue"]
    assert len(marks) == 1 and marks[0]["detail"] == {"system": "mollie", "days": 30}

    # Acknowledging closes only that processor's steps; the shop's own steps by hand keep the
    # request open until they are confirmed, and the last confirmation completes it.
    acknowledge(case.register, request_id, "mollie", "confirmed", case.config, TODAY)
    final = acknowledge(case.register, request_id, "myparcel", "done by phone", case.config, TODAY)
    left = case.register.show(request_id)["manual_open"]
    assert final.confirmed and not final.completed and "myparcel" not in left
    assert final.remaining == sum(m["count"] for m in left.values())
    for system, steps in left.items():
        assert case.register.get(request_id).status.value == "awaiting_manual"
        confirm_steps(case.register, request_id, parse(steps["steps"]), f"done in {system}")
    assert case.register.get(request_id).status.value == "completed"
    # Completed: the notes about the person are shredded with the erasure, the notices stay.
    kept = {n.system: n for n in list_notices(case.register, case.config, TODAY, request_id)}
    assert kept["paypal"].state == "acknowledged" and kept["paypal"].note != NOTE


def test_the_audit_trail_names_processors_never_the_person(case: Case) -> None:
    sent(case)
    acknowledge(case.register, case.erased.request_id, "paypal", NOTE, case.config, TODAY)
    remind(case.register, case.config, TODAY + timedelta(days=40))
    actions = {e["action"] for e in case.register.events(case.erased.request_id)}
    assert {"notice_recorded", "notice_sent", "notice_acknowledged", "notice_reminded"} <= actions
    assert "notice_overdue" in actions
    raw = sqlite3.connect(case.register.store.path)
    try:
        details = "\n".join(r[0] for r in raw.execute("SELECT detail FROM events"))
    finally:
        raw.close()
    assert case.erased.address.lower() not in details.lower()
    assert NOTE not in details and "Jan Jansen" not in details
    assert MOLLIE_TO not in details and PAYPAL_TO not in details


def test_a_failing_mail_server_leaves_the_notice_unsent_for_the_next_run(case: Case) -> None:
    down = Config({**case.config.values, "SMTP_PORT": "1"})
    states = send_notices(case.register, case.erased.request_id, case.erased.outcome, down, TODAY)
    failed = {s.system: s for s in states if s.actions == ["failed"]}
    assert set(failed) == {"mollie", "paypal"} and all(s.error for s in failed.values())
    assert all(s.state == "unsent" and s.status == "not sent" for s in failed.values())
    assert len(sent(case)) == 2  # the next run sends them


# --- settings and the store -------------------------------------------------------------------


def test_the_settings_are_named_after_the_system() -> None:
    to, lang = notice_settings("mollie")
    assert to.name == "PRIVACY_BRIDGE_NOTICE_TO_MOLLIE" and not to.required
    assert lang.name == "PRIVACY_BRIDGE_NOTICE_LANG_MOLLIE" and lang.default == "nl"
    assert recipient(Config({}), "mollie") == (None, "nl")
    with pytest.raises(InputError, match="PRIVACY_BRIDGE_NOTICE_LANG_MOLLIE"):
        recipient(Config({"PRIVACY_BRIDGE_NOTICE_LANG_MOLLIE": "de"}), "mollie")
    with pytest.raises(InputError, match="PRIVACY_BRIDGE_NOTICE_TO_MOLLIE"):
        recipient(Config({"PRIVACY_BRIDGE_NOTICE_TO_MOLLIE": "not-an-address"}), "mollie")
    example = (Path(__file__).resolve().parents[1] / ".env.example").read_text()
    for name in ("TO_MOLLIE", "REMIND_DAYS", "OVERDUE_DAYS"):
        assert f"PRIVACY_BRIDGE_NOTICE_{name}=" in example


def test_a_state_directory_of_the_previous_version_gets_the_notices_table(tmp_path: Path) -> None:
    Store(tmp_path / "state").close()
    path = tmp_path / "state" / Store.FILE
    db = sqlite3.connect(path)
    db.execute("DROP TABLE notices")
    db.execute(f"PRAGMA user_version = {len(SCHEMA) - 1}")
    db.commit()
    db.close()
    store = Store(tmp_path / "state")
    try:
        version = store.db.execute("PRAGMA user_version").fetchone()[0]
        assert version == len(SCHEMA)
        assert store.db.execute("SELECT COUNT(*) FROM notices").fetchone()[0] == 0
    finally:
        store.close()
    assert any("CREATE TABLE notices" in s for s in statements(SCHEMA[-1]))
