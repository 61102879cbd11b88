"""One heavy person's export across every system, against fakes that answer after 50 ms.

Prints, per shop, with and without the sync index:
- wall time and requests of the export as privacy-bridge runs it (systems of a round at once,
  a shop's per-order lookups four at a time);
- the same export with everything one request at a time (the baseline), and the ratio;
- the critical path: per identity round, the longest chain of requests that one system makes
  one after another, summed over the rounds and times the latency: what no more concurrency
  within this design could remove.
Both runs are measured here, in the same process, so the ratio holds on a noisy machine.

Run: .venv/bin/python benchmarks/export_latency.py [--latency-ms 50]
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bridge import api
from bridge.app import App
from bridge.collect import identity
from bridge.core import http
from bridge.core.config import Config
from bridge.index.sync import sync
from connectors.woocommerce.connector import connector as woocommerce
from sandbox.server import start

LOG: list[tuple[int, str, float, float]] = []  # (round, thread, start, end)
_round = threading.local()


def instrument() -> None:
    """Record every request with the identity round and the thread that made it."""
    original_request = http.HttpClient.request
    original_collect = identity._collect

    def request(self: http.HttpClient, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original_request(self, *args, **kwargs)
        finally:
            LOG.append(
                (
                    getattr(_round, "n", 0),
                    threading.current_thread().name,
                    started,
                    time.perf_counter(),
                )
            )

    def collect(run: Any, ids: Any) -> Any:
        _round.n = getattr(run, "_bench_round", 0) + 1
        run._bench_round = _round.n
        return original_collect(run, ids)

    http.HttpClient.request = request  # type: ignore[method-assign]
    identity._collect = collect


@contextmanager
def one_at_a_time() -> Iterator[None]:
    """Every pool of the export with a single worker: the one-request-at-a-time baseline."""
    real = concurrent.futures.ThreadPoolExecutor

    class Single(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["max_workers"] = 1
            super().__init__(
                **{k: v for k, v in kwargs.items() if k != "max_workers"}, max_workers=1
            )

    identity.ThreadPoolExecutor = Single  # type: ignore[misc]
    woocommerce.ThreadPoolExecutor = Single  # type: ignore[misc]
    try:
        yield
    finally:
        identity.ThreadPoolExecutor = real  # type: ignore[misc]
        woocommerce.ThreadPoolExecutor = real  # type: ignore[misc]


def critical_path() -> int:
    """Per round, per system thread: its own requests plus its longest helper-thread chain."""
    per: dict[tuple[int, str], int] = collections.Counter((r, t) for r, t, _, _ in LOG)
    rounds: dict[int, int] = {}
    for (rnd, thread), count in per.items():
        if thread.startswith("resolve"):
            helpers = max(
                (c for (r, t), c in per.items() if r == rnd and t.startswith("children")), default=0
            )
            rounds[rnd] = max(rounds.get(rnd, 0), count + helpers)
    return sum(rounds.values())


def measure(config: Config, email: str) -> tuple[float, int, int]:
    LOG.clear()
    started = time.perf_counter()
    package = api.collect(email, config)
    seconds = time.perf_counter() - started
    assert package.complete, [s.error for s in package.sources]
    return seconds, len(LOG), critical_path()


def main() -> None:
    parser = argparse.ArgumentParser(
        description="export wall time against the sandbox with latency"
    )
    parser.add_argument("--latency-ms", type=int, default=50)
    args = parser.parse_args()
    instrument()
    latency = args.latency_ms / 1000
    print(f"latency per request: {args.latency_ms} ms")
    print(
        f"{'shop':12} {'index':6} {'requests':>8} {'concurrent':>11} {'one at a time':>14} {'ratio':>6} {'critical path':>14} {'vs path':>8}"
    )
    for shop in ("woocommerce", "lightspeed"):
        with (
            start(shop, latency_ms=args.latency_ms) as sandbox,
            tempfile.TemporaryDirectory() as home,
        ):
            config = Config({**sandbox.env, "PRIVACY_BRIDGE_HOME": home})
            email = sandbox.shop.subject_email
            for indexed in (False, True):
                if indexed:
                    with App(config) as syncing:
                        assert sync(syncing.store, syncing.connectors).ok
                fast, requests, path = measure(config, email)
                with one_at_a_time():
                    slow, slow_requests, _ = measure(config, email)
                assert slow_requests == requests, (slow_requests, requests)
                path_s = path * latency
                print(
                    f"{shop:12} {'yes' if indexed else 'no':6} {requests:8d} {fast:10.2f}s {slow:13.2f}s "
                    f"{slow / fast:5.1f}x {path:5d} = {path_s:5.2f}s {fast / path_s:7.2f}x"
                )


if __name__ == "__main__":
    main()
