"""Operator text holds no personal data after the erasure (issue 11, item 7).

A name, a phone number, an IBAN and a street are typed into every free-text field an operator
has (`verify --manual --note`, `extend --reason`, `deny --reason`, `cancel --reason`,
`complete --note`, `erase --confirm-manual --note`) for one person, through the command line,
against the sandbox. While the requests are open the register shows the notes; once the person's
erasure completes, `requests export-log --json` and every byte of every file in the state
directory (the SQLite file, its WAL and shared memory, the keys, the locks) hold none of the
values, in any spacing, and no key left in the state directory decrypts them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet, InvalidToken
from typer.testing import CliRunner

from bridge.cli.main import app
from bridge.core.redact import scrub
from bridge.erasure.journal import Journal
from bridge.register.requests import Register
from bridge.store import notes as request_notes
from bridge.store.db import Store
from bridge.store.notes import REMOVED
from sandbox.server import Sandbox, start

runner = CliRunner()

PLANTED = "Jan de Vries, 06-12345678, NL91ABNA0417164300, Keizersgracht 12"
# Each planted value and its obvious variants (compared lower-cased, on bytes and on text).
VARIANTS = {
    "name": ["Jan de Vries", "JandeVries", "Jan-de-Vries", "de Vries", "deVries"],
    "phone": ["06-12345678", "0612345678", "06 12345678", "06 1234 5678", "+31612345678"],
    "iban": ["NL91ABNA0417164300", "NL91 ABNA 0417 1643 00", "ABNA0417164300", "0417164300"],
    "street": ["Keizersgracht 12", "Keizersgracht12", "Keizersgracht"],
}
NEEDLES = sorted({v.lower() for values in VARIANTS.values() for v in values})
FERNET_TOKEN = re.compile(rb"gAAAAA[A-Za-z0-9_-]{40,}={0,2}")


@dataclass
class Shop:
    sandbox: Sandbox
    env: Path
    state: Path

    def cli(self, *args: str) -> Any:
        result = runner.invoke(app, [*args, "--env-file", str(self.env)])
        assert result.exit_code in (0, 1), (args, result.output)
        return result

    def new(self, kind: str) -> str:
        address = self.sandbox.shop.subject_email
        made = self.cli("requests", "new", "--type", kind, "--email", address, "--json")
        return str(json.loads(made.stdout)["id"])

    def export_log(self) -> str:
        result = self.cli("requests", "export-log", "--json")
        assert result.exit_code == 0, result.output
        return str(result.stdout)


@pytest.fixture()
def shop(tmp_path: Path) -> Iterator[Shop]:
    with start("woocommerce") as sandbox:
        path = tmp_path / "shop.env"
        values = {
            **sandbox.env,
            "PRIVACY_BRIDGE_HOME": str(tmp_path / "state"),
            "PRIVACY_BRIDGE_OPERATOR": "tester",
        }
        path.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
        yield Shop(sandbox, path, tmp_path / "state")


# --- the checks --------------------------------------------------------------------------------


def leaks_in_text(text: str) -> list[str]:
    """The planted values (any variant) found in `text`, also with its whitespace removed."""
    lowered = text.lower()
    squeezed = re.sub(r"\s+", "", lowered)
    return [n for n in NEEDLES if n in lowered or n.replace(" ", "") in squeezed]


def state_files(state: Path) -> list[Path]:
    return sorted(p for p in state.rglob("*") if p.is_file())


def leaks_in_files(state: Path) -> list[str]:
    """The planted values in the raw bytes of any file of the state directory (the SQLite file
    read raw, and its -wal/-shm/-journal files if any)."""
    found = []
    for file in state_files(state):
        raw = file.read_bytes().lower()
        for needle in NEEDLES:
            if needle.encode() in raw or needle.encode("utf-16-le") in raw:
                found.append(f"{file.name}: {needle}")
    return found


def leaks_by_decryption(state: Path, address: str) -> list[str]:
    """Planted values the keys left in the state directory can still decrypt (the person's
    `address` itself is looked for by `decrypted`)."""
    plain = decrypted(state)
    return [f"decrypted: {n}" for text in plain if text != address for n in leaks_in_text(text)]


def decrypted(state: Path) -> list[str]:
    """Everything the keys left in the state directory can still decrypt: every Fernet token in
    every file is tried with data.key, and with every key that data.key unwraps (the note keys)."""
    found = {t for f in state_files(state) for t in FERNET_TOKEN.findall(f.read_bytes())}
    # A token may run on into the next column's text (a date): try every 4-aligned prefix.
    tokens = {t[:n] for t in found for n in range(len(t) - len(t) % 4, 40, -4)}
    keys = [Fernet((state / "data.key").read_bytes().strip())]
    plain: list[str] = []
    for _ in range(2):  # data.key, then the keys it unwraps
        for token in tokens:
            for key in keys:
                try:
                    plain.append(key.decrypt(token).decode(errors="replace"))
                except (InvalidToken, ValueError):
                    continue
        unwrapped = []
        for text in plain:
            try:
                unwrapped.append(Fernet(text.encode()))
            except ValueError:
                continue
        keys = unwrapped
    return plain


def all_leaks(shop: Shop) -> list[str]:
    log = shop.export_log()
    return [
        *(f"export-log: {n}" for n in leaks_in_text(log)),
        *leaks_in_files(shop.state),
        *leaks_by_decryption(shop.state, shop.sandbox.shop.subject_email),
    ]


# --- driving a person's requests through the command line ------------------------------------


def plant_everywhere(shop: Shop, finish: str) -> dict[str, str]:
    """Requests of one person with the planted text in every operator field; the erasure request
    ends by confirming its last manual step with a note (`confirm`) or by `requests complete
    --note` after a partial confirmation (`complete`). Returns the request ids by role."""
    erasure = shop.new("erasure")
    linked = shop.new("erasure")  # a duplicate, handled with the first one
    shop.cli("requests", "link", linked, "--to", erasure)
    cancelled = shop.new("erasure")  # a duplicate, cancelled
    shop.cli("requests", "cancel", cancelled, "--reason", PLANTED)
    denied = shop.new("access")
    shop.cli("requests", "deny", denied, "--reason", PLANTED)
    answered = shop.new("rectification")
    shop.cli("requests", "verify", answered, "--manual", "--note", PLANTED)
    shop.cli("requests", "complete", answered, "--note", PLANTED)

    shop.cli("requests", "verify", erasure, "--manual", "--note", PLANTED)
    shop.cli("requests", "extend", erasure, "--months", "1", "--reason", PLANTED)
    out = str(shop.state.parent / "reports")
    erased = shop.cli("erase", "--request", erasure, "--yes", "--json", "--out", out)
    manual = [str(m["seq"]) for m in json.loads(erased.stdout)["manual"]]
    assert len(manual) >= 2, manual

    first = shop.cli(
        "erase", "--request", erasure, "--confirm-manual", manual[0], "--note", PLANTED
    )
    assert first.exit_code == 0, first.output
    return {
        "erasure": erasure,
        "linked": linked,
        "cancelled": cancelled,
        "denied": denied,
        "answered": answered,
        "rest": ",".join(manual[1:]),
        "finish": finish,
    }


def finish_erasure(shop: Shop, ids: dict[str, str]) -> None:
    erasure = ids["erasure"]
    if ids["finish"] == "confirm":
        args = ["erase", "--request", erasure, "--confirm-manual", ids["rest"], "--note", PLANTED]
    else:
        args = ["requests", "complete", erasure, "--note", PLANTED]
    done = shop.cli(*args)
    assert done.exit_code == 0, done.output
    shown = json.loads(shop.cli("requests", "show", erasure, "--json").stdout)
    assert shown["status"] == "completed"


def operator_fields(log: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(request, action, text) of every note and reason in the exported log."""
    fields = [
        (e["request_id"], e["action"], e["detail"][k])
        for e in log["events"]
        for k in ("note", "reason")
        if k in e["detail"]
    ]
    fields += [(r["id"], "reason", r["reason"]) for r in log["requests"] if r["reason"]]
    return fields


# --- the tests ---------------------------------------------------------------------------------


@pytest.mark.parametrize("finish", ["confirm", "complete"])
def test_no_operator_text_survives_the_erasure(shop: Shop, finish: str) -> None:
    ids = plant_everywhere(shop, finish)

    # While the requests are open the register shows the notes, and nothing is stored in clear.
    log = json.loads(shop.export_log())
    shown = {(rid, action) for rid, action, text in operator_fields(log) if text == PLANTED}
    assert {
        (ids["erasure"], "verified"),
        (ids["erasure"], "extended"),
        (ids["cancelled"], "cancelled"),
        (ids["denied"], "denied"),
        (ids["denied"], "reason"),
        (ids["answered"], "verified"),
        (ids["answered"], "completed"),
    } <= shown
    assert leaks_in_text(shop.export_log())  # the check finds the values where they are
    assert leaks_in_files(shop.state) == []
    store = Store(shop.state)
    entries = Journal.find(store, store.keys.pseudonym(shop.sandbox.shop.subject_email))
    assert entries is not None
    assert any(e.outcome == f"confirmed by the operator: {PLANTED}" for e in entries.entries())

    finish_erasure(shop, ids)

    assert all_leaks(shop) == []
    # nor the address: the person's closed requests forget it with the erasure
    assert shop.sandbox.shop.subject_email not in decrypted(shop.state)
    log = json.loads(shop.export_log())
    fields = operator_fields(log)
    assert len(fields) >= 8 and {text for _, _, text in fields} == {REMOVED}
    actions = [e["action"] for e in log["events"] if e["request_id"] == ids["erasure"]]
    assert "notes_removed" in actions and "address_dropped" in actions
    journal = Journal(store, entries.id)
    confirmed = [e.outcome for e in journal.entries() if e.state == "confirmed"]
    assert confirmed and set(confirmed) == {f"confirmed by the operator: {REMOVED}"}


def test_the_checks_find_notes_an_erasure_did_not_shred(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Turned off once: with the shredding disabled, the same run leaks through the exported log
    and through the keys left in the state directory."""
    monkeypatch.setattr(request_notes, "shred", lambda db, subject: 0)
    ids = plant_everywhere(shop, "confirm")
    finish_erasure(shop, ids)
    leaks = all_leaks(shop)
    assert any(leak.startswith("export-log") for leak in leaks)
    assert any(leak.startswith("decrypted") for leak in leaks)


def test_the_checks_find_notes_stored_in_clear(shop: Shop, monkeypatch: pytest.MonkeyPatch) -> None:
    """Turned off once: with notes stored in clear instead of sealed, the raw files leak."""
    monkeypatch.setattr(Register, "seal", lambda self, db, request_id, text: text)
    request_id = shop.new("access")
    shop.cli("requests", "deny", request_id, "--reason", PLANTED)
    assert leaks_in_files(shop.state)


def test_an_erasure_without_a_request_shreds_its_confirmation_notes(shop: Shop) -> None:
    address = shop.sandbox.shop.subject_email
    out = str(shop.state.parent / "reports")
    erased = shop.cli("erase", "--email", address, "--yes", "--json", "--out", out)
    manual = [str(m["seq"]) for m in json.loads(erased.stdout)["manual"]]
    assert len(manual) >= 2, manual
    shop.cli("erase", "--email", address, "--confirm-manual", manual[0], "--note", PLANTED)
    store = Store(shop.state)
    journal = Journal.find(store, store.keys.pseudonym(address))
    assert journal is not None
    assert f"confirmed by the operator: {PLANTED}" in {e.outcome for e in journal.entries()}
    assert leaks_in_files(shop.state) == []

    rest = ",".join(manual[1:])
    shop.cli("erase", "--email", address, "--confirm-manual", rest, "--note", PLANTED)
    assert journal.status == "verified"
    assert leaks_in_files(shop.state) == [] and leaks_by_decryption(shop.state, address) == []
    outcomes = {e.outcome for e in journal.entries() if e.state == "confirmed"}
    assert outcomes == {f"confirmed by the operator: {REMOVED}"}


def test_a_person_s_notes_stay_until_their_erasure(tmp_path: Path) -> None:
    """Notes of requests of other people, and of people not erased, are kept readable."""
    register = Register(Store(tmp_path / "state"), "tester")
    jan = register.new("access", "jan@example.nl")
    piet = register.new("erasure", "piet@example.nl")
    register.deny(jan.id, PLANTED)
    register.mark_verified(piet.id, "manual", "called back")
    register.start_work(piet.id, "erasure")
    register.complete(piet.id, "done by hand")
    assert register.get(jan.id).reason == PLANTED
    assert register.get(piet.id).reason is None
    piet_notes = [e["detail"].get("note") for e in register.events(piet.id)]
    assert piet_notes.count(REMOVED) == 2 and "called back" not in piet_notes


@pytest.mark.parametrize(
    ("text", "scrubbed"),
    [
        (PLANTED, "Jan de Vries, <phone>, <iban>, Keizersgracht 12"),
        ("IBAN NL91 ABNA 0417 1643 00 please", "IBAN <iban> please"),
        ("call 0612345678 or +31 (0)20-123 4567", "call <phone> or <phone>"),
        ("tel:06 1234 5678; jan@example.nl", "tel:<phone>; <e-mail>"),
        ("due 2026-11-21T10:00:00+00:00, sent 01-02-2026 10:00", None),
        ("req-20261121-4f3a era-20260101-a1b2c3 order 10072 tr_WDqYK6vllg 127.0.0.1:8080", None),
    ],
)
def test_text_left_in_clear_loses_ibans_phones_and_addresses(
    text: str, scrubbed: str | None
) -> None:
    assert scrub(text) == (scrubbed if scrubbed is not None else text)
