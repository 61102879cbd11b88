"""`privacy-bridge demo --serve`: the sandbox with the HTTP service over it, and the three commands
it prints (the README's recipe) done here in Python: a request created over HTTP, its webhook
received and verified, its package fetched once (the second fetch answers 410)."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import httpx
from typer.testing import CliRunner

from bridge.cli.main import app
from bridge.core.config import HOME_SETTING
from bridge.service.webhooks import HEADER, Verifier


def _printed(process: subprocess.Popen[str], lines: list[str], timeout: float) -> str:
    """The demo's stdout up to the end of its recipe (the second fetch's line)."""
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            raise AssertionError(f"the demo ended early: {process.wait()}")
        lines.append(line)
        if "second fetch:" in line:
            return "".join(lines)
    raise AssertionError("no recipe within the timeout:\n" + "".join(lines))


def _receiver(port: int, events: queue.Queue[tuple[str | None, bytes]]) -> HTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            events.put((self.headers.get(HEADER), body))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_demo_serve_recipe(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.delenv(HOME_SETTING, raising=False)
    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if k != HOME_SETTING}
    process = subprocess.Popen(
        [sys.executable, "-m", "bridge", "demo", "--serve", "--out", str(out)],
        cwd=tmp_path,
        env={**env, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    try:
        text = _printed(process, lines, timeout=60)
        found = re.search(r"serving on (http://127\.0\.0\.1:\d+)", text)
        token = re.search(r"TOKEN=(pbt_\S+);", text)
        secret = re.search(r"PRIVACY_BRIDGE_WEBHOOK_SECRET=(whsec_\S+) ", text)
        port = re.search(r"bridge\.service\.receiver --port (\d+)", text)
        assert found and token and secret and port, text
        base = found[1]
        assert (out / "serve.env").is_file()
        assert (out / "serve.home").stat().st_mode & 0o777 == 0o700
        assert "serve.env" in text

        # 1. the receiver, on the callback's port
        events: queue.Queue[tuple[str | None, bytes]] = queue.Queue()
        receiver = _receiver(int(port[1]), events)
        verify = Verifier(secret[1])
        try:
            # 2. a request over HTTP
            auth = {"Authorization": f"Bearer {token[1]}"}
            email = re.search(r'"email":"([^"]+)"', text)
            assert email
            created = httpx.post(
                f"{base}/v1/requests",
                headers=auth,
                json={"type": "access", "email": email[1], "reference": "demo-1"},
            )
            assert created.status_code == 201, created.text
            request_id = created.json()["id"]
            assert created.json()["due"]
            deadline = time.monotonic() + 10
            seen: dict[str, Any] | None = None
            while seen is None:
                signed, body = events.get(timeout=max(0.1, deadline - time.monotonic()))
                event = verify(signed, body)  # raises on a bad signature
                if event["data"]["request_id"] == request_id:
                    seen = event
            assert seen["data"]["reference"] == "demo-1"

            # 3. verified by hand, exported, fetched once
            env_file = str(out / "serve.env")
            runner = CliRunner()
            done = runner.invoke(
                app,
                [
                    "requests",
                    "verify",
                    request_id,
                    "--manual",
                    "--note",
                    "demo: checked by phone",
                    "--env-file",
                    env_file,
                ],
            )
            assert done.exit_code == 0, done.output
            done = runner.invoke(
                app,
                [
                    "export",
                    "--request",
                    request_id,
                    "--out",
                    str(out / "packages"),
                    "--env-file",
                    env_file,
                ],
            )
            assert done.exit_code == 0, done.output
            link = httpx.get(f"{base}/v1/requests/{request_id}/package", headers=auth)
            assert link.status_code == 200, link.text
            url = base + link.json()["url"]
            first = httpx.get(url)
            assert first.status_code == 200
            assert first.content[:2] == b"PK"  # a zip
            assert httpx.get(url).status_code == 410
        finally:
            receiver.shutdown()
            receiver.server_close()
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(timeout=20)
        finally:
            if process.poll() is None:
                process.kill()
        _, stderr = process.communicate()
    assert code == 0, stderr
    assert "stopped" in stderr
