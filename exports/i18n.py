"""The fixed texts of the customer's documents, in Dutch and English, from gettext catalogues.

Every text is written once, in English, where it is used (`words("Your personal data")` in code,
`t("…")` in a template): that is its msgid. The `.po` files in `locale/<lang>/LC_MESSAGES/` (one
per document: common, package, erasure) hold each language's text for it (English too, so that a reworded English text is a catalogue change, not a
template change). The catalogues are read with Babel when first needed: no compile step. Values
are put in after translation (`{name}` placeholders, `str.format`), so a translation may move them.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from bridge.core.presentation import Words

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("nl", "en")
log = logging.getLogger(__name__)

# msgids asked for that a catalogue lacks (tests/test_catalogues.py fails on any)
missing: set[tuple[str, str]] = set()


@cache
def catalogue(language: str) -> Catalog:
    """The catalogue of one language: every `.po` file of it, merged."""
    merged = Catalog(locale=language)
    for path in sorted((LOCALE_DIR / language / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as po:
            for message in read_po(po, locale=language):
                if message.id:
                    merged[message.id] = message
    return merged


def _text(language: str, msgid: str | tuple[str, str], n: int | None = None) -> str:
    message = catalogue(language).get(msgid)
    strings = message.string if message is not None else None
    if isinstance(strings, (tuple, list)):  # a plural: its form for `n` (both languages: n != 1)
        text = strings[0 if n == 1 else 1] if len(strings) > 1 else strings[0]
    else:
        text = strings or ""
    if not text:
        key = msgid if isinstance(msgid, str) else msgid[0]
        missing.add((language, key))
        log.warning("no %s text in the catalogue for %r", language, key)
        if isinstance(msgid, tuple):
            return msgid[0 if n == 1 else 1]
        return msgid
    return text


def words(msgid: str, **values: Any) -> Words:
    """The text `msgid` (English, as written in the code) in both languages, values put in."""
    nl, en = (_text(lang, msgid).format(**values) for lang in LANGUAGES)
    return Words(nl, en)


def plural(singular: str, several: str, n: int, **values: Any) -> Words:
    """The text for `n` things (`"{n} record"`, `"{n} records"`), in both languages."""
    nl, en = (_text(lang, (singular, several), n).format(n=n, **values) for lang in LANGUAGES)
    return Words(nl, en)
