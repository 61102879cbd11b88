"""The erasure policy: per record type delete, anonymise, retain (until a date) or manual.

The default lives in `default_policy.toml` beside this module; an operator's own file replaces it
(`PRIVACY_BRIDGE_POLICY`). Retention is counted in calendar years from the record's own date.
"""

from __future__ import annotations

import tomllib
from datetime import date
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ValidationError

from bridge.errors import InputError

DEFAULT = Path(__file__).with_name("default_policy.toml")
POLICY_SETTING = "PRIVACY_BRIDGE_POLICY"


class Action(StrEnum):
    delete = "delete"
    anonymise = "anonymise"
    retain = "retain"
    manual = "manual"


class RetainedFields(BaseModel):
    keep: list[str]
    remove: list[str]


class Policy(BaseModel):
    fiscal_years: int = 7
    legal_basis: str = ""
    placeholder_email: str = "deleted@site.invalid"
    actions: dict[str, Action]
    retain: RetainedFields

    def action(self, record_type: str) -> Action:
        """The policy's action for a type; an unknown type is a manual step, never a silent keep."""
        return self.actions.get(record_type, Action.manual)

    def until(self, record_date: date) -> date:
        """The end of the fiscal term for a record of that date (29 February ends on the 28th)."""
        return _years_later(record_date, self.fiscal_years)

    def term_start(self, today: date) -> date:
        """Records (and people) active before this day are past the term today."""
        return _years_later(today, -self.fiscal_years)

    def decide(
        self, record_type: str, record_date: date | None, today: date
    ) -> tuple[Action, date | None]:
        """Retain while the fiscal term runs (until its end), anonymise after it; else the policy's action.

        A record to retain whose date is unknown is retained from today: never kept whole,
        never silently deleted.
        """
        action = self.action(record_type)
        if action is not Action.retain:
            return action, None
        end = self.until(record_date or today)
        return (Action.retain, end) if end > today else (Action.anonymise, None)


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def load_policy(path: Path | None = None) -> Policy:
    source = path or DEFAULT
    try:
        return Policy.model_validate(tomllib.loads(source.read_text()))
    except FileNotFoundError:
        raise InputError(f"policy file not found: {source}") from None
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        first = str(exc).splitlines()[0]
        raise InputError(f"policy file {source.name} is not valid: {first}") from None
