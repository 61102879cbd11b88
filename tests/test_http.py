"""The HTTP layer: retries that honour Retry-After, refusals of non-JSON, redaction, the size
limit and the deadline, and writes that are read back instead of repeated."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from werkzeug.wrappers import Request, Response

from bridge.core import http_limits
from bridge.core.errors import AuthFailure, InputError, NotFound, SystemFailure
from bridge.core.http import HttpClient
from bridge.core.http_body import CHUNK
from bridge.core.http_limits import configure
from bridge.core.http_retry import WriteUncertain
from bridge.core.policy import Action, Policy, load_policy
from bridge.core.rate_budget import RateBudget, Window
from bridge.core.steps import Step
from bridge.erasure.verify import check
from bridge.erasure.writes import apply_settled
from sandbox.faults import NO_WAIT, Fault, Faults, html_error, rate_limited
from sandbox.server import serve

SECRET = "cs_supersecretvalue123"


@Request.application
def echo(request: Request) -> Response:
    if request.path == "/missing":
        return Response('{"message": "Not here"}', 404, content_type="application/json")
    if request.path == "/denied":
        return Response('{"message": "Bad key"}', 401, content_type="application/json")
    return Response('{"ok": true, "items": [1, 2, 3]}', content_type="application/json")


@pytest.fixture()
def server() -> Iterator[tuple[str, Faults]]:
    faults = Faults(echo)
    srv, _thread = serve(faults)
    yield f"http://127.0.0.1:{srv.server_port}", faults
    srv.shutdown()


def client(url: str, **kwargs: object) -> HttpClient:
    return HttpClient("shop", url, secrets=(SECRET,), backoff=0.01, **kwargs)  # type: ignore[arg-type]


def test_429_waits_as_long_as_retry_after_says(server: tuple[str, Faults]) -> None:
    url, faults = server
    faults.add(rate_limited(retry_after=1, times=1))
    http = client(url)
    waited: list[float] = []
    http.sleep = waited.append
    assert http.json("GET", "/things") == {"ok": True, "items": [1, 2, 3]}
    assert waited == [1.0]  # the server's Retry-After, not our own 0.01 s backoff
    assert http.requests_made == 2


def test_500_then_success_is_retried(server: tuple[str, Faults]) -> None:
    url, faults = server
    faults.add(Fault(status=500, times=2))
    assert client(url).json("GET", "/things")["ok"] is True
    assert len(faults.requests) == 3


def test_a_storm_of_429s_ends_in_one_clear_failure(server: tuple[str, Faults]) -> None:
    url, faults = server
    faults.add(rate_limited(retry_after=0, times=100))
    with pytest.raises(SystemFailure, match="HTTP 429 after 3 attempts"):
        client(url, attempts=3).json("GET", "/things")
    assert len(faults.requests) == 3


def test_html_error_page_is_refused_not_parsed(server: tuple[str, Faults]) -> None:
    url, faults = server
    faults.add(html_error(status=200, times=100))
    with pytest.raises(
        SystemFailure, match=r"^shop: answered HTML instead of JSON \(HTTP 200\) after 3 attempts$"
    ):
        client(url, attempts=3).json("GET", "/things")
    assert len(faults.requests) == 3


def test_truncated_json_is_reported_as_such(server: tuple[str, Faults]) -> None:
    url, faults = server
    faults.add(Fault(truncate=True, times=100))
    with pytest.raises(SystemFailure, match=r"malformed or truncated JSON \(HTTP 200, 16 bytes\)"):
        client(url, attempts=3).json("GET", "/things")
    assert len(faults.requests) == 3


def test_a_truncated_read_then_a_good_one_is_one_successful_call(
    server: tuple[str, Faults],
) -> None:
    url, faults = server
    faults.add(Fault(truncate=True))
    faults.add(html_error(status=200))
    http = client(url)
    assert http.json("GET", "/things") == {"ok": True, "items": [1, 2, 3]}
    assert len(faults.requests) == 3
    # the same through `request` then `parse`, as the WooCommerce and PayPal connectors call it
    faults.add(Fault(truncate=True))
    assert http.parse(http.request("GET", "/things"))["ok"] is True


def test_a_search_posted_is_a_read_when_the_caller_says_so(server: tuple[str, Faults]) -> None:
    url, faults = server
    faults.add(Fault(truncate=True, method="POST"))
    assert client(url).json("POST", "/search", json_body={"q": "x"}, read=True)["ok"] is True
    assert len(faults.requests) == 2


def test_auth_and_not_found_are_told_apart(server: tuple[str, Faults]) -> None:
    url, _ = server
    with pytest.raises(AuthFailure, match="credentials refused"):
        client(url).json("GET", "/denied")
    with pytest.raises(NotFound):
        client(url).json("GET", "/missing")
    assert client(url).request("GET", "/missing", allow=(404,)).status_code == 404


def test_unreachable_host_is_one_line_without_secrets() -> None:
    http = client("http://127.0.0.1:9", attempts=2)
    with pytest.raises(SystemFailure) as caught:
        http.json("GET", f"/x?consumer_secret={SECRET}&email=jan@example.nl")
    message = str(caught.value)
    assert "unreachable" in message and "\n" not in message
    assert SECRET not in message and "jan@example.nl" not in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_debug_log_has_no_secret_or_email(
    server: tuple[str, Faults], caplog: pytest.LogCaptureFixture
) -> None:
    url, faults = server
    faults.add(Fault(status=503, times=1))
    with caplog.at_level(logging.DEBUG):
        client(url).json(
            "GET", "/things", params={"consumer_secret": SECRET, "email": "jan@example.nl"}
        )
    text = caplog.text
    assert "/things" in text
    assert SECRET not in text and "jan@example.nl" not in text and "jan%40example.nl" not in text


def test_every_request_says_who_we_are(server: tuple[str, Faults]) -> None:
    url, _ = server
    response = client(url).request("GET", "/things")
    assert response.request.headers["User-Agent"].startswith("privacy-bridge/")


def test_budget_spaces_requests_to_the_stated_window() -> None:
    slept: list[float] = []
    budget = RateBudget([Window(calls=2, seconds=10)], sleep=lambda s: slept.append(s) or None)
    budget.acquire()
    budget.acquire()
    assert slept == []
    budget.windows = (Window(calls=2, seconds=0.05),)  # let the third through quickly
    budget.acquire()
    assert len(slept) >= 1 and 0 < slept[0] <= 0.05


# -- size limit and deadline ---------------------------------------------------------------------

MB = 1024 * 1024


def big_body(declare: bool) -> Any:
    """A WSGI app answering 200 MB of JSON, made as it is sent (never held by the server)."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterator[bytes]:
        headers = [("Content-Type", "application/json")]
        if declare:
            headers.append(("Content-Length", str(200 * MB)))
        start_response("200 OK", headers)
        yield b"["
        for _ in range(200 * MB // 1024):
            yield b"1," * 512

    return app


@pytest.mark.parametrize("declare", [False, True], ids=["streamed", "declared"])
def test_a_body_over_the_size_limit_fails_without_being_read_whole(declare: bool) -> None:
    srv, _ = serve(Faults(big_body(declare)))
    try:
        http = client(f"http://127.0.0.1:{srv.server_port}", max_response_bytes=MB)
        with pytest.raises(SystemFailure, match=r"more than 1 MB, the size limit") as caught:
            http.json("GET", "/export")
        assert "PRIVACY_BRIDGE_MAX_RESPONSE_MB" in str(caught.value)
        assert http.requests_made == 1  # the same answer would come again: not repeated
        # never more than the limit held: what was read is the limit and at most one chunk more
        assert http.bytes_read <= MB + CHUNK
        assert http.bytes_read == 0 if declare else http.bytes_read > MB - CHUNK
    finally:
        srv.shutdown()


TRICKLED: list[int] = []  # the bytes the trickling server sent, per answer


def trickle(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterator[bytes]:
    """Headers at once, then one byte every 0.2 s: no single read ever waits long."""
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", "100")])
    TRICKLED.append(1)
    yield b"["
    for _ in range(98):
        time.sleep(0.2)
        TRICKLED[-1] += 1
        yield b" "
    TRICKLED[-1] += 1
    yield b"]"


def test_a_trickling_server_is_cut_off_at_the_deadline() -> None:
    srv, _ = serve(trickle)
    try:
        http = client(f"http://127.0.0.1:{srv.server_port}", deadline_s=0.5)
        with pytest.raises(SystemFailure, match=r"no complete answer within 0.5 s") as caught:
            http.json("GET", "/slow")
        # cut off before the server had sent its answer (the whole body takes 20 s)
        assert TRICKLED and TRICKLED[-1] < 100
        assert "PRIVACY_BRIDGE_REQUEST_TIMEOUT_S" in str(caught.value)
        assert http.requests_made == 1
        assert not isinstance(caught.value, WriteUncertain)
    finally:
        srv.shutdown()


def test_the_settings_reach_the_clients_built_after(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http_limits, "MAX_RESPONSE_BYTES", http_limits.MAX_RESPONSE_BYTES)
    monkeypatch.setattr(http_limits, "DEADLINE_S", http_limits.DEADLINE_S)
    monkeypatch.setattr(http_limits, "SYSTEM_DEADLINE_S", http_limits.SYSTEM_DEADLINE_S)
    assert (
        HttpClient("x", "http://x").max_response_bytes,
        HttpClient("x", "http://x").deadline_s,
    ) == (
        50 * MB,
        60.0,
    )
    configure({"PRIVACY_BRIDGE_MAX_RESPONSE_MB": "2.5", "PRIVACY_BRIDGE_REQUEST_TIMEOUT_S": "7"})
    http = HttpClient("x", "http://x")
    assert (http.max_response_bytes, http.deadline_s) == (int(2.5 * MB), 7.0)
    with pytest.raises(InputError, match="PRIVACY_BRIDGE_REQUEST_TIMEOUT_S must be a number"):
        configure({"PRIVACY_BRIDGE_REQUEST_TIMEOUT_S": "soon"})
    with pytest.raises(InputError, match="PRIVACY_BRIDGE_MAX_RESPONSE_MB must be above 0"):
        configure({"PRIVACY_BRIDGE_MAX_RESPONSE_MB": "0"})


# -- writes: never repeated blindly ----------------------------------------------------------------


class Records:
    """A tiny store behind a WSGI app: GET and PUT /records/<id>; counts what reaches it."""

    def __init__(self) -> None:
        self.records: dict[str, dict[str, Any]] = {
            "1": {"id": 1, "name": "Jan Jansen", "email": "jan@example.nl", "total": "12.50"}
        }
        self.writes: list[str] = []

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        return self.app(environ, start_response)

    @Request.application
    def app(self, request: Request) -> Response:
        rid = request.path.rsplit("/", 1)[-1]
        if request.method == "PUT":
            self.writes.append(request.path)
            self.records[rid].update(request.get_json())
        if request.method == "DELETE":
            self.writes.append(request.path)
            self.records.pop(rid, None)
        record = self.records.get(rid)
        if record is None:
            return Response('{"message": "gone"}', 404, content_type="application/json")
        return Response(json.dumps(record), content_type="application/json")


class RecordConnector:
    """What an erasure asks of a connector: apply a step, and fetch its record back."""

    def __init__(self, http: HttpClient) -> None:
        self.http = http

    def apply(self, step: Step, policy: Policy) -> str:
        path = f"/records/{step.record_id}"
        if step.action is Action.delete:
            self.http.request("DELETE", path)
            return "deleted"
        self.http.request("PUT", path, json_body=dict.fromkeys(step.fields, ""))
        return "anonymised"

    def fetch(self, step: Step) -> dict[str, Any] | None:
        try:
            return self.http.json("GET", f"/records/{step.record_id}")  # type: ignore[no-any-return]
        except NotFound:
            return None


@pytest.fixture()
def records() -> Iterator[tuple[str, Faults, Records]]:
    store = Records()
    faults = Faults(store)
    srv, _ = serve(faults)
    yield f"http://127.0.0.1:{srv.server_port}", faults, store
    srv.shutdown()


ANONYMISE = Step(
    system="shop",
    record_type="customer",
    record_id="1",
    action=Action.anonymise,
    operation="put",
    fields=["name", "email"],
)
ADDRESS = "jan@example.nl"


def landed(step: Step, current: dict[str, Any] | None) -> bool:
    return not check(step, current, ADDRESS, load_policy(None))


def test_a_put_whose_answer_was_lost_is_not_repeated(
    records: tuple[str, Faults, Records],
) -> None:
    url, faults, store = records
    faults.add(Fault(status=0, delay_s=0.6, method="PUT"))  # lands, answers too late
    http = client(url, timeout=(2.0, 0.2))
    with pytest.raises(WriteUncertain, match="its answer was lost"):
        http.request("PUT", "/records/1", json_body={"name": ""})
    assert store.writes == ["/records/1"] and http.requests_made == 1


def test_a_lost_put_that_landed_is_read_back_and_done(
    records: tuple[str, Faults, Records],
) -> None:
    url, faults, store = records
    faults.add(Fault(status=0, delay_s=0.6, method="PUT"))
    connector = RecordConnector(client(url, timeout=(2.0, 0.2)))
    outcome = apply_settled(connector, ANONYMISE, load_policy(None), landed)
    assert outcome.startswith("anonymised (its answer was lost")
    assert store.writes == ["/records/1"]  # sent once
    assert store.records["1"]["name"] == "" and store.records["1"]["total"] == "12.50"


@pytest.mark.parametrize(
    "fault",
    [Fault(status=502, method="PUT", headers=NO_WAIT), html_error(status=200, method="PUT")],
    ids=["502", "html-200"],
)
def test_a_put_that_did_not_land_is_sent_once_more(
    records: tuple[str, Faults, Records], fault: Fault
) -> None:
    url, faults, store = records
    faults.add(fault)  # answered by the proxy: the shop never saw it
    connector = RecordConnector(client(url))
    outcome = apply_settled(connector, ANONYMISE, load_policy(None), landed)
    assert "sent again" in outcome
    assert store.writes == ["/records/1"]
    assert [m for m, _ in faults.requests] == ["PUT", "GET", "PUT"]


def test_a_lost_delete_is_read_back_not_repeated(records: tuple[str, Faults, Records]) -> None:
    url, faults, store = records
    faults.add(Fault(status=0, delay_s=0.6, method="DELETE"))
    connector = RecordConnector(client(url, timeout=(2.0, 0.2)))
    step = ANONYMISE.model_copy(update={"action": Action.delete, "fields": []})
    assert apply_settled(connector, step, load_policy(None), landed).startswith("deleted (")
    assert store.writes == ["/records/1"] and "1" not in store.records


def test_a_write_refused_with_429_or_never_connected_is_sent_again(
    records: tuple[str, Faults, Records],
) -> None:
    url, faults, store = records
    faults.add(rate_limited(retry_after=0, method="PUT"))
    client(url).request("PUT", "/records/1", json_body={"name": ""})
    assert store.writes == ["/records/1"] and len(faults.requests) == 2
    unreachable = client("http://127.0.0.1:9", attempts=2)
    with pytest.raises(SystemFailure, match="unreachable") as caught:
        unreachable.request("PUT", "/records/1", json_body={})
    assert not isinstance(caught.value, WriteUncertain)
    assert unreachable.requests_made == 2


def test_a_system_past_its_deadline_gets_no_further_request(
    server: tuple[str, Faults], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, faults = server
    monkeypatch.setattr(http_limits, "SYSTEM_DEADLINE_S", 0.05)
    http = client(url)
    now = [0.0]
    http.clock = lambda: now[0]
    with http.collecting():
        assert http.json("GET", "/things")["ok"]
        now[0] = 0.1  # past the deadline
        with pytest.raises(SystemFailure, match="PRIVACY_BRIDGE_SYSTEM_TIMEOUT_S"):
            http.json("GET", "/things")
    assert http.requests_made == 1 and len(faults.requests) == 1
    assert http.json("GET", "/things")["ok"]  # outside a lookup (the sync): no such deadline
