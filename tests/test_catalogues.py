"""Every fixed text of the customer's documents exists in Dutch and in English.

The msgids are extracted the way Babel extracts them (`words(…)` and `plural(…)` in
exports/*.py and exports/templates/*.j2); each must have a non-empty text in both languages'
catalogues, one text per language even where two catalogues hold it. Rendering a page must ask
for no text the catalogues lack (`exports.i18n.missing`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import exports.i18n as i18n
from bridge.core.models import DataPackage, Record, SourceResult, Status, Subject
from exports.html import render_index
from exports.i18n import LANGUAGES, LOCALE_DIR, catalogue

EXPORTS = Path(i18n.__file__).parent
METHODS = [("*.py", "python"), ("templates/*.j2", "jinja2.ext:babel_extract")]
KEYWORDS = {"words": None, "plural": (1, 2)}

Msgid = str | tuple[str, str]


def _msgids() -> Iterator[tuple[Msgid, str]]:
    for filename, lineno, message, _, _ in extract_from_dir(
        EXPORTS,
        method_map=METHODS,
        keywords=KEYWORDS,
        options_map={"templates/*.j2": {"extensions": ""}},
    ):
        if isinstance(message, tuple):
            yield (message[0], message[1]), f"{filename}:{lineno}"
        else:
            yield message, f"{filename}:{lineno}"


MSGIDS = dict(_msgids())


def test_the_extraction_finds_the_texts() -> None:
    assert "Your personal data" in MSGIDS
    assert ("{n} record", "{n} records") in MSGIDS
    assert "retrieved" in MSGIDS  # exports/labels.py


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_msgid_has_a_text(language: str) -> None:
    found = catalogue(language)
    lacking = []
    for msgid, where in MSGIDS.items():
        message = found.get(msgid)
        strings = message.string if message is not None else None
        texts = list(strings) if isinstance(strings, (tuple, list)) else [strings]
        if not all(texts):
            lacking.append(f"{where}: {msgid!r}")
    assert not lacking, "\n".join(lacking)


@pytest.mark.parametrize("language", LANGUAGES)
def test_one_text_per_msgid_across_catalogues(language: str) -> None:
    seen: dict[object, tuple[object, str]] = {}
    clashes = []
    for path in sorted((LOCALE_DIR / language / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as po:
            for message in read_po(po, locale=language):
                if not message.id:
                    continue
                if message.id in seen and seen[message.id][0] != message.string:
                    clashes.append(f"{message.id!r}: {seen[message.id][1]} and {path.name}")
                seen.setdefault(message.id, (message.string, path.name))
    assert not clashes, "\n".join(clashes)


def test_rendering_asks_for_no_missing_text() -> None:
    i18n.missing.clear()
    record = Record(type="order", id="1", matched_by=["email"], data={"total": "1.00"})
    for records in ([record], []):
        package = DataPackage(
            subject=Subject(email="a@b.nl"),
            generated_at=datetime(2025, 1, 1, tzinfo=UTC),
            complete=False,
            sources=[
                SourceResult(system="one", status=Status.ok, records=records),
                SourceResult(system="two", status=Status.error, error="timeout"),
                SourceResult(system="three", status=Status.manual),
            ],
        )
        render_index(package)
    assert not i18n.missing
