"""A full sync of a large generated shop, its memory as the shop grows, and the next sync.

For each scale (7 ≈ 10,000 orders; 70 ≈ 100,000 orders, 20,000 customers), against
`privacy-bridge sandbox serve --scale N --latency-ms 50` in a process of its own:
- a full sync, itself in a child process: records per second, requests made against the minimum
  at the maximum page sizes (every stream read once, page by page), and its peak memory (RSS);
- a second sync right after it: the requests needed to see that nothing changed;
- after 1% of the shop's orders changed through its API, the next sync's requests.
The peak memory of the two scales is compared in the same run: it should stay flat.
With `--airbyte`: then airbyte's `source-woocommerce` against our sync on one more shop
(`--airbyte-scale`, 5 ≈ 7,000 orders), the same latency, one request at a time each
(`benchmarks/airbyte_woocommerce.py`; `--scales` with no scale runs only that).

Run: .venv/bin/python -m benchmarks.sync_scale [--scales 7 70] [--latency-ms 50] [--airbyte]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bridge.core.config import load_config
from bridge.store.db import Store
from connectors.woocommerce.connector import WooCommerceConnector

PAGE = {
    ("woocommerce", "orders"): 100,
    ("woocommerce", "reviews"): 100,
    ("woocommerce", "customers"): 100,
    ("mollie", "customers"): 250,
    ("mollie", "payments"): 250,
    ("myparcel", "shipments"): 200,
}
PAYPAL_WINDOWS = 36  # 3 years in 31-day windows, the API's maximum range


def serve(scale: int, latency_ms: int, env_file: Path) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bridge", "sandbox", "serve", "--scale", str(scale),
         "--latency-ms", str(latency_ms), "--env-file", str(env_file)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 600
    while not (env_file.exists() and "MYPARCEL_API_KEY" in env_file.read_text()):
        if time.monotonic() > deadline or proc.poll() is not None:
            raise SystemExit("the sandbox did not start")
        time.sleep(0.2)
    return proc


def run_sync(env_file: Path, *extra: str) -> tuple[dict[str, Any], float, float]:
    """One sync in a child process: its JSON summary, wall seconds and peak RSS in MiB."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bridge", "sync", "--json", "--env-file", str(env_file), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    summary = json.loads(output)
    assert status == 0 and summary["ok"], summary
    return summary, seconds, usage.ru_maxrss / 1024


def minimum_requests(summary: dict[str, Any]) -> int:
    total = 1 + PAYPAL_WINDOWS  # PayPal's token, and at least one page per window
    for stream in summary["streams"]:
        page = PAGE.get((stream["system"], stream["stream"]))
        if page:
            total += max(1, math.ceil(stream["entries"] / page))
    return total


def change_orders(env_file: Path, share: float) -> int:
    """Change `share` of the shop's orders through its REST API (a new customer note)."""
    config = load_config(env_file)
    shop = WooCommerceConnector.from_config(config)
    store = Store(config.home)
    ids = [
        r[0]
        for r in store.db.execute(
            "SELECT record_id FROM index_entries WHERE system = 'woocommerce' AND record_type = 'order'"
        )
    ]
    chosen = random.Random(7).sample(ids, max(1, int(len(ids) * share)))
    for oid in chosen:
        shop.api.put(f"orders/{oid}", {"customer_note": "Graag bellen voor levering."})
    return len(chosen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--scales", type=int, nargs="*", default=[7, 70])
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument(
        "--airbyte", action="store_true", help="then airbyte's source-woocommerce against ours"
    )
    parser.add_argument("--airbyte-scale", type=int, default=5)
    args = parser.parse_args()
    peaks = {}
    print(f"latency per request: {args.latency_ms} ms")
    for scale in args.scales:
        with tempfile.TemporaryDirectory() as tmp:
            env_file = Path(tmp) / "sandbox.env"
            proc = serve(scale, args.latency_ms, env_file)
            try:
                with env_file.open("a") as handle:
                    handle.write(f"PRIVACY_BRIDGE_HOME={tmp}/state\n")
                full, seconds, peak = run_sync(env_file)
                records = sum(s["entries"] for s in full["streams"])
                made = sum(full["requests"].values())
                minimum = minimum_requests(full)
                quiet, _, _ = run_sync(env_file)
                changed = change_orders(env_file, 0.01)
                after, _, _ = run_sync(env_file)
            finally:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=30)
        peaks[scale] = peak
        orders = next(
            s["entries"]
            for s in full["streams"]
            if (s["system"], s["stream"]) == ("woocommerce", "orders")
        )
        print(f"scale {scale}: {orders} orders, {records} records indexed")
        print(
            f"  full sync:        {seconds:7.1f} s  {records / seconds:8.0f} records/s  "
            f"{made} requests (minimum {minimum}: {made / minimum:.2f}x)  peak RSS {peak:.0f} MiB"
        )
        print(f"  second sync:      {sum(quiet['requests'].values())} requests {quiet['requests']}")
        print(
            f"  after {changed} orders changed (1%): {sum(after['requests'].values())} requests {after['requests']}"
        )
    if len(peaks) > 1:
        small, large = min(peaks), max(peaks)
        print(
            f"peak memory, scale {large} against scale {small}: {peaks[large] / peaks[small]:.2f}x"
        )
    if args.airbyte:
        from benchmarks.airbyte_woocommerce import compare  # run as -m benchmarks.sync_scale

        compare(args.airbyte_scale, args.latency_ms)


if __name__ == "__main__":
    main()
