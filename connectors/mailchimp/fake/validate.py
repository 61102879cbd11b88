"""Checks of what clients send to the Mailchimp fake: bodies, addresses, statuses, merge fields,
marketing permissions, and the member list filters."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from connectors.mailchimp.fake.http import INVALID_RESOURCE, fail, invalid
from connectors.mailchimp.fake.store import JSON

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
BIRTHDAY = re.compile(r"(0[1-9]|1[0-2])/(0[1-9]|[12]\d|3[01])")
ADDRESS_REQUIRED = ("addr1", "city", "state", "zip")


def matches(member: JSON, args: Mapping[str, str]) -> bool:
    """The documented list filters the fake honours (ISO 8601 bounds compare as instants)."""
    if args.get("unique_email_id") and member["unique_email_id"] != args["unique_email_id"]:
        return False
    if args.get("email_type") and member["email_type"] != args["email_type"]:
        return False
    if args.get("vip_only") == "true" and not member["vip"]:
        return False
    for name, field, after in (
        ("since_timestamp_opt", "timestamp_opt", True),
        ("before_timestamp_opt", "timestamp_opt", False),
        ("since_last_changed", "last_changed", True),
        ("before_last_changed", "last_changed", False),
    ):
        bound = args.get(name)
        if not bound:
            continue
        value = member.get(field) or ""
        if not value:
            return False
        moment, limit = instant(value, field), instant(bound, name)
        if (moment <= limit) if after else (moment >= limit):
            return False
    return True


def instant(value: str, name: str) -> datetime:
    """An ISO 8601 date or time; one without an offset is taken as UTC."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise invalid(name, "Please provide a valid ISO 8601 date") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def object_body(body: Any) -> JSON:
    if not isinstance(body, dict):
        raise fail(
            400,
            "Invalid Resource",
            INVALID_RESOURCE,
            [{"field": "", "message": "Schema describes object"}],
        )
    return body


def email_address(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise invalid("email_address", "This value should not be blank.")
    email = value.strip()
    if not EMAIL.fullmatch(email):
        raise fail(
            400,
            "Invalid Resource",
            f"{email} looks fake or invalid, please enter a real email address.",
        )
    return email


def status_value(value: Any, allowed: tuple[str, ...], required: bool) -> Any:
    if value is None or value == "":
        if required:
            raise invalid("status", "This value should not be blank.")
        return None
    if value not in allowed:
        raise invalid("status", f"Value must be one of: {', '.join(allowed)}")
    return value


def merge_fields(value: Any) -> JSON:
    if not isinstance(value, dict):
        raise invalid("merge_fields", "Schema describes object")
    problems: list[JSON] = []
    address = value.get("ADDRESS")
    if isinstance(address, dict) and any(not address.get(k) for k in ADDRESS_REQUIRED):
        problems.append({"field": "ADDRESS", "message": "Please enter a complete address"})
    birthday = value.get("BIRTHDAY")
    if isinstance(birthday, str) and birthday and not BIRTHDAY.fullmatch(birthday):
        problems.append({"field": "BIRTHDAY", "message": "Please enter the date (MM/DD)"})
    if problems:
        raise fail(400, "Invalid Resource", "Your merge fields were invalid.", problems)
    return dict(value)


def permissions(member: JSON, value: Any) -> None:
    if not isinstance(value, list):
        return
    wanted = {
        p.get("marketing_permission_id"): bool(p.get("enabled"))
        for p in value
        if isinstance(p, dict)
    }
    for permission in member["marketing_permissions"]:
        if permission["marketing_permission_id"] in wanted:
            permission["enabled"] = wanted[permission["marketing_permission_id"]]
