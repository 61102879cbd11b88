"""Work on a request's package: export it, deliver it to the verified address, expire it; and
close an erasure request with its final report.

result = export_request(register, "req-20261121-4f3a", Path("out"), config, export=app.export)
delivery = deliver(register, "req-20261121-4f3a", config)
cleaned = housekeeping(register, config)

An erasure request is answered by its erasure's report, written again as final when nothing is
left open (`close_erasure`): into the directory of the request's first report (the register's
`erasure_report` event), mailed to the verified address when SMTP is set up, and only then is the
request completed, which forgets the address. Without SMTP the request is completed all the same
and the register says the customer is to be told by hand (`customer_not_told`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bridge.collect.export import Exporter, ExportResult
from bridge.collect.identity import Listener
from bridge.core.config import Config
from bridge.core.errors import BridgeError, InputError
from bridge.core.models import SourceResult, Status
from bridge.core.plugins import by_name, registry
from bridge.core.statement import load_statement
from bridge.core.steps import StepState
from bridge.erasure.journal import ErasureStatus, Journal
from bridge.erasure.process import recorded
from bridge.erasure.report import assessment, reported
from bridge.register import mail, packages
from bridge.register.requests import Register
from bridge.register.step_numbers import ranges
from bridge.register.types import Request, RequestStatus, RequestType, number_setting
from exports.erasure_models import ErasureState

MAIL_MAX_SETTING = "PRIVACY_BRIDGE_MAIL_MAX_MB"
DEFAULT_MAIL_MAX_MB = 10.0
ANSWERED_BY_PACKAGE = (RequestType.access, RequestType.portability)
S = RequestStatus
# The register's events about an erasure request's reports and telling its customer.
REPORT_EVENT = "erasure_report"  # detail: dir (where its reports go), state, final
NOT_TOLD_EVENT = "customer_not_told"  # completed without a mail: tell the customer by hand
# Where an erasure's final report goes when the request never recorded a first one (an erasure
# run without a report): this folder of the state directory.
REPORTS_FOLDER = "erasure-reports"
TELL_BY_HAND = "SMTP is not configured: tell the customer by hand that the erasure is complete"


@dataclass(frozen=True)
class Delivery:
    request_id: str
    mode: str  # "attached" or "notice"
    bytes: int
    package: str
    completed: bool
    what: str = "package"  # or "final_report": an erasure request's answer


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
    if request.type is RequestType.erasure:
        return _deliver_final_report(register, request, config, send=send)
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


@dataclass(frozen=True)
class FinalReport:
    """A completed erasure request's final report, and how its customer was told: `mailed` is
    "attached" or "notice" (too large to attach), or "" when no mail went out (no SMTP): then
    the customer is to be told by hand."""

    request_id: str
    report: str
    bytes: int
    mailed: str

    @property
    def told(self) -> bool:
        return bool(self.mailed)


def smtp_configured(config: Config | None) -> bool:
    """True when SMTP is set up (SMTP_HOST); one set up by half (no sender, a bad port) is an
    InputError, raised before any work that would end in a mail."""
    if config is None or not config.get(mail.HOST):
        return False
    mail.server(config)
    return True


def report_dir(register: Register, request_id: str) -> Path:
    """Where the erasure reports of a request go: the directory of its first report (recorded
    by `record_report`), else `REPORTS_FOLDER` in the state directory."""
    rows = register.store.db.execute(
        "SELECT detail FROM events WHERE request_id = ? AND action = ? ORDER BY seq",
        (request_id, REPORT_EVENT),
    ).fetchall()
    for row in rows:  # the first report's directory: later ones are written beside it
        folder = json.loads(row["detail"]).get("dir")
        if isinstance(folder, str) and folder:
            return Path(folder)
    return register.store.home / REPORTS_FOLDER


def record_report(register: Register, request_id: str, report: Path, state: str) -> None:
    """Record that an erasure report of the request was written: its directory only (the file's
    name carries the person's pseudonym, which the audit trail does not), and where it stood."""
    final = state == ErasureState.complete.value
    register.log(
        request_id, REPORT_EVENT, dir=str(report.parent.resolve()), state=state, final=final
    )


def tell_by_hand(register: Register, request_id: str) -> bool:
    """True when the request was completed without a mail to its customer (no SMTP): the
    operator is to tell them (`requests show` says so)."""
    actions = [e["action"] for e in register.events(request_id)]
    return NOT_TOLD_EVENT in actions and register.get(request_id).status is S.completed


def finished_journal(register: Register, request: Request) -> Journal:
    """The erasure of an erasure request once nothing of it is open; else an InputError that
    says what is left to do."""
    journal = Journal.last(register.store, _subject(register, request.id), request.id)
    if journal is None:
        raise InputError(
            f"{request.id} has not been erased yet: erase --request {request.id} --yes"
        )
    if journal.status is ErasureStatus.verified:
        return journal
    open_ = [e.seq for e in journal.entries() if e.state is StepState.manual]
    if open_ and journal.status is ErasureStatus.awaiting_manual:
        raise InputError(
            f"{request.id}: {len(open_)} step(s) by hand are still open ({ranges(open_)}):"
            f" erase --request {request.id} --confirm-manual STEPS --note TEXT"
        )
    raise InputError(
        f"{request.id}: its erasure is {journal.status.value}: run erase --request {request.id}"
        " --yes again to resume it"
    )


def close_erasure(
    register: Register,
    request_id: str,
    config: Config | None,
    *,
    send: mail.Sender = mail.send,
    written: Path | None = None,
    note: str | None = None,
    **counts: int,
) -> FinalReport:
    """Complete an erasure request whose erasure has nothing left open: its report written again
    as final (unless `written` is that already), mailed to the verified address when SMTP is set
    up, and only then the request completed (which forgets the address: the mail goes first, and
    a mail that fails leaves the request open, to `deliver` again). Without SMTP (or `config`)
    it is completed all the same, with a `customer_not_told` event: tell the customer by hand.
    `note` and `counts` go into the completion's event (`Register.complete`)."""
    request = register.get(request_id)
    mailing = smtp_configured(config)
    journal = finished_journal(register, request)
    if written is None:
        result = recorded(journal, erasure_sources(register, request.id))
        shop = load_statement(config).shop if config is not None else None
        path = reported(result, report_dir(register, request.id), shop=shop).report
        assert path is not None  # a directory was given
        state = assessment(result).state
        record_report(register, request.id, path, state.value)
        if state is not ErasureState.complete:
            # Cannot happen for a verified erasure whose systems were all read; if it does, the
            # customer must not be told it is complete.
            raise BridgeError(
                f"{request.id}: the final report reads {state.value}, not complete: see {path}"
            )
        written = path
    size = written.stat().st_size
    mode = ""
    if mailing and config is not None:
        address = register.address(request.id)
        limit = number_setting(config, MAIL_MAX_SETTING, DEFAULT_MAIL_MAX_MB) * 1024 * 1024
        attach = size <= limit
        sha256 = hashlib.sha256(written.read_bytes()).hexdigest()
        message = mail.erasure_message(config, address, request.id, written, sha256, attach=attach)
        try:
            send(config, message, address)
        except BridgeError as exc:
            raise BridgeError(
                f"{request.id}: the final report is written ({written}), but {exc}; the request"
                f" stays open until the customer is told: privacy-bridge requests deliver"
                f" {request.id}"
            ) from None
        mode = "attached" if attach else "notice"
        register.log(request.id, "delivered", mode=mode, bytes=size, final_report=True)
    else:
        register.log(request.id, NOT_TOLD_EVENT, to_do=TELL_BY_HAND)
    register.complete(request.id, note, **counts)
    return FinalReport(request.id, str(written), size, mode)


def _subject(register: Register, request_id: str) -> str:
    row = register.store.db.execute("SELECT subject FROM requests WHERE id = ?", (request_id,))
    return str(row.fetchone()["subject"])


def erasure_sources(register: Register, request_id: str) -> list[SourceResult]:
    """How the erasure's collect went per system, as the register recorded it for the request
    (the journal does not keep it): a system with steps by hand was read (`ok`); title and role
    from its connector, in the order of the registry, as the first report had them."""
    states = register.systems(request_id)
    order = {cls.name: i for i, cls in enumerate(registry())}
    sources = []
    for system in sorted(states, key=lambda name: (order.get(name, len(order)), name)):
        status = Status(states[system])
        try:
            connector = by_name(system)
            title, role = connector.title, connector.role
        except KeyError:  # a system no longer registered keeps its own name
            title, role = system, ""
        status = Status.ok if status is Status.manual else status
        sources.append(SourceResult(system=system, title=title, role=role, status=status))
    return sources


def _deliver_final_report(
    register: Register, request: Request, config: Config, *, send: mail.Sender
) -> Delivery:
    """`deliver` for an erasure request: the final report, once nothing of it is open."""
    if request.status is S.completed:
        told = any(
            e["action"] == "delivered" and e["detail"].get("final_report")
            for e in register.events(request.id)
        )
        how = "was mailed its final report" if told else "was not mailed it by this tool"
        raise InputError(
            f"{request.id} is completed and its customer {how}; the address was forgotten with"
            f" the completion, so nothing can be mailed now: the report is in"
            f" {report_dir(register, request.id)}"
        )
    if request.status not in (S.in_progress, S.awaiting_manual):
        raise InputError(f"{request.id} is {request.status.value}: verify and erase it first")
    mail.server(config)  # deliver means mail: without SMTP it is refused, and nothing changes
    done = close_erasure(register, request.id, config, send=send)
    return Delivery(request.id, done.mailed, done.bytes, done.report, True, "final_report")


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
