"""Work on a request's package: export it, deliver it to the verified address, expire it.

result = export_request(register, "req-20261121-4f3a", Path("out"), config, export=app.export)
delivery = deliver(register, "req-20261121-4f3a", config)
cleaned = housekeeping(register, config)
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bridge.collect.export import Exporter, ExportResult
from bridge.collect.identity import Listener
from bridge.core.config import Config
from bridge.core.errors import BridgeError, InputError
from bridge.register import mail, packages
from bridge.register.requests import Register
from bridge.register.types import RequestStatus, RequestType, number_setting

MAIL_MAX_SETTING = "PRIVACY_BRIDGE_MAIL_MAX_MB"
DEFAULT_MAIL_MAX_MB = 10.0
ANSWERED_BY_PACKAGE = (RequestType.access, RequestType.portability)
S = RequestStatus


@dataclass(frozen=True)
class Delivery:
    request_id: str
    mode: str  # "attached" or "notice"
    bytes: int
    package: str
    completed: bool


@dataclass
class Housekeeping:
    removed: list[dict[str, object]] = field(default_factory=list)
    addresses_forgotten: list[str] = field(default_factory=list)
    codes_removed: int = 0


def export_request(
    register: Register,
    request_id: str,
    out_dir: Path,
    config: Config,
    *,
    export: Exporter,
    listener: Listener | None = None,
) -> ExportResult:
    """Export the data of a verified request with `export`, and record the systems' states and
    the package."""
    days = packages.package_days(config)
    address = register.start_work(request_id, "export")
    result = export(address, out_dir, listener=listener)
    register.record_systems(request_id, {s.system: s.status.value for s in result.data.sources})
    register.record_package(request_id, result.package, complete=result.complete, days=days)
    return result


def deliver(
    register: Register,
    request_id: str,
    config: Config,
    *,
    partial: bool = False,
    send: mail.Sender = mail.send,
) -> Delivery:
    """Mail the newest package of the request to its verified address: attached when it is small
    enough (PRIVACY_BRIDGE_MAIL_MAX_MB), else a notice that the operator will hand it over.
    An access or portability request in progress is then completed."""
    request = register.get(request_id)
    if request.linked_to:
        raise InputError(f"{request.id} is linked to {request.linked_to}: deliver that one")
    if request.status not in (S.in_progress, S.awaiting_manual, S.completed):
        raise InputError(f"{request.id} is {request.status.value}: verify and export it first")
    limit = number_setting(config, MAIL_MAX_SETTING, DEFAULT_MAIL_MAX_MB) * 1024 * 1024
    mail.server(config)
    found = register.packages(request.id)
    if not found:
        raise InputError(
            f"no package recorded for {request.id}: run export --request {request.id} --out DIR"
        )
    package = found[0]
    if package.expired(register.now()):
        raise InputError(f"the newest package of {request.id} has expired: export again")
    if not package.complete and not partial:
        raise InputError(
            f"the newest package of {request.id} is incomplete (a system failed): export again,"
            " or deliver it anyway with --partial"
        )
    if not package.path.is_file():
        raise BridgeError(f"the package file of {request.id} is missing: export again")
    address = register.address(request.id)
    size = package.path.stat().st_size
    attach = size <= limit
    sha256 = hashlib.sha256(package.path.read_bytes()).hexdigest()
    until = datetime.fromisoformat(package.expires_at)
    message = mail.package_message(
        config,
        address,
        request.id,
        package.path,
        sha256,
        attach=attach,
        complete=package.complete,
        available_until=until,
    )
    send(config, message, address)
    mode = "attached" if attach else "notice"
    register.log(request.id, "delivered", mode=mode, bytes=size, complete=package.complete)
    completes = request.type in ANSWERED_BY_PACKAGE and request.status == S.in_progress
    if completes:
        register.complete(request.id)
    return Delivery(request.id, mode, size, str(package.path), completes)


def housekeeping(register: Register, config: Config) -> Housekeeping:
    """Delete expired packages (file and row) and expired codes; forget the addresses of requests
    closed longer ago than the package term that have no package left."""
    days = packages.package_days(config)
    now = register.now()
    done = Housekeeping()
    with register.store.transaction() as db:
        for package in register.packages():
            if not package.expired(now):
                continue
            existed = packages.remove(db, package)
            register.event(db, package.request_id, "package_expired", file_existed=existed)
            done.removed.append({**package.to_dict(), "file_existed": existed})
        done.codes_removed = db.execute(
            "DELETE FROM codes WHERE expires_at <= ?", (now.isoformat(),)
        ).rowcount
    done.addresses_forgotten = register.forget_closed(days)
    register.log(
        None,
        "housekeeping",
        packages_removed=len(done.removed),
        codes_removed=done.codes_removed,
        addresses_forgotten=len(done.addresses_forgotten),
    )
    return done
