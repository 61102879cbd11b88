"""Fake of the MyParcel API (api.myparcel.nl): finding and deleting shipments.

Written from MyParcel's own reference (shared/specs/myparcel: 01.requests, 02.responses,
05.authentication, 06.shipments, 07.shipment-related-object-definitions, 15.user-exceptions) and,
where that is silent, the models of MyParcel's OpenAPI-generated PHP SDK (myparcelnl/sdk,
`CommonResponsesUserError`, `ShipmentResponsesShipmentsData`).

- Auth: `Authorization: basic BASE64(API_KEY)` or `bearer BASE64(API_KEY)`, scheme in any case; no
  `user:password` form. Missing or wrong key → 401 code 3000 (Access denied); another scheme → 401
  3104 (Invalid authentication method); a value that is not base64 → 401 3103 (Invalid
  authorization header). `GET /` (API status) needs no key, as 02.responses.md shows.
- `GET /shipments`: with `q` the documented search body
  `{"data": {"search_results": {"shipments", "page", "size", "results"}}}` (06.shipments §6.E.4);
  without `q` (no filter, or only `reference_identifier`/`status`/dates) the SDK's
  `{"data": {"shipments": [...], "results": N}}`. `results` counts all matches, not the page.
  Query parameters: see `connectors.myparcel.fake.query`. `Accept` must allow JSON (CSV is not faked): 406 3102.
- `GET /shipments/{id;id}` → `{"data": {"shipments": [...], "results": N}}`; unknown ids are
  left out (200 with fewer or no shipments).
- `DELETE /shipments/{id;id}` → 204; only concept shipments (status 1) can be deleted; any unknown
  or non-concept id → 422 code 3723 (Cannot delete shipment) and nothing is deleted. Deleting a
  multi-collo main deletes its secondaries (§6.H.4).
- Errors: `{"message", "request_id", "status_code", "errors": [{"status", "code", "title",
  "message"}]}`; unknown path 404 (3105 Invalid route); a method not faked here 405.
- Rate limits (01.requests.md §1.D): a sliding window per method and endpoint; every call counts,
  also those answered 429; the 429 body is the error body without a code (none is documented),
  and no Retry-After header (none is documented: "waiting 5 minutes will definitely reset").
"""

from __future__ import annotations

import base64
import binascii
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from werkzeug.wrappers import Request, Response

from connectors.myparcel.fake.query import (
    JSON,
    Fail,
    error_body,
    error_response,
    json_response,
    main_of,
    parse_ids,
    parse_query,
    positions,
    render,
    search,
    user_error,
)
from connectors.myparcel.fake.store import MyParcelStore
from sandbox.credentials import MYPARCEL_API_KEY
from sandbox.indexes import Table, retrying

__all__ = ["DEFAULT_LIMITS", "RateLimiter", "create_app", "error_body"]

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
FIVE_MINUTES = 300.0

# "METHOD /endpoint" -> (calls, window in seconds), from the table in 01.requests.md §1.D.
DEFAULT_LIMITS: dict[str, tuple[int, float]] = {
    "GET /": (30, FIVE_MINUTES),
    "GET /shipments": (500, FIVE_MINUTES),
    "POST /shipments": (500, FIVE_MINUTES),
    "PUT /shipments": (300, FIVE_MINUTES),
    "PATCH /shipments": (300, FIVE_MINUTES),
    "GET /shipments/{ids}": (1000, FIVE_MINUTES),
    "DELETE /shipments/{ids}": (300, FIVE_MINUTES),
    "GET /shipment_labels/{ids}": (500, FIVE_MINUTES),
    "GET /tracktraces/{ids?}": (300, FIVE_MINUTES),
    "POST /return_shipments": (300, FIVE_MINUTES),
    "GET /webhook_subscriptions": (150, FIVE_MINUTES),
    "POST /webhook_subscriptions": (30, FIVE_MINUTES),
    "DELETE /webhook_subscriptions": (30, FIVE_MINUTES),
}


class RateLimiter:
    """Sliding-window call counts per "METHOD /endpoint"; calls that are refused count too."""

    def __init__(
        self, limits: Mapping[str, tuple[int, float]], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limits = dict(limits)
        self.clock = clock
        self.calls: dict[str, deque[float]] = {}
        self.lock = threading.Lock()

    def allow(self, endpoint: str) -> bool:
        limit = self.limits.get(endpoint)
        if limit is None:
            return True
        most, window = limit
        now = self.clock()
        with self.lock:
            calls = self.calls.setdefault(endpoint, deque())
            while calls and calls[0] <= now - window:
                calls.popleft()
            calls.append(now)
            return len(calls) <= most


def _limits(option: bool | Mapping[str, tuple[int, float]]) -> dict[str, tuple[int, float]]:
    if option is False:
        return {}
    if option is True:
        return dict(DEFAULT_LIMITS)
    return {**DEFAULT_LIMITS, **option}


class MyParcelApp:
    """The WSGI app; reads and deletions run under one lock."""

    def __init__(
        self,
        store: MyParcelStore,
        base_url: str,
        limits: bool | Mapping[str, tuple[int, float]] = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.base = base_url.rstrip("/")
        self.lock = threading.RLock()
        self.limiter = RateLimiter(_limits(limits), clock)
        self.shipments_t = Table(lambda: self.store.shipments)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        try:
            response = self.dispatch(request)
        except Fail as fail:
            response = fail.response
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        path = "/" + request.path.strip("/")
        parts = [p for p in path.split("/") if p]
        method = request.method.upper()
        if not parts:
            return self._route(request, "/", {"GET": self.index})
        self._authenticate(request)
        if parts == ["shipments"]:
            return self._route(request, "/shipments", {"GET": self.list_shipments})
        if len(parts) == 2 and parts[0] == "shipments":
            handlers = {"GET": self.get_shipments, "DELETE": self.delete_shipments}
            return self._route(request, "/shipments/{ids}", handlers, parts[1])
        raise user_error(404, 3105, "Invalid route", f"No route for {method} {path}")

    def _route(
        self,
        request: Request,
        endpoint: str,
        handlers: Mapping[str, Callable[..., Response]],
        *args: str,
    ) -> Response:
        method = request.method.upper()
        handler = handlers.get(method)
        if handler is None:
            allowed = ", ".join(handlers)
            response = error_response(405, None, "Method not allowed", f"Allowed: {allowed}")
            response.headers["Allow"] = allowed
            return response
        key = f"{method} {endpoint}"
        if not self.limiter.allow(key):
            message = f"Rate limit exceeded for {key}; wait before retrying."
            return error_response(429, None, "Too Many Requests", message)
        with self.lock:
            return retrying([self.shipments_t], lambda: handler(request, *args))

    @staticmethod
    def _authenticate(request: Request) -> None:
        header = request.headers.get("Authorization", "").strip()
        if not header:
            raise user_error(401, 3000, "Access denied", "No credentials were sent.")
        scheme, _, value = header.partition(" ")
        if scheme.lower() not in ("basic", "bearer"):
            raise user_error(401, 3104, "Invalid authentication method", "Use basic or bearer.")
        try:
            key = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise user_error(
                401, 3103, "Invalid authorization header", "The API key must be base64 encoded."
            ) from None
        if key != MYPARCEL_API_KEY:
            raise user_error(401, 3000, "Access denied", "The API key is not valid.")

    @staticmethod
    def _accepts_json(request: Request) -> None:
        accept = request.headers.get("Accept", "").lower()
        if accept and "json" not in accept and "*/*" not in accept:
            raise user_error(406, 3102, "Invalid accept header", "Only JSON is available here.")

    # ---- handlers ---------------------------------------------------------------------------

    def index(self, request: Request) -> Response:
        return json_response({"title": "MyParcel API", "status": "OK"})

    def list_shipments(self, request: Request) -> Response:
        self._accepts_json(request)
        query = parse_query(request.args)
        matching = self.shipments_t.memo(
            replace(query, page=1, size=30),
            lambda items: positions(items, search(items, query)),
        )
        total = len(matching)
        start = (query.page - 1) * query.size
        page = matching.page(start, start + query.size)
        shipments = [render(s, self._secondaries(page)) for s in page]
        if query.q is not None:
            results = {"shipments": shipments, "page": query.page, "size": query.size}
            return json_response({"data": {"search_results": {**results, "results": total}}})
        return json_response({"data": {"shipments": shipments, "results": total}})

    def get_shipments(self, request: Request, raw_ids: str) -> Response:
        self._accepts_json(request)
        wanted = parse_ids(raw_ids)
        shipments = [self.shipments_t.get(i) for i in dict.fromkeys(wanted)]
        page = [s for s in shipments if s is not None]
        found = [render(s, self._secondaries(page)) for s in page]
        return json_response({"data": {"shipments": found, "results": len(found)}})

    def delete_shipments(self, request: Request, raw_ids: str) -> Response:
        wanted = parse_ids(raw_ids)
        by_id = {i: self.shipments_t.get(i) for i in wanted}
        for shipment_id in wanted:
            shipment = by_id.get(shipment_id)
            if shipment is None:
                raise user_error(
                    422, 3723, "Cannot delete shipment", f"Shipment {shipment_id} does not exist."
                )
            if shipment.get("status") != 1:
                raise user_error(
                    422,
                    3723,
                    "Cannot delete shipment",
                    f"Shipment {shipment_id} is not a concept (status {shipment.get('status')}).",
                )
        doomed = set(wanted)
        for shipment_id in wanted:
            main = by_id[shipment_id]
            if main is not None and main.get("multi_collo_main_shipment_id") == shipment_id:
                doomed |= {s["id"] for s in self.shipments_t.group("main", main_of, shipment_id)}
        self.store.shipments[:] = [s for s in self.store.shipments if s.get("id") not in doomed]
        self.shipments_t.reset()
        return Response(status=204)

    def _secondaries(self, page: list[JSON]) -> dict[int, list[JSON]]:
        """The multi-collo secondaries of the main shipments on `page`, by main id."""
        mains = {s["id"] for s in page if s.get("multi_collo_main_shipment_id") == s.get("id")}
        return {m: self.shipments_t.group("main", main_of, m) for m in mains}


def create_app(
    store: MyParcelStore,
    base_url: str,
    *,
    limits: bool | Mapping[str, tuple[int, float]] = True,
    clock: Callable[[], float] = time.monotonic,
) -> WSGIApp:
    """The fake MyParcel API over `store`.

    `limits`: True = the documented rate limits, False = none, or a mapping such as
    `{"GET /shipments": (3, 1.0)}` (calls, window in seconds) that overrides single endpoints.
    """
    return MyParcelApp(store, base_url, limits, clock)
