"""One reader of error bodies: where a system says what went wrong, declared per system.

A connector declares an `ErrorShape`: the paths in its vendor's JSON error body to the error's
name (`code`) and to its description (`message`), and to further items worth naming (`details`,
such as per-field issues). A path is keys joined by dots; over a list it takes every item
(`errors.message` is the message of each error). `error_message` turns an answer into one short
line, `HTTP 400 NAME: description (detail; detail)`, or `HTTP 400` when the body says nothing
readable. Only strings and numbers are read, never objects; the line is cut to a length, and what
looks like personal data or a credential in it is redacted (`bridge.core.redact.scrub`), since a
vendor may echo what it was sent.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import requests

from bridge.core.redact import scrub

MAX_CHARS = 200


@dataclass(frozen=True)
class ErrorShape:
    """Where an error body names the error, describes it and lists details (see the module).

    For `code` and `message` the first path that holds something is read; `details` are all
    read and joined."""

    code: Sequence[str] = ()
    message: Sequence[str] = ()
    details: Sequence[str] = ()


# What a system that declares no shape most often says: the keys of the common conventions.
COMMON = ErrorShape(
    message=("message", "detail", "error_description", "title", "error", "error.message")
)


def error_message(response: requests.Response, shape: ErrorShape = COMMON) -> str:
    """`HTTP <status>`, with what the body's `shape` names, on one line."""
    head = f"HTTP {response.status_code}"
    try:
        body = response.json()
    except ValueError:
        return head
    return describe(body, shape, head)


def describe(body: Any, shape: ErrorShape, head: str) -> str:
    """The line for a parsed error body: `head`, then the code, message and details found."""
    code = _first(body, shape.code)
    message = _first(body, shape.message)
    details = "; ".join(dict.fromkeys(v for path in shape.details for v in _values(body, path)))
    text = head + (f" {code}" if code else "")
    if message or details:
        text += ": " + " ".join(p for p in (message, f"({details})" if details else "") if p)
    text = scrub(" ".join(text.split()))  # one line; redacted whole, before it is cut
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 1].rstrip() + "…"


def _first(body: Any, paths: Sequence[str]) -> str:
    for path in paths:
        found = "; ".join(dict.fromkeys(_values(body, path)))
        if found:
            return found
    return ""


def _values(body: Any, path: str) -> Iterator[str]:
    """The strings and numbers at `path` (keys joined by dots; a list takes every item)."""
    items = [body]
    for key in path.split("."):
        step: list[Any] = []
        for item in items:
            for one in item if isinstance(item, list) else [item]:
                if isinstance(one, dict) and key in one:
                    step.append(one[key])
        items = step
    for item in items:
        for value in item if isinstance(item, list) else [item]:
            if isinstance(value, bool) or value is None:
                continue  # `"error": false` says nothing
            if isinstance(value, int | float):
                yield str(value)
            elif isinstance(value, str) and value.strip():
                yield value.strip()
