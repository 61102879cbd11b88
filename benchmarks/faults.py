"""Exports and erasures of both reference shops under 10% mixed faults, against clean runs.

Every fake meets, on a random 10% of the requests (`sandbox.faults.random_faults`, seeded), one
of: 429 with Retry-After 0; 500, 502 or 503 (Retry-After 0); an HTML page as a 200; a 200 whose
JSON is cut in half; an answer lost (the request lands, its answer comes after the client gave
up). Per shop a clean run is made first, in this process; then per seed a fresh sandbox, an
export and an erasure with the faults. Printed per shop and seed:
- the export's records against the clean export's: found, missing, extra, changed (same record,
  other data), duplicates, and whether the package is complete;
- the erasure: writes sent (every write request, those a fault answered included), writes that
  reached the shop against the clean erasure's, writes repeated (a write to a record reaching
  the shop again) as a share of those reaching it, steps settled by reading the record back
  after a doubtful answer (rb), requests, and whether the fakes' stores end exactly as the clean
  erasure left them (the time of a change aside).
A run is exact when the export equals the clean one and is complete, the erasure is complete,
its end state equals the clean one and no write was repeated beyond 1%. Exits 1 if any is not.

Run: .venv/bin/python benchmarks/faults.py [--rate 0.1] [--seeds 1 2 3] [--shops woocommerce]
     [--kinds 500 lost] (of 429 500 502 503 html truncated lost; default all)
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import sys
import tempfile
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

from bridge import api
from bridge.app import App
from bridge.collect.identity import resolve
from bridge.core.config import Config
from bridge.core.connector import Connector
from bridge.core.models import SourceResult
from sandbox.faults import MIXED, RandomFaults, random_faults
from sandbox.server import SHOPS, Sandbox, start, unlimited
from sandbox.snapshot import snapshot

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
READ_POSTS = frozenset({"/v1/oauth2/token", "/v2/invoicing/search-invoices"})  # PayPal's
# Fields a fake sets to the time of a change: compared as "changed", not by their value.
CHANGED_AT = ("date_modified", "date_modified_gmt", "canceledAt")
SANDBOX_URL = re.compile(r"http://127\.0\.0\.1:\d+")  # each sandbox has its own ports
READ_TIMEOUT_S = 0.5  # the client's: a lost answer costs this long
LOST_DELAY_S = 1.0  # the fake's: answers this late, after the client gave up
REPEATED_MAX = 0.01

Key = tuple[str, str, str]  # (system, record type, record id)


def fast(cls: type[Connector], config: Config) -> Connector:
    """A connector that retries at once and gives up on a silent answer after READ_TIMEOUT_S;
    the vendors' own hints (Retry-After) still apply."""
    connector = cls.from_config(config)
    http = connector.http  # type: ignore[attr-defined]
    http.backoff = 0.01
    http.timeout = (2.0, READ_TIMEOUT_S)
    return connector


def opener(config: Config) -> AbstractContextManager[list[Connector]]:
    return api.open_connectors(config, fast)


def faulty(
    sandbox: Sandbox, rate: float, seed: int, kinds: tuple[str, ...] = MIXED
) -> dict[str, RandomFaults]:
    """Every fake behind random faults (rate 0: the same instruments, no fault)."""
    installed = {}
    for system, faults in sandbox.faults.items():
        wrapped = random_faults(faults.app, rate, seed, kinds=kinds, lost_delay_s=LOST_DELAY_S)
        sandbox.servers[system].app = wrapped
        sandbox.faults[system] = installed[system] = wrapped
    return installed


def stored(sandbox: Sandbox) -> dict[tuple[str, str, str], str]:
    """Every record in every fake's store (times of a change masked)."""
    return snapshot(sandbox.shop, sandbox.faults, masked=CHANGED_AT)


@dataclass
class Run:
    records: dict[Key, str] = field(default_factory=dict)
    duplicates: int = 0
    complete: bool = False
    export_requests: int = 0
    export_s: float = 0.0
    failed: list[str] = field(default_factory=list)
    erased: bool = False
    writes_sent: int = 0
    writes_landed: int = 0
    repeated: int = 0
    read_back: int = 0
    erase_requests: int = 0
    erase_s: float = 0.0
    end: dict[tuple[str, str, str], str] = field(default_factory=dict)
    steps: dict[str, str] = field(default_factory=dict)
    injected: collections.Counter[str] = field(default_factory=collections.Counter)


def write(method: str, path: str) -> bool:
    """A request that changes data (PayPal's token and invoice search are POSTed reads)."""
    return method in WRITES and path not in READ_POSTS


def records_of(sources: list[SourceResult]) -> tuple[dict[Key, str], int]:
    records: dict[Key, str] = {}
    duplicates = 0
    for source in sources:
        for record in source.records:
            key = (source.system, record.type, record.id)
            duplicates += key in records
            data = json.dumps(record.data, sort_keys=True, default=str)
            records[key] = SANDBOX_URL.sub("<sandbox>", data)
    return records, duplicates


def one(shop: str, rate: float, seed: int, kinds: tuple[str, ...] = MIXED) -> Run:
    run = Run()
    with start(shop) as sandbox, tempfile.TemporaryDirectory() as home:
        unlimited(sandbox)
        fakes = faulty(sandbox, rate, seed, kinds)
        config = Config({**sandbox.env, "PRIVACY_BRIDGE_HOME": home})
        email = sandbox.shop.subject_email

        started = time.perf_counter()
        with opener(config) as connectors:
            sources = resolve(connectors, email)
        run.export_s = time.perf_counter() - started
        run.records, run.duplicates = records_of(sources)
        run.complete = all(s.status.value in ("ok", "not_found") for s in sources)
        run.failed = [f"{s.system}: {s.error}" for s in sources if s.error]
        run.export_requests = sum(len(f.requests) for f in fakes.values())

        for faults in fakes.values():
            faults.requests.clear()
            faults.reached.clear()
        started = time.perf_counter()
        with App(config, factory=fast) as erasing:
            result = erasing.erase(email, dry_run=False).result
        run.erase_s = time.perf_counter() - started
        run.erased = result.complete
        run.failed += result.problems
        run.failed += [
            f"step {e.step.key}: {e.outcome}" for e in result.steps if e.state == "failed"
        ]
        run.steps = {f"{e.step.system} {e.step.key}": e.state for e in result.steps}
        run.read_back = sum("read back" in (e.outcome or "") for e in result.steps)
        sent = [r for f in fakes.values() for r in f.requests if write(*r)]
        landed = [(system, *r) for system, f in fakes.items() for r in f.reached if write(*r)]
        run.writes_sent, run.writes_landed = len(sent), len(landed)
        run.repeated = len(landed) - len(set(landed))
        run.erase_requests = sum(len(f.requests) for f in fakes.values())
        run.end = stored(sandbox)
        for faults in fakes.values():
            run.injected += faults.injected
    return run


def compare(clean: Run, run: Run) -> tuple[str, bool]:
    found = run.records.keys() & clean.records.keys()
    missing = len(clean.records.keys() - run.records.keys())
    extra = len(run.records.keys() - clean.records.keys())
    changed = sum(run.records[k] != clean.records[k] for k in found)
    end_equal = run.end == clean.end
    share = run.repeated / run.writes_landed if run.writes_landed else 0.0
    exact = (
        not missing
        and not extra
        and not changed
        and not run.duplicates
        and run.complete
        and run.erased
        and end_equal
        and run.steps == clean.steps
        and share <= REPEATED_MAX
    )
    line = (
        f"{len(found):5d} {missing:7d} {extra:5d} {changed:7d} {run.duplicates:4d} "
        f"{'yes' if run.complete else 'NO':>8} {run.export_requests:5d} {run.export_s:6.1f}s | "
        f"{run.writes_sent:5d} {run.writes_landed:6d} {clean.writes_landed:5d} "
        f"{run.repeated:4d} {share:6.1%} {run.read_back:4d} {run.erase_requests:5d} {run.erase_s:6.1f}s "
        f"{'yes' if run.erased else 'NO':>8} {'yes' if end_equal else 'NO':>5} "
        f"{'exact' if exact else 'NOT EXACT':>9}"
    )
    return line, exact


def main() -> int:
    parser = argparse.ArgumentParser(description="exports and erasures under random faults")
    parser.add_argument("--rate", type=float, default=0.1)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--shops", nargs="+", default=list(SHOPS), choices=list(SHOPS))
    parser.add_argument("--kinds", nargs="+", default=list(MIXED), choices=list(MIXED))
    args = parser.parse_args()
    print(
        f"{args.rate:.0%} of requests meet a fault ({', '.join(args.kinds)}; an answer is lost "
        f"after {READ_TIMEOUT_S} s); every run against a clean run of the same shop"
    )
    header = (
        f"{'shop':12} {'seed':>5} {'faults':>6} | export: {'found':>5} {'missing':>7} {'extra':>5} "
        f"{'changed':>7} {'dupl':>4} {'complete':>8} {'reqs':>5} {'time':>7} | erasure: "
        f"{'sent':>5} {'landed':>6} {'clean':>5} {'rep.':>4} {'rep.%':>6} {'rb':>4} {'reqs':>5} "
        f"{'time':>7} {'complete':>8} {'end=':>5} {'':>9}"
    )
    print(header)
    all_exact = True
    for shop in args.shops:
        clean = one(shop, 0.0, 0)
        assert clean.complete and clean.erased, clean.failed
        line, _ = compare(clean, clean)
        print(f"{shop:12} {'clean':>5} {0:6d} | export: {line.replace(' | ', ' | erasure: ')}")
        for seed in args.seeds:
            run = one(shop, args.rate, seed, tuple(args.kinds))
            line, exact = compare(clean, run)
            all_exact &= exact
            faults = sum(run.injected.values())
            print(
                f"{shop:12} {seed:5d} {faults:6d} | export: {line.replace(' | ', ' | erasure: ')}"
            )
            kinds = ", ".join(f"{k} {n}" for k, n in sorted(run.injected.items()))
            print(f"{'':12} {'':5} {'':6}   faults met: {kinds}")
            for failure in run.failed if not exact else []:
                print(f"{'':26}{failure[:160]}")
    print("every run exact" if all_exact else "NOT every run exact")
    return 0 if all_exact else 1


if __name__ == "__main__":
    sys.exit(main())
