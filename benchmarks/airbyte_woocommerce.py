"""Our WooCommerce sync against airbyte's `source-woocommerce` on the same sandbox shop.

`python -m benchmarks.sync_scale --airbyte` runs this (or `-m benchmarks.airbyte_woocommerce`).
One sandbox (`sandbox.server.start`, scale N, every request answered after the latency) serves
the WooCommerce fake twice: over http for privacy-bridge (OAuth 1.0a, as a real shop without
TLS wants it) and over https with a self-signed certificate for airbyte (its manifest has
`https://{shop}` and Basic auth, which WooCommerce accepts over https only). Both servers wrap
the same `Faults` app, so both sides meet the same latency and the same request log counts them.

The request budget is the same: both read one request at a time (airbyte-cdk's declarative
streams one after another, page after page; privacy-bridge one thread per system, its streams
one after another), 100 records a page, no rate limit on either side.

Each side reads what corresponds to our sync's streams (`connectors.woocommerce.connector.SYNC`):
orders, reviews and customers; airbyte's `orders` and `product_reviews` incrementally (as a
scheduled sync runs them; from the shop's first day), `customers` in full (it has no cursor).
Then each runs once more from its own state: the requests needed to see that nothing changed.

airbyte runs in `.venv-airbyte/` (made on first run: `airbyte-source-woocommerce` pins its own
airbyte-cdk and pydantic, which must not go into the project's venv).
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import ipaddress
import json
import os
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from werkzeug.serving import make_server

from sandbox import credentials
from sandbox.server import QuietHandler, start

ROOT = Path(__file__).resolve().parent.parent
AIRBYTE_VENV = ROOT / ".venv-airbyte"
AIRBYTE_PACKAGE = "airbyte-source-woocommerce==0.4.12"
# airbyte-cdk sends prepared requests with `Session.send`, which skips `REQUESTS_CA_BUNDLE`: the
# connector is started with certifi's bundle pointing at the sandbox's certificate instead (set
# before requests is imported; requests reads it once, at import).
LAUNCHER = """import os, sys, certifi
certifi.where = lambda: os.environ["REQUESTS_CA_BUNDLE"]
from source_woocommerce.run import run
run()
"""
# airbyte's stream for each of our sync's streams, and how it reads it
# the path each stream reads, after /wp-json/wc/v3/
PATHS = {"orders": "orders", "reviews": "products/reviews", "customers": "customers"}
STREAMS = {
    "orders": ("orders", "incremental"),
    "reviews": ("product_reviews", "incremental"),
    "customers": ("customers", "full_refresh"),
}


def airbyte_command() -> list[str]:
    """`source-woocommerce` in its own venv (installed there on first use), trusting the
    certificate named by REQUESTS_CA_BUNDLE."""
    python = AIRBYTE_VENV / "bin" / "python"
    if not (AIRBYTE_VENV / "bin" / "source-woocommerce").exists():
        print(f"installing {AIRBYTE_PACKAGE} into {AIRBYTE_VENV} (once)", flush=True)
        subprocess.run(["python3", "-m", "venv", str(AIRBYTE_VENV)], check=True)
        subprocess.run(
            [str(AIRBYTE_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet",
             AIRBYTE_PACKAGE],
            check=True,
        )  # fmt: skip
    return [str(python), "-c", LAUNCHER]


def self_signed(directory: Path) -> tuple[ssl.SSLContext, Path]:
    """A server context with a new certificate for 127.0.0.1 and localhost, and the
    certificate's file (the CA bundle a client is told to trust)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context, cert_file


class Span:
    """WSGI middleware: the requests it saw, and when the first came in and the last went out."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.count = 0
        self.paths: collections.Counter[str] = collections.Counter()
        self.first = self.last = 0.0
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self.count, self.first, self.last = 0, 0.0, 0.0
            self.paths.clear()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        with self._lock:
            self.count += 1
            self.paths[environ.get("PATH_INFO", "")] += 1
            self.first = self.first or time.perf_counter()
        try:
            return list(self.app(environ, start_response))
        finally:
            with self._lock:
                self.last = time.perf_counter()

    @property
    def seconds(self) -> float:
        return self.last - self.first if self.count else 0.0


@dataclass
class Run:
    """One read: records per stream (our stream names), requests the shop saw, wall seconds of
    the process and from the first request to the last answer."""

    records: dict[str, int]
    requests: int
    by_path: dict[str, int]
    seconds: float
    span: float

    @property
    def total(self) -> int:
        return sum(self.records.values())


def run_ours(env_file: Path, span: Span) -> Run:
    span.reset()
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bridge", "sync", "--json", "--env-file", str(env_file)],
        capture_output=True, check=False, cwd=ROOT,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    summary = json.loads(done.stdout)
    assert done.returncode == 0 and summary["ok"], summary
    records = {
        s["stream"]: s["entries"] for s in summary["streams"] if s["system"] == "woocommerce"
    }
    assert summary["requests"] == {"woocommerce": span.count}, (summary["requests"], span.count)
    return Run(records, span.count, dict(span.paths), seconds, span.seconds)


def run_airbyte(
    command: list[str], directory: Path, cert: Path, span: Span, state: Path | None = None
) -> tuple[Run, list[dict[str, Any]]]:
    """`source-woocommerce read`: its records per stream and its last state per incremental
    stream (a full refresh stream's state, `__ab_full_refresh_sync_complete`, would make the next
    read skip it; the airbyte platform starts a full refresh over each sync)."""
    args = [*command, "read", "--config", str(directory / "config.json"),
            "--catalog", str(directory / "catalog.json")]  # fmt: skip
    if state is not None:
        args += ["--state", str(state)]
    env = {**os.environ, "REQUESTS_CA_BUNDLE": str(cert)}
    ours = {theirs: name for name, (theirs, _) in STREAMS.items()}
    incremental = {theirs for theirs, mode in STREAMS.values() if mode == "incremental"}
    records = dict.fromkeys(STREAMS, 0)
    states: dict[str, dict[str, Any]] = {}
    span.reset()
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    assert proc.stdout is not None
    errors = []
    for line in proc.stdout:
        try:
            message = json.loads(line)
        except ValueError:
            continue
        kind = message.get("type")
        if kind == "RECORD":
            records[ours[message["record"]["stream"]]] += 1
        elif kind == "STATE":
            state_message = message["state"]
            stream = state_message.get("stream", {}).get("stream_descriptor", {}).get("name", "")
            if stream in incremental:  # a full refresh starts over each sync, as airbyte runs it
                states[stream] = state_message
        elif kind == "TRACE" and message["trace"].get("type") == "ERROR":
            errors.append(message["trace"]["error"].get("message"))
    proc.wait()
    seconds = time.perf_counter() - started
    assert proc.returncode == 0 and not errors, (proc.returncode, errors)
    return Run(records, span.count, dict(span.paths), seconds, span.seconds), list(states.values())


def configure_airbyte(
    command: list[str], directory: Path, cert: Path, port: int, start_date: str
) -> None:
    """config.json for the https server, and catalog.json from `discover` with our streams."""
    config = {
        "shop": f"127.0.0.1:{port}",
        "api_key": credentials.WOOCOMMERCE_CONSUMER_KEY,
        "api_secret": credentials.WOOCOMMERCE_CONSUMER_SECRET,
        "start_date": start_date,
    }
    (directory / "config.json").write_text(json.dumps(config))
    env = {**os.environ, "REQUESTS_CA_BUNDLE": str(cert)}
    out = subprocess.run(
        [*command, "discover", "--config", str(directory / "config.json")],
        capture_output=True, text=True, check=True, env=env,
    )  # fmt: skip
    catalog = next(
        json.loads(line)["catalog"] for line in out.stdout.splitlines() if '"CATALOG"' in line
    )
    found = {s["name"]: s for s in catalog["streams"]}
    configured = []
    for theirs, mode in STREAMS.values():
        stream = found[theirs]
        assert mode in stream["supported_sync_modes"], (theirs, stream["supported_sync_modes"])
        entry: dict[str, Any] = {
            "stream": stream,
            "sync_mode": mode,
            "destination_sync_mode": "append" if mode == "incremental" else "overwrite",
        }
        if mode == "incremental":
            entry["cursor_field"] = stream["default_cursor_field"]
        configured.append(entry)
    (directory / "catalog.json").write_text(json.dumps({"streams": configured}))


def first_day(store: Any) -> str:
    """The shop's first day: the oldest order, review or customer (airbyte's `start_date`)."""
    dates = [
        str(item.get("date_created_gmt") or "9999")
        for items in (store.orders, store.reviews, store.customers)
        for item in items
    ]
    return min(dates)[:10]


def compare(scale: int, latency_ms: int) -> None:
    command = airbyte_command()
    with tempfile.TemporaryDirectory() as tmp, start("woocommerce", scale=scale,
                                                     latency_ms=latency_ms) as sandbox:  # fmt: skip
        directory = Path(tmp)
        faults = sandbox.faults["woocommerce"]
        span = Span(faults)
        sandbox.servers["woocommerce"].app = span  # the http server, for privacy-bridge
        context, cert = self_signed(directory)
        https = make_server(
            "127.0.0.1", 0, span, threaded=True, request_handler=QuietHandler, ssl_context=context
        )
        thread = threading.Thread(target=https.serve_forever, name="fake-https", daemon=True)
        thread.start()
        try:
            store = sandbox.shop.stores["woocommerce"]
            start_date = first_day(store)
            env_file = directory / "woocommerce.env"
            settings = {k: v for k, v in sandbox.env.items() if k.startswith("WOOCOMMERCE_")}
            settings["PRIVACY_BRIDGE_HOME"] = str(directory / "state")
            env_file.write_text("".join(f"{k}={v}\n" for k, v in settings.items()))
            ours = run_ours(env_file, span)
            ours_again = run_ours(env_file, span)
            configure_airbyte(command, directory, cert, https.server_port, start_date)
            theirs, states = run_airbyte(command, directory, cert, span)
            (directory / "state.json").write_text(json.dumps(states))
            theirs_again, _ = run_airbyte(command, directory, cert, span, directory / "state.json")
        finally:
            https.shutdown()
            https.server_close()
            thread.join(timeout=5)
    print(
        f"airbyte source-woocommerce against privacy-bridge sync, WooCommerce only: scale {scale} "
        f"({len(store.orders)} orders, {len(store.reviews)} reviews, {len(store.customers)} "
        f"users), {latency_ms} ms a request, one request at a time each; airbyte from "
        f"{start_date} (the shop's first day)"
    )
    print(f"  {'':26} {'privacy-bridge':>16} {'airbyte':>16} {'airbyte / ours':>15}")
    for name in STREAMS:
        label = f"records: {name}"
        row(label, ours.records[name], theirs.records[name])
    row("records", ours.total, theirs.total)
    for name, path in PATHS.items():
        url = f"/wp-json/wc/v3/{path}"
        row(f"requests: {name}", ours.by_path.get(url, 0), theirs.by_path.get(url, 0))
    row("requests", ours.requests, theirs.requests)
    row("wall time (process), s", ours.seconds, theirs.seconds, ".1f")
    row("records/s (process)", ours.total / ours.seconds, theirs.total / theirs.seconds, ".0f")
    row("first to last request, s", ours.span, theirs.span, ".1f")
    row("records/s (requests)", ours.total / ours.span, theirs.total / theirs.span, ".0f")
    row("records a request", ours.total / ours.requests, theirs.total / theirs.requests, ".1f")
    row("next run: requests", ours_again.requests, theirs_again.requests)
    row("next run: records", ours_again.total, theirs_again.total)


def row(label: str, ours: float, theirs: float, spec: str = ",.0f") -> None:
    ratio = f"{theirs / ours:.2f}x" if ours else "-"
    print(f"  {label:26} {ours:>16{spec}} {theirs:>16{spec}} {ratio:>15}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--scale", type=int, default=5)
    parser.add_argument("--latency-ms", type=int, default=50)
    args = parser.parse_args()
    compare(args.scale, args.latency_ms)


if __name__ == "__main__":
    main()
