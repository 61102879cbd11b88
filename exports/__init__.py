"""What the customer and the operator receive.

The data package (one zip: index.html, data.xlsx, data.json, schema.json, csv/<system>/*.csv,
manifest.json) and the erasure report (one zip for the customer: index.html,
erasure-report.json, manifest.json; the operator's worksheet beside it, never in it)."""

from exports.erasure_report import write_erasure_report
from exports.package import write_package

__all__ = ["write_erasure_report", "write_package"]
