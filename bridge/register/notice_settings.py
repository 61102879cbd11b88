"""The settings of the art. 19 notices: per processor its address and language, and the days
after which a notice is reminded and overdue (bridge.register.notices)."""

from __future__ import annotations

import re

from bridge.core.config import Config, Setting
from bridge.core.connector import checked_email
from bridge.register.types import number_setting

TO_PREFIX = "PRIVACY_BRIDGE_NOTICE_TO_"
LANG_PREFIX = "PRIVACY_BRIDGE_NOTICE_LANG_"
REMIND_DAYS_SETTING = "PRIVACY_BRIDGE_NOTICE_REMIND_DAYS"
OVERDUE_DAYS_SETTING = "PRIVACY_BRIDGE_NOTICE_OVERDUE_DAYS"
DEFAULT_REMIND_DAYS = 14
DEFAULT_OVERDUE_DAYS = 30
LANGUAGES = ("nl", "en")
NO_ADDRESS = "no address configured"
NO_SMTP = "SMTP_HOST is not set: no notice can be mailed (see .env.example)"


def notice_settings(system: str) -> tuple[Setting, Setting]:
    """The settings of one processor's notices: its address and its language. The names are made
    from the system's name, so the core names no vendor (`<system>` -> ..._TO_<SYSTEM>)."""
    key = re.sub(r"[^A-Z0-9]+", "_", system.upper()).strip("_")
    return (
        Setting(
            f"{TO_PREFIX}{key}",
            f"where {system}'s art. 19 notices go; without it they stay a manual step",
            required=False,
            pattern=r"[^@\s]+@[^@\s]+\.[^@\s]+",
            pattern_help="it must be one e-mail address, e.g. privacy@processor.example",
        ),
        Setting(
            f"{LANG_PREFIX}{key}",
            f"the language of {system}'s notices: nl or en",
            default="nl",
            required=False,
            pattern="nl|en",
            pattern_help="it must be nl or en",
        ),
    )


def remind_days(config: Config) -> int:
    return max(1, int(number_setting(config, REMIND_DAYS_SETTING, DEFAULT_REMIND_DAYS)))


def overdue_days(config: Config) -> int:
    return max(1, int(number_setting(config, OVERDUE_DAYS_SETTING, DEFAULT_OVERDUE_DAYS)))


def recipient(config: Config, system: str) -> tuple[str | None, str]:
    """The processor's configured notice address (None: none) and language; an InputError
    naming the setting when either has the wrong form."""
    to, lang = notice_settings(system)
    config.check((to, lang), system)
    address = config.get(to)
    return (checked_email(address) if address else None), (config.get(lang) or "nl").lower()
