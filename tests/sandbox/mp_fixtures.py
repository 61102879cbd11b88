"""Shared pieces for the MyParcel and Feedback Company fake tests: servers, a clock, doc readers."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from sandbox.server import serve

# The shared docs live beside the repository: <repo root>/../shared
SHARED = Path(__file__).resolve().parents[2].parent / "shared"


def shared_file(relative: str) -> Path:
    """A file under ../shared, or skip the test when the shared docs are not there."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"shared docs not present: {path} (they live in <repo root>/../shared)")
    return path


def _starting(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    start_response("503 Starting", [("Content-Type", "text/plain")])
    return [b"starting"]


@contextmanager
def running(factory: Callable[[str], Any]) -> Iterator[str]:
    """Serve `factory(base_url)` on 127.0.0.1:<free port> (`sandbox.server.serve`); yield the URL."""
    server, thread = serve(_starting)
    base_url = f"http://127.0.0.1:{server.server_port}"
    server.app = factory(base_url)
    try:
        yield base_url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


# ---- reading the reference docs (markdown) ---------------------------------------------------


def section(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end, text.index(start))]


def json_blocks(text: str) -> list[Any]:
    return [json.loads(block) for block in re.findall(r"```json\n(.*?)\n```", text, re.S)]


def bold_fields(text: str) -> set[str]:
    return set(re.findall(r"^\*\*(\w+)\*\*", text, re.M))


def same_types(example: dict[str, Any], ours: dict[str, Any], where: str) -> None:
    for key, value in example.items():
        if key not in ours or value is None or ours[key] is None:
            continue
        if isinstance(value, dict):
            same_types(value, ours[key], f"{where}.{key}")
        else:
            assert type(ours[key]) is type(value), f"{where}.{key}: {ours[key]!r} vs {value!r}"
