"""An erasure request closed: the last step by hand confirmed, the report written again as final
beside the first, the customer mailed it in Dutch and English over real SMTP (aiosmtpd on
loopback) before the address is forgotten; without SMTP the request completes all the same and
the register says the customer is to be told by hand."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_register import Mailbox, cli, free_port, smtp_server

from bridge.app import App
from bridge.core.config import load_config
from bridge.core.errors import BridgeError
from bridge.register.delivery import NOT_TOLD_EVENT, tell_by_hand
from bridge.register.erasing import Confirmation, confirm_steps
from bridge.register.step_numbers import parse, ranges
from exports.erasure_report import worksheet_path
from sandbox.server import Sandbox, start


@pytest.fixture()
def shop() -> Iterator[Sandbox]:
    """A sandbox of its own: the erasure changes its data."""
    with start("woocommerce") as sandbox:
        yield sandbox


@pytest.fixture()
def smtp() -> Iterator[Mailbox]:
    with smtp_server() as box:
        yield box


def write_env(shop: Sandbox, tmp_path: Path, **extra: str) -> Path:
    path = tmp_path / "shop.env"
    values = {
        **shop.env,
        "PRIVACY_BRIDGE_HOME": str(tmp_path / "state"),
        "PRIVACY_BRIDGE_OPERATOR": "tester",
        **extra,
    }
    path.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    return path


def smtp_settings(port: int) -> dict[str, str]:
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SMTP_FROM": "privacy@shop.example"}


def json_of(env: Path, *args: str) -> Any:
    result = cli(env, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def erased_request(env: Path, address: str, reports: Path) -> tuple[str, list[int]]:
    """A new erasure request, verified and erased (--yes): its id and its steps by hand."""
    request_id = json_of(env, "requests", "new", "--type", "erasure", "--email", address)["id"]
    verified = cli(env, "requests", "verify", request_id, "--manual", "--note", "ID seen")
    assert verified.exit_code == 0, verified.output
    summary = json_of(env, "erase", "--request", request_id, "--yes", "--out", str(reports))
    assert summary["state"] == "open" and summary["manual"]
    return request_id, [m["seq"] for m in summary["manual"]]


def confirm(env: Path, request_id: str, pasted: str, note: str) -> Confirmation:
    """`erase --request --confirm-manual PASTED --note NOTE`, with the settings of `env`."""
    with App(load_config(env)) as app:
        return confirm_steps(app.register(), request_id, parse(pasted), note, config=app.config)


def report_json(path: Path) -> dict[str, Any]:
    with zipfile.ZipFile(path) as archive:
        data: dict[str, Any] = json.loads(archive.read("erasure-report.json"))
    return data


def assert_forgotten(state: Path, address: str) -> None:
    """The state directory holds the address nowhere in clear."""
    needle = address.encode()
    for file in state.iterdir():
        if file.is_file():
            assert needle not in file.read_bytes().lower(), file.name


def test_the_last_confirmation_mails_the_final_report_then_forgets_the_address(
    shop: Sandbox, smtp: Mailbox, tmp_path: Path
) -> None:
    address = shop.shop.subject_email
    env = write_env(shop, tmp_path, **smtp_settings(smtp.port))
    reports = tmp_path / "reports"
    request_id, manual = erased_request(env, address, reports)
    first_reports = set(reports.glob("*.zip"))
    assert len(first_reports) == 1

    # In two goes, pasted as the tool prints them.
    half = len(manual) // 2 or 1
    first = confirm(env, request_id, ranges(manual[:half]), "deleted in the Mollie dashboard")
    assert not first.completed and first.final is None and smtp.mails == []
    assert json_of(env, "requests", "show", request_id)["status"] == "awaiting_manual"
    last = confirm(env, request_id, ranges(manual[half:]), "deleted in the admin")
    assert last.completed and last.remaining == 0 and last.final is not None
    assert last.final.mailed == "attached" and not last.tell_by_hand
    assert last.to_dict()["final_report"] == last.final.report

    # The final report, where the first went (beside it, or in its place when both fall in the
    # same second: the name's stamp), says complete.
    final = Path(last.final.report)
    assert final.parent == reports.resolve()
    assert first_reports <= set(reports.glob("*.zip")) | {final}
    data = report_json(final)
    assert data["state"] == "complete" and data["complete"] is True
    assert data["open_steps"]["total"] == 0
    states = {s["state"] for system in data["systems"] for s in system["steps"]}
    assert "manual" not in states and "confirmed" in states
    assert worksheet_path(final).is_file()

    # One mail, to the request's address only, in Dutch and English, the report attached.
    assert len(smtp.mails) == 1
    mail = smtp.mails[0]
    assert mail.recipients == [address]
    assert "Beste klant" in mail.text and "Dear customer" in mail.text
    assert "afgerond" in mail.text and "is complete" in mail.text
    attachments = list(mail.message.iter_attachments())
    assert len(attachments) == 1
    attached = attachments[0].get_content()
    assert attached == final.read_bytes()
    assert hashlib.sha256(attached).hexdigest() in mail.text

    shown = json_of(env, "requests", "show", request_id)
    assert shown["status"] == "completed" and shown["address_kept"] is False
    assert shown["manual_open"] == {}
    actions = [e["action"] for e in shown["events"]]
    # the mail went out before the completion forgot the address
    assert actions.index("delivered") < actions.index("completed")
    assert actions.index("completed") < actions.index("address_dropped")
    assert NOT_TOLD_EVENT not in actions
    assert_forgotten(tmp_path / "state", address)

    # Nothing can be mailed any more: deliver says why, and where the report is.
    again = cli(env, "requests", "deliver", request_id)
    assert again.exit_code == 2
    assert "forgotten" in again.stderr and "export --request" not in again.stderr
    assert len(smtp.mails) == 1


def test_without_smtp_the_request_completes_and_the_customer_is_to_be_told_by_hand(
    shop: Sandbox, tmp_path: Path
) -> None:
    address = shop.shop.subject_email
    env = write_env(shop, tmp_path)
    reports = tmp_path / "reports"
    request_id, manual = erased_request(env, address, reports)

    done = cli(
        env,
        "erase",
        "--request",
        request_id,
        "--confirm-manual",
        ranges(manual),
        "--note",
        "done in the admin",
        "--json",
    )
    assert done.exit_code == 0, done.output
    summary = json.loads(done.stdout)
    assert summary["completed"] is True and summary["tell_by_hand"] is True
    assert summary["customer_mailed"] is None
    assert report_json(Path(summary["final_report"]))["state"] == "complete"

    shown = json_of(env, "requests", "show", request_id)
    assert shown["status"] == "completed"
    not_told = [e for e in shown["events"] if e["action"] == NOT_TOLD_EVENT]
    assert len(not_told) == 1 and "by hand" in not_told[0]["detail"]["to_do"]
    with App(load_config(env)) as app:
        assert tell_by_hand(app.register(), request_id)
    assert_forgotten(tmp_path / "state", address)


def test_a_mail_that_fails_leaves_the_request_open_and_deliver_sends_it(
    shop: Sandbox, smtp: Mailbox, tmp_path: Path
) -> None:
    address = shop.shop.subject_email
    dead = write_env(shop, tmp_path, **smtp_settings(free_port()))
    request_id, manual = erased_request(dead, address, tmp_path / "reports")

    with pytest.raises(BridgeError, match="stays open") as failed:
        confirm(dead, request_id, ranges(manual), "done in the admin")
    assert f"requests deliver {request_id}" in str(failed.value)
    shown = json_of(dead, "requests", "show", request_id)
    assert shown["status"] == "awaiting_manual" and shown["manual_open"] == {}
    assert shown["address_kept"] is True

    live = write_env(shop, tmp_path, **smtp_settings(smtp.port))
    delivered = json_of(live, "requests", "deliver", request_id)
    assert delivered["what"] == "final_report" and delivered["completed"] is True
    assert len(smtp.mails) == 1 and smtp.mails[0].recipients == [address]
    assert report_json(Path(delivered["package"]))["state"] == "complete"
    assert json_of(live, "requests", "show", request_id)["status"] == "completed"
    assert_forgotten(tmp_path / "state", address)


def test_deliver_refuses_an_erasure_with_steps_open(
    shop: Sandbox, smtp: Mailbox, tmp_path: Path
) -> None:
    env = write_env(shop, tmp_path, **smtp_settings(smtp.port))
    request_id, manual = erased_request(env, shop.shop.subject_email, tmp_path / "reports")
    refused = cli(env, "requests", "deliver", request_id)
    assert refused.exit_code == 2 and "--confirm-manual" in refused.stderr
    assert ranges(manual) in refused.stderr and smtp.mails == []
