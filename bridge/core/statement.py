"""The shop's privacy statement, as art. 15(1) GDPR asks it to be told to a person who asks.

Per company (each system the shop uses) and per category of records: the purposes and the legal
basis of the processing, the recipients, how long the data is kept (or the criteria), where it
came from when not from the person, whether automated decisions are made, and transfers outside
the EEA. The shop fills it in (a TOML file named by PRIVACY_BRIDGE_STATEMENT: `load_statement`);
until it does, the built-in default (`default_statement.toml`, drawn from five Dutch webshops'
statements, `template = true`) is used and `privacy-bridge check` says so. A company or category
the shop's file leaves out is taken from the default and listed (`Statement.from_default`,
`Statement.categories_from_default`) for `check` to name.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from bridge.core.config import Config
from bridge.core.errors import InputError
from bridge.core.plugins import systems

DEFAULT = Path(__file__).with_name("default_statement.toml")
STATEMENT_SETTING = "PRIVACY_BRIDGE_STATEMENT"


class Text(BaseModel):
    """One text in Dutch and in English."""

    # Stripped first, so that a text of blanks only counts as empty and is refused.
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)
    nl: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Shop(BaseModel):
    """Who the controller is and how the person reaches it."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    address: str = Field(min_length=1)
    privacy_contact: str = Field(min_length=3, description="The e-mail address for privacy.")
    website: str = ""
    phone: str = ""
    chamber_of_commerce: str = Field(default="", description="KvK number.")


class Category(BaseModel):
    """One record type of one company: why it is processed, on what basis, for how long."""

    model_config = ConfigDict(extra="forbid")
    record_type: str = Field(min_length=1)
    purposes: list[Text] = Field(min_length=1)
    legal_basis: list[Text] = Field(min_length=1)
    retention: Text
    source: Text


class Company(BaseModel):
    """One company (a system the shop uses) and what it does with the person's data."""

    model_config = ConfigDict(extra="forbid")
    system: str = Field(min_length=1)
    name: str = Field(min_length=1, description="The company, e.g. its legal name.")
    role: Text
    recipients: list[Text] = Field(default_factory=list)
    automated_decisions: Text
    transfers: Text
    categories: list[Category] = Field(default_factory=list)

    def category(self, record_type: str) -> Category | None:
        return next((c for c in self.categories if c.record_type == record_type), None)


class Statement(BaseModel):
    """The whole statement: the shop, and each company it uses."""

    model_config = ConfigDict(extra="forbid")
    shop: Shop
    companies: list[Company]
    template: bool = Field(
        default=False,
        description="True while this is the built-in default, not the shop's own text.",
    )
    # What the shop's file left out and the built-in default filled in (set by
    # `read_statement`): not part of data.json, only for `check` to name.
    _companies_from_default: list[str] = PrivateAttr(default_factory=list)
    _categories_from_default: list[tuple[str, str]] = PrivateAttr(default_factory=list)

    def company(self, system: str) -> Company | None:
        return next((c for c in self.companies if c.system == system), None)

    def from_default(self) -> list[str]:
        """The systems whose whole company text comes from the built-in default, because the
        shop's file leaves them out (empty for the default itself: see `template`)."""
        return list(self._companies_from_default)

    def categories_from_default(self) -> list[tuple[str, str]]:
        """(system, record type) of each category taken from the built-in default into a
        company the shop's file does describe."""
        return list(self._categories_from_default)


# -- the file ------------------------------------------------------------------------------------


def statement_path(config: Config) -> Path | None:
    """The shop's statement file (PRIVACY_BRIDGE_STATEMENT), or None for the built-in default."""
    configured = config.values.get(STATEMENT_SETTING, "").strip()
    return Path(configured).expanduser() if configured else None


def load_statement(config: Config) -> Statement:
    """The shop's statement (PRIVACY_BRIDGE_STATEMENT), completed from the built-in default;
    the default itself when the setting is empty."""
    return read_statement(statement_path(config))


def read_statement(path: Path | None = None) -> Statement:
    """The statement in `path`, each company and category it leaves out taken from the built-in
    default (and listed: `Statement.from_default`); the default when `path` is None.

    A file that is missing, unreadable, not TOML, or not a valid statement is an InputError of
    one line naming the file and the first problem by its field path; the file's text is never
    repeated (it is the operator's, and a message may end up in logs).
    """
    default = _read(DEFAULT)
    if path is None:
        return default
    return _completed(_read(path), default)


def default_text() -> str:
    """The built-in default as it is written, comments and all (`privacy-bridge statement init`)."""
    return DEFAULT.read_text(encoding="utf-8")


def _read(path: Path) -> Statement:
    where = f"privacy statement {path}"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(
            f"{where}: no such file (check {STATEMENT_SETTING}; "
            "`privacy-bridge statement init FILE` writes one to fill in)"
        ) from None
    except OSError as exc:
        reason = (exc.strerror or type(exc).__name__).lower()
        raise InputError(f"{where}: cannot be read: {reason}") from None
    try:
        text = raw.decode("utf-8-sig")  # an editor's byte order mark is no reason to refuse it
    except UnicodeDecodeError:
        raise InputError(f"{where}: is not UTF-8 text") from None
    try:
        values = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib says where (line, column) and what it expected, not what it found
        raise InputError(f"{where}: is not valid TOML: {str(exc).splitlines()[0]}") from None
    try:
        statement = Statement.model_validate(values)
    except ValidationError as exc:
        # pydantic's `msg` names the rule broken, never the value; `input` is left out on purpose
        first = exc.errors(include_url=False)[0]
        raise InputError(f"{where}: {_field_path(first['loc'])}: {first['msg']}") from None
    problem = _unknown(statement)
    if problem:
        raise InputError(f"{where}: {problem}")
    return statement


def _field_path(loc: Sequence[int | str]) -> str:
    """("companies", 2, "categories", 0, "retention") as companies[2].categories[0].retention."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "the file"


def _unknown(statement: Statement) -> str | None:
    """The first company or category naming a system or record type privacy-bridge does not
    know, or naming one twice: a typo would otherwise leave the default's text in place."""
    known = {s.name: s for s in systems()}
    companies: dict[str, int] = {}
    for i, company in enumerate(statement.companies):
        where = f"companies[{i}].system"
        system = known.get(company.system)
        if system is None:
            return f"{where}: not a system privacy-bridge knows (known: {', '.join(known)})"
        if company.system in companies:
            return f"{where}: the same system as companies[{companies[company.system]}]"
        companies[company.system] = i
        types = system.connector.categories
        seen: dict[str, int] = {}
        for j, category in enumerate(company.categories):
            here = f"companies[{i}].categories[{j}].record_type"
            if category.record_type not in types:
                return f"{here}: not a record type of {company.system} (known: {', '.join(types)})"
            if category.record_type in seen:
                return f"{here}: the same record type as categories[{seen[category.record_type]}]"
            seen[category.record_type] = j
    return None


def _completed(own: Statement, default: Statement) -> Statement:
    """`own` with each company and category it leaves out taken from `default`, in the systems'
    display order, and what was taken recorded for `check`."""
    order = {s.name: (n, list(s.connector.categories)) for n, s in enumerate(systems())}
    companies: list[Company] = []
    taken: list[tuple[str, str]] = []
    for company in own.companies:
        base = default.company(company.system)
        missing = [
            c for c in (base.categories if base else []) if company.category(c.record_type) is None
        ]
        types = order[company.system][1]  # known: `_unknown` refused any other
        categories = sorted(
            [*company.categories, *missing], key=lambda c: types.index(c.record_type)
        )
        companies.append(company.model_copy(update={"categories": categories}))
        taken += [(company.system, c.record_type) for c in missing]
    whole = [c for c in default.companies if own.company(c.system) is None]
    companies += whole
    companies.sort(key=lambda c: order.get(c.system, (len(order), []))[0])
    statement = own.model_copy(update={"companies": companies})
    statement._companies_from_default = [c.system for c in whole]
    statement._categories_from_default = taken
    return statement
