"""Requests of one erasure, one write at a time against in batches with lean verification.

For each person (the subject of each sandbox shop, and the WooCommerce shop's bulk customer with
260 orders) the erasure runs twice on a fresh sandbox: first as before batches (WooCommerce's
`batch_operations` emptied and `fetch_many` one record at a time: every write its own call,
every changed record read back by its own GET), then as privacy-bridge runs it. Per system it
prints the requests (writes in brackets) both ways and the ratio; every run must be complete.
Run: `.venv/bin/python benchmarks/erasure_requests.py` (in `make bench`).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

from bridge.api import erase
from bridge.core.config import Config
from bridge.core.connector import Connector
from connectors.woocommerce.connector import WooCommerceConnector
from sandbox.server import start, unlimited

PEOPLE = (("woocommerce", "subject"), ("lightspeed", "subject"), ("woocommerce", "bulk"))


@contextmanager
def one_at_a_time() -> Iterator[None]:
    """The erasure as it was before batches and lean read-back."""
    saved = WooCommerceConnector.batch_operations, WooCommerceConnector.fetch_many
    WooCommerceConnector.batch_operations = {}
    WooCommerceConnector.fetch_many = Connector.fetch_many  # type: ignore[method-assign]
    try:
        yield
    finally:
        WooCommerceConnector.batch_operations, WooCommerceConnector.fetch_many = saved  # type: ignore[method-assign]


def measure(kind: str, who: str) -> dict[str, tuple[int, int]]:
    """(requests, writes) per system of one erasure on a fresh sandbox."""
    return timed(kind, who)[0]


def timed(kind: str, who: str, latency_ms: int = 0) -> tuple[dict[str, tuple[int, int]], float]:
    """`measure`, and the erasure's wall time, with `latency_ms` per request (request_counts)."""
    with (
        unlimited(start(kind, latency_ms=latency_ms)) as sandbox,
        tempfile.TemporaryDirectory() as home,
    ):
        for faults in sandbox.faults.values():
            faults.clear()
        email = sandbox.shop.subject_email if who == "subject" else sandbox.shop.bulk_email
        started = time.perf_counter()
        result = erase(email, Config({**sandbox.env, "PRIVACY_BRIDGE_HOME": home}), dry_run=False)
        wall = time.perf_counter() - started
        if not result.complete:
            raise SystemExit(f"{kind} {who}: the erasure is not complete")
        return {
            system: (len(f.requests), sum(1 for method, _ in f.requests if method != "GET"))
            for system, f in sandbox.faults.items()
        }, wall


def main() -> None:
    print("shop        person   system        one at a time    batched   ratio")
    for kind, who in PEOPLE:
        with one_at_a_time():
            before = measure(kind, who)
        after = measure(kind, who)
        for system in before:
            (b, bw), (a, aw) = before[system], after[system]
            print(f"{kind:11} {who:8} {system:15} {b:5} ({bw:3}) {a:6} ({aw:3})   {a / b:.2f}x")


if __name__ == "__main__":
    main()
