"""Webhooks out: signed as documented, verified by a receiver on loopback that does what the
README tells integrators to do, retried with backoff from the outbox after a 500, replays refused.
The clock is injected; nothing sleeps."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from test_service import ADDRESS, Clock, settings_for
from typer.testing import CliRunner

from bridge.cli.serve import webhooks_app
from bridge.service import clients, outbox
from bridge.service.app import Service, create_app
from bridge.service.limits import Limits
from bridge.service.webhooks import HEADER, InvalidSignature, Verifier, header, verify

runner = CliRunner()


@dataclass
class Receiver:
    """A shop's endpoint: answers the queued statuses (then 200), verifies what it accepts."""

    verifier: Verifier
    clock: Clock
    answers: list[int] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    raw: list[tuple[str, bytes]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def handle(self, signature: str | None, body: bytes) -> int:
        self.raw.append((signature or "", body))
        if self.answers:  # a receiver that fails before looking (down, a bug)
            return self.answers.pop(0)
        try:
            self.events.append(self.verifier(signature, body, now=self.clock().timestamp()))
        except (InvalidSignature, ValueError) as exc:
            self.refused.append(str(exc))
            return 400
        return 200


@pytest.fixture()
def receiver_server() -> Iterator[tuple[ThreadingHTTPServer, list[Receiver]]]:
    holder: list[Receiver] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            status = holder[0].handle(self.headers.get(HEADER), body)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, holder
    server.shutdown()
    server.server_close()


@dataclass
class Setup:
    service: Service
    clock: Clock
    token: str
    receiver: Receiver

    def run(self) -> outbox.Delivered:
        return outbox.run_once(self.service.store, now=self.clock())


@pytest.fixture()
def setup(
    tmp_path: Path, receiver_server: tuple[ThreadingHTTPServer, list[Receiver]]
) -> Iterator[Setup]:
    server, holder = receiver_server
    clock = Clock()
    api = create_app(settings_for(tmp_path), clock=clock, limits=Limits(per_minute=1000))
    service: Service = api.state.service
    url = f"http://127.0.0.1:{server.server_address[1]}/privacy-hook"
    made = clients.add(service.store, "webshop", url, now=clock())
    receiver = Receiver(Verifier(made.secret), clock)
    holder.append(receiver)
    from fastapi.testclient import TestClient

    with TestClient(api) as http:
        answer = http.post(
            "/v1/requests",
            json={"type": "access", "email": ADDRESS, "reference": "wp-7"},
            headers={"Authorization": f"Bearer {made.token}"},
        )
        assert answer.status_code == 201
    yield Setup(service, clock, made.token, receiver)
    service.app.close()


def test_each_change_is_posted_signed_and_verified(setup: Setup) -> None:
    done = setup.run()
    assert (done.queued, done.delivered) == (1, 1)
    [received] = setup.receiver.events
    request_id = received["data"]["request_id"]
    assert received["type"] == "request.received" and received["id"].startswith("evt_")
    assert received["data"] == {
        "request_id": request_id,
        "reference": "wp-7",
        "request_type": "access",
        "status": "identity_unverified",
        "due": received["data"]["due"],
    }
    register = setup.service.register("anna")
    register.mark_verified(request_id, "manual", "called the customer back")
    register.start_work(request_id, "export")
    assert setup.run().delivered == 2
    assert [(e["type"], e["data"]["status"]) for e in setup.receiver.events[1:]] == [
        ("request.verified", "verified"),
        ("request.work_started", "in_progress"),
    ]
    assert setup.run().queued == 0  # nothing new: nothing sent twice
    everything = b"".join(body for _, body in setup.receiver.raw)
    assert ADDRESS.encode() not in everything and b"called" not in everything
    assert setup.receiver.refused == []


def test_a_500_is_retried_with_backoff_until_it_succeeds(setup: Setup) -> None:
    setup.receiver.answers = [500, 503]
    first = setup.run()
    assert (first.delivered, first.retrying) == (0, 1)
    setup.clock.advance(seconds=29)
    assert setup.run().delivered == 0 and len(setup.receiver.raw) == 1  # not due yet
    setup.clock.advance(seconds=1)
    assert setup.run().retrying == 1  # the 503; next in 60 s
    setup.clock.advance(seconds=59)
    assert setup.run().delivered == 0
    setup.clock.advance(seconds=1)
    assert setup.run().delivered == 1
    assert len(setup.receiver.events) == 1 and len(setup.receiver.raw) == 3
    ids = {json.loads(body)["id"] for _, body in setup.receiver.raw}
    assert len(ids) == 1  # every try the same event id, each with its own timestamp
    stamps = [sig.split(",")[0] for sig, _ in setup.receiver.raw]
    assert len(set(stamps)) == 3
    assert outbox.pending(setup.service.store) == {"delivered": 1}


def test_backoff_doubles_up_to_six_hours() -> None:
    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert outbox.backoff(20) == timedelta(hours=6)


def test_a_receiver_that_never_answers_2xx_fails_for_good(setup: Setup) -> None:
    setup.receiver.answers = [500] * outbox.MAX_ATTEMPTS
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        done = setup.run()
        assert (done.retrying, done.failed) == ((1, 0) if attempt < outbox.MAX_ATTEMPTS else (0, 1))
        setup.clock.advance(hours=6)
    assert outbox.pending(setup.service.store) == {"failed": 1}


def test_a_replayed_or_tampered_webhook_is_refused_by_the_documented_verifier(
    setup: Setup,
) -> None:
    setup.run()
    signature, body = setup.receiver.raw[0]
    verifier = setup.receiver.verifier
    now = setup.clock().timestamp()
    with pytest.raises(ValueError, match="already processed"):  # the same event again, at once
        verifier(signature, body, now=now)
    with pytest.raises(InvalidSignature, match="tolerance"):  # captured, replayed later
        verify(verifier.secret, signature, body, now=now + 301)
    verify(verifier.secret, signature, body, now=now + 299)
    with pytest.raises(InvalidSignature, match="does not match"):
        verify(verifier.secret, signature, body.replace(b"wp-7", b"wp-8"), now=now)
    stamp = int(signature.split(",")[0][2:])
    with pytest.raises(InvalidSignature, match="does not match"):  # a new t on the old body
        verify(verifier.secret, f"t={stamp + 60},{signature.split(',')[1]}", body, now=now)
    for bad in (None, "", "v1=abc", "t=12"):
        with pytest.raises(InvalidSignature):
            verify(verifier.secret, bad, body, now=now)
    with pytest.raises(InvalidSignature):
        verify("whsec_other", signature, body, now=now)


def test_the_signature_is_stripes_scheme() -> None:
    # HMAC-SHA256(secret, "t.body"), hex: computed independently with hashlib.
    import hashlib
    import hmac

    body = b'{"id":"evt_1"}'
    expected = hmac.new(b"whsec_x", b"1767225600." + body, hashlib.sha256).hexdigest()
    assert header("whsec_x", 1767225600, body) == f"t=1767225600,v1={expected}"


def test_a_revoked_client_gets_no_more_webhooks(setup: Setup) -> None:
    clients.revoke(setup.service.store, "webshop", now=setup.clock())
    done = setup.run()
    assert (done.queued, done.delivered, done.dropped) == (1, 0, 1)
    assert setup.receiver.raw == []


def test_a_row_being_sent_is_not_sent_again_by_a_second_deliverer(setup: Setup) -> None:
    outbox.scan(setup.service.store, now=setup.clock())
    inner: list[outbox.Delivered] = []

    def send(url: str, body: bytes, secret: str, stamp: int) -> str | None:
        # While this one sends, a cron's `webhooks deliver` runs: the row is leased.
        inner.append(outbox.deliver(setup.service.store, now=setup.clock(), send=send))
        return None

    done = outbox.deliver(setup.service.store, now=setup.clock(), send=send)
    assert done.delivered == 1 and inner[0].delivered == 0


def test_webhooks_deliver_command(setup: Setup, tmp_path: Path) -> None:
    env = tmp_path / "test.env"
    env.write_text(f"PRIVACY_BRIDGE_HOME={tmp_path / 'state'}\n")
    result = runner.invoke(webhooks_app, ["deliver", "--json", "--env-file", str(env)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["queued"] == 1 and summary["delivered"] == 1
    assert summary["outbox"] == {"delivered": 1}
    assert len(setup.receiver.events) == 1


def test_the_background_loop_of_serve_delivers(setup: Setup) -> None:
    stop = threading.Event()
    sent: list[bytes] = []

    def send(url: str, body: bytes, secret: str, stamp: int) -> str | None:
        sent.append(body)
        stop.set()  # one round is enough
        return None

    setup.service.webhook_loop(stop, 0.01, send)
    assert len(sent) == 1


def test_webhooks_status_command(setup: Setup, tmp_path: Path) -> None:
    env = tmp_path / "test.env"
    env.write_text(f"PRIVACY_BRIDGE_HOME={tmp_path / 'state'}\n")
    setup.receiver.answers = [500]
    setup.run()
    result = runner.invoke(webhooks_app, ["status", "--json", "--env-file", str(env)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"pending": 1}


def test_the_reference_receiver_prints_a_verified_event_and_refuses_a_forged_one(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket
    import time

    from bridge.service import receiver
    from bridge.service.webhooks import post

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv(receiver.SECRET_SETTING, "whsec_test")
    thread = threading.Thread(
        target=receiver.main, args=(["--port", str(port), "--count", "1"],), daemon=True
    )
    thread.start()
    url = f"http://127.0.0.1:{port}/hook"
    body = json.dumps({"id": "evt_1", "type": "request.received"}).encode()
    for _ in range(500):  # until it listens
        problem = post(url, body, "whsec_wrong", int(time.time()))
        if problem != "connection failed":
            break
        time.sleep(0.01)
    assert problem == "HTTP 400"
    assert post(url, body, "whsec_test", int(time.time()) - 301) == "HTTP 400"
    assert post(url, body, "whsec_test", int(time.time())) is None
    thread.join(timeout=5)
    assert json.loads(capsys.readouterr().out) == {"id": "evt_1", "type": "request.received"}
