"""The data package (data.json, schema.json, csv/*.csv, index.html, manifest.json in one zip) and
the erasure report (erasure-report.json, index.html, manifest.json in one zip)."""

from exports.erasure_report import write_erasure_report
from exports.package import write_package

__all__ = ["write_erasure_report", "write_package"]
