"""Names and times of a package file: no personal data in a file name."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bridge.core.models import DataPackage

PREFIX = "privacy-bridge"
# The files inside a data package (exports.package).
DATA_JSON = "data.json"
SCHEMA_JSON = "schema.json"
WORKBOOK = "data.xlsx"
CSV_FOLDER = "csv"
INDEX_HTML = "index.html"
MANIFEST_JSON = "manifest.json"
_HEX8 = re.compile(r"[0-9a-f]{8}")


def subject_tag(pseudonym: str) -> str:
    """The first 8 hex digits of the subject's keyed pseudonym, to name their files by.

    `pseudonym` is the state's HMAC of the address (`Store.keys.pseudonym`), never a plain hash:
    without the key in the state directory, nobody holding a list of addresses can tell whose
    file it is. Anything that is not such a hex digest (an address passed by mistake) is refused.
    """
    tag = pseudonym[:8].lower()
    if not _HEX8.fullmatch(tag):
        raise ValueError("a file name needs the subject's keyed pseudonym (hex), not an address")
    return tag


def as_utc(moment: datetime) -> datetime:
    """The moment in UTC; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def utc_stamp(moment: datetime) -> str:
    """The moment in UTC as `YYYYmmddTHHMMSSZ`, the form file names use."""
    return as_utc(moment).strftime("%Y%m%dT%H%M%SZ")


def package_filename(package: DataPackage, pseudonym: str) -> str:
    """`privacy-bridge-<pseudonym8>-<YYYYmmddTHHMMSSZ>.zip`, the time being `generated_at`."""
    return f"{PREFIX}-{subject_tag(pseudonym)}-{utc_stamp(package.generated_at)}.zip"
