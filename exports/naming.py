"""Names and times of a package file: no personal data in a file name."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from bridge.models import DataPackage
from connectors.base import normalise_email

PREFIX = "privacy-bridge"


def subject_hash8(email: str) -> str:
    """The first 8 hex characters of the SHA-256 of the normalised e-mail address."""
    return hashlib.sha256(normalise_email(email).encode("utf-8")).hexdigest()[:8]


def as_utc(moment: datetime) -> datetime:
    """The moment in UTC; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def utc_stamp(moment: datetime) -> str:
    """The moment in UTC as `YYYYmmddTHHMMSSZ`, the form file names use."""
    return as_utc(moment).strftime("%Y%m%dT%H%M%SZ")


def package_filename(package: DataPackage) -> str:
    """`privacy-bridge-<subject-hash8>-<YYYYmmddTHHMMSSZ>.zip`, the time being `generated_at`."""
    return f"{PREFIX}-{subject_hash8(package.subject.email)}-{utc_stamp(package.generated_at)}.zip"
