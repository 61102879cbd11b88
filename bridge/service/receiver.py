"""A reference webhook receiver: verifies each POST as the README documents and prints the
event, one JSON line each. For trying the service out and as a model for a shop's own endpoint.

    PRIVACY_BRIDGE_WEBHOOK_SECRET=whsec_… python -m bridge.service.receiver --port 9000 --count 1

It answers 200 to a verified event, 200 again (without printing) to an event id it has already
processed (a retry whose answer was lost), and 400 to anything else: a bad or missing signature,
a timestamp more than 5 minutes off.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

from bridge.service.limits import BODY_BYTES
from bridge.service.webhooks import HEADER, InvalidSignature, Verifier

SECRET_SETTING = "PRIVACY_BRIDGE_WEBHOOK_SECRET"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--count", type=int, default=0, help="Stop after this many events.")
    args = parser.parse_args(argv)
    secret = os.environ.get(SECRET_SETTING, "").strip()
    if not secret:  # not an option: a secret on the command line shows in `ps`
        print(f"error: set {SECRET_SETTING} to the client's webhook secret", file=sys.stderr)
        return 2
    verifier = Verifier(secret)
    received = 0

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            nonlocal received
            length = int(self.headers.get("Content-Length") or 0)
            if length > BODY_BYTES:
                self._answer(413)
                return
            body = self.rfile.read(length)
            try:
                event = verifier(self.headers.get(HEADER), body)
            except InvalidSignature as exc:
                print(f"refused: {exc}", file=sys.stderr)
                self._answer(400)
                return
            except ValueError:  # already processed: tell the sender to stop retrying
                self._answer(200)
                return
            print(json.dumps(event), flush=True)
            received += 1
            self._answer(200)

        def _answer(self, status: int) -> None:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    with HTTPServer((args.host, args.port), Handler) as server:
        while not args.count or received < args.count:
            server.handle_request()
    return 0


if __name__ == "__main__":
    sys.exit(main())
