"""Work on a request: export with --request, delivery to the verified address over real SMTP,
expiry of packages, and an erasure request that forgets the address."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from test_register import Clock, Mailbox, cli, env_file, new_request, settings, smtp_server

from bridge.app import App
from bridge.core.config import Config
from bridge.core.errors import InputError
from bridge.register.delivery import export_request
from bridge.register.requests import Register
from bridge.store.db import Store
from sandbox.faults import NO_WAIT, Fault
from sandbox.server import Sandbox


@pytest.fixture()
def smtp() -> Iterator[Mailbox]:
    with smtp_server() as box:
        yield box


def verified_request(env: Path, sbx: Sandbox, smtp: Mailbox, kind: str = "access") -> str:
    result = cli(
        env, "requests", "new", "--type", kind, "--email", sbx.shop.subject_email, "--json"
    )
    request_id = str(json.loads(result.stdout)["id"])
    assert cli(env, "requests", "verify", request_id, "--send-code").exit_code == 0
    done = cli(env, "requests", "verify", request_id, "--code", smtp.code())
    assert done.exit_code == 0, done.output
    return request_id


def show(env: Path, request_id: str) -> dict[str, object]:
    result = cli(env, "requests", "show", request_id, "--json")
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.stdout)
    return data


def test_a_request_from_new_to_completed_with_the_package_attached(
    sbx: Sandbox, tmp_path: Path, smtp: Mailbox
) -> None:
    env = env_file(sbx, tmp_path, smtp)
    request_id = verified_request(env, sbx, smtp)
    exported = cli(env, "export", "--request", request_id, "--out", str(tmp_path / "out"), "--json")
    assert exported.exit_code == 0, exported.output
    summary = json.loads(exported.stdout)
    package = Path(summary["package"])
    assert summary["request"] == request_id and summary["complete"] is True
    shown = show(env, request_id)
    assert shown["status"] == "in_progress"
    assert shown["systems"] == {s: "ok" for s in sbx.servers}
    [recorded] = shown["packages"]  # type: ignore[misc]
    assert recorded["path"] == str(package.resolve()) and recorded["complete"] is True
    created = datetime.fromisoformat(recorded["created_at"])
    assert datetime.fromisoformat(recorded["expires_at"]) - created == timedelta(days=30)

    delivered = cli(env, "requests", "deliver", request_id, "--json")
    assert delivered.exit_code == 0, delivered.output
    assert json.loads(delivered.stdout)["mode"] == "attached"
    _code_mail, package_mail = smtp.mails
    assert all(m.recipients == [sbx.shop.subject_email] for m in smtp.mails)
    [attachment] = list(package_mail.message.iter_attachments())
    assert attachment.get_filename() == package.name
    assert attachment.get_content() == package.read_bytes()
    assert "Beste klant" in package_mail.text and "Dear customer" in package_mail.text
    assert hashlib.sha256(package.read_bytes()).hexdigest() in package_mail.text
    shown = show(env, request_id)
    assert shown["status"] == "completed" and shown["overdue"] is False
    actions = [e["action"] for e in shown["events"]]  # type: ignore[attr-defined]
    assert actions == [
        "received",
        "code_sent",
        "verified",
        "work_started",
        "systems",
        "package",
        "delivered",
        "completed",
    ]


def test_a_large_package_gets_a_notice_instead(sbx: Sandbox, tmp_path: Path, smtp: Mailbox) -> None:
    env = env_file(sbx, tmp_path, smtp, PRIVACY_BRIDGE_MAIL_MAX_MB="0.001")
    request_id = verified_request(env, sbx, smtp, kind="portability")
    exported = cli(env, "export", "--request", request_id, "--out", str(tmp_path / "out"), "--json")
    package = Path(json.loads(exported.stdout)["package"])
    delivered = cli(env, "requests", "deliver", request_id)
    assert delivered.exit_code == 0, delivered.output
    assert "Hand it over yourself" in delivered.stdout and str(package) in delivered.stdout
    notice = smtp.mails[-1]
    assert notice.recipients == [sbx.shop.subject_email]
    assert list(notice.message.iter_attachments()) == []
    assert "te groot" in notice.text and "too large" in notice.text
    assert "andere, veilige manier" in notice.text and "another secure way" in notice.text
    assert hashlib.sha256(package.read_bytes()).hexdigest() in notice.text
    assert show(env, request_id)["status"] == "completed"


def test_export_refuses_an_unverified_request(sbx: Sandbox, tmp_path: Path, smtp: Mailbox) -> None:
    env = env_file(sbx, tmp_path, smtp)
    request_id = new_request(env, sbx.shop.subject_email)
    out = tmp_path / "out"
    refused = cli(env, "export", "--request", request_id, "--out", str(out))
    assert refused.exit_code == 2 and "verify it first" in refused.stderr
    assert not out.exists() and sbx.requests("woocommerce") == 0
    neither = cli(env, "export", "--out", str(out))
    assert neither.exit_code == 2 and "--email or --request" in neither.stderr
    early = cli(env, "requests", "deliver", request_id)
    assert early.exit_code == 2 and "verify and export it first" in early.stderr


def test_an_incomplete_package_is_delivered_only_with_partial(
    sbx: Sandbox, tmp_path: Path, smtp: Mailbox
) -> None:
    env = env_file(sbx, tmp_path, smtp)
    request_id = verified_request(env, sbx, smtp)
    sbx.faults["paypal"].add(Fault(status=503, times=1000, headers=NO_WAIT))
    exported = cli(env, "export", "--request", request_id, "--out", str(tmp_path / "out"), "--json")
    assert exported.exit_code == 1
    assert show(env, request_id)["systems"]["paypal"] == "error"  # type: ignore[index]
    refused = cli(env, "requests", "deliver", request_id)
    assert refused.exit_code == 2 and "incomplete" in refused.stderr
    assert len(smtp.mails) == 1  # the code only
    delivered = cli(env, "requests", "deliver", request_id, "--partial")
    assert delivered.exit_code == 0, delivered.output
    assert "niet elk systeem" in smtp.mails[-1].text and "not every system" in smtp.mails[-1].text


def test_housekeeping_deletes_expired_packages_and_old_addresses(
    sbx: Sandbox, tmp_path: Path, smtp: Mailbox
) -> None:
    env = env_file(sbx, tmp_path, smtp)
    config = Config(settings(sbx, tmp_path, smtp))
    now = datetime.now(UTC)
    old = App(config).register(clock=Clock(now - timedelta(days=40)))
    fresh = App(config).register()

    def package_for(register: Register, name: str) -> tuple[str, Path]:
        made = register.new("access", f"{name}@example.nl")
        register.mark_verified(made.id, "manual", "known customer")
        register.start_work(made.id, "export")
        path = tmp_path / "out" / f"{name}.zip"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(b"zip")
        register.record_package(made.id, path, complete=True, days=30)
        return made.id, path

    expired_id, expired = package_for(old, "old")
    old.complete(expired_id)
    kept_id, kept = package_for(fresh, "new")

    result = cli(env, "housekeeping", "--json")
    assert result.exit_code == 0, result.output
    done = json.loads(result.stdout)
    assert [p["path"] for p in done["removed"]] == [str(expired.resolve())]
    assert done["addresses_forgotten"] == [expired_id]
    assert not expired.exists() and kept.exists()
    assert [p.path for p in fresh.packages()] == [kept.resolve()]
    assert fresh.get(expired_id).address_kept is False and fresh.get(kept_id).address_kept
    again = cli(env, "housekeeping")
    assert again.exit_code == 0 and "0 package(s) removed" in again.stdout
    with pytest.raises(InputError, match="no longer kept"):
        fresh.address(expired_id)


def test_a_completed_erasure_leaves_no_trace_of_the_address(
    sbx: Sandbox, tmp_path: Path, smtp: Mailbox
) -> None:
    env = env_file(sbx, tmp_path, smtp)
    config = Config(settings(sbx, tmp_path, smtp))
    request_id = verified_request(env, sbx, smtp, kind="erasure")
    register = App(config).register()
    with App(config) as opened:
        result = export_request(
            register, request_id, tmp_path / "out", config, export=opened.export
        )
    state = tmp_path / "state"
    store = Store(state)
    token = store.db.execute("SELECT address FROM requests").fetchone()["address"]
    assert register.start_work(request_id, "erasure") == sbx.shop.subject_email

    completed = register.complete(request_id)
    assert completed.status == "completed" and completed.address_kept is False
    assert not result.package.exists() and register.packages(request_id) == []
    register.store.close()
    store.close()
    address = sbx.shop.subject_email.encode()
    files = [p for p in state.iterdir() if p.is_file()]
    assert {p.name for p in files} >= {"privacy-bridge.sqlite3"}
    for path in files:
        content = path.read_bytes()
        for needle in (address, address.upper(), token, result.package.name.encode()):
            assert needle not in content, (path.name, needle[:20])
    wal = state / "privacy-bridge.sqlite3-wal"
    assert not wal.exists() or os.path.getsize(wal) == 0
    log = cli(env, "requests", "export-log", "--json").stdout
    assert sbx.shop.subject_email not in log and '"address_dropped"' in log
    assert "subject" not in json.loads(log)["requests"][0]
    assert App(config).register().get(request_id).status == "completed"
