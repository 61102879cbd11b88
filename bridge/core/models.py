"""The records, identifiers and results that flow between connectors, the resolver and the exports.

These pydantic models are also the published schema of `data.json` (see `exports/jsonfile.py`).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bridge.core.statement import Statement


class Status(StrEnum):
    """How one system fared for one request."""

    ok = "ok"
    not_found = "not_found"
    partial = "partial"  # some resources failed: what was proven is kept, the failures are named
    error = "error"
    skipped = "skipped"
    manual = "manual"


class Identifier(BaseModel):
    """Something that points at the subject in some system: an e-mail, a customer id, a payment id.

    `kind` is a name a connector declares (e.g. ``email``, ``order_number``); `via` says, for people,
    where it came from ("order 1042 in the shop names it").
    """

    model_config = ConfigDict(frozen=True)

    kind: str
    value: str
    via: str = Field(default="", description="Where this identifier was found.")
    context: dict[str, str] = Field(
        default_factory=dict,
        description="Hints for the lookup, such as the date of the order; for a payment "
        "reference, the payment method the shop names and the field it stood in "
        "(bridge.core.kinds).",
    )

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.value)

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Identifier) and self.key == other.key


class Record(BaseModel):
    """One record that belongs to the subject, exactly as its system returned it."""

    type: str = Field(description="Record type, e.g. customer, order, payment.")
    id: str = Field(description="The record's id in its system.")
    matched_by: list[str] = Field(
        description="Which identifier linked this record to the subject, in words."
    )
    data: dict[str, Any] = Field(description="The fields as the system returned them.")


class SourceResult(BaseModel):
    """What one system holds about the subject, and how the lookup went."""

    system: str
    title: str = ""
    status: Status
    error: str | None = None
    failed: list[str] = Field(
        default_factory=list,
        description="Why the result may be incomplete: each resource that could not be read, "
        "or the system whose failure may have hidden identifiers this one is searched by.",
    )
    records: list[Record] = Field(default_factory=list)
    notes: list[str] = Field(
        default_factory=list, description="What the customer should know about this system."
    )
    categories: dict[str, list[str]] = Field(
        default_factory=dict, description="Record type -> categories of personal data it holds."
    )
    role: str = Field(default="", description="The system's role: platform, processor, controller.")
    lookup: list[str] = Field(
        default_factory=list, description="How the system was searched: live, or the sync index."
    )
    requests: int = Field(default=0, description="HTTP requests made to this system.")
    minimum: int | None = Field(
        default=None,
        description="The fewest requests a plan could have made, given what the lookup learned "
        "(each page of a listing that had to be read, each record that needs its own call); "
        "None when the connector does not compute one.",
    )
    critical: int = Field(
        default=0,
        description="The critical path: the requests of the longest chain of dependent ones, "
        "summed over the rounds (a fan-out of independent reads counts as its longest branch; "
        "bridge.core.parallel); times the latency, the floor of the time spent here.",
    )
    seconds: float = Field(default=0.0, description="Time spent on this system.")


class Subject(BaseModel):
    email: str


class DataPackage(BaseModel):
    """The content of data.json."""

    subject: Subject
    generated_at: datetime
    complete: bool = Field(description="True when every enabled system answered completely.")
    sources: list[SourceResult]
    tool: str = "privacy-bridge"
    version: str = ""
    statement: Statement | None = Field(
        default=None,
        description="The shop's privacy statement (art. 15(1) GDPR): who the shop is and, per "
        "company and category, the purposes, legal basis, recipients, retention and source.",
    )
