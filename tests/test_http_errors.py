"""One reader of error bodies (bridge.core.http_errors): each system declares where its body
names the error; the line is short, one line, and carries no personal data or credential."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from bridge.core.http_errors import COMMON, MAX_CHARS, ErrorShape, error_message


def answer(status: int, body: Any) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body if isinstance(body, bytes) else json.dumps(body).encode()
    response.headers["Content-Type"] = "application/json"
    return response


# The shapes as the connectors declare them, with bodies as their vendors document them
# (../shared/reference/vendor-apis.md).
PROBLEM = ErrorShape(message=("detail", "title"), details=("field",))
NAMED = ErrorShape(
    code=("name", "error"), message=("message", "error_description"), details=("details.issue",)
)
LISTED = ErrorShape(code=("errors.code",), message=("errors.message", "message"))
CODED = ErrorShape(code=("code",), message=("message",))
FLAT = ErrorShape(message=("error",))


@pytest.mark.parametrize(
    ("shape", "status", "body", "line"),
    [
        (
            PROBLEM,
            422,
            {"status": 422, "title": "Unprocessable Entity", "detail": "The amount is too low",
             "field": "amount", "_links": {"documentation": {"href": "https://docs.example"}}},
            "HTTP 422: The amount is too low (amount)",
        ),
        (PROBLEM, 404, {"status": 404, "title": "Not Found"}, "HTTP 404: Not Found"),
        (
            NAMED,
            400,
            {"name": "INVALID_REQUEST", "message": "Request is not well-formed.",
             "debug_id": "b1d1f06c7246c",
             "details": [{"field": "start_date", "value": "yesterday",
                          "issue": "INVALID_PARAMETER_SYNTAX"},
                         {"field": "end_date", "issue": "INVALID_PARAMETER_SYNTAX"}]},
            "HTTP 400 INVALID_REQUEST: Request is not well-formed. (INVALID_PARAMETER_SYNTAX)",
        ),
        (
            NAMED,
            401,
            {"error": "invalid_client", "error_description": "Client Authentication failed"},
            "HTTP 401 invalid_client: Client Authentication failed",
        ),
        (
            LISTED,
            400,
            {"message": "size out of range", "request_id": "abc", "status_code": 400,
             "errors": [{"status": 400, "code": 3201, "title": "size", "message": "size out of range"}]},
            "HTTP 400 3201: size out of range",
        ),
        (
            CODED,
            404,
            {"code": "woocommerce_rest_invalid_id", "message": "Invalid ID.",
             "data": {"status": 404}},
            "HTTP 404 woocommerce_rest_invalid_id: Invalid ID.",
        ),
        (FLAT, 401, {"success": False, "error": "401 Unauthorized"}, "HTTP 401: 401 Unauthorized"),
        (FLAT, 200, {"error": False, "access_token": "x"}, "HTTP 200"),  # `false` says nothing
        (
            COMMON,
            400,
            {"error": {"code": 400, "method": "READ", "message": "Invalid data input."}},
            "HTTP 400: Invalid data input.",
        ),
        (COMMON, 400, {"message": "Bad filter"}, "HTTP 400: Bad filter"),
    ],
)  # fmt: skip
def test_each_vendor_shape_gives_one_line(
    shape: ErrorShape, status: int, body: Any, line: str
) -> None:
    assert error_message(answer(status, body), shape) == line


@pytest.mark.parametrize(
    "body",
    [b"<html><body>Bad Gateway</body></html>", b"", b'{"truncated": ', b"[1, 2]", b'"text"'],
)
def test_a_body_that_says_nothing_readable_gives_the_status_only(body: bytes) -> None:
    assert error_message(answer(502, body), NAMED) == "HTTP 502"


def test_objects_are_never_read_as_text() -> None:
    body = {"name": {"nested": "x"}, "message": ["first", {"deep": "y"}, 7]}
    assert error_message(answer(400, body), NAMED) == "HTTP 400: first; 7"


def test_the_first_path_that_says_something_wins() -> None:
    body = {"detail": "", "title": "Too Many Requests"}
    assert error_message(answer(429, body), PROBLEM) == "HTTP 429: Too Many Requests"


def test_personal_data_and_credentials_echoed_by_a_vendor_are_redacted() -> None:
    body = {
        "name": "INVALID_REQUEST",
        "message": "No customer jan.jansen@example.nl with IBAN NL91 ABNA 0417 1643 00, phone "
        "+31 6 12345678; see https://api.example/x?client_secret=s3cr3tvalue&page=2",
    }
    line = error_message(answer(400, body), NAMED)
    for leaked in ("jan.jansen", "NL91", "12345678", "s3cr3tvalue"):
        assert leaked not in line, line
    assert "<e-mail>" in line and "<iban>" in line and "<phone>" in line


def test_the_line_is_one_line_and_short() -> None:
    body = {"message": "line one\nline two\t" + "x" * 1000}
    line = error_message(answer(500, body), COMMON)
    assert "\n" not in line and "\t" not in line
    assert line.startswith("HTTP 500: line one line two x")
    assert len(line) <= MAX_CHARS and line.endswith("…")


def test_an_address_is_redacted_before_the_line_is_cut() -> None:
    body = {"message": "x" * (MAX_CHARS - 30) + " jan.jansen@example.nl is unknown"}
    line = error_message(answer(400, body), COMMON)
    assert "jan.jansen" not in line and len(line) <= MAX_CHARS
