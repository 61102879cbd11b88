"""The data package: data.json, schema.json, csv/*.csv, index.html and manifest.json in one zip."""

from exports.package import write_package

__all__ = ["write_package"]
