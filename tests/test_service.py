"""The HTTP service (`privacy-bridge serve`): tokens, bounds, the rate limit, requests created and
read back without personal data, the one-time download, the audit, the OpenAPI document (checked
in, and driven by schemathesis), and the `clients`/`serve` commands. No sandbox, no sleeps: the
clock is injected."""

from __future__ import annotations

import atexit
import json
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import schemathesis
import typer
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from typer.testing import CliRunner, Result

from bridge.cli.serve import clients_app, serve
from bridge.core.config import Config
from bridge.register.requests import Register
from bridge.register.types import OPERATOR_CHANNELS
from bridge.service import clients
from bridge.service.app import Service, create_app, openapi_text
from bridge.service.limits import Limits, RateLimiter
from bridge.service.models import ApiChannel

ADDRESS = "jan.jansen@example.nl"
OPENAPI = Path(__file__).resolve().parents[1] / "docs" / "openapi.json"
runner = CliRunner()


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Served:
    api: FastAPI
    http: TestClient
    clock: Clock
    token: str
    config: Config

    @property
    def service(self) -> Service:
        service: Service = self.api.state.service
        return service

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def register(self) -> Register:
        return self.service.register("anna")

    def new(self, **body: object) -> dict[str, object]:
        answer = self.http.post(
            "/v1/requests",
            json={"type": "access", "email": ADDRESS, "reference": "wp-42", **body},
            headers=self.auth,
        )
        assert answer.status_code == 201, answer.text
        data: dict[str, object] = answer.json()
        return data


def settings_for(tmp_path: Path) -> Config:
    return Config({"PRIVACY_BRIDGE_HOME": str(tmp_path / "state")})


@pytest.fixture()
def served(tmp_path: Path) -> Iterator[Served]:
    config = settings_for(tmp_path)
    clock = Clock()
    api = create_app(config, clock=clock, limits=Limits(per_minute=1000))
    made = clients.add(api.state.service.store, "webshop", None, now=clock())
    with TestClient(api) as http:
        yield Served(api, http, clock, made.token, config)
    api.state.service.app.close()


def test_no_token_a_wrong_one_and_a_revoked_one_are_401(served: Served) -> None:
    body = {"type": "access", "email": ADDRESS}
    for headers in (
        {},
        {"Authorization": "Bearer pbt_not-a-token"},
        {"Authorization": "Basic d2Vic2hvcDp4"},
        {"Authorization": served.token},  # no scheme
    ):
        answer = served.http.post("/v1/requests", json=body, headers=headers)
        assert answer.status_code == 401, headers
        assert answer.headers["WWW-Authenticate"] == "Bearer"
        assert ADDRESS not in answer.text
    assert served.http.post("/v1/requests", json=body, headers=served.auth).status_code == 201
    clients.revoke(served.service.store, "webshop", now=served.clock())
    assert served.http.post("/v1/requests", json=body, headers=served.auth).status_code == 401


def test_an_oversized_body_is_413_and_oversized_headers_431(served: Served) -> None:
    big = {"type": "access", "email": ADDRESS, "reference": "x" * 20_000}
    answer = served.http.post("/v1/requests", json=big, headers=served.auth)
    assert answer.status_code == 413 and answer.json() == {"detail": "the body exceeds 16384 bytes"}

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"type": "access", "email": "'
        for _ in range(20):
            yield b"a" * 1000
        yield b'"}'

    headers = {**served.auth, "Content-Type": "application/json"}
    answer = served.http.post("/v1/requests", content=chunks(), headers=headers)
    assert answer.status_code == 413
    answer = served.http.get("/v1/requests/req-1", headers={**served.auth, "X-Big": "y" * 9000})
    assert answer.status_code == 431
    assert served.register().list() == []


def test_the_rate_limit_is_per_client_with_retry_after(served: Served) -> None:
    served.service.limits = Limits(per_minute=5)
    served.service.limiter = RateLimiter(5)
    other = clients.add(served.service.store, "lightspeed", None, now=served.clock())
    for _ in range(5):
        assert served.http.get("/v1/requests/req-x", headers=served.auth).status_code == 404
    answer = served.http.get("/v1/requests/req-x", headers=served.auth)
    assert answer.status_code == 429 and answer.headers["Retry-After"] == "12"  # 5 a minute
    # Another client has its own bucket.
    assert (
        served.http.get(
            "/v1/requests/req-x", headers={"Authorization": f"Bearer {other.token}"}
        ).status_code
        == 404
    )
    served.clock.advance(seconds=12)
    assert served.http.get("/v1/requests/req-x", headers=served.auth).status_code == 404


def test_the_token_bucket_refills_continuously() -> None:
    bucket = RateLimiter(60)
    assert all(bucket.take("a", 0.0) == 0 for _ in range(60))
    assert bucket.take("a", 0.0) == pytest.approx(1.0)
    assert bucket.take("a", 0.5) == pytest.approx(0.5)
    assert bucket.take("a", 1.0) == 0


def test_a_request_created_and_read_back_holds_no_personal_data(served: Served) -> None:
    made = served.new(received=(served.clock().date() - timedelta(days=3)).isoformat())
    assert made["type"] == "access" and made["status"] == "identity_unverified"
    assert str(made["due"]) > str(made["received"]) and made["reference"] == "wp-42"
    request_id = str(made["id"])
    answer = served.http.get(f"/v1/requests/{request_id}", headers=served.auth)
    assert answer.status_code == 200
    state = answer.json()
    assert state["id"] == request_id and state["due"] == made["due"] and state["open"] is True
    assert state["systems"] == {} and state["open_steps"] == {} and state["package"] is None
    assert state["reference"] == "wp-42"
    for text in (answer.text, json.dumps(made)):
        assert ADDRESS not in text and "jansen" not in text
    # The register has it, as `requests new` would have made it.
    assert served.register().address(request_id) == ADDRESS
    # Another client cannot see it, nor tell that it exists.
    other = clients.add(served.service.store, "other", None, now=served.clock())
    hidden = served.http.get(
        f"/v1/requests/{request_id}", headers={"Authorization": f"Bearer {other.token}"}
    )
    assert hidden.status_code == 404 and request_id not in hidden.text


def test_a_second_request_is_flagged_as_a_duplicate(served: Served) -> None:
    served.new()
    again = served.new(reference="wp-43")
    assert again["duplicate"] is True


def test_a_malformed_address_is_422_in_one_line_without_echoing_it(served: Served) -> None:
    for bad in ("jan@@example.nl", "jan jansen@example.nl", "jan@example.invalid", "é@x.nl"):
        answer = served.http.post(
            "/v1/requests", json={"type": "access", "email": bad}, headers=served.auth
        )
        assert answer.status_code == 422, bad
        detail = answer.json()["detail"]
        assert "\n" not in detail and bad not in answer.text and "jan" not in answer.text
    for body in (
        {"type": "access"},
        {"type": "nonsense", "email": ADDRESS},
        {"type": "access", "email": ADDRESS, "channel": "retention"},
        {"type": "access", "email": ADDRESS, "reference": ADDRESS},  # an id, not an address
        {"type": "access", "email": ADDRESS, "extra": 1},
        {"type": "access", "email": ADDRESS, "received": "2999-01-01"},
    ):
        answer = served.http.post("/v1/requests", json=body, headers=served.auth)
        assert answer.status_code == 422, body
        assert ADDRESS not in answer.text and "\n" not in answer.json()["detail"]
    answer = served.http.post(
        "/v1/requests", content=b"{", headers={**served.auth, "Content-Type": "application/json"}
    )
    assert answer.json() == {"detail": "the body is not valid JSON"}
    assert served.register().list() == []


def exported(served: Served, request_id: str, tmp_path: Path, *, complete: bool = True) -> Path:
    """The request verified, in progress, with a package recorded (as `export --request`)."""
    register = served.register()
    register.mark_verified(request_id, "manual", "passport seen")
    register.start_work(request_id, "export")
    package = tmp_path / "package.zip"
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("index.html", "<h1>your data</h1>")
    register.record_package(request_id, package, complete=complete, days=30)
    return package


def test_the_download_link_works_once_and_expires(served: Served, tmp_path: Path) -> None:
    request_id = str(served.new()["id"])
    path = f"/v1/requests/{request_id}/package"
    assert served.http.get(path, headers=served.auth).status_code == 409  # nothing exported yet
    package = exported(served, request_id, tmp_path)
    state = served.http.get(f"/v1/requests/{request_id}", headers=served.auth).json()
    assert state["status"] == "in_progress" and state["package"]["available"] is True

    link = served.http.get(path, headers=served.auth).json()
    assert link["url"].startswith("/v1/downloads/dl_") and link["complete"] is True
    assert datetime.fromisoformat(link["expires_at"]) == served.clock() + timedelta(minutes=15)
    first = served.http.get(link["url"])  # no bearer token: the link is the credential
    assert first.status_code == 200 and first.content == package.read_bytes()
    assert first.headers["content-type"] == "application/zip"
    again = served.http.get(link["url"])
    assert again.status_code == 410 and "used" in again.json()["detail"]

    late = served.http.get(path, headers=served.auth).json()
    served.clock.advance(minutes=15, seconds=1)
    expired = served.http.get(late["url"])
    assert expired.status_code == 410 and "expired" in expired.json()["detail"]
    assert served.http.get("/v1/downloads/dl_guessed").status_code == 404

    # Audit: each call, with the request id, never the token or the address.
    events = served.register().events(request_id)
    actions = [e["action"] for e in events]
    assert actions.count("package_link") == 2 and actions.count("package_downloaded") == 1
    calls = [e["detail"] for e in events if e["action"] == "api_call"]
    assert {"route": "/v1/downloads/{token}", "http_status": 410} in [
        {k: c[k] for k in ("route", "http_status")} for c in calls
    ]
    trail = json.dumps(served.register().audit_log())
    assert link["url"] not in trail and link["url"].rsplit("/", 1)[1] not in trail
    assert ADDRESS not in trail and served.token not in trail


def test_an_incomplete_package_is_not_handed_out(served: Served, tmp_path: Path) -> None:
    request_id = str(served.new()["id"])
    exported(served, request_id, tmp_path, complete=False)
    answer = served.http.get(f"/v1/requests/{request_id}/package", headers=served.auth)
    assert answer.status_code == 409 and "incomplete" in answer.json()["detail"]


def test_every_call_is_an_audit_event_naming_the_client(served: Served) -> None:
    request_id = str(served.new()["id"])
    served.http.get(f"/v1/requests/{request_id}", headers=served.auth)
    served.http.get("/v1/requests/req-nope", headers=served.auth)
    served.http.get("/v1/requests/req-nope")
    served.http.get("/healthz")
    calls = [e for e in served.register().events() if e["action"] == "api_call"]
    assert [(c["actor"], c["detail"]["route"], c["detail"]["http_status"]) for c in calls] == [
        ("api:webshop", "/v1/requests", 201),
        ("api:webshop", "/v1/requests/{request_id}", 200),
        ("api:webshop", "/v1/requests/{request_id}", 404),
        ("api:anonymous", "/v1/requests/{request_id}", 401),
    ]
    assert [c["request_id"] for c in calls] == [request_id, request_id, None, None]
    received = next(e for e in served.register().events() if e["action"] == "received")
    assert received["actor"] == "api:webshop"


def test_healthz_needs_no_token(served: Served) -> None:
    answer = served.http.get("/healthz")
    assert answer.status_code == 200 and answer.json()["status"] == "ok"


def test_the_channels_are_those_of_requests_new() -> None:
    assert [c.value for c in ApiChannel] == [c.value for c in OPERATOR_CHANNELS]


def test_the_checked_in_openapi_document_is_the_served_one(served: Served) -> None:
    served_text = served.http.get("/openapi.json").text
    assert json.loads(served_text) == json.loads(openapi_text(served.api))
    assert OPENAPI.read_text(encoding="utf-8") == openapi_text(served.api), (
        "docs/openapi.json is out of date: privacy-bridge serve --write-openapi docs/openapi.json"
    )
    paths = json.loads(served_text)["paths"]
    assert set(paths) == {
        "/healthz",
        "/v1/requests",
        "/v1/requests/{request_id}",
        "/v1/requests/{request_id}/package",
        "/v1/downloads/{token}",
        "/v1/requests/verified",
        "/v1/requests/{request_id}/export",
        "/v1/requests/{request_id}/erase",
        "/v1/hooks/lightspeed",
    }


# --- schemathesis: every operation from the document, checked against it --------------------


def _fuzzed() -> FastAPI:
    """A service over a state directory of its own, removed when the tests end (schemathesis
    reads the document when the module is collected, before any fixture)."""
    home = Path(tempfile.mkdtemp(prefix="privacy-bridge-fuzz-"))
    atexit.register(shutil.rmtree, home, ignore_errors=True)
    api = create_app(settings_for(home), limits=Limits(per_minute=100_000))
    api.state.fuzz_token = clients.add(
        api.state.service.store, "fuzz", None, now=datetime.now(UTC)
    ).token
    return api


FUZZED = _fuzzed()
schema = schemathesis.openapi.from_asgi("/openapi.json", FUZZED)


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_service_answers_as_its_openapi_document_says(case: schemathesis.Case) -> None:
    token = FUZZED.state.fuzz_token
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )


# --- the commands --------------------------------------------------------------------------------


def cli(app: typer.Typer, tmp_path: Path, *args: str) -> Result:
    env = tmp_path / "test.env"
    env.write_text(f"PRIVACY_BRIDGE_HOME={tmp_path / 'state'}\nPRIVACY_BRIDGE_OPERATOR=anna\n")
    return runner.invoke(app, [*args, "--env-file", str(env)])


def test_clients_add_list_and_revoke(tmp_path: Path) -> None:
    added = cli(clients_app, tmp_path, "add", "webshop", "--callback", "https://shop.example.nl/h")
    assert added.exit_code == 0, added.output
    text = added.stdout
    token = next(w for w in text.split() if w.startswith("pbt_"))
    secret = next(w for w in text.split() if w.startswith("whsec_"))
    state = (tmp_path / "state" / "privacy-bridge.sqlite3").read_bytes()
    assert token.encode() not in state and secret.encode() not in state  # hashed, encrypted
    listed = cli(clients_app, tmp_path, "list", "--json")
    rows = json.loads(listed.stdout)
    assert rows == [
        {
            "name": "webshop",
            "callback": "https://shop.example.nl/h",
            "created_at": rows[0]["created_at"],
            "revoked_at": None,
            "active": True,
        }
    ]
    assert token not in listed.stdout
    again = cli(clients_app, tmp_path, "add", "webshop")
    assert again.exit_code == 2 and "exists" in again.output
    for bad in (("add", "Web Shop"), ("add", "x", "--callback", "ftp://x"), ("revoke", "nobody")):
        refused = cli(clients_app, tmp_path, *bad)
        assert refused.exit_code == 2, bad
        assert len(refused.output.strip().splitlines()) == 1
    assert cli(clients_app, tmp_path, "revoke", "webshop").exit_code == 0
    rows = json.loads(cli(clients_app, tmp_path, "list", "--json").stdout)
    assert rows[0]["active"] is False


def test_serve_help_and_write_openapi(tmp_path: Path) -> None:
    command = typer.Typer()
    command.command()(serve)
    helped = runner.invoke(command, ["--help"])
    assert helped.exit_code == 0 and "Example: privacy-bridge serve" in helped.stdout
    target = tmp_path / "openapi.json"
    written = cli(command, tmp_path, "--write-openapi", str(target))
    assert written.exit_code == 0, written.output
    assert target.read_text(encoding="utf-8") == OPENAPI.read_text(encoding="utf-8")
