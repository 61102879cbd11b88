"""The operator's whole job, scripted as cron and a script would run it: every command in --json.

One erasure request for the sandbox's subject, against the sandbox and a real SMTP server on
loopback: registered, verified, exported, erased; the processors with a notice address told by
mail (one acknowledged, one reminded), the one without listed as a step by hand; the steps by
hand confirmed with the ranges the tool printed, pasted back; the final report written and the
customer mailed it; the address forgotten.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

import pytest
from test_register import cli, smtp_server

from bridge.register import reader
from sandbox.server import Sandbox, start

MOLLIE, PAYPAL = "privacy@mollie.example", "privacy@paypal.example"


@pytest.fixture
def shop() -> Iterator[Sandbox]:
    with start("woocommerce") as running:
        yield running


def run(env: Path, *args: str) -> Any:
    result = cli(env, *args, "--json")
    assert result.exit_code in (0, 1), (args, result.output)
    assert "internal error" not in result.output and "Traceback" not in result.output
    return json.loads(result.stdout)


class _Tomorrow(datetime):
    """The register's clock two days on: a reminder falls due (the CLI runs in-process)."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> _Tomorrow:
        return cls.fromtimestamp((datetime.now(UTC) + timedelta(days=2)).timestamp(), tz)


def test_a_full_erasure_request_from_new_to_the_customer_mailed(
    shop: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    address = shop.shop.subject_email
    with smtp_server() as box:
        env = tmp_path / "shop.env"
        settings = {
            **shop.env,
            "PRIVACY_BRIDGE_HOME": str(tmp_path / "state"),
            "PRIVACY_BRIDGE_OPERATOR": "tester",
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(box.port),
            "SMTP_FROM": "privacy@shop.example",
            "PRIVACY_BRIDGE_NOTICE_TO_MOLLIE": MOLLIE,
            "PRIVACY_BRIDGE_NOTICE_TO_PAYPAL": PAYPAL,
            "PRIVACY_BRIDGE_NOTICE_LANG_PAYPAL": "en",
            "PRIVACY_BRIDGE_NOTICE_REMIND_DAYS": "1",
        }
        env.write_text("".join(f"{k}={v}\n" for k, v in settings.items()))

        request = run(env, "requests", "new", "--type", "erasure", "--email", address)["id"]
        run(env, "requests", "verify", request, "--manual", "--note", "passport seen at the desk")
        exported = run(env, "export", "--email", address, "--out", str(tmp_path / "packages"))
        assert Path(exported["package"]).exists()
        erased = run(env, "erase", "--request", request, "--yes", "--out", str(tmp_path / "r"))
        assert (erased["state"], erased["complete"]) == ("open", False)

        notices = {n["system"]: n for n in run(env, "requests", "notices", "--request", request)}
        sent_to = {m.recipients[0] for m in box.mails}
        assert sent_to == {MOLLIE, PAYPAL}  # one notice each, none to the customer yet
        assert notices["mollie"]["sent_on"] and notices["paypal"]["sent_on"]
        unaddressed = [s for s, n in notices.items() if not n.get("to")]
        assert unaddressed, "a processor without an address stays a step by hand"
        english = next(m for m in box.mails if m.recipients == [PAYPAL])
        assert request in str(english.message["Subject"]) and "erase" in english.text.lower()

        run(env, "requests", "notices", "--ack", request, "mollie", "--note", "done, by mail")
        with monkeypatch.context() as later:
            later.setattr(reader, "datetime", _Tomorrow)
            reminded = run(env, "requests", "notices", "--remind")
        assert [m.recipients for m in box.mails[2:]] == [[PAYPAL]], reminded

        shown = run(env, "requests", "show", request)
        pasted = ", ".join(s["steps"] for s in shown["manual_open"].values())
        done = run(
            env, "erase", "--request", request, "--confirm-manual", pasted,
            "--note", "removed in the back offices",
        )  # fmt: skip
        assert done["remaining"] == 0 and done["final_report"], done

        customer = box.mails[-1]
        assert customer.recipients == [address]
        attached = [p for p in customer.message.iter_attachments()]
        assert attached, "the final report is attached"
        final = tmp_path / "final-report.zip"
        final.write_bytes(attached[0].get_content())
        with zipfile.ZipFile(final) as report:
            data = json.loads(report.read("erasure-report.json"))
        assert (data["state"], data["complete"]) == ("complete", True)
        assert run(env, "requests", "show", request)["status"] == "completed"
    state = tmp_path / "state"
    for file in state.iterdir():
        if file.is_file():
            assert address.encode() not in file.read_bytes().lower(), file.name
