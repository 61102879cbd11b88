"""The erasure report zip: files, modes, checksums, the JSON, and the page for customer and operator."""

from __future__ import annotations

import hashlib
import json
import re
import stat
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bridge.core.policy import Action
from exports.erasure_models import ErasureReport, ReportStep, SystemReport
from exports.erasure_report import compact_ids, write_erasure_report
from exports.labels import ACTION_WORDS, STATE_WORDS

SCRIPT = "<script>alert(1)</script>"
MOMENT = datetime(2025, 3, 14, 9, 26, 53, tzinfo=UTC)
HASH = "3f9a2c71" + "0" * 56
UNTIL = date(2031, 11, 2)
BASIS = "art. 52 AWR (fiscale bewaarplicht), GDPR art. 17(3)(b)"
INSTRUCTION = "Clear the IP address of orders 1042, 1043: UPDATE wc_orders SET ip_address = ''"
FAILURE = "HTTP 503 after 3 attempts"
PROBLEM = "shop customer:17: still exists after delete"
NOTICE = "To Betaaldienst: under art. 17 and 19 GDPR we inform you that a customer of ours…"


def _step(seq: int, kind: str, rid: str, action: Action, state: str, **extra: object) -> ReportStep:
    return ReportStep.model_validate(
        {
            "seq": seq,
            "record_type": kind,
            "record_id": rid,
            "action": action,
            "state": state,
            **extra,
        }
    )


def _shop_steps(state: str) -> list[ReportStep]:
    return [
        _step(1, "customer", "17", Action.delete, state, reason="account", outcome="deleted"),
        *(
            _step(seq, "order_note", str(n), Action.delete, state, reason="notes hold data")
            for seq, n in enumerate((201, 202, 203, 204, 207), start=2)
        ),
        _step(
            8,
            "order",
            "1042",
            Action.retain,
            state,
            reason=f"fiscal record {SCRIPT}",
            legal_basis=BASIS,
            until=UNTIL,
            outcome="kept as planned",
        ),
        _step(9, "order", "990", Action.anonymise, state, reason="past the fiscal term"),
    ]


def make_report(*, dry_run: bool = False, finished: bool = False) -> ErasureReport:
    """Two systems, every action; unless `finished`: a failed step, an open manual step, a problem."""
    state = "planned" if dry_run else "done"
    shop_steps = _shop_steps(state)
    manual_state = "planned" if dry_run else ("confirmed" if finished else "manual")
    shop_steps.append(
        _step(
            10,
            "order_ip_and_user_agent",
            "1042,1043",
            Action.manual,
            manual_state,
            reason="the interface cannot change an order's IP address",
            instruction=INSTRUCTION,
        )
    )
    payment_state = state if dry_run or finished else "failed"
    payments = [
        _step(
            11,
            "payment",
            "tr_abc",
            Action.retain,
            state,
            reason="payment record",
            legal_basis=BASIS,
            until=date(2031, 11, 3),
        ),
        _step(
            12,
            "mandate",
            "mdt_1",
            Action.delete,
            payment_state,
            reason="a mandate is not needed",
            outcome=None if payment_state != "failed" else FAILURE,
        ),
    ]
    open_run = not (dry_run or finished)
    return ErasureReport(
        erasure_id="er-20250314-1",
        subject_hash=HASH,
        generated_at=MOMENT,
        dry_run=dry_run,
        complete=not dry_run and finished,
        open_manual_steps=1 if open_run else 0,
        problems=[PROBLEM] if open_run else [],
        systems=[
            SystemReport(
                system="shop", title="De Webwinkel", role="platform", status="ok", steps=shop_steps
            ),
            SystemReport(
                system="payments",
                title="Betaaldienst",
                role="processor: payments",
                status="ok",
                steps=payments,
                notice=NOTICE,
            ),
        ],
    )


def _open(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _html(report: ErasureReport, out: Path) -> str:
    return _open(write_erasure_report(report, out))["index.html"].decode("utf-8")


@pytest.fixture
def written(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    path = write_erasure_report(make_report(), tmp_path / "out" / "erasures")
    return path, _open(path)


def test_zip_is_private_named_and_holds_three_files(
    written: tuple[Path, dict[str, bytes]],
) -> None:
    path, files = written
    assert path.name == "privacy-bridge-erasure-3f9a2c71-20250314T092653Z.zip"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left
    assert list(files) == ["erasure-report.json", "index.html", "manifest.json"]
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        assert all((i.external_attr >> 16) & 0o777 == 0o600 for i in archive.infolist())


def test_an_existing_open_directory_is_made_private(tmp_path: Path) -> None:
    tmp_path.chmod(0o750)
    path = write_erasure_report(make_report(), tmp_path)
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_failed_write_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_: object) -> bytes:
        raise RuntimeError("disk full")

    monkeypatch.setattr("exports.erasure_report.erasure_manifest", boom)
    with pytest.raises(RuntimeError):
        write_erasure_report(make_report(), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_json_round_trips(written: tuple[Path, dict[str, bytes]]) -> None:
    _, files = written
    text = files["erasure-report.json"].decode("utf-8")
    assert text.startswith('{\n  "erasure_id"')  # indented by 2
    assert ErasureReport.model_validate(json.loads(text)) == make_report()


def test_manifest_checksums_and_counts(written: tuple[Path, dict[str, bytes]]) -> None:
    _, files = written
    manifest = json.loads(files["manifest.json"])
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert set(listed) == {"erasure-report.json", "index.html"}
    for name, entry in listed.items():
        assert entry["sha256"] == hashlib.sha256(files[name]).hexdigest()
        assert entry["bytes"] == len(files[name])
    assert manifest["generated_at"] == "2025-03-14T09:26:53Z"
    assert manifest["verdict"] == "open"
    assert (manifest["complete"], manifest["dry_run"]) == (False, False)
    assert (manifest["open_manual_steps"], manifest["problems"]) == (1, 1)
    shop, payments = manifest["systems"]
    assert shop["status"] == "ok"
    assert shop["steps"] == 9
    assert shop["actions"] == {
        "delete": {"done": 6},
        "anonymise": {"done": 1},
        "retain": {"done": 1},
        "manual": {"manual": 1},
    }
    assert payments["actions"]["delete"] == {"failed": 1}
    assert payments["actions"]["retain"] == {"done": 1}
    assert payments["notice"] is True


def test_page_shows_what_was_kept_done_and_failed(written: tuple[Path, dict[str, bytes]]) -> None:
    _, files = written
    html = files["index.html"].decode("utf-8")
    assert "Bewaard tot" in html and "Kept until" in html
    assert "2031-11-02" in html and "2031-11-03" in html
    assert BASIS in html
    shop = html.split('id="system-1-shop"', 1)[1].split("</article>", 1)[0]
    kept = shop.split("Bewaard (beperkt)", 1)[1].split("</table>", 1)[0]
    assert "2031-11-02" in kept and "1042" in kept
    assert "Instructie voor de beheerder" in shop and "instruction for the operator" in shop
    assert "UPDATE wc_orders SET ip_address = &#39;&#39;" in shop
    assert "te doen" in shop and "to do" in shop
    payments = html.split('id="system-2-payments"', 1)[1].split("</article>", 1)[0]
    failed = payments.split("Mislukt", 1)[1]
    assert FAILURE in failed
    assert "to be deleted" in failed  # a failed delete did not delete
    assert NOTICE in payments and "artikel 19 AVG" in payments
    assert "Article 19 GDPR" in payments
    assert "artikel 19 AVG" not in shop  # a notice only where one is set


def test_page_summarises_alike_steps_in_one_row(written: tuple[Path, dict[str, bytes]]) -> None:
    _, files = written
    html = files["index.html"].decode("utf-8")
    row = html.split("<code>order_note</code>", 1)[1].split("</tr>", 1)[0]
    assert "201–204, 207" in row
    assert '<td class="num">5</td>' in row
    assert html.count("<code>order_note</code>") == 1


def test_page_says_open_and_why(written: tuple[Path, dict[str, bytes]]) -> None:
    _, files = written
    html = files["index.html"].decode("utf-8")
    verdict = html.split('id="verdict-open"', 1)[1].split("</section>", 1)[0]
    assert "nog niet afgerond" in verdict and "still open" in verdict
    assert PROBLEM in verdict
    assert "Failed steps: 1" in verdict and "Betaaldienst" in verdict
    assert "Steps still to be done by hand: 1" in verdict
    assert "complete" not in html.lower()
    assert "dry run" not in html


def test_page_is_bilingual_with_the_words(written: tuple[Path, dict[str, bytes]]) -> None:
    _, files = written
    html = files["index.html"].decode("utf-8")
    assert '<h1><span lang="nl">Verslag van het wissen van uw gegevens</span>' in html
    assert '<span class="en" lang="en">Report on the erasure of your data</span></h1>' in html
    for words in (ACTION_WORDS[Action.delete], ACTION_WORDS[Action.anonymise]):
        assert words.nl in html and words.en in html
    for state in ("done", "failed", "manual"):
        assert STATE_WORDS[state].nl in html and STATE_WORDS[state].en in html
    assert "Bewaard (beperkt)" in html and "Kept (restricted)" in html
    assert "Handmatig" in html and "By hand" in html
    assert "artikel 17 AVG" in html and "Article 17 GDPR" in html
    assert "autoriteitpersoonsgegevens.nl" in html


def test_page_escapes_everything(written: tuple[Path, dict[str, bytes]]) -> None:
    _, files = written
    html = files["index.html"].decode("utf-8")
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html.lower()


def test_dry_run_says_plan(tmp_path: Path) -> None:
    html = _html(make_report(dry_run=True), tmp_path)
    verdict = html.split('id="verdict-dry_run"', 1)[1].split("</section>", 1)[0]
    assert "dry run" in verdict and "plan" in verdict
    assert "nothing has been changed yet" in verdict and "nog niets gewijzigd" in verdict
    assert "te verwijderen" in html.lower() and "to be deleted" in html.lower()
    assert "gepland" in html and "planned" in html
    assert 'id="verdict-complete"' not in html and 'id="verdict-open"' not in html
    assert "complete" not in html.lower()


def test_complete_only_when_complete(tmp_path: Path) -> None:
    html = _html(make_report(finished=True), tmp_path / "a")
    assert 'id="verdict-complete"' in html
    assert "The erasure is complete." in html and "Het wissen is voltooid." in html
    assert "bevestigd" in html and "confirmed" in html
    assert "2031-11-02" in html  # what is kept is still told
    assert 'id="verdict-open"' not in html

    unchecked = make_report(finished=True).model_copy(update={"complete": False})
    html = _html(unchecked, tmp_path / "b")
    assert 'id="verdict-open"' in html and "complete" not in html.lower()

    manual_open = make_report(finished=True)
    manual_open.systems[0].steps[-1].state = "manual"
    html = _html(manual_open, tmp_path / "c")  # complete, as far as the automatic steps go
    assert 'id="verdict-open"' in html and "The erasure is complete." not in html


def test_a_system_that_was_not_consulted(tmp_path: Path) -> None:
    report = make_report(finished=True)
    report.systems.append(
        SystemReport(system="shipping", title="Verzending", status="error", error="timeout")
    )
    html = _html(report, tmp_path)
    verdict = html.split('id="verdict-open"', 1)[1].split("</section>", 1)[0]
    assert "Verzending" in verdict and "Not consulted" in verdict
    assert "Not consulted: nothing has been erased here yet." in html


def test_compact_ids() -> None:
    assert compact_ids(["5", "3", "4", "10", "11", "x", "007", "3"]) == "3–5, 10, 11, x, 007"
    many = [str(n * 2) for n in range(100)]
    shown = compact_ids(many, limit=3)
    assert shown == "0, 2, 4, … +97"
    assert re.fullmatch(r"1–100", compact_ids([str(n) for n in range(1, 101)]))
