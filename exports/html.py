"""index.html: the page the customer reads, in Dutch and English, rendered with jinja2.

The page is built from a small view (plain dataclasses) so the template only lays it out; jinja2
escapes every value (autoescape on), so record data can never become markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bridge.core.models import DataPackage, Record, SourceResult, Status
from exports.cells import LIST_SEPARATOR
from exports.csvfiles import csv_paths
from exports.i18n import plural, words
from exports.keyfields import key_columns
from exports.labels import Words, status_words
from exports.naming import as_utc
from exports.tables import by_type, flat_frame

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE = "index.html.j2"
CELL_LIMIT = 120


@dataclass(frozen=True)
class TypeSummary:
    """One record type of one system: how many records, which categories of personal data."""

    type: str
    count: int
    categories: list[str]
    csv_path: str


@dataclass(frozen=True)
class RecordRow:
    id: str
    matched_by: str
    cells: list[str]


@dataclass(frozen=True)
class Table:
    """The records of one type in one system, with a few key fields as columns."""

    type: str
    csv_path: str
    columns: list[str]
    rows: list[RecordRow]


@dataclass(frozen=True)
class PackageSystemView:
    anchor: str
    system: str
    title: str
    role: str
    status: Status
    words: Words
    error: str | None
    notes: list[str]
    count: int
    summaries: list[TypeSummary]
    tables: list[Table]


@dataclass(frozen=True)
class PackagePageView:
    email: str
    generated_at: str
    complete: bool
    warn: bool
    failed: list[PackageSystemView]
    manual: list[PackageSystemView]
    systems: list[PackageSystemView]
    total: int
    tool: str
    version: str


def _short(text: str) -> str:
    return text if len(text) <= CELL_LIMIT else text[: CELL_LIMIT - 1] + "…"


def _table(record_type: str, records: list[Record], csv_path: str) -> Table:
    frame = flat_frame(records)
    filled = [str(c) for c in frame.columns if (frame[c] != "").any()]
    columns = key_columns(filled)
    values = frame[columns].to_numpy(dtype=object).tolist() if columns else [[]] * len(records)
    rows = [
        RecordRow(
            id=record.id,
            matched_by=LIST_SEPARATOR.join(record.matched_by),
            cells=[_short(str(value)) for value in cells],
        )
        for record, cells in zip(records, values, strict=True)
    ]
    return Table(type=record_type, csv_path=csv_path, columns=columns, rows=rows)


def anchor(index: int, system: str) -> str:
    """The id of a system's section on a page: `system-<n>-<slug>`, safe in a URL fragment."""
    slug = re.sub(r"[^a-z0-9]+", "-", system.lower()).strip("-")
    return f"system-{index}-{slug}" if slug else f"system-{index}"


def _system(index: int, source: SourceResult, paths: dict[str, str]) -> PackageSystemView:
    groups: dict[str, list[Record]] = {}
    for record in source.records:
        groups.setdefault(record.type, []).append(record)
    types = list(groups) + [t for t in source.categories if t not in groups]
    summaries = [
        TypeSummary(
            type=t,
            count=len(groups.get(t, [])),
            categories=source.categories.get(t, []),
            csv_path=paths.get(t, "") if t in groups else "",
        )
        for t in types
    ]
    return PackageSystemView(
        anchor=anchor(index, source.system),
        system=source.system,
        title=source.title or source.system,
        role=source.role,
        status=source.status,
        words=status_words(source.status),
        error=source.error,
        notes=source.notes,
        count=len(source.records),
        summaries=summaries,
        tables=[_table(t, records, paths[t]) for t, records in groups.items()],
    )


def page_view(package: DataPackage) -> PackagePageView:
    """Everything the template shows, in the order it shows it."""
    paths = csv_paths(by_type(package))
    systems = [_system(i, source, paths) for i, source in enumerate(package.sources, start=1)]
    failed = [s for s in systems if s.status in (Status.error, Status.partial)]
    return PackagePageView(
        email=package.subject.email.strip(),
        generated_at=as_utc(package.generated_at).strftime("%Y-%m-%d %H:%M UTC"),
        complete=package.complete,
        warn=not package.complete or bool(failed),
        failed=failed,
        manual=[s for s in systems if s.status is Status.manual],
        systems=systems,
        total=sum(s.count for s in systems),
        tool=package.tool,
        version=package.version,
    )


@cache
def environment() -> Environment:
    """The jinja2 environment of the exports: templates beside this module, autoescape on."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(words=words, plural=plural)  # fixed texts: exports.i18n
    return env


def render_index(package: DataPackage) -> bytes:
    """The content of index.html, UTF-8."""
    template = environment().get_template(TEMPLATE)
    return template.render(page=page_view(package)).encode("utf-8")
