"""One heavy person's export: per system, the requests made against the computed minimum.

Each connector computes the fewest requests a plan could have made given what it learned (the
pages of each listing it had to read, the records that need a call of their own): the data
package's `minimum` per system (README, "The data package"). For both sandbox shops, served
with 50 ms per request, friendly and hostile (`sandbox.hostile.HOSTILE`: filters ignored,
fields respelled, side resources missing), without and with the sync index, this prints per
system the requests made, the minimum and their ratio, and the export's wall time.

Run: .venv/bin/python benchmarks/request_counts.py [--latency-ms 50] [--shops woocommerce lightspeed]
"""

from __future__ import annotations

import argparse
import tempfile
import time

from bridge import api
from bridge.app import App
from bridge.core.config import Config
from bridge.index.sync import sync
from sandbox.hostile import HOSTILE
from sandbox.server import SHOPS, start, unlimited


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--shops", nargs="+", default=list(SHOPS))
    args = parser.parse_args()
    print(f"latency per request: {args.latency_ms} ms")
    print(
        f"{'shop':12} {'fakes':8} {'index':6} {'system':16} {'requests':>8} {'minimum':>8}"
        f" {'ratio':>6} {'wall':>7}"
    )
    for shop in args.shops:
        for hostile in (False, True):
            with (
                start(
                    shop, latency_ms=args.latency_ms, hostile=HOSTILE if hostile else None
                ) as sandbox,
                tempfile.TemporaryDirectory() as home,
            ):
                unlimited(sandbox)
                config = Config({**sandbox.env, "PRIVACY_BRIDGE_HOME": home})
                for indexed in (False, True):
                    if indexed:
                        with App(config) as syncing:
                            sync(syncing.store, syncing.connectors)
                    started = time.perf_counter()
                    package = api.collect(sandbox.shop.subject_email, config)
                    wall = time.perf_counter() - started
                    for source in package.sources:
                        minimum = source.minimum
                        ratio = (
                            f"{source.requests / minimum:5.2f}x"
                            if minimum
                            else ("  n/a" if minimum is None else "    -")
                        )
                        print(
                            f"{shop:12} {'hostile' if hostile else 'friendly':8}"
                            f" {'yes' if indexed else 'no':6} {source.system:16}"
                            f" {source.requests:8d} {minimum if minimum is not None else '-':>8}"
                            f" {ratio:>6} {wall:6.2f}s"
                        )


if __name__ == "__main__":
    main()
