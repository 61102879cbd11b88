"""Settings from the environment and a `.env` file.

The core knows no system by name: each connector declares the settings it needs
(`bridge.core.connector.Setting`), and a system is enabled when its required settings are present.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values
from platformdirs import user_data_dir

from bridge.core.errors import InputError

HOME_SETTING = "PRIVACY_BRIDGE_HOME"
_URL_TEXT = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://[^\s\x00-\x1f\x7f]+")
_WORD = re.compile(r"[\x21-\x7e]+")


@dataclass(frozen=True)
class Setting:
    """One environment variable a system reads."""

    name: str
    help: str
    default: str | None = None
    secret: bool = False
    required: bool = True
    # The form a value must have, as a regular expression of the whole value, and how to say it
    # (e.g. "an API key starts with live_ or test_"). Every system setting is checked besides:
    # one whose name ends in _URL is an http(s) URL with a host; any other is one word of
    # printable ASCII (a key, an id, a secret: it goes into a header as it is).
    pattern: str | None = None
    pattern_help: str = ""

    @property
    def is_url(self) -> bool:
        return self.name.endswith("_URL")

    def problem(self, value: str) -> str | None:
        """What is wrong with `value` for this setting, without repeating it; None when fine."""
        if self.is_url:
            url = "it must be an http:// or https:// URL with a host name and no spaces"
            if not _URL_TEXT.fullmatch(value):
                return url
            try:
                parts = urlsplit(value)
                parts.port  # noqa: B018 (raises ValueError for a port that is not a number)
            except ValueError:
                return f"{url} (check its host and port)"
            if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
                return url
        elif not _WORD.fullmatch(value):
            return "it must be one word of printable ASCII characters (no spaces or accents)"
        if self.pattern and not re.fullmatch(self.pattern, value, re.ASCII):
            return self.pattern_help or "it does not have the form this system uses"
        return None


@dataclass(frozen=True)
class Config:
    """The settings in force: the environment over the `.env` file."""

    values: Mapping[str, str] = field(default_factory=dict)

    @property
    def home(self) -> Path:
        """Where privacy-bridge keeps its state (register, journal, index)."""
        configured = self.values.get(HOME_SETTING, "").strip()
        return (
            Path(configured).expanduser() if configured else Path(user_data_dir("privacy-bridge"))
        )

    def get(self, setting: Setting) -> str | None:
        value = self.values.get(setting.name, "").strip()
        return value or setting.default

    def has(self, settings: tuple[Setting, ...]) -> bool:
        """True when every required setting is present (a default counts)."""
        return all(self.get(s) for s in settings if s.required)

    def missing(self, settings: tuple[Setting, ...]) -> list[str]:
        return [s.name for s in settings if s.required and not self.get(s)]

    def check(self, settings: Iterable[Setting], system: str) -> None:
        """Refuse (InputError, exit 2) a value of the wrong form, naming the setting, never the
        value (it may be a secret)."""
        for setting in settings:
            value = self.get(setting)
            problem = setting.problem(value) if value else None
            if problem:
                raise InputError(
                    f"{system}: the setting {setting.name} is not valid: {problem} "
                    "(see .env.example)"
                )


def load_config(env_file: Path | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Read `env_file` (default: `.env` in the working directory, if present), then the environment.

    The environment wins, so cron and systemd units can override a file on disk.
    """
    values: dict[str, str] = {}
    path = env_file if env_file is not None else Path(".env")
    if env_file is not None and not path.is_file():
        raise InputError(f"env file not found: {path}")
    if path.is_file():
        values.update({k: v for k, v in dotenv_values(path).items() if v is not None})
    values.update(os.environ if environ is None else environ)
    return Config(values)


def positive_number(values: Mapping[str, str], name: str, default: float) -> float:
    """A setting that must be a number above 0; `default` when it is not set."""
    raw = (values.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise InputError(f"{name} must be a number, not {raw!r}") from None
    if not value > 0:
        raise InputError(f"{name} must be above 0")
    return value
