"""write_erasure_report: what an erasure did, as one private zip for the customer and the operator.

The zip holds, at its root: erasure-report.json (the report as the models dump it), index.html
(the page, in Dutch and English) and, written last, manifest.json with the SHA-256 of every other
file and, per system, how many steps of each action are in each state.

The page says first whether the erasure is complete, a plan (dry run: nothing changed yet) or
open, and why; then per system what was deleted, anonymised, kept (with its reason, legal basis
and end date), what must be done by hand (the operator's instruction), what failed, and the
notice to each processor (GDPR art. 19). Steps alike in all but their id share one table row.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bridge.core.policy import Action
from bridge.core.steps import StepState
from exports.archive import atomic_zip, ensure_private_dir
from exports.erasure_models import ErasureReport, ReportStep, SystemReport
from exports.html import anchor, environment
from exports.jsonfile import to_json_bytes
from exports.labels import (
    ACTION_WORDS,
    PLANNED_ACTION_WORDS,
    STATE_WORDS,
    Words,
    state_words,
    system_status_words,
)
from exports.manifest import ArchivedFile, file_list
from exports.naming import PREFIX, as_utc, subject_tag, utc_stamp

TEMPLATE = "erasure.html.j2"
REPORT_JSON = "erasure-report.json"
ID_LIMIT = 60  # ids (or id ranges) shown in one cell; all of them are in erasure-report.json
COMPLETE, DRY_RUN, OPEN = "complete", "dry_run", "open"
FAILED = StepState.failed.value
SECTIONS = (Action.delete, Action.anonymise, Action.retain, Action.manual)
_NUMBER = re.compile(r"0|[1-9][0-9]{0,17}", re.ASCII)


@dataclass(frozen=True)
class StepRow:
    """Steps of one system alike in all but their record id, shown as one row."""

    action: Action
    action_words: Words
    record_type: str
    ids: str
    count: int
    reason: str
    legal_basis: str
    until: str
    state: str
    state_words: Words
    outcome: str
    instruction: str


@dataclass(frozen=True)
class Section:
    """The rows of one action within a system (or its failed steps, whatever their action)."""

    key: str
    words: Words
    count: int
    rows: list[StepRow]


@dataclass(frozen=True)
class ErasureSystemView:
    anchor: str
    system: str
    title: str
    role: str
    status: str
    status_words: Words
    error: str | None
    counts: dict[str, int]
    sections: list[Section]
    todo: list[StepRow]
    notice: str

    @property
    def steps(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class ErasurePageView:
    verdict: str
    erasure_id: str
    subject: str
    generated_at: str
    problems: list[str]
    failed: int
    todo: int
    unapplied: int
    not_collected: list[ErasureSystemView]
    todo_systems: list[ErasureSystemView]
    failed_systems: list[ErasureSystemView]
    systems: list[ErasureSystemView]
    columns: list[tuple[str, Words]]
    tool: str


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


def _rows(steps: list[ReportStep], words: dict[Action, Words]) -> list[StepRow]:
    """Steps grouped by everything but their id, in the order their first step comes."""
    groups: dict[tuple[Any, ...], list[ReportStep]] = {}
    for step in steps:
        key = (
            step.action,
            step.record_type,
            step.reason,
            step.legal_basis,
            step.until,
            step.state,
            step.outcome or "",
            step.instruction,
        )
        groups.setdefault(key, []).append(step)
    return [
        StepRow(
            action=first.action,
            action_words=words[first.action],
            record_type=first.record_type,
            ids=compact_ids([s.record_id for s in group]),
            count=len(group),
            reason=first.reason,
            legal_basis=first.legal_basis,
            until=first.until.isoformat() if first.until else "",
            state=first.state,
            state_words=state_words(first.state),
            outcome=first.outcome or "",
            instruction=first.instruction,
        )
        for group in groups.values()
        for first in group[:1]
    ]


def _section_of(step: ReportStep) -> str:
    return FAILED if step.state == FAILED else step.action.value


def _system(index: int, system: SystemReport, words: dict[Action, Words]) -> ErasureSystemView:
    ordered = sorted(system.steps, key=lambda s: s.seq)
    by_section: dict[str, list[ReportStep]] = {}
    for step in ordered:
        by_section.setdefault(_section_of(step), []).append(step)
    sections = [
        Section(
            key=key,
            words=words[Action(key)] if key != FAILED else state_words(FAILED),
            count=len(by_section[key]),
            rows=_rows(by_section[key], words if key != FAILED else PLANNED_ACTION_WORDS),
        )
        for key in [*(a.value for a in SECTIONS), FAILED]
        if key in by_section
    ]
    return ErasureSystemView(
        anchor=anchor(index, system.system),
        system=system.system,
        title=system.title or system.system,
        role=system.role,
        status=system.status,
        status_words=system_status_words(system.status),
        error=system.error,
        counts={
            key: len(by_section.get(key, [])) for key in [*(a.value for a in SECTIONS), FAILED]
        },
        sections=sections,
        todo=[
            row
            for row in _rows(by_section.get(Action.manual.value, []), words)
            if row.state == StepState.manual
        ],
        notice=system.notice,
    )


def verdict(report: ErasureReport) -> str:
    """`dry_run` for a plan, `complete` when nothing at all is left to do, else `open`."""
    if report.dry_run:
        return DRY_RUN
    steps = [step for system in report.systems for step in system.steps]
    left = [s for s in steps if s.state in (FAILED, StepState.manual, StepState.planned)]
    not_collected = [s for s in report.systems if s.status == "error"]
    finished = not (left or not_collected or report.problems or report.open_manual_steps)
    return COMPLETE if report.complete and finished else OPEN


def page_view(report: ErasureReport) -> ErasurePageView:
    """Everything the erasure page shows, in the order it shows it."""
    words = PLANNED_ACTION_WORDS if report.dry_run else ACTION_WORDS
    systems = [_system(i, s, words) for i, s in enumerate(report.systems, start=1)]
    steps = [step for system in report.systems for step in system.steps]
    todo = sum(1 for s in steps if s.state == StepState.manual)
    return ErasurePageView(
        verdict=verdict(report),
        erasure_id=report.erasure_id or "",
        subject=report.subject_hash[:8],
        generated_at=as_utc(report.generated_at).strftime("%Y-%m-%d %H:%M UTC"),
        problems=report.problems,
        failed=sum(1 for s in steps if s.state == FAILED),
        todo=max(todo, report.open_manual_steps),
        unapplied=0 if report.dry_run else sum(1 for s in steps if s.state == StepState.planned),
        not_collected=[s for s in systems if s.status == "error"],
        todo_systems=[s for s in systems if s.todo],
        failed_systems=[s for s in systems if s.counts[FAILED]],
        systems=systems,
        columns=[(a.value, words[a]) for a in SECTIONS] + [(FAILED, state_words(FAILED))],
        tool=PREFIX,
    )


def render_erasure_page(report: ErasureReport) -> bytes:
    """The content of index.html, UTF-8."""
    template = environment().get_template(TEMPLATE)
    return template.render(page=page_view(report)).encode("utf-8")


def _step_counts(system: SystemReport) -> dict[str, dict[str, int]]:
    """Per action, how many steps are in each state (known states first, in their order)."""
    order = {state: n for n, state in enumerate(STATE_WORDS)}
    counts: dict[str, dict[str, int]] = {}
    for action in Action:
        tally = Counter(s.state for s in system.steps if s.action is action)
        states = sorted(tally, key=lambda state: (order.get(state, len(order)), state))
        counts[action.value] = {state: tally[state] for state in states}
    return counts


def erasure_manifest(report: ErasureReport, entries: list[ArchivedFile]) -> dict[str, Any]:
    """The manifest of an erasure report whose other files are `entries`."""
    dumped = report.model_dump(
        mode="json", include={"erasure_id", "generated_at", "dry_run", "complete"}
    )
    return {
        "kind": "erasure-report",
        "erasure_id": dumped["erasure_id"],
        "generated_at": dumped["generated_at"],
        "verdict": verdict(report),
        "dry_run": dumped["dry_run"],
        "complete": dumped["complete"],
        "open_manual_steps": report.open_manual_steps,
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


def write_erasure_report(report: ErasureReport, out_dir: Path) -> Path:
    """Write `report` as `privacy-bridge-erasure-<pseudonym8>-<stamp>.zip` into `out_dir`; its path.

    The file is created 0600 and appears only when complete; `out_dir` is made 0700 (created so,
    or narrowed when it is the user's; refused otherwise). The name and the files carry no e-mail
    address, only the subject's keyed pseudonym.
    """
    files = {
        REPORT_JSON: to_json_bytes(report.model_dump(mode="json")),
        "index.html": render_erasure_page(report),
    }
    ensure_private_dir(out_dir)
    target = out_dir / erasure_filename(report)
    with atomic_zip(target, as_utc(report.generated_at)) as archive:
        for path, content in files.items():
            archive.add(path, content)
        archive.add("manifest.json", to_json_bytes(erasure_manifest(report, archive.entries)))
    return target
