"""Words for the customer's page, in Dutch and English."""

from __future__ import annotations

from typing import NamedTuple

from bridge.models import Status


class Words(NamedTuple):
    nl: str
    en: str


STATUS_WORDS: dict[Status, Words] = {
    Status.ok: Words("opgehaald", "retrieved"),
    Status.not_found: Words("geen gegevens gevonden", "no data found"),
    Status.error: Words("fout: niet opgehaald", "error: not retrieved"),
    Status.skipped: Words("overgeslagen", "skipped"),
    Status.manual: Words("wordt apart opgevraagd", "requested separately"),
}


def status_words(status: Status) -> Words:
    """The status of a system in words; unknown statuses are shown as they are."""
    return STATUS_WORDS.get(status, Words(str(status), str(status)))
