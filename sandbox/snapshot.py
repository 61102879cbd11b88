"""What the fakes hold, record by record: to tell what an erasure changed, and whose it was."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Collection, Iterable
from typing import Any

from sandbox.data import Shop

Key = tuple[str, str, str]  # (system, collection path, record id)


def snapshot(
    shop: Shop, systems: Iterable[str] | None = None, masked: Collection[str] = ()
) -> dict[Key, str]:
    """Every record in the stores of these systems (default: all), as JSON, by (system,
    collection, id).

    A record is a dict with an `id` in a list, or in a dict under its own id
    (`members/<list id>/<id>`). One without an id of its own is keyed by its parent's
    (`downloads/<customer id>`); a collection keyed by a pair of ids is named by both
    (`notes/<list id>:<member id>`). Fields in `masked` (times of a change) are left out of the
    comparison. Analytics' queue of pending imports is work, not records, and is left out."""
    out: dict[Key, str] = {}
    for system in shop.stores if systems is None else systems:
        _walk(out, system, "", shop.stores[system], masked)
    return out


def _walk(out: dict[Key, str], system: str, path: str, value: Any, masked: Collection[str]) -> None:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = vars(value)
    if isinstance(value, dict):
        for name, item in value.items():
            if isinstance(item, dict) and str(item.get("id")) == str(name):
                _record(out, system, path, item, masked)
            else:
                segment = ":".join(map(str, name)) if isinstance(name, tuple) else name
                _walk(out, system, f"{path}/{segment}", item, masked)
    elif isinstance(value, list) and not path.endswith("/queue"):
        for item in value:
            if isinstance(item, dict):
                _record(out, system, path, item, masked)


def _record(
    out: dict[Key, str], system: str, path: str, item: dict[str, Any], masked: Collection[str]
) -> None:
    info = item.get("transaction_info") or {}
    ident = item.get("id") or item.get("customer_id") or info.get("transaction_id")
    shown = {k: "<masked>" if k in masked else v for k, v in item.items()}
    key = (system, path, str(ident or path.rsplit("/", 1)[-1]))
    out[key] = json.dumps(shown, sort_keys=True, default=str)
