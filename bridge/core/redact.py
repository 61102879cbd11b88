"""Keeping secrets and personal data out of messages, logs and tracebacks."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
# Always personal wherever they stand: an IBAN (country, check digits, 11-30 letters and digits,
# with or without the spaces of its printed form) and a phone number (national with a leading 0,
# or international with + or 00; spaces, hyphens and "(0)" allowed; 9 to 12 digits after the
# prefix). Dates and times (2026-11-21, 01-02-2026 10:00) and ids inside words are left alone.
IBAN = re.compile(r"\b[A-Z]{2}\d{2} ?(?:[A-Z0-9]{4} ?){2,7}[A-Z0-9]{1,4}\b")
PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)[1-9]\d{0,2}[\s-]?(?:\(0\)[\s-]?)?|0)[1-9](?:[\s-]?\d){7,10}"
    r"(?![\w:]|[\s-]\d)"
)
# Query parameters that carry credentials in some client (OAuth 1.0a signs in the query string).
SECRET_PARAMS = re.compile(
    r"((?:oauth_[a-z_]+|consumer_key|consumer_secret|client_secret|access_token|api_key|"
    r"client_id|token)=)[^&\s'\"]+",
    re.IGNORECASE,
)


class Redactor:
    """Replaces known secret values, credential query parameters, e-mail addresses, IBANs and
    phone numbers."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    def add(self, secret: str) -> None:
        """One more secret, such as an access token handed out while running."""
        if secret and len(secret) >= 4 and secret not in self.secrets:
            self.secrets = sorted([*self.secrets, secret], key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        text = SECRET_PARAMS.sub(r"\1***", text)
        return personal(text)


_scrub = Redactor()


def scrub(text: str) -> str:
    """Redact what any message may carry without knowing the secrets: credentials in URLs,
    e-mail addresses, IBANs, phone numbers."""
    return _scrub(text)


def scrub_emails(text: str) -> str:
    """Only the e-mail addresses: for operator notes, which are kept encrypted (bridge.store.notes)."""
    return EMAIL.sub("<e-mail>", text)


def personal(text: str) -> str:
    """The patterns that are personal data wherever they stand: e-mail addresses, IBANs, phones."""
    return PHONE.sub("<phone>", IBAN.sub("<iban>", scrub_emails(text)))


class _ScrubQueryStrings(logging.Filter):
    """urllib3 logs every request line with its query string: keep the path, drop the query."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        message = re.sub(r"\?[^\s\"]*", "?…", message)
        record.msg, record.args = scrub(message), None
        return True


def install_log_filters(*names: str) -> None:
    """Guard the loggers of the libraries we use, which log URLs at DEBUG (connectors add the
    loggers of their vendors' clients)."""
    for name in names or ("urllib3.connectionpool", "urllib3.util.retry"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _ScrubQueryStrings) for f in logger.filters):
            logger.addFilter(_ScrubQueryStrings())
