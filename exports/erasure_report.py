"""write_erasure_report: what an erasure did, as two documents for two readers.

The customer's report is a private zip holding, at its root: erasure-report.json (the report as
the models dump it, with where the erasure stands), index.html (the page, in Dutch and English,
readable on a phone) and, written last, manifest.json with the SHA-256 of every other file and,
per system, how many steps of each action are in each state. The page says what was erased per
company (counted and grouped), what is kept, why and until when, which companies were told
(GDPR art. 19), what is still being done, and whom to ask: nothing an operator does by hand.

The operator's worksheet (`privacy-bridge-worksheet-<pseudonym8>-<stamp>.html`) is written beside
the zip, never into it: the open manual steps numbered as the CLI numbers them, with their
instructions, the requests to each processor, failed steps, and every record id.

Where the erasure stands comes from `exports.erasure_models.assess`, for both documents alike.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from babel.dates import format_date

from bridge.core.policy import Action
from bridge.core.presentation import Words
from bridge.core.statement import Shop
from bridge.core.steps import StepState
from exports.archive import FILE_MODE, atomic_zip, ensure_private_dir
from exports.erasure_models import (
    Assessment,
    ErasureReport,
    ErasureState,
    ReportStep,
    SystemReport,
    assess,
    state_line,
)
from exports.html import anchor, environment
from exports.i18n import plural, words
from exports.jsonfile import to_json_bytes
from exports.manifest import ArchivedFile, file_list
from exports.naming import PREFIX, as_utc, subject_tag, utc_stamp
from exports.values import AMSTERDAM

TEMPLATE = "erasure.html.j2"
WORKSHEET_TEMPLATE = "worksheet.html.j2"
REPORT_JSON = "erasure-report.json"
ID_LIMIT = 60  # ids (or id ranges) shown in one cell; all of them are in erasure-report.json
CUSTOMER_ID_LIMIT = 12  # on the customer's page: what a person reads at a glance
DONE = (StepState.done, StepState.confirmed)
_NUMBER = re.compile(r"0|[1-9][0-9]{0,17}", re.ASCII)


def compact_ids(ids: list[str], limit: int = ID_LIMIT) -> str:
    """Ids for one cell: numbers sorted, three or more in a row as a range, then the others.

    `1042, 1043, 1044, 1050, ord_x` becomes `1042–1044, 1050, ord_x`; past `limit` entries the
    rest is counted (`… +12`).
    """
    unique = list(dict.fromkeys(ids))
    numbers = sorted(int(i) for i in unique if _NUMBER.fullmatch(i))
    others = [i for i in unique if not _NUMBER.fullmatch(i)]
    parts: list[str] = []
    start = 0
    while start < len(numbers):
        end = start
        while end + 1 < len(numbers) and numbers[end + 1] == numbers[end] + 1:
            end += 1
        if end - start >= 2:
            parts.append(f"{numbers[start]}–{numbers[end]}")
        else:
            parts += [str(n) for n in numbers[start : end + 1]]
        start = end + 1
    parts += others
    shown = ", ".join(parts[:limit])
    return shown if len(parts) <= limit else f"{shown}, … +{len(parts) - limit}"


# --- the customer's report ---------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    """How many records of one kind."""

    label: Words
    count: int


@dataclass(frozen=True)
class Kept:
    """Records of one kind a company keeps, and until when."""

    label: Words
    count: int
    until: Words  # "until <the last of their end dates>", in a sentence
    dates: list[tuple[Words, str]]  # per end date, the records' numbers


@dataclass(frozen=True)
class KeptOn:
    """What a company keeps on one legal basis."""

    basis: str
    kinds: list[Kept]


@dataclass(frozen=True)
class CompanyView:
    """What happened at one company (a system the shop uses), grouped, for the customer."""

    anchor: str
    title: str
    own: bool
    consulted: bool
    summary: Words | None  # "41 records deleted · 4 records anonymised · 11 records kept"
    deleted: list[Count]
    anonymised: list[Count]
    by_hand: list[Count]  # manual steps done and confirmed
    kept: list[KeptOn]
    doing: list[Words]  # what is still being done here, as sentences
    told: bool  # an art. 19 notice goes to this company

    @property
    def empty(self) -> bool:
        return not (self.deleted or self.anonymised or self.by_hand or self.kept or self.doing)


@dataclass(frozen=True)
class CustomerPage:
    """Everything the customer's page shows, in the order it shows it."""

    state: str
    plan: bool
    reference: str
    prepared: Words
    shop: Shop | None
    totals: list[Words]
    doing: list[tuple[str, Words]]  # (company, sentence)
    companies: list[CompanyView]
    kept: list[CompanyView]
    told: list[str]


def _date(day: date) -> Words:
    """A date as a Dutch and an English reader write it: `4 december 2033`, `4 December 2033`."""
    return Words(format_date(day, "long", locale="nl"), format_date(day, "long", locale="en_GB"))


def _label(system: SystemReport, record_type: str) -> Words:
    """A record type's name: its connector's, else its own with spaces (the same in both)."""
    text = system.labels.get(record_type)
    if text is not None:
        return Words(text.nl, text.en)
    plain = record_type.replace("_", " ")
    return Words(plain, plain)


def _counts(system: SystemReport, steps: Iterable[ReportStep]) -> list[Count]:
    """Records per kind, in the order the kinds first come."""
    tally = Counter(step.record_type for step in steps)
    return [Count(_label(system, kind), n) for kind, n in tally.items()]


def _kinds(counts: list[Count]) -> Words:
    """`order ip address (14), shipment (4)` in each language."""
    return Words(
        ", ".join(f"{c.label.nl} ({c.count})" for c in counts),
        ", ".join(f"{c.label.en} ({c.count})" for c in counts),
    )


def _with(msgid: str, localised: Mapping[str, Words], **values: Any) -> Words:
    """The text `msgid` with `values` the same in both languages and `localised` per language."""
    marked = words(msgid, **values, **{name: "{" + name + "}" for name in localised})
    nl, en = marked
    for name, value in localised.items():
        nl, en = nl.replace("{" + name + "}", value.nl), en.replace("{" + name + "}", value.en)
    return Words(nl, en)


def _kept(system: SystemReport, steps: list[ReportStep]) -> list[KeptOn]:
    """Kept records per legal basis, then per kind, each with the last of its end dates."""
    groups: dict[str, dict[str, list[ReportStep]]] = {}
    for step in steps:
        groups.setdefault(step.legal_basis, {}).setdefault(step.record_type, []).append(step)
    kept = []
    for basis, kinds in groups.items():
        items = []
        for kind, group in kinds.items():
            ends = sorted({s.until for s in group if s.until})
            if not ends:
                until = words("no end date given")
            elif len(ends) == 1:
                until = _with("until {date}", {"date": _date(ends[0])})
            else:
                until = _with("until {date} at the latest", {"date": _date(ends[-1])})
            items.append(
                Kept(
                    label=_label(system, kind),
                    count=len(group),
                    until=until,
                    dates=[
                        (
                            _date(end),
                            compact_ids(
                                [s.record_id for s in group if s.until == end], CUSTOMER_ID_LIMIT
                            ),
                        )
                        for end in reversed(ends)
                    ]
                    if len(group) > 1
                    else [],
                )
            )
        kept.append(KeptOn(basis, items))
    return kept


def _doing(system: SystemReport, report: ErasureReport) -> list[Words]:
    """What is still being done at one company, as sentences a person reads."""
    title = system.title or system.system
    if system.status in ("error", "partial"):
        return [
            words(
                "{company}: we could not read all your data there; what it holds about you is not "
                "erased yet. We will try again.",
                company=title,
            )
        ]
    sentences = []
    manual = [s for s in system.steps if s.state == StepState.manual]
    planned = [s for s in system.steps if s.action is Action.manual and report.dry_run]
    if planned:
        kinds = _kinds(_counts(system, planned))
        msgid = (
            "{company}: we will remove these by hand: {kinds}."
            if system.own
            else "{company}: we will ask them to erase or restrict these: {kinds}."
        )
        sentences.append(_with(msgid, {"kinds": kinds}, company=title))
    if manual:
        kinds = _kinds(_counts(system, manual))
        msgid = (
            "{company}: we are removing by hand what the system cannot remove itself: {kinds}."
            if system.own
            else "{company}: we have asked them to erase or restrict these, and are waiting for "
            "their confirmation: {kinds}."
        )
        sentences.append(_with(msgid, {"kinds": kinds}, company=title))
    failed = [
        s
        for s in system.steps
        if s.state in (StepState.failed, StepState.pending, StepState.started)
        or (s.state == StepState.planned and not report.dry_run)
    ]
    if failed:
        sentences.append(
            _with(
                "{company}: not yet erased, we will try again: {kinds}.",
                {"kinds": _kinds(_counts(system, failed))},
                company=title,
            )
        )
    return sentences


def _company(index: int, system: SystemReport, report: ErasureReport) -> CompanyView:
    steps = sorted(system.steps, key=lambda s: s.seq)

    def acted(action: Action) -> list[ReportStep]:
        # In a plan every step counts as what it will do; otherwise only what was done.
        return [s for s in steps if s.action is action and (report.dry_run or s.state in DONE)]

    deleted, anonymised = acted(Action.delete), acted(Action.anonymise)
    by_hand = [s for s in steps if s.action is Action.manual and s.state == StepState.confirmed]
    kept = [s for s in steps if s.action is Action.retain]
    plan = report.dry_run
    parts = [
        plural(*texts, n=len(group))
        for texts, group in (
            (
                ("{n} record to be deleted", "{n} records to be deleted")
                if plan
                else ("{n} record deleted", "{n} records deleted"),
                deleted,
            ),
            (
                ("{n} record to be anonymised", "{n} records to be anonymised")
                if plan
                else ("{n} record anonymised", "{n} records anonymised"),
                anonymised,
            ),
            (("{n} record handled by hand", "{n} records handled by hand"), by_hand),
            (
                ("{n} record to be kept", "{n} records to be kept")
                if plan
                else ("{n} record kept", "{n} records kept"),
                kept,
            ),
        )
        if group
    ]
    summary = (
        Words(" · ".join(w.nl for w in parts), " · ".join(w.en for w in parts)) if parts else None
    )
    return CompanyView(
        anchor=anchor(index, system.system),
        title=system.title or system.system,
        own=system.own,
        consulted=system.status not in ("error", "partial"),
        summary=summary,
        deleted=_counts(system, deleted),
        anonymised=_counts(system, anonymised),
        by_hand=_counts(system, by_hand),
        kept=_kept(system, kept),
        doing=_doing(system, report),
        told=bool(system.notice),
    )


def customer_page(report: ErasureReport, shop: Shop | None = None) -> CustomerPage:
    """Everything the customer's page shows."""
    companies = [_company(i, s, report) for i, s in enumerate(report.systems, start=1)]
    steps = [step for system in report.systems for step in system.steps]
    plan = report.dry_run

    def total(action: Action) -> int:
        return sum(1 for s in steps if s.action is action and (plan or s.state in DONE))

    totals = [
        plural(*texts, n=n)
        for texts, n in (
            (
                ("{n} record to be deleted", "{n} records to be deleted")
                if plan
                else ("{n} record deleted", "{n} records deleted"),
                total(Action.delete),
            ),
            (
                ("{n} record to be anonymised", "{n} records to be anonymised")
                if plan
                else ("{n} record anonymised", "{n} records anonymised"),
                total(Action.anonymise),
            ),
            (
                ("{n} record to be kept", "{n} records to be kept")
                if plan
                else ("{n} record kept", "{n} records kept"),
                sum(1 for s in steps if s.action is Action.retain),
            ),
        )
        if n
    ]
    return CustomerPage(
        state=assess(report).state.value,
        plan=plan,
        reference=report.erasure_id or "",
        prepared=_with(
            "Prepared on {date}.",
            {"date": _date(as_utc(report.generated_at).astimezone(AMSTERDAM).date())},
        ),
        shop=shop,
        totals=totals,
        doing=[(c.title, sentence) for c in companies for sentence in c.doing],
        companies=[c for c in companies if not c.empty or not c.consulted],
        kept=[c for c in companies if c.kept],
        told=[c.title for c in companies if c.told],
    )


def render_erasure_page(report: ErasureReport, shop: Shop | None = None) -> bytes:
    """The content of the customer's index.html, UTF-8."""
    template = environment().get_template(TEMPLATE)
    return template.render(page=customer_page(report, shop)).encode("utf-8")


# --- the operator's worksheet ------------------------------------------------------------------


@dataclass(frozen=True)
class WorkStep:
    """One step as the operator works with it."""

    seq: int
    system: str
    record_type: str
    record_id: str
    action: str
    state: str
    reason: str
    legal_basis: str
    until: str
    outcome: str
    instruction: str


@dataclass(frozen=True)
class WorkGroup:
    """Open manual steps of one system with the same reason: numbered, each with its instruction."""

    system: str
    reason: str
    numbers: str
    steps: list[WorkStep]


@dataclass(frozen=True)
class Worksheet:
    """Everything the operator's worksheet shows."""

    state: str
    line: str
    assessment: Assessment
    erasure_id: str
    subject: str
    generated_at: str
    open_numbers: str
    open_count: int
    groups: list[WorkGroup]
    failed: list[WorkStep]
    problems: list[str]
    notices: list[tuple[str, str]]  # (company, notice text)
    not_collected: list[tuple[str, str]]  # (company, error)
    systems: list[tuple[str, str, list[WorkStep]]]  # (company, role, every step)


def _work(system: SystemReport, step: ReportStep) -> WorkStep:
    return WorkStep(
        seq=step.seq,
        system=system.title or system.system,
        record_type=step.record_type,
        record_id=step.record_id,
        action=step.action.value,
        state=step.state,
        reason=step.reason,
        legal_basis=step.legal_basis,
        until=step.until.isoformat() if step.until else "",
        outcome=step.outcome or "",
        instruction=step.instruction,
    )


def worksheet(report: ErasureReport) -> Worksheet:
    """Everything the operator's worksheet shows, in the order it shows it."""
    assessment = assess(report)
    groups: dict[tuple[str, str], list[WorkStep]] = {}
    failed: list[WorkStep] = []
    systems = []
    for system in report.systems:
        steps = [_work(system, s) for s in sorted(system.steps, key=lambda s: s.seq)]
        systems.append((system.title or system.system, system.role, steps))
        for step in steps:
            if step.state == StepState.manual or (
                report.dry_run and step.action == Action.manual.value
            ):
                groups.setdefault((step.system, step.reason), []).append(step)
            elif step.state in (StepState.failed, StepState.pending, StepState.started) or (
                step.state == StepState.planned and not report.dry_run
            ):
                failed.append(step)
    open_steps = [s for group in groups.values() for s in group]
    return Worksheet(
        state=assessment.state.value,
        line=state_line(assessment),
        assessment=assessment,
        erasure_id=report.erasure_id or "",
        subject=report.subject_hash[:8],
        generated_at=as_utc(report.generated_at).strftime("%Y-%m-%d %H:%M UTC"),
        # Listed one by one: --confirm-manual reads every form as a plain list of numbers.
        open_numbers=",".join(str(s.seq) for s in open_steps),
        open_count=len(open_steps),
        groups=[
            WorkGroup(
                system=system,
                reason=reason,
                numbers=compact_ids([str(s.seq) for s in steps], limit=len(steps)),
                steps=steps,
            )
            for (system, reason), steps in groups.items()
        ],
        failed=failed,
        problems=report.problems,
        notices=[(s.title or s.system, s.notice) for s in report.systems if s.notice],
        not_collected=[
            (s.title or s.system, s.error or s.status)
            for s in report.systems
            if s.status in ("error", "partial")
        ],
        systems=systems,
    )


def render_worksheet(report: ErasureReport) -> bytes:
    """The content of the operator's worksheet, UTF-8."""
    template = environment().get_template(WORKSHEET_TEMPLATE)
    return template.render(sheet=worksheet(report), ErasureState=ErasureState).encode("utf-8")


# --- the files ---------------------------------------------------------------------------------


def _step_counts(system: SystemReport) -> dict[str, dict[str, int]]:
    """Per action, how many steps are in each state (known states first, in their order)."""
    order = {state.value: n for n, state in enumerate(StepState)}
    counts: dict[str, dict[str, int]] = {}
    for action in Action:
        tally = Counter(s.state for s in system.steps if s.action is action)
        states = sorted(tally, key=lambda state: (order.get(state, len(order)), state))
        counts[action.value] = {state: tally[state] for state in states}
    return counts


def erasure_manifest(report: ErasureReport, entries: list[ArchivedFile]) -> dict[str, Any]:
    """The manifest of an erasure report whose other files are `entries`."""
    dumped = report.model_dump(
        mode="json",
        include={"erasure_id", "generated_at", "dry_run", "state", "complete", "open_steps"},
    )
    return {
        "kind": "erasure-report",
        "erasure_id": dumped["erasure_id"],
        "generated_at": dumped["generated_at"],
        "state": dumped["state"],
        "dry_run": dumped["dry_run"],
        "complete": dumped["complete"],
        "open_steps": dumped["open_steps"],
        "open_manual_steps": report.open_manual_steps,
        "failed_steps": report.failed_steps,
        "problems": len(report.problems),
        "files": file_list(entries),
        "systems": [
            {
                "system": system.system,
                "status": system.status,
                "error": system.error,
                "steps": len(system.steps),
                "actions": _step_counts(system),
                "notice": bool(system.notice),
            }
            for system in report.systems
        ],
    }


def erasure_filename(report: ErasureReport) -> str:
    """`privacy-bridge-erasure-<pseudonym8>-<YYYYmmddTHHMMSSZ>.zip`, from `generated_at`.

    `subject_hash` is the keyed pseudonym (the state's HMAC); a plan without one (a dry run) is
    `unknown`.
    """
    digest = subject_tag(report.subject_hash) if report.subject_hash else "unknown"
    return f"{PREFIX}-erasure-{digest}-{utc_stamp(report.generated_at)}.zip"


def worksheet_path(report_zip: Path) -> Path:
    """The operator's worksheet beside a customer's report: `privacy-bridge-worksheet-<pseudonym8>-
    <stamp>.html` for `privacy-bridge-erasure-<pseudonym8>-<stamp>.zip`."""
    stem = report_zip.stem.replace(f"{PREFIX}-erasure-", f"{PREFIX}-worksheet-", 1)
    return report_zip.with_name(f"{stem}.html")


def _atomic_write(target: Path, content: bytes) -> None:
    """Write `target` 0600 so that it appears only once complete (as exports.archive's zips)."""
    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}-", suffix=".part")
    temp = Path(temp_name)
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def write_erasure_report(report: ErasureReport, out_dir: Path, *, shop: Shop | None = None) -> Path:
    """Write `report` as `privacy-bridge-erasure-<pseudonym8>-<stamp>.zip` into `out_dir`, and the
    operator's worksheet beside it (`worksheet_path`); the zip's path.

    Both files are created 0600 and appear only when complete; a failure leaves neither.
    `out_dir` is made 0700 (created so, or narrowed when it is the user's; refused otherwise).
    The names and the files carry no e-mail address, only the subject's keyed pseudonym. `shop`
    names the shop and its privacy contact on the customer's page.
    """
    files = {
        REPORT_JSON: to_json_bytes(report.model_dump(mode="json")),
        "index.html": render_erasure_page(report, shop),
    }
    sheet = render_worksheet(report)
    ensure_private_dir(out_dir)
    target = out_dir / erasure_filename(report)
    with atomic_zip(target, as_utc(report.generated_at)) as archive:
        for path, content in files.items():
            archive.add(path, content)
        archive.add("manifest.json", to_json_bytes(erasure_manifest(report, archive.entries)))
    try:
        _atomic_write(worksheet_path(target), sheet)
    except BaseException:
        # The report without its worksheet would hide the manual steps from the operator.
        with contextlib.suppress(OSError):
            target.unlink()
        raise
    return target
