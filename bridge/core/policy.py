"""The erasure policy: per record type delete, anonymise, retain (until a date) or manual.

The default is `default_policy.toml` beside this module with each registered system's actions
for its record types (`bridge.core.plugins`); an operator's own file replaces it whole
(`PRIVACY_BRIDGE_POLICY`). Retention is counted in calendar years from the record's own date.
What happens to one record under it is decided in `bridge.core.decisions`.
"""

from __future__ import annotations

import tomllib
from datetime import date
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError, field_validator

from bridge.core.errors import InputError
from bridge.core.plugins import systems

DEFAULT = Path(__file__).with_name("default_policy.toml")
POLICY_SETTING = "PRIVACY_BRIDGE_POLICY"


class Action(StrEnum):
    delete = "delete"
    anonymise = "anonymise"
    retain = "retain"
    manual = "manual"


# The categories of personal data `[retain] remove` may name; each connector maps them to its own
# fields (`Capability.strip` and `Capability.fixed`).
CATEGORIES = (
    "phone",
    "e-mail address",
    "delivery address",
    "customer note",
    "IP address",
    "user agent",
    "meta data",
    "order notes",
)


class UnknownCategories(ValueError):
    pass


class RetainedFields(BaseModel):
    keep: list[str] = Field(
        default_factory=lambda: [
            "invoice name and billing address",
            "company and VAT number",
            "order lines",
            "amounts and VAT",
            "dates",
            "order number",
        ]
    )
    remove: list[str] = Field(default_factory=lambda: list(CATEGORIES))

    @field_validator("remove")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        unknown = [c for c in value if c not in CATEGORIES]
        if unknown:
            raise UnknownCategories(", ".join(repr(c) for c in unknown))
        return value


class Policy(BaseModel):
    fiscal_years: int = 7
    legal_basis: str = ""
    placeholder_email: str = "deleted@site.invalid"
    actions: dict[str, Action]
    retain: RetainedFields = Field(default_factory=RetainedFields)

    def until(self, record_date: date) -> date:
        """The end of the fiscal term for a record of that date (29 February ends on the 28th)."""
        return _years_later(record_date, self.fiscal_years)

    def term_start(self, today: date) -> date:
        """Records (and people) active before this day are past the term today."""
        return _years_later(today, -self.fiscal_years)


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def load_policy(path: Path | None = None) -> Policy:
    source = path or DEFAULT
    try:
        settings = tomllib.loads(source.read_text())
        if path is None:
            settings["actions"] = default_actions()
        return Policy.model_validate(settings)
    except FileNotFoundError:
        raise InputError(f"policy file not found: {source}") from None
    except ValidationError as exc:
        unknown = [
            e for e in exc.errors() if isinstance(e.get("ctx", {}).get("error"), UnknownCategories)
        ]
        if unknown:
            names = str(unknown[0]["ctx"]["error"])
            raise InputError(
                f"policy file {source.name}: unknown categories in [retain] remove: {names} "
                f"(known: {', '.join(CATEGORIES)})"
            ) from None
        first = str(exc).splitlines()[0]
        raise InputError(f"policy file {source.name} is not valid: {first}") from None
    except tomllib.TOMLDecodeError as exc:
        first = str(exc).splitlines()[0]
        raise InputError(f"policy file {source.name} is not valid: {first}") from None


def default_actions() -> dict[str, str]:
    """The registered systems' own actions per record type. Two systems may report the same type
    (a shop's `order`) only when they agree on its action: one type, one rule."""
    actions: dict[str, str] = {}
    for system in systems():
        for kind, action in system.actions.items():
            if actions.setdefault(kind, action) != action:
                raise InputError(
                    f"the built-in policy is ambiguous: system {system.name!r} says {action!r} "
                    f"for record type {kind!r}, another system {actions[kind]!r}"
                )
    return actions
