"""The HTTP layer: retries that honour Retry-After, refusals of non-JSON, redaction."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest
from werkzeug.wrappers import Request, Response

from bridge.errors import AuthFailure, NotFound, SystemFailure
from bridge.http import HttpClient, RateBudget, Window
from sandbox.faults import Fault, Faults, html_error, rate_limited
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
    started = time.monotonic()
    assert http.json("GET", "/things") == {"ok": True, "items": [1, 2, 3]}
    assert time.monotonic() - started >= 0.9
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
    faults.add(html_error(status=200))
    with pytest.raises(SystemFailure, match="answered HTML instead of JSON"):
        client(url).json("GET", "/things")


def test_truncated_json_is_reported_as_such(server: tuple[str, Faults]) -> None:
    url, faults = server
    faults.add(Fault(truncate=True))
    with pytest.raises(SystemFailure, match="malformed or truncated JSON"):
        client(url).json("GET", "/things")


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
