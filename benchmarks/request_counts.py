"""One heavy person's export: per system, requests against the minimum, time against the floor.

Each connector computes the fewest requests a plan could have made given what it learned (the
pages of each listing it had to read, the records that need a call of their own): the data
package's `minimum` per system (README, "The data package"); and the HTTP layer counts the
critical path, the longest chain of requests that waited on one another (`critical`: a fan-out
of independent reads counts as its longest branch; `bridge.core.parallel`), so that `critical` ×
latency is the floor of the time spent on the system. For both sandbox shops, friendly and
hostile (`sandbox.hostile.HOSTILE`: filters ignored, fields respelled, side resources missing),
without and with the sync index, and at each latency, this prints per system the requests made,
the minimum and their ratio, the critical path, its floor and the time taken; per export its wall
time against the floor (the longest system's) and a sequential baseline measured in the same run
(every vendor one request at a time: `parallel.capped(1)`), with the speed-up. Then the erasure
of each shop's subject (`erasure_requests.timed`): its requests and time, at once and sequential;
and each shop's heavy person (the bulk customer: hundreds of orders) against the hostile fakes
without the index, the costliest case: requests per system and the time each system took.

Run: .venv/bin/python benchmarks/request_counts.py [--latency-ms 50 200] [--shops woocommerce lightspeed]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.erasure_requests import timed
from bridge import api
from bridge.app import App
from bridge.core.config import Config
from bridge.core.models import DataPackage
from bridge.core.parallel import capped
from bridge.index.sync import sync
from sandbox.hostile import HOSTILE
from sandbox.server import SHOPS, start, unlimited


def collect(email: str, config: Config, sequential: bool) -> tuple[DataPackage, float]:
    started = time.perf_counter()
    if sequential:
        with capped(1):
            package = api.collect(email, config)
    else:
        package = api.collect(email, config)
    return package, time.perf_counter() - started


def shop_runs(shop: str, latency_ms: int) -> None:
    for hostile in (False, True):
        fakes = "hostile" if hostile else "friendly"
        with (
            start(shop, latency_ms=latency_ms, hostile=HOSTILE if hostile else None) as sandbox,
            tempfile.TemporaryDirectory() as home,
        ):
            unlimited(sandbox)
            config = Config({**sandbox.env, "PRIVACY_BRIDGE_HOME": home})
            for indexed in (False, True):
                if indexed:
                    with App(config) as syncing:
                        sync(syncing.store, syncing.connectors)
                email = sandbox.shop.subject_email
                package, wall = collect(email, config, sequential=False)
                _, sequential = collect(email, config, sequential=True)
                index = "yes" if indexed else "no"
                for s in package.sources:
                    m = s.minimum
                    ratio = f"{s.requests / m:5.2f}x" if m else ("  n/a" if m is None else "    -")
                    print(
                        f"{shop:11} {fakes:8} {index:5} {s.system:15} {s.requests:8d}"
                        f" {m if m is not None else '-':>7} {ratio:>6} {s.critical:8d}"
                        f" {s.critical * latency_ms / 1000:6.2f}s {s.seconds:6.2f}s"
                    )
                floor = max(s.critical for s in package.sources) * latency_ms / 1000
                print(
                    f"{shop:11} {fakes:8} {index:5} {'(export)':15} {'':8} {'':>7} {'':>6}"
                    f" {'':8} {floor:6.2f}s {wall:6.2f}s   sequential {sequential:6.2f}s"
                    f" ({sequential / wall:.2f}x)"
                )


def heavy_run(shop: str, latency_ms: int) -> None:
    """The bulk customer, hostile fakes, no index: requests and time per system."""
    with (
        start(shop, latency_ms=latency_ms, hostile=HOSTILE) as sandbox,
        tempfile.TemporaryDirectory() as home,
    ):
        unlimited(sandbox)
        config = Config({**sandbox.env, "PRIVACY_BRIDGE_HOME": home})
        package, wall = collect(sandbox.shop.bulk_email, config, sequential=False)
        for s in package.sources:
            print(
                f"{shop:11} {s.system:15} {len(s.records):7d} records {s.requests:5d} requests"
                f" (minimum {s.minimum}) {s.seconds:6.2f}s"
            )
        print(f"{shop:11} {'(export)':15} {wall:6.2f}s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--latency-ms", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--shops", nargs="+", default=list(SHOPS))
    args = parser.parse_args()
    for latency_ms in args.latency_ms:
        print(f"\nlatency per request: {latency_ms} ms")
        print(
            f"{'shop':11} {'fakes':8} {'index':5} {'system':15} {'requests':>8} {'minimum':>7}"
            f" {'ratio':>6} {'critical':>8} {'floor':>7} {'time':>7}"
        )
        for shop in args.shops:
            shop_runs(shop, latency_ms)
        print(f"\nthe heavy person, hostile fakes, no index, {latency_ms} ms per request")
        for shop in args.shops:
            heavy_run(shop, latency_ms)
        print(f"\nerasure of the subject, {latency_ms} ms per request")
        for shop in args.shops:
            counts, wall = timed(shop, "subject", latency_ms)
            with capped(1):
                _, sequential = timed(shop, "subject", latency_ms)
            total = sum(r for r, _ in counts.values())
            writes = sum(w for _, w in counts.values())
            print(
                f"{shop:11} requests {total} ({writes} writes)  {wall:6.2f}s"
                f"   sequential {sequential:6.2f}s ({sequential / wall:.2f}x)"
            )


if __name__ == "__main__":
    main()
