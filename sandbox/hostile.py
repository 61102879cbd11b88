"""Hostile mode: the fakes answer the way a real vendor API may, where vendor-apis.md is unsure.

shared/reference/vendor-apis.md rates many facts SECONDARY (third-party code only) or UNCONFIRMED
(an assumption). The real API may ignore a person filter, spell an unconfirmed field another
documented way, or not serve a side resource. The product must stay exact whichever way it turns
out; a sandbox started with `start(..., hostile=HOSTILE)` is where that is proven.

A `Hostility` per system has three knobs:
- `ignore`: names of query parameters (and, for the search POSTs in `SEARCH_POSTS`, top-level
  JSON body keys) that the fake treats as ABSENT: the answer is the one for the request without
  them, i.e. everybody's records. A name applies on every path of its system; `k[]`/`k[x]`
  array forms count as `k`. `Hostile` removes them from `QUERY_STRING` (and `REQUEST_URI`) or
  the body before the fake sees the request, so it works the same for every fake. It also leaves
  in the environ the query as the client sent it (`ORIGINAL_QUERY`: WooCommerce checks the
  OAuth 1.0a signature over that) and the names (`IGNORED`). Names in `INSIDE` stay in the
  request because removing them would make it invalid: the fake validates them and then ignores
  them itself (PayPal's required `start_date`/`end_date`).
- `respell`: unconfirmed fields in the other documented spelling (`RESPELLINGS`), rewritten in
  the JSON answers (Content-Length kept right).
- `missing`: side resources that answer 404 with the vendor's own error body; a name matches a
  path that has it as a segment (`.json` suffix ignored), e.g. "quotes" for `/nl/quotes.json`,
  `/nl/quotes/count.json` and `/nl/quotes/7.json`.

`HOSTILE` is everything at once, per system; `one_at_a_time()` splits it into single knobs so a
test can turn them on one by one. `Hostile` goes inside `sandbox.faults.Faults`, so the fault
queue and the request log see every request as the client sent it.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_plus

from werkzeug.wrappers import Response

from connectors.feedbackcompany.fake import failure
from connectors.lightspeed.fake import rest as ls_rest
from connectors.mollie.fake import hal as mollie_hal
from connectors.myparcel.fake import query as mp_query
from connectors.paypal.fake import http as paypal_http
from connectors.woocommerce.fake import rest as woo_rest
from sandbox.data import FeedbackStore

JSON = dict[str, Any]
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

IGNORED = "sandbox.hostile.ignored"  # environ: the names the request is answered without
ORIGINAL_QUERY = "sandbox.hostile.query"  # environ: QUERY_STRING as the client sent it


@dataclass(frozen=True)
class Hostility:
    """How hostile one system's fake is (see the module docstring); the default is not at all."""

    ignore: frozenset[str] = frozenset()
    respell: bool = False
    missing: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.ignore or self.respell or self.missing)


# Names the fake validates and then ignores itself: without them the request is invalid.
INSIDE: dict[str, frozenset[str]] = {"paypal": frozenset({"start_date", "end_date"})}
# The POSTs whose JSON body keys are search criteria (ignored keys are removed from the body).
SEARCH_POSTS: dict[str, tuple[str, ...]] = {"paypal": ("/v2/invoicing/search-invoices",)}

HOSTILE: dict[str, Hostility] = {
    "woocommerce": Hostility(
        ignore=frozenset(
            {
                "email",  # customers
                "search",  # customers, orders, reviews (and products: names apply everywhere)
                "include",  # customers, orders, reviews, products
                "customer",  # orders
                "reviewer",  # products/reviews
                "reviewer_email",  # products/reviews
                # wc-analytics customers (connectors.woocommerce.fake.analytics): id lists, whatever the names
                "customers",
                "users",
                "name_includes",
                "username_includes",
                "email_includes",
            }
        ),
        # Not ignored: `exclude`, `reviewer_exclude`, `parent_exclude` leave records out, they
        # never narrow to a person; `role` and `status` have narrowing defaults (customer,
        # any/approved), so ignoring them would hide records, not show everybody's; `product` and
        # `parent` select by product or parent order, not by person; `after`/`before`/
        # `modified_*` are date windows over everybody; paging, `orderby`, `_fields`, `context`
        # are no filters. wc-analytics: the `*_excludes` and `filter_empty` leave rows out;
        # `country_includes`, the date, count and spend bounds are not about a person; `match`
        # and `searchby` only say how the others apply.
    ),
    "lightspeed": Hostility(
        ignore=frozenset(
            {
                "email",  # customers, orders (subscriptions/contacts/checkouts ignore it already)
                "customer",  # orders, invoices, shipments, returns, reviews, tickets, quotes
                "order",  # invoices, shipments, returns
                "number",  # orders, invoices: an order number is one person's order
            }
        ),
        # Not ignored: `isConfirmed`, `status`, `paymentStatus`, `shipmentStatus` are states over
        # everybody; `product` (reviews) selects by product; `since_id`, `created_at_*`,
        # `updated_at_*`, `page`, `limit`, `fields` are paging and windows.
        respell=True,
        missing=("quotes", "contacts", "checkouts"),
    ),
    "mollie": Hostility(
        # No query filter narrows to a person: the fake's lists take only `from`, `limit`,
        # `sort` (and `embed`); a person's records are reached by path (customers/{id}/...),
        # which is no filter to ignore. No field of it is UNCONFIRMED (Mollie's own OpenAPI).
    ),
    "paypal": Hostility(
        ignore=frozenset(
            {
                # GET /v1/reporting/transactions
                "transaction_id",
                "start_date",  # validated, then ignored: every transaction of the last 3 years
                "end_date",
                # POST /v2/invoicing/search-invoices (JSON body keys)
                "recipient_email",
                "recipient_first_name",
                "recipient_last_name",
                "recipient_business_name",
                "invoice_number",  # one invoice: one person's
                "reference",  # the merchant's reference, usually the order number
            }
        ),
        # Not ignored: `transaction_type`, `transaction_status`, `transaction_currency` and the
        # search's `status`, `currency_code`, `archived` select kinds of records over everybody;
        # `balance_affecting_records_only` defaults to Y, so ignoring N would hide records; the
        # search's `memo` is the merchant's free text, matched exactly, no person key; its
        # `*_date_range` are windows over everybody; `fields`, `page`, `page_size`,
        # `total_required` shape the answer.
    ),
    "myparcel": Hostility(
        ignore=frozenset({"q", "reference_identifier"}),
        # Not ignored: `status` and `dropoff_today` are states over everybody; `from`/`to` a
        # creation-date window; `page`, `size`, `sort`, `order` paging. Ids in the path
        # (/shipments/{id;id}) are no filter.
        respell=True,
    ),
    "feedbackcompany": Hostility(
        # No filter to ignore: its fake (like every client seen, vendor-apis.md §6 "Other
        # filters (date, product, e-mail, order): none seen") takes only `limit`/`start` on
        # reviews and `page`/`per_page` on invitations.
        respell=True,
        missing=("invitations",),
    ),
}


def one_at_a_time(
    hostile: Mapping[str, Hostility] = HOSTILE,
) -> Iterator[tuple[str, str, Hostility]]:
    """Every knob of `hostile` on its own: (system, label, a `Hostility` with only that knob)."""
    for system, hostility in hostile.items():
        for name in sorted(hostility.ignore):
            yield system, f"ignore {name}", Hostility(ignore=frozenset({name}))
        if hostility.respell:
            yield system, "respell", Hostility(respell=True)
        for name in hostility.missing:
            yield system, f"missing {name}", Hostility(missing=(name,))


# ---- respellings -------------------------------------------------------------------------------
Respeller = Callable[[int, str, Any], Any]  # (status, path, parsed body) -> the body to send


def _walk(value: Any, fix: Callable[[JSON], JSON]) -> Any:
    """`value` with `fix` applied to every dict in it, innermost first."""
    if isinstance(value, list):
        return [_walk(v, fix) for v in value]
    if isinstance(value, dict):
        return fix({k: _walk(v, fix) for k, v in value.items()})
    return value


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _ls_payment_data(status: int, path: str, body: Any) -> Any:
    # vendor-apis.md §2: "Whether `paymentData` can hold PSP ids (e.g. a Mollie `tr_…`) is
    # UNCONFIRMED." The seed (connectors.lightspeed.seed.payments) guesses snake_case keys
    # `transaction_id`, `order_id`, `customer_id`; respelled in Lightspeed's own camelCase
    # (`transactionId`, `orderId`, `customerId`, as its `paymentId`, `shipmentId`).
    def fix(obj: JSON) -> JSON:
        data = obj.get("paymentData")
        if isinstance(data, dict):
            obj["paymentData"] = {_camel(k): v for k, v in data.items()}
        return obj

    return _walk(body, fix) if status < 400 else body


def _other_case(email: str) -> str:
    upper = email.upper()
    return upper if upper != email else email.lower()


class _FeedbackRespeller:
    """The Feedback Company's answers with the unconfirmed fields spelled the other way.

    - vendor-apis.md §6: "No client reads an e-mail, order number or `external_id` from a review
      → exposure UNCONFIRMED (likely not exposed)." Respelled: a review whose author the seed
      knows (its invitation, `_invitation_id`) shows `client.email`, the author's address in
      another letter case than the shop has it (upper-cased).
    - vendor-apis.md §6: "The Zen Cart module sends `customer{email, name}` instead of
      `fullname` ... which keys the server requires: UNCONFIRMED" and `GET /invitations`
      "fields UNCONFIRMED". Respelled: an invitation's `customer` shows `name`, not `fullname`.
    """

    def __init__(self, store: FeedbackStore) -> None:
        self.store = store
        self._authors: dict[int, str] = {}
        self._seen = (-1, -1)

    def authors(self) -> dict[int, str]:
        """Review id -> the e-mail address its invitation went to (rebuilt when the store grows)."""
        seen = (len(self.store.reviews), len(self.store.invitations))
        if seen != self._seen:
            sent = {i["id"]: i.get("customer", {}).get("email") for i in self.store.invitations}
            self._authors = {
                r["id"]: sent[r["_invitation_id"]]
                for r in self.store.reviews
                if sent.get(r.get("_invitation_id"))
            }
            self._seen = seen
        return self._authors

    def __call__(self, status: int, path: str, body: Any) -> Any:
        if status >= 400 or not isinstance(body, dict):
            return body
        segments = _segments(path)
        if "review" in segments:
            authors = self.authors()
            for review in [*body.get("reviews", []), body.get("review")]:
                if isinstance(review, dict) and review.get("id") in authors:
                    client = review.get("client")
                    client = client if isinstance(client, dict) else {}
                    review["client"] = {**client, "email": _other_case(authors[review["id"]])}
        if "invitations" in segments:
            for invitation in body.get("invitations", []):
                customer = invitation.get("customer")
                if isinstance(customer, dict) and "fullname" in customer:
                    invitation["customer"] = {
                        ("name" if k == "fullname" else k): v for k, v in customer.items()
                    }
        return body


def _mp_errors(status: int, path: str, body: Any) -> Any:
    # vendor-apis.md §5: "Body example (delivery options):
    # `{"errors":[{"code":9,"message":"Example","human":"Example"}]}` → likely shape
    # `{"errors":[{"code":…,"message":…}], "message": …}` (exact top-level shape for shipments
    # UNCONFIRMED)." The fake answers the SDK's `CommonResponsesUserError`; respelled: errors in
    # the documented example's shape plus the top-level `message`.
    if status < 400 or not isinstance(body, dict) or not isinstance(body.get("errors"), list):
        return body
    errors = []
    for error in body["errors"]:
        text = error.get("message") or error.get("title") or ""
        code = {"code": error["code"]} if "code" in error else {}
        errors.append({**code, "message": text, "human": text})
    return {"errors": errors, "message": body.get("message", "")}


def respellers(system: str, store: Any) -> list[Respeller]:
    """What `respell=True` changes in `system`'s answers (`store`: the fake's store)."""
    if system == "lightspeed":
        return [_ls_payment_data]
    if system == "feedbackcompany":
        return [_FeedbackRespeller(store)]
    if system == "myparcel":
        return [_mp_errors]
    return []  # WooCommerce, Mollie, PayPal: no field the fakes serve is UNCONFIRMED


RESPELLINGS = {
    "lightspeed": "orders' paymentData keys in camelCase: transactionId, orderId, customerId",
    "feedbackcompany": "reviews' client.email (the author's, other case); invitations' "
    "customer.name for customer.fullname",
    "myparcel": 'error bodies as {"errors": [{"code", "message", "human"}], "message"}',
}


# ---- missing side resources --------------------------------------------------------------------
def _segments(path: str) -> list[str]:
    return [s.removesuffix(".json") for s in path.split("/") if s]


def not_found(system: str, method: str, path: str) -> Response:
    """The 404 `system` answers for a resource it does not serve, in its own error body."""
    if system == "lightspeed":
        body = ls_rest.not_found().body(method, path)
        return Response(json.dumps(body), 404, content_type="application/json; charset=utf-8")
    if system == "feedbackcompany":
        return failure(404).response
    if system == "woocommerce":
        body = woo_rest.not_found_route().body()
        return Response(json.dumps(body), 404, content_type="application/json; charset=UTF-8")
    if system == "mollie":
        return mollie_hal.error_response(404, "Not Found", "The requested URL was not found.")
    if system == "paypal":
        return paypal_http.error_response("RESOURCE_NOT_FOUND")
    if system == "myparcel":
        route = "/" + path.strip("/")
        return mp_query.error_response(404, 3105, "Invalid route", f"No route for {method} {route}")
    raise ValueError(f"unknown system {system!r}")


# ---- the middleware ----------------------------------------------------------------------------
def _param_name(pair: str) -> str:
    key = unquote_plus(pair.split("=", 1)[0])
    return key.split("[", 1)[0]


def strip_query(query: str, names: frozenset[str]) -> str:
    """`query` without the parameters named `names` (`k[]`/`k[x]` count as `k`); the rest is
    kept byte for byte."""
    kept = [p for p in query.split("&") if not p or _param_name(p) not in names]
    return "&".join(kept)


@dataclass
class Hostile:
    """WSGI middleware making one system's fake as hostile as `hostility` says."""

    app: WSGIApp
    system: str
    hostility: Hostility
    store: Any = None
    _respellers: list[Respeller] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        if self.hostility.respell:
            self._respellers = respellers(self.system, self.store)

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        if any(name in _segments(path) for name in self.hostility.missing):
            return not_found(self.system, method, path)(environ, start_response)
        if self.hostility.ignore:
            self._ignore(environ, method, path)
        if not self._respellers:
            return self.app(environ, start_response)
        return self._respelled(environ, start_response, path)

    def _ignore(self, environ: dict[str, Any], method: str, path: str) -> None:
        names = self.hostility.ignore - INSIDE.get(self.system, frozenset())
        original = environ.get("QUERY_STRING", "")
        environ[ORIGINAL_QUERY] = original
        environ[IGNORED] = self.hostility.ignore
        stripped = strip_query(original, names)
        if stripped != original:
            environ["QUERY_STRING"] = stripped
            for key in ("REQUEST_URI", "RAW_URI"):
                if key in environ:
                    head = environ[key].split("?", 1)[0]
                    environ[key] = f"{head}?{stripped}" if stripped else head
        if method == "POST" and path.rstrip("/") in SEARCH_POSTS.get(self.system, ()):
            self._strip_body(environ, names)

    @staticmethod
    def _strip_body(environ: dict[str, Any], names: frozenset[str]) -> None:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return
        raw = environ["wsgi.input"].read(length) if length > 0 else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        if isinstance(body, dict) and names & body.keys():
            raw = json.dumps({k: v for k, v in body.items() if k not in names}).encode()
        environ["wsgi.input"] = io.BytesIO(raw)
        environ["CONTENT_LENGTH"] = str(len(raw))

    def _respelled(
        self, environ: dict[str, Any], start_response: Callable[..., Any], path: str
    ) -> Iterable[bytes]:
        captured: dict[str, Any] = {}
        chunks: list[bytes] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"], captured["headers"] = status, headers
            return chunks.append

        result = self.app(environ, capture)
        try:
            chunks.extend(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        status, headers = captured["status"], captured["headers"]
        body = b"".join(chunks)
        kind = next((v for k, v in headers if k.lower() == "content-type"), "")
        if body and "json" in kind:
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None
            if parsed is not None:
                code = int(status.split(" ", 1)[0])
                for respell in self._respellers:
                    parsed = respell(code, path, parsed)
                body = json.dumps(parsed, ensure_ascii=False).encode("utf-8")
                headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
                headers.append(("Content-Length", str(len(body))))
        start_response(status, headers)
        return [body]


def wrap(app: WSGIApp, system: str, hostility: Hostility | None, store: Any = None) -> WSGIApp:
    """`app` made hostile (unchanged without hostility); `store` is the fake's store (for the
    respellings that look records up)."""
    if not hostility:
        return app
    return Hostile(app, system, hostility, store)
