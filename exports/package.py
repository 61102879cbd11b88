"""write_package: the whole data package as one private zip file in an output directory.

The zip holds, at its root:
- index.html: the page a person reads (exports.html);
- data.xlsx: the workbook a person opens in a spreadsheet (exports.workbook);
- data.json: everything found, exactly as the systems gave it (exports.jsonfile);
- schema.json: the JSON Schema of data.json, each record type's data included (exports.schema);
- csv/<system>/<type>.csv (and csv/<system>/<type>-<list>.csv per list of objects): the
  machine-readable tables (exports.csvfiles);
- manifest.json, written last: the SHA-256 of every other file, and how each system's lookup went.
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
from exports.naming import (
    DATA_JSON,
    INDEX_HTML,
    MANIFEST_JSON,
    SCHEMA_JSON,
    WORKBOOK,
    as_utc,
    package_filename,
)
from exports.tables import by_system_type
from exports.workbook import workbook_bytes


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
    views = views or {}
    files: dict[str, bytes] = {
        INDEX_HTML: render_index(package, views),
        WORKBOOK: workbook_bytes(package, views),
        DATA_JSON: data_json(package),
        SCHEMA_JSON: schema_json(views, by_system_type(package)),
        **csv_files(package, views),
    }
    ensure_private_dir(out_dir)
    target = out_dir / package_filename(package, pseudonym)
    with atomic_zip(target, as_utc(package.generated_at)) as archive:
        for path, content in files.items():
            archive.add(path, content)
        archive.add(MANIFEST_JSON, manifest_json(package, archive.entries))
    return target
