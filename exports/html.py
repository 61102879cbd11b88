"""index.html: the page the customer reads on a phone and prints on paper, in Dutch and English.

The first screen says who the shop is, what each company holds (role, categories, how many
records, from when to when) and what the person can do next; then per company its records as
cards (labels and values from the connectors' views, `bridge.core.presentation`), its art. 15(1)
information from the shop's privacy statement, and a timeline. Every fixed text comes from the
catalogues (`exports.i18n`), every value is written by `exports.display`. The page is built from
plain dataclasses so the template only lays it out; jinja2 escapes every value (autoescape on),
so record data can never become markup. No system is named here: all is laid out from the
declarations (views, categories) and the statement.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bridge.core.models import DataPackage, Record, SourceResult, Status
from bridge.core.presentation import Field, Kind, RecordView
from bridge.core.statement import Company, Shop, Text
from exports.cells import LIST_SEPARATOR
from exports.display import Shown, day, is_empty, moment, money, scalar, show, translated
from exports.i18n import plural, words
from exports.keyfields import amount_column, key_columns, when_column
from exports.labels import Words, status_words
from exports.tables import flat_frame
from exports.values import amount, currency, instant, value_at

TEMPLATE = "index.html.j2"
TEMPLATES = Path(__file__).parent / "templates"
CELL_LIMIT = 200
# Record types start folded unless the whole package is this small: a person sees first what each
# company holds (its summary line) and opens what they want to read; print opens them all.
OPEN_LIMIT = 8
# A company's art. 15 information starts folded when it has more groups of categories than this.
ART15_OPEN = 2
# Cards per record type on the page (newest first); the rest are in data.json and the workbook.
CARD_LIMIT = 100
# Up to this many records in the package, each card carries its raw data; beyond, the page would
# weigh megabytes on a phone, and data.json (linked) holds it all.
RAW_LIMIT = 400
# The timeline: an SVG this wide (user units; it scales to the screen), one lane per record type.
TIMELINE_WIDTH = 360
LANE_HEIGHT = 26
TIMELINE_LANES = 6
PALETTE = ("#1d4e89", "#2e7d32", "#b35c00", "#7b1fa2", "#00838f", "#a4161a")

Views = Mapping[str, Mapping[str, RecordView]]


@dataclass(frozen=True)
class Value:
    """One labelled value of a record: a label per language (or a field name), its value."""

    label: Shown
    value: Shown
    wide: bool = False  # long text (a review, a note): its own line under the label


@dataclass(frozen=True)
class LineTable:
    """A list inside a record (an order's lines) as rows of their own."""

    label: Shown
    columns: list[Shown]
    rows: list[list[Shown]]


@dataclass(frozen=True)
class Card:
    """One record as a card: what names it, when, how much, then its fields and lines."""

    title: Shown
    when: Shown | None
    amount: Shown | None
    values: list[Value]
    lines: list[LineTable]
    matched_by: str
    raw: str | None  # the record's data as JSON (internal fields left out); None: see data.json
    moment: datetime | None = None


@dataclass(frozen=True)
class TypeSection:
    """The records of one type at one company."""

    anchor: str
    record_type: str
    label: Shown
    count: int
    first: Shown | None
    last: Shown | None
    cards: list[Card]
    hidden: int  # records beyond CARD_LIMIT, in data.json and the workbook only
    open: bool


@dataclass(frozen=True)
class Processing:
    """Art. 15(1) for record types processed alike: categories, purposes, legal basis, retention
    and source (types the statement describes the same way share one entry)."""

    labels: list[Shown]
    categories: Shown | None
    purposes: list[Words]
    legal_basis: list[Words]
    retention: Words | None
    source: Words | None


@dataclass(frozen=True)
class CompanyView:
    """One company (a system the shop uses): what it holds and what it does with it."""

    anchor: str
    system: str
    name: str
    role: Shown  # the statement's description of its role, else the connector's short one
    kind: Shown  # the connector's short role ("processor: payments"), for the first screen
    status: Status
    status_words: Words
    error: str | None
    failed: list[str]
    notes: list[Shown]
    count: int
    first: Shown | None
    last: Shown | None
    categories: Shown | None
    sections: list[TypeSection]
    processing: list[Processing]
    processing_open: bool
    described: bool  # the statement describes this company
    recipients: list[Words]
    automated_decisions: Words | None
    transfers: Words | None


@dataclass(frozen=True)
class Lane:
    """One record type on the timeline: its dots (x, radius) and its colour."""

    label: Shown
    company: str
    colour: str
    y: float
    dots: list[tuple[float, float, str]]  # x, radius, tooltip


@dataclass(frozen=True)
class Timeline:
    width: int
    height: int
    lanes: list[Lane]
    ticks: list[tuple[float, str]]  # x, year


@dataclass(frozen=True)
class PackagePageView:
    email: str
    generated_at: Shown
    shop: Shop | None
    complete: bool
    warn: bool
    failed: list[CompanyView]
    manual: list[CompanyView]
    companies: list[CompanyView]
    total: int
    found: int  # companies with records
    timeline: Timeline | None
    raw: bool  # cards carry their raw data
    capped: bool  # some type shows fewer cards than it has records


def anchor(index: int, system: str) -> str:
    """The id of a system's section on a page: `system-<n>-<slug>`, safe in a URL fragment."""
    slug = re.sub(r"[^a-z0-9]+", "-", system.lower()).strip("-")
    return f"system-{index}-{slug}" if slug else f"system-{index}"


def said(msgid: str, **values: Any) -> Words:
    """`exports.i18n.words` whose values may differ per language (a date, an amount: `Words`):
    each language's text gets its own. The template's `words` is this one."""
    holes = {name: "{" + name + "}" for name in values}
    nl, en = words(msgid, **holes)
    mine = {
        name: v if isinstance(v, Words) else Words(str(v), str(v)) for name, v in values.items()
    }
    return Words(
        nl.format(**{name: v.nl for name, v in mine.items()}),
        en.format(**{name: v.en for name, v in mine.items()}),
    )


def said_plural(singular: str, several: str, n: int, **values: Any) -> Words:
    """`exports.i18n.plural` with values per language, as `said`."""
    holes = {name: "{" + name + "}" for name in values}
    nl, en = plural(singular, several, n, **holes)
    mine = {
        name: v if isinstance(v, Words) else Words(str(v), str(v)) for name, v in values.items()
    }
    return Words(
        nl.format(**{name: v.nl for name, v in mine.items()}),
        en.format(**{name: v.en for name, v in mine.items()}),
    )


def _words(text: Text) -> Words:
    return Words(text.nl, text.en)


def _join(items: Sequence[Shown]) -> Shown | None:
    """Several values (categories) as one, per language."""
    if not items:
        return None
    nl = ", ".join(i if isinstance(i, str) else i.nl for i in items)
    en = ", ".join(i if isinstance(i, str) else i.en for i in items)
    return nl if nl == en else Words(nl, en)


def _short(text: str) -> str:
    return text if len(text) <= CELL_LIMIT else text[: CELL_LIMIT - 1] + "…"


def _without(data: Any, paths: Sequence[str]) -> Any:
    """`data` without the fields at `paths` (dotted; a prefix drops what is under it)."""
    if not paths or not isinstance(data, dict):
        return data
    heads: dict[str, list[str]] = {}
    for path in paths:
        head, _, rest = path.partition(".")
        heads.setdefault(head, []).append(rest)
    kept: dict[str, Any] = {}
    for key, value in data.items():
        rests = heads.get(key)
        if rests is None:
            kept[key] = value
        elif "" not in rests:  # only some fields inside it are internal
            kept[key] = _without(value, rests)
    return kept


def _raw(record: Record, view: RecordView | None) -> str:
    data = _without(record.data, view.internal if view else ())
    return json.dumps(data, ensure_ascii=False, indent=1, default=str)


def _field_moment(data: Any, path: str | None, fields: Sequence[Field]) -> datetime | None:
    if path is None:
        return None
    declared = next((f for f in fields if f.path == path), None)
    guide = declared or Field(path=path, label=Words(path, path), kind=Kind.datetime)
    return instant(value_at(data, path), guide)


def _field_amount(data: Any, path: str | None, fields: Sequence[Field]) -> Shown | None:
    found = _amount_of(data, path, fields)
    return money(*found) if found is not None else None


def _amount_of(data: Any, path: str | None, fields: Sequence[Field]) -> tuple[Decimal, str] | None:
    if path is None:
        return None
    declared = next((f for f in fields if f.path == path), None)
    guide = declared or Field(path=path, label=Words(path, path), kind=Kind.money)
    value = value_at(data, path)
    number = amount(value, guide)
    return (number, currency(data, value, guide)) if number is not None else None


def _lines(record: Record, view: RecordView) -> list[LineTable]:
    tables = []
    for lines in view.lines:
        items = value_at(record.data, lines.path)
        if not isinstance(items, list) or not items:
            continue
        shown = [f for f in lines.fields if any(show(i, f) is not None for i in items)]
        rows = [[show(item, f) or "" for f in shown] for item in items if isinstance(item, dict)]
        if rows:
            tables.append(LineTable(label=lines.label, columns=[f.label for f in shown], rows=rows))
    return tables


def _view_card(record: Record, view: RecordView, raw: bool) -> Card:
    placed = {view.title, view.when, view.amount}
    values = []
    for f in view.fields:
        if f.path in placed:
            continue
        value = show(record.data, f)
        if value is not None:
            values.append(Value(label=f.label, value=value, wide=f.kind is Kind.html))
    title = value_at(record.data, view.title) if view.title else None
    when = _field_moment(record.data, view.when, view.fields)
    declared = next((f for f in view.fields if f.path == view.when), None)
    shown_when = None
    if when is not None:
        shown_when = (
            day(when) if declared is not None and declared.kind is Kind.date else moment(when)
        )
    return Card(
        title=scalar(title) if not is_empty(title) else record.id,
        when=shown_when,
        amount=_field_amount(record.data, view.amount, view.fields),
        values=values,
        lines=_lines(record, view),
        matched_by=LIST_SEPARATOR.join(record.matched_by),
        raw=_raw(record, view) if raw else None,
        moment=when,
    )


def _plain_cards(records: Sequence[Record], raw: bool) -> list[Card]:
    """Cards of a type without a view: a few key fields by name, labelled by their names."""
    frame = flat_frame(records)
    filled = [str(c) for c in frame.columns if (frame[c] != "").any()]
    when_path, amount_path = when_column(filled), amount_column(filled)
    columns = [c for c in key_columns(filled) if c not in (when_path, amount_path)]
    rows = frame[columns].to_numpy(dtype=object).tolist() if columns else [[]] * len(records)
    cards = []
    for record, cells in zip(records, rows, strict=True):
        when = _field_moment(record.data, when_path, ())
        cards.append(
            Card(
                title=record.id,
                when=moment(when) if when is not None else None,
                amount=_field_amount(record.data, amount_path, ()),
                values=[
                    Value(label=c, value=_short(scalar(v)))
                    for c, v in zip(columns, cells, strict=True)
                    if not is_empty(v)
                ],
                lines=[],
                matched_by=LIST_SEPARATOR.join(record.matched_by),
                raw=_raw(record, None) if raw else None,
                moment=when,
            )
        )
    return cards


def _newest_first(cards: list[Card]) -> list[Card]:
    dated = [c for c in cards if c.moment is not None]
    if not dated:
        return cards
    undated = [c for c in cards if c.moment is None]
    return sorted(dated, key=lambda c: c.moment or datetime.min, reverse=True) + undated


def _section(
    company: str,
    record_type: str,
    records: list[Record],
    view: RecordView | None,
    raw: bool,
    unfold: bool,
) -> TypeSection:
    if view:
        # Only the cards shown are built (a heavy customer has thousands of records): the
        # records are ordered by their moment first, which is cheap to read.
        dated = [(_field_moment(r.data, view.when, view.fields), r) for r in records]
        moments = sorted(m for m, _ in dated if m is not None)
        known = [(m, r) for m, r in dated if m is not None]
        newest = sorted(known, key=lambda d: d[0], reverse=True)
        ordered = [r for _, r in newest] + [r for m, r in dated if m is None]
        cards = [_view_card(r, view, raw) for r in ordered[:CARD_LIMIT]]
    else:
        every = _newest_first(_plain_cards(records, raw))
        moments = sorted(c.moment for c in every if c.moment is not None)
        cards = every[:CARD_LIMIT]
    slug = re.sub(r"[^a-z0-9]+", "-", record_type.lower()).strip("-") or "records"
    return TypeSection(
        anchor=f"{company}-{slug}",
        record_type=record_type,
        label=view.label if view else record_type,
        count=len(records),
        first=day(moments[0]) if moments else None,
        last=day(moments[-1]) if moments else None,
        cards=cards,
        hidden=max(0, len(records) - CARD_LIMIT),
        open=unfold,
    )


def _processing(
    source: SourceResult,
    described: Company | None,
    types: list[str],
    views: Mapping[str, RecordView],
) -> list[Processing]:
    groups: dict[Any, tuple[list[Shown], list[Shown]]] = {}
    for record_type in types:
        category = described.category(record_type) if described else None
        view = views.get(record_type)
        key = (
            (
                tuple(category.purposes),
                tuple(category.legal_basis),
                category.retention,
                category.source,
            )
            if category
            else record_type
        )
        labels, categories = groups.setdefault(key, ([], []))
        labels.append(view.label if view else record_type)
        categories.extend(translated(c) for c in source.categories.get(record_type, []))
    result = []
    for key, (labels, categories) in groups.items():
        purposes, bases, retention, origin = key if isinstance(key, tuple) else ((), (), None, None)
        result.append(
            Processing(
                labels=labels,
                categories=_join(list(dict.fromkeys(categories))),
                purposes=[_words(p) for p in purposes],
                legal_basis=[_words(b) for b in bases],
                retention=_words(retention) if retention else None,
                source=_words(origin) if origin else None,
            )
        )
    return result


def _company(
    index: int,
    source: SourceResult,
    described: Company | None,
    views: Mapping[str, RecordView],
    raw: bool,
    unfold: bool,
) -> CompanyView:
    groups: dict[str, list[Record]] = {}
    for record in source.records:
        groups.setdefault(record.type, []).append(record)
    key = anchor(index, source.system)
    sections = [_section(key, t, rs, views.get(t), raw, unfold) for t, rs in groups.items()]
    declared = [c.record_type for c in described.categories] if described else []
    types = list(groups) + [t for t in [*source.categories, *declared] if t not in groups]
    types = list(dict.fromkeys(types))
    moments = sorted(c.moment for s in sections for c in s.cards if c.moment is not None)
    categories = [translated(c) for t in types for c in source.categories.get(t, [])]
    processing = _processing(source, described, types, views)
    role: Shown = _words(described.role) if described else translated(source.role)
    return CompanyView(
        anchor=key,
        system=source.system,
        name=described.name if described else (source.title or source.system),
        role=role,
        kind=translated(source.role) if source.role else role,
        status=source.status,
        status_words=status_words(source.status),
        error=source.error,
        failed=source.failed,
        notes=[translated(n) for n in source.notes],
        count=len(source.records),
        first=day(moments[0]) if moments else None,
        last=day(moments[-1]) if moments else None,
        categories=_join(list(dict.fromkeys(categories))),
        sections=sections,
        processing=processing,
        processing_open=unfold and len(processing) <= ART15_OPEN,
        described=described is not None,
        recipients=[_words(r) for r in described.recipients] if described else [],
        automated_decisions=_words(described.automated_decisions) if described else None,
        transfers=_words(described.transfers) if described else None,
    )


def _timeline(package: DataPackage, views: Views) -> Timeline | None:
    """Orders and payments in time: each record type with an amount is a lane of dots."""
    lanes: list[tuple[Shown, str, list[tuple[datetime, Decimal | None, str]]]] = []
    for source in package.sources:
        groups: dict[str, list[Record]] = {}
        for record in source.records:
            groups.setdefault(record.type, []).append(record)
        for record_type, records in groups.items():
            view = views.get(source.system, {}).get(record_type)
            if view is not None:
                when_path, amount_path, fields = view.when, view.amount, view.fields
            else:
                columns = list(dict.fromkeys(k for r in records for k in r.data))
                when_path, amount_path, fields = when_column(columns), amount_column(columns), ()
            if when_path is None or amount_path is None:
                continue
            points = []
            for record in records:
                when = _field_moment(record.data, when_path, fields)
                if when is not None:
                    found = _amount_of(record.data, amount_path, fields)
                    title = value_at(record.data, view.title) if view and view.title else None
                    named = scalar(title) if not is_empty(title) else record.id
                    points.append((when, found[0] if found else None, named))
            if points:
                lanes.append(
                    (view.label if view else record_type, source.title or source.system, points)
                )
    if not lanes:
        return None
    lanes = sorted(lanes, key=lambda lane: -len(lane[2]))[:TIMELINE_LANES]
    moments = [p[0] for _, _, points in lanes for p in points]
    start, end = min(moments), max(moments)
    left, right = 8.0, TIMELINE_WIDTH - 8.0
    seconds = max((end - start).total_seconds(), 1.0)

    def x(when: datetime) -> float:
        return round(left + (right - left) * (when - start).total_seconds() / seconds, 1)

    largest = max(
        (abs(p[1]) for _, _, ps in lanes for p in ps if p[1] is not None), default=Decimal(1)
    )
    largest = largest or Decimal(1)
    result = []
    for n, (label, company, points) in enumerate(lanes):
        dots = [
            (
                x(when),
                round(2.5 + 4.5 * float((abs(value) / largest) ** Decimal("0.5")), 1)
                if value is not None
                else 3.0,
                f"{title} · {when.date().isoformat()}",
            )
            for when, value, title in points
        ]
        result.append(
            Lane(
                label=label,
                company=company,
                colour=PALETTE[n % len(PALETTE)],
                y=LANE_HEIGHT * n + LANE_HEIGHT / 2,
                dots=dots,
            )
        )
    years = range(start.year + 1, end.year + 1)
    step = max(1, len(years) // 6 + (1 if len(years) % 6 else 0)) if len(years) > 6 else 1
    ticks = [
        (x(datetime(year, 1, 1, tzinfo=start.tzinfo)), str(year))
        for year in years
        if (year - start.year) % step == 0
    ]
    return Timeline(
        width=TIMELINE_WIDTH, height=LANE_HEIGHT * len(result) + 18, lanes=result, ticks=ticks
    )


def page_view(package: DataPackage, views: Views | None = None) -> PackagePageView:
    """Everything the template shows, in the order it shows it."""
    views = views or {}
    statement = package.statement
    total = sum(len(s.records) for s in package.sources)
    raw = total <= RAW_LIMIT
    companies = [
        _company(
            i,
            source,
            statement.company(source.system) if statement else None,
            views.get(source.system, {}),
            raw,
            total <= OPEN_LIMIT,
        )
        for i, source in enumerate(package.sources, start=1)
    ]
    failed = [c for c in companies if c.status in (Status.error, Status.partial)]
    return PackagePageView(
        email=package.subject.email.strip(),
        generated_at=moment(package.generated_at),
        shop=statement.shop if statement else None,
        complete=package.complete,
        warn=not package.complete or bool(failed),
        failed=failed,
        manual=[c for c in companies if c.status is Status.manual],
        companies=companies,
        total=total,
        found=sum(1 for c in companies if c.count),
        timeline=_timeline(package, views) if total else None,
        raw=raw,
        capped=any(s.hidden for c in companies for s in c.sections),
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
    env.globals.update(words=said, plural=said_plural)  # fixed texts: exports.i18n
    env.tests["words"] = lambda value: isinstance(value, Words)
    return env


def render_index(package: DataPackage, views: Views | None = None) -> bytes:
    """The content of index.html, UTF-8; `views` says per system how its records read."""
    template = environment().get_template(TEMPLATE)
    return template.render(page=page_view(package, views)).encode("utf-8")
