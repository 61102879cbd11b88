"""Settings from the environment and a `.env` file.

The core knows no system by name: each connector declares the settings it needs
(`connectors.base.Setting`), and a system is enabled when its required settings are present.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values
from platformdirs import user_data_dir

from bridge.errors import InputError

HOME_SETTING = "PRIVACY_BRIDGE_HOME"


@dataclass(frozen=True)
class Setting:
    """One environment variable a system reads."""

    name: str
    help: str
    default: str | None = None
    secret: bool = False
    required: bool = True


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
