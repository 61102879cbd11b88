"""Keeping secrets and personal data out of messages, logs and tracebacks."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
# Query parameters that carry credentials in some client (OAuth 1.0a signs in the query string).
SECRET_PARAMS = re.compile(
    r"((?:oauth_[a-z_]+|consumer_key|consumer_secret|client_secret|access_token|api_key|"
    r"client_id|token)=)[^&\s'\"]+",
    re.IGNORECASE,
)


class Redactor:
    """Replaces known secret values, credential query parameters and e-mail addresses."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        text = SECRET_PARAMS.sub(r"\1***", text)
        return EMAIL.sub("<e-mail>", text)


_scrub = Redactor()


def scrub(text: str) -> str:
    """Redact what any message may carry without knowing the secrets: credentials in URLs, e-mails."""
    return _scrub(text)


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
