"""manifest.json: what the zip holds (with checksums) and how each system fared.

Each system's run metrics (requests made, the fewest a plan could have made, the critical path,
seconds spent) are here and not in data.json: they tell the operator how the lookup went, not the
person what is held about them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bridge.core.models import DataPackage
from exports.jsonfile import to_json_bytes


@dataclass(frozen=True)
class ArchivedFile:
    """One file written into the zip."""

    path: str
    sha256: str
    bytes: int


def file_list(entries: Sequence[ArchivedFile]) -> list[dict[str, Any]]:
    """The `files` of a manifest: path, SHA-256 and size of each file, in the order written."""
    return [{"path": e.path, "sha256": e.sha256, "bytes": e.bytes} for e in entries]


def manifest(package: DataPackage, entries: Sequence[ArchivedFile]) -> dict[str, Any]:
    """The manifest of a package whose other files are `entries`."""
    dumped = package.model_dump(mode="json", include={"generated_at", "complete"})
    return {
        "generated_at": dumped["generated_at"],
        "complete": dumped["complete"],
        "files": file_list(entries),
        "systems": [
            {
                "system": source.system,
                "status": source.status.value,
                "records": len(source.records),
                "error": source.error,
                "failed": source.failed,
                "lookup": source.lookup,
                "requests": source.requests,
                "minimum": source.minimum,
                "critical": source.critical,
                "seconds": source.seconds,
            }
            for source in package.sources
        ],
    }


def manifest_json(package: DataPackage, entries: Sequence[ArchivedFile]) -> bytes:
    """The content of manifest.json."""
    return to_json_bytes(manifest(package, entries))
