"""The identity check: a 6-digit code sent to the address the systems know, or a manual check.

`send_code` collects through the enabled systems and sends a code only when some system holds a
record with exactly the request's address (policies 003/004: "only to the e-mail address we
already know"). Codes are stored as an HMAC (the state's secret key) of a per-code salt and the
code; they expire (PRIVACY_BRIDGE_CODE_HOURS, default 24) and lock after 5 wrong tries, after which
only a new code or a manual check helps.
"""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bridge.collect.export import Collector
from bridge.core.config import Config
from bridge.core.connector import normalise_email
from bridge.core.errors import BridgeError, InputError
from bridge.core.models import DataPackage, Status
from bridge.register import mail
from bridge.register.requests import Register
from bridge.register.types import Request, RequestStatus, note_text, number_setting

CODE_HOURS_SETTING = "PRIVACY_BRIDGE_CODE_HOURS"
DEFAULT_CODE_HOURS = 24.0
MAX_TRIES = 5


@dataclass(frozen=True)
class CodeSent:
    request_id: str
    known_by: list[str]
    unavailable: list[str]
    expires_at: str


def known_by(data: DataPackage, address: str) -> list[str]:
    """The systems with a record holding exactly `address` in one of its fields."""
    wanted = normalise_email(address)
    return [
        source.system
        for source in data.sources
        if any(wanted in _strings(record.data) for record in source.records)
    ]


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield normalise_email(value)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _digest(register: Register, salt: str, code: str) -> str:
    # HMAC-SHA256 under the state directory's secret key: the database alone cannot be brute-forced.
    return register.store.keys.pseudonym(f"verification-code:{salt}:{code}")


def _unverified(register: Register, request_id: str) -> Request:
    request = register.get(request_id)
    if request.linked_to:
        raise InputError(f"{request.id} is linked to {request.linked_to}: verify that one")
    if request.status != RequestStatus.identity_unverified:
        raise InputError(f"{request.id} is {request.status.value}: nothing to verify")
    return request


def send_code(
    register: Register,
    request_id: str,
    config: Config,
    *,
    collect: Collector,
    send: mail.Sender = mail.send,
) -> CodeSent:
    """Check that some system knows the request's address (`collect`, through the enabled
    systems), then mail a new code to it."""
    request = _unverified(register, request_id)
    hours = number_setting(config, CODE_HOURS_SETTING, DEFAULT_CODE_HOURS)
    mail.server(config)  # fail on a missing setting before asking any system
    address = register.address(request.id)
    data = collect(address)
    systems = known_by(data, address)
    failed = [s.system for s in data.sources if s.status == Status.error]
    if not systems:
        if failed:
            register.log(request.id, "address_check_incomplete", failed=failed)
            raise BridgeError(
                f"cannot tell whether the address of {request.id} is known:"
                f" {', '.join(failed)} did not answer; try again later"
            )
        register.log(request.id, "address_unknown", systems_asked=len(data.sources))
        raise InputError(
            f"no system knows the address of {request.id}: establish the identity another way"
            f" and record it with: requests verify {request.id} --manual --note TEXT"
        )
    code = f"{secrets.randbelow(10**6):06d}"
    salt = secrets.token_hex(16)
    expires = register.now() + timedelta(hours=hours)
    send(
        config, mail.code_message(config, address, request.id, request.type, code, expires), address
    )
    with register.store.transaction() as db:
        db.execute(
            "INSERT OR REPLACE INTO codes (request_id, code_hash, salt, expires_at, tries)"
            " VALUES (?, ?, ?, ?, 0)",
            (request.id, _digest(register, salt, code), salt, expires.isoformat()),
        )
        register.event(
            db,
            request.id,
            "code_sent",
            known_by=systems,
            unavailable=failed,
            expires_at=expires.isoformat(),
        )
    return CodeSent(request.id, systems, failed, expires.isoformat())


def check_code(register: Register, request_id: str, code: str) -> Request:
    """Mark the request verified when `code` is the code sent; count and lock wrong tries."""
    code = code.strip()
    if not re.fullmatch(r"\d{6}", code):
        raise InputError("a code is 6 digits")
    request = _unverified(register, request_id)
    with register.store.transaction() as db:
        row = db.execute("SELECT * FROM codes WHERE request_id = ?", (request.id,)).fetchone()
        problem = _problem(register, row)
        if problem is None and not hmac.compare_digest(
            row["code_hash"], _digest(register, row["salt"], code)
        ):
            tries = row["tries"] + 1
            db.execute("UPDATE codes SET tries = ? WHERE request_id = ?", (tries, request.id))
            register.event(db, request.id, "code_rejected", tries=tries)
            if tries >= MAX_TRIES:
                register.event(db, request.id, "code_locked", tries=tries)
                problem = (
                    "wrong code; locked after 5 wrong codes: send a new one or verify manually"
                )
            else:
                problem = f"wrong code ({MAX_TRIES - tries} tries left)"
    if problem:
        raise InputError(problem)
    return register.mark_verified(request.id, "code")


def _problem(register: Register, row: Any) -> str | None:
    if row is None:
        return "no code was sent for this request: use --send-code"
    if row["tries"] >= MAX_TRIES:
        return "locked after 5 wrong codes: send a new code (--send-code) or verify --manual"
    if datetime.fromisoformat(row["expires_at"]) <= register.now():
        return "the code has expired: send a new one with --send-code"
    return None


def verify_manually(register: Register, request_id: str, note: str) -> Request:
    """Identity established another way (ID seen at the counter, a call back…), with a note why."""
    why = note_text(note, "note")
    request = _unverified(register, request_id)
    return register.mark_verified(request.id, "manual", why)
