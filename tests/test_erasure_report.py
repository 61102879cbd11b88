"""The erasure's two documents: the customer's report (a zip: the JSON, the page, the manifest) and
the operator's worksheet beside it; and the one answer to where the erasure stands."""

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
from bridge.core.statement import Shop, Text
from exports.erasure_models import (
    ErasureReport,
    ErasureState,
    ReportStep,
    SystemReport,
    assess,
    state_line,
)
from exports.erasure_report import compact_ids, worksheet_path, write_erasure_report
from tests.bilingual import unpaired

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
        problems=[PROBLEM] if open_run else [],
        systems=[
            SystemReport(
                system="shop",
                title="De Webwinkel",
                role="platform",
                status="ok",
                steps=shop_steps,
                labels={"order": Text(nl="bestelling", en="order")},
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


SHOP = Shop(
    name="De Webwinkel B.V.",
    address="Kerkstraat 1, 1234 AB Utrecht",
    privacy_contact="privacy@webwinkel.example",
)
SQL = ("UPDATE", "SELECT", "DELETE FROM", "wp_", "wc_orders")


def _open(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _html(report: ErasureReport, out: Path, shop: Shop | None = None) -> str:
    return _open(write_erasure_report(report, out, shop=shop))["index.html"].decode("utf-8")


def _sheet(report: ErasureReport, out: Path) -> str:
    return worksheet_path(write_erasure_report(report, out)).read_text(encoding="utf-8")


@pytest.fixture
def written(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    path = write_erasure_report(make_report(), tmp_path / "out" / "erasures")
    return path, _open(path)


# --- the files ---------------------------------------------------------------------------------


def test_zip_is_private_named_and_holds_three_files(
    written: tuple[Path, dict[str, bytes]],
) -> None:
    path, files = written
    assert path.name == "privacy-bridge-erasure-3f9a2c71-20250314T092653Z.zip"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert list(files) == ["erasure-report.json", "index.html", "manifest.json"]
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        assert all((i.external_attr >> 16) & 0o777 == 0o600 for i in archive.infolist())


def test_the_worksheet_is_beside_the_zip_private_and_not_in_it(
    written: tuple[Path, dict[str, bytes]],
) -> None:
    path, files = written
    sheet = worksheet_path(path)
    assert sheet.name == "privacy-bridge-worksheet-3f9a2c71-20250314T092653Z.html"
    assert stat.S_IMODE(sheet.stat().st_mode) == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == sorted([path.name, sheet.name])
    assert not any("worksheet" in name for name in files)
    assert INSTRUCTION.replace("'", "&#39;") not in files["index.html"].decode()


def test_an_existing_open_directory_is_made_private(tmp_path: Path) -> None:
    tmp_path.chmod(0o750)
    path = write_erasure_report(make_report(), tmp_path)
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize("fails", ["erasure_manifest", "_atomic_write"])
def test_failed_write_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fails: str
) -> None:
    def boom(*_: object) -> bytes:
        raise RuntimeError("disk full")

    monkeypatch.setattr(f"exports.erasure_report.{fails}", boom)
    with pytest.raises(RuntimeError):
        write_erasure_report(make_report(), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_json_round_trips_and_says_where_the_erasure_stands(
    written: tuple[Path, dict[str, bytes]],
) -> None:
    _, files = written
    text = files["erasure-report.json"].decode("utf-8")
    assert text.startswith('{\n  "erasure_id"')  # indented by 2
    data = json.loads(text)
    assert ErasureReport.model_validate(data) == make_report()
    assert (data["state"], data["complete"]) == ("failed", False)
    assert data["open_steps"] == {"by_hand": 1, "at_companies": 0, "total": 1}
    assert (data["open_manual_steps"], data["failed_steps"]) == (1, 1)


def test_manifest_checksums_and_counts(written: tuple[Path, dict[str, bytes]]) -> None:
    _, files = written
    manifest = json.loads(files["manifest.json"])
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert set(listed) == {"erasure-report.json", "index.html"}
    for name, entry in listed.items():
        assert entry["sha256"] == hashlib.sha256(files[name]).hexdigest()
        assert entry["bytes"] == len(files[name])
    assert manifest["generated_at"] == "2025-03-14T09:26:53Z"
    assert manifest["state"] == "failed"
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


# --- one answer: where the erasure stands ------------------------------------------------------


def _open_only() -> ErasureReport:
    report = make_report(finished=True)
    report.systems[0].steps[-1].state = "manual"
    return report


def test_complete_only_when_nothing_is_open_or_failed() -> None:
    finished = assess(make_report(finished=True))
    assert finished.state is ErasureState.complete and finished.complete
    assert make_report(finished=True).complete is True

    manual_open = assess(_open_only())
    assert manual_open.state is ErasureState.open and not manual_open.complete
    assert manual_open.open_steps.by_hand == 1 and _open_only().complete is False

    at_company = make_report(finished=True)
    at_company.systems[1].steps.append(
        _step(13, "erasure_request", "payments", Action.manual, "manual", instruction="Ask")
    )
    asked = assess(at_company)
    assert asked.state is ErasureState.open
    assert (asked.open_steps.by_hand, asked.open_steps.at_companies) == (0, 1)

    assert assess(make_report()).state is ErasureState.failed  # a failed step, a problem
    assert assess(make_report(dry_run=True)).state is ErasureState.dry_run
    assert make_report(dry_run=True).complete is False

    unread = make_report(finished=True)
    unread.systems.append(SystemReport(system="x", title="Verzending", status="error"))
    assert assess(unread).state is ErasureState.failed and assess(unread).not_collected == ("x",)

    unapplied = make_report(finished=True)
    unapplied.systems[0].steps[0].state = "pending"
    assert assess(unapplied).state is ErasureState.failed


def test_state_line_counts_what_is_open() -> None:
    assert state_line(assess(make_report(finished=True))).startswith("erasure complete")
    line = state_line(assess(_open_only()))
    assert line.startswith("erasure open: 1 manual step(s) open (1 by hand")
    assert state_line(assess(make_report())).startswith("erasure failed: 1 step(s) failed")
    assert state_line(assess(make_report(dry_run=True))).startswith("dry run: nothing was changed")


# --- the customer's page -----------------------------------------------------------------------


def test_page_holds_no_operator_material(written: tuple[Path, dict[str, bytes]]) -> None:
    _, files = written
    html = files["index.html"].decode("utf-8")
    for text in (*SQL, "Clear the IP address", NOTICE, "instruction", PROBLEM, FAILURE):
        assert text not in html, text
    assert "<table" not in html  # lists and cards: nothing wider than a phone


def test_page_keeps_the_bilingual_convention(tmp_path: Path) -> None:
    for n, report in enumerate(
        (make_report(), _open_only(), make_report(finished=True), make_report(dry_run=True))
    ):
        html = _html(report, tmp_path / str(n), SHOP if n % 2 else None)
        assert unpaired(html) == [], n


def test_page_says_what_was_erased_kept_and_still_being_done(tmp_path: Path) -> None:
    html = _html(_open_only(), tmp_path, SHOP)
    state = html.split('id="state-open"', 1)[1].split("</section>", 1)[0]
    assert "nog niet alles is afgerond" in state and "not everything is finished yet" in state
    assert "De Webwinkel: " in state and "order ip and user agent (1)" in state
    assert "6 records deleted" in html and "6 gegevens verwijderd" in html
    assert "1 record anonymised" in html and "1 gegeven geanonimiseerd" in html
    assert "order note" in html and '<span class="n">5</span>' in html  # grouped, counted
    kept = html.split('id="kept"', 1)[1].split("</section>", 1)[0]
    assert "bestelling" in kept and "order" in kept  # the connector's name for the type
    assert "tot 2 november 2031" in kept and "until 2 November 2031" in kept
    assert BASIS in kept and "2031-11-02" not in html
    told = html.split('id="told"', 1)[1].split("</section>", 1)[0]
    assert "Betaaldienst" in told and "artikel 19 AVG" in told and "Article 19 GDPR" in told
    contact = html.split('id="contact"', 1)[1].split("</section>", 1)[0]
    assert SHOP.name in contact and 'href="mailto:privacy@webwinkel.example"' in contact
    assert "autoriteitpersoonsgegevens.nl" in contact
    assert "complete" not in html.lower()


def test_page_without_the_shop_still_says_whom_to_ask(tmp_path: Path) -> None:
    html = _html(make_report(finished=True), tmp_path)
    contact = html.split('id="contact"', 1)[1].split("</section>", 1)[0]
    assert "replying to the message" in contact and "antwoorden op het bericht" in contact


def test_page_says_failed_without_details(written: tuple[Path, dict[str, bytes]]) -> None:
    _, files = written
    html = files["index.html"].decode("utf-8")
    state = html.split('id="state-failed"', 1)[1].split("</section>", 1)[0]
    assert "Not everything could be erased yet." in state
    assert "Nog niet alles kon worden gewist." in state
    assert "Betaaldienst: not yet erased, we will try again: mandate (1)." in state
    assert "Your data has been erased" not in html


def test_page_says_done_only_when_complete(tmp_path: Path) -> None:
    html = _html(make_report(finished=True), tmp_path / "a")
    assert 'id="state-complete"' in html
    assert "Your data has been erased." in html and "Uw gegevens zijn gewist." in html
    assert "1 record handled by hand" in html
    assert "until 2 November 2031" in html  # what is kept is still told
    html = _html(_open_only(), tmp_path / "b")
    assert 'id="state-open"' in html and 'id="state-complete"' not in html


def test_page_escapes_everything(tmp_path: Path) -> None:
    report = make_report()
    report.systems[0].title = SCRIPT
    html = _html(report, tmp_path)
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html.lower()


def test_a_dry_run_claims_nothing_was_done(tmp_path: Path) -> None:
    html = _html(make_report(dry_run=True), tmp_path)
    state = html.split('id="state-dry_run"', 1)[1].split("</section>", 1)[0]
    assert "nothing has been changed yet" in state and "nog niets gewijzigd" in state
    assert "records to be deleted" in html and "gegevens te verwijderen" in html
    for claim in ("records deleted", "gegevens verwijderd", "We have told", "have been erased"):
        assert claim not in html, claim
    assert "complete" not in html.lower()


# --- the operator's worksheet ------------------------------------------------------------------


def test_the_worksheet_holds_the_manual_steps_requests_and_failures(tmp_path: Path) -> None:
    sheet = _sheet(make_report(), tmp_path)
    assert '<li value="10">' in sheet and "1042,1043" in sheet
    assert "UPDATE wc_orders SET ip_address = &#39;&#39;" in sheet
    assert "--confirm-manual 10 " in sheet
    assert NOTICE in sheet and FAILURE in sheet and PROBLEM in sheet
    assert "erasure failed:" in sheet
    assert "tr_abc" in sheet and "201" in sheet  # every record id, under "Every step"
    assert "&lt;script&gt;" in sheet and SCRIPT not in sheet


def test_compact_ids() -> None:
    assert compact_ids(["5", "3", "4", "10", "11", "x", "007", "3"]) == "3–5, 10, 11, x, 007"
    many = [str(n * 2) for n in range(100)]
    shown = compact_ids(many, limit=3)
    assert shown == "0, 2, 4, … +97"
    assert re.fullmatch(r"1–100", compact_ids([str(n) for n in range(1, 101)]))
