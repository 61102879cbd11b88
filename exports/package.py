"""write_package: the whole data package as one private zip file in an output directory.

The zip holds, at its root: data.json, schema.json, csv/<type>.csv (one per record type),
index.html and, written last, manifest.json with the SHA-256 of every other file.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from bridge.core.models import DataPackage
from bridge.core.presentation import RecordView
from exports.archive import atomic_zip, ensure_private_dir
from exports.csvfiles import csv_files
from exports.html import render_index
from exports.jsonfile import data_json, schema_json
from exports.manifest import manifest_json
from exports.naming import as_utc, package_filename


def write_package(
    package: DataPackage,
    out_dir: Path,
    *,
    pseudonym: str,
    views: Mapping[str, Mapping[str, RecordView]] | None = None,
) -> Path:
    """Write `package` as `privacy-bridge-<pseudonym8>-<YYYYmmddTHHMMSSZ>.zip` into `out_dir`.

    The file is created 0600 and appears only when complete; `out_dir` is made 0700 (created so,
    or narrowed when it is the user's; refused otherwise). The name carries no e-mail address:
    `pseudonym` is the subject's keyed pseudonym (`store.keys.pseudonym(address)`, an HMAC) and
    the name shows its first 8 hex digits; the time is `generated_at` in UTC. `views` says per
    system how its record types read to a person (`Connector.views`). Returns its path.
    """
    files: dict[str, bytes] = {
        "data.json": data_json(package),
        "schema.json": schema_json(),
        **csv_files(package),
        "index.html": render_index(package),
    }
    ensure_private_dir(out_dir)
    target = out_dir / package_filename(package, pseudonym)
    with atomic_zip(target, as_utc(package.generated_at)) as archive:
        for path, content in files.items():
            archive.add(path, content)
        archive.add("manifest.json", manifest_json(package, archive.entries))
    return target
