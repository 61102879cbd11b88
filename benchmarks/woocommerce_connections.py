"""Does the official WooCommerce client's new-connection-per-call matter?

The client calls `requests.request()`, which opens (and closes) a connection for every call; the
connector signs with the package's public OAuth class and sends through one pooled session.
This script makes the same N signed calls both ways against the sandbox fake and prints wall time,
connections opened, and the ratio. Run: `.venv/bin/python benchmarks/woocommerce_connections.py`
"""

from __future__ import annotations

import argparse
import logging
import time

from woocommerce import API

from connectors.woocommerce.connector import WooCommerceConnector
from sandbox.server import start


class _CountConnections(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.opened = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "Starting new" in record.getMessage():
            self.opened += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    counter = _CountConnections()
    pool_logger = logging.getLogger("urllib3.connectionpool")
    pool_logger.setLevel(logging.DEBUG)
    pool_logger.addHandler(counter)
    with start("woocommerce") as sandbox:
        env = sandbox.env
        url, key, secret = (
            env["WOOCOMMERCE_URL"],
            env["WOOCOMMERCE_CONSUMER_KEY"],
            env["WOOCOMMERCE_CONSUMER_SECRET"],
        )
        plain = API(url=url, consumer_key=key, consumer_secret=secret, version="wc/v3")
        pooled = WooCommerceConnector(url, key, secret).api
        results = {}
        for name, client in (
            ("official client, connection per call", plain),
            ("pooled session", pooled),
        ):
            counter.opened = 0
            started = time.perf_counter()
            for _ in range(args.calls):
                response = client.get("customers", params={"per_page": 1, "role": "all"})
                assert response.status_code == 200, response.status_code
            results[name] = (time.perf_counter() - started, counter.opened)
    for name, (seconds, opened) in results.items():
        print(
            f"{name:40s} {args.calls} calls  {seconds * 1000 / args.calls:6.2f} ms/call  {opened:4d} connections"
        )
    (base_s, _), (pooled_s, _) = results.values()
    print(f"ratio (connection per call / pooled): {base_s / pooled_s:.2f}x")


if __name__ == "__main__":
    main()
