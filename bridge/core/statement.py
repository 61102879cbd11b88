"""The shop's privacy statement, as art. 15(1) GDPR asks it to be told to a person who asks.

Per company (each system the shop uses) and per category of records: the purposes and the legal
basis of the processing, the recipients, how long the data is kept (or the criteria), where it
came from when not from the person, whether automated decisions are made, and transfers outside
the EEA. The shop fills it in (a TOML file: `load_statement`); until it does, the built-in
default (drawn from five Dutch webshops' statements) is used and `privacy-bridge check` says so.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Text(BaseModel):
    """One text in Dutch and in English."""

    model_config = ConfigDict(frozen=True, extra="forbid")
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
        default=False, description="True while this is the built-in default, not the shop's own text."
    )

    def company(self, system: str) -> Company | None:
        return next((c for c in self.companies if c.system == system), None)
