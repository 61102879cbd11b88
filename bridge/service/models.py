"""Every body and answer of the HTTP service: the OpenAPI document is made from these.

None of the answers holds personal data: a request is told by its id, type, dates, statuses and
counts; the e-mail address goes in (`NewRequestBody.email`) and never comes back out.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from bridge.register.types import OPERATOR_CHANNELS, RequestStatus, RequestType


class ApiChannel(StrEnum):
    """The channels a caller may give: those of `requests new` (`retention` is the tool's own;
    a test keeps the two lists equal)."""

    email = "email"
    web = "web"
    phone = "phone"
    letter = "letter"
    internal = "internal"


OPERATOR_CHANNEL_NAMES = tuple(c.value for c in OPERATOR_CHANNELS)

# The caller's reference is an id (WordPress's request id, a ticket number), not a name or an
# address: no '@' and no spaces, so that no personal data is kept or sent back with it.
Reference = Annotated[
    str,
    Field(
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9._:/#-]+$",
        description="The caller's own id for the request (letters, digits and ._:/#-).",
        examples=["wp-request-42"],
    ),
]
RequestId = Annotated[str, Field(description="The register's id.", examples=["req-20261121-4f3a"])]


class Problem(BaseModel):
    """Every error: one line, naming what is wrong, never echoing an address or a token."""

    detail: str = Field(examples=["the e-mail address is not valid: it has no '@'"])


class NewRequestBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: RequestType = Field(description="What the person asks for (GDPR art. 15-21).")
    email: str = Field(
        min_length=1,
        max_length=320,
        description="The address the request came from; checked, kept encrypted, never returned.",
        examples=["jan@example.nl"],
    )
    received: date | None = Field(
        default=None, description="The day the request was received (default: today)."
    )
    channel: ApiChannel = Field(default=ApiChannel.web, description="How the request came in.")
    reference: Reference | None = None


class CreatedRequest(BaseModel):
    id: RequestId
    type: RequestType
    status: RequestStatus
    received: date
    due: date = Field(description="The legal due date (receipt + one calendar month).")
    duplicate: bool = Field(
        description="The same person has an open request of the same type (the operator links"
        " or cancels one)."
    )
    warnings: list[str] = Field(description="One line each, e.g. that the due date has passed.")
    reference: str | None


class OpenSteps(BaseModel):
    count: int
    steps: str = Field(description="Their numbers as the operator's tools print them (56-69, 95).")


class PackageState(BaseModel):
    available: bool = Field(description="A package can be fetched (GET …/package).")
    complete: bool
    created_at: datetime
    expires_at: datetime


class RequestState(BaseModel):
    id: RequestId
    type: RequestType
    status: RequestStatus
    channel: str
    received: date
    due: date
    days_left: int
    overdue: bool
    open: bool
    extended_months: int
    linked_to: str | None
    systems: dict[str, str] = Field(
        description="The state per system: ok, not_found, error, skipped, manual."
    )
    open_steps: dict[str, OpenSteps] = Field(
        description="Per system, the erasure's steps by hand still to be confirmed."
    )
    package: PackageState | None
    reference: str | None


class PackageLink(BaseModel):
    url: str = Field(
        description="Relative to the service: GET it once, within expires_at; no token needed.",
        examples=["/v1/downloads/dl_…"],
    )
    expires_at: datetime
    complete: bool
    bytes: int


class Health(BaseModel):
    status: str = Field(examples=["ok"])
    version: str
