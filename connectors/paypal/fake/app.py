"""Fake of PayPal's REST API: OAuth2 client credentials, Transaction Search and Invoicing search.

Follows PayPal's own OpenAPI documents (github.com/paypal/paypal-rest-api-specifications, saved in
shared/specs/paypal): `reporting_transactions_v1.json` for `GET /v1/reporting/transactions` and
`invoicing_v2.json` for `POST /v2/invoicing/search-invoices`, `GET /v2/invoicing/invoices` and
`GET /v2/invoicing/invoices/{invoice_id}`. Errors use PayPal's body `{name, message, debug_id,
details[{field, value, location, issue, description}], links}`.

Modelled limits, as documented: `start_date`/`end_date` are required and at most 31 days apart; the
call "lists transaction for the previous three years"; "it takes a maximum of three hours for
executed transactions to appear" (here: `last_refreshed_datetime` lags `refresh_lag` behind now and
later transactions are not served); more than 10,000 matching transactions answer 400
`RESULTSET_TOO_LARGE` (name and message as in PayPal's reporting docs and its server SDK's
`SearchErrorException`, with `total_items`/`maximum_items`). Access tokens expire after
`token_ttl_s`; an expired or unknown token answers 401 `AUTHENTICATION_FAILURE`. In hostile mode
(`sandbox.hostile`) an ignored `start_date`/`end_date` is still required and validated, then the
search covers the whole three years.
"""

from __future__ import annotations

import math
import secrets
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from connectors.paypal.fake.http import (
    Invalid,
    detail,
    error_body,
    error_response,
    fmt_time,
    invalid,
    json_response,
    page_links,
    parse_time,
)
from connectors.paypal.fake.invoicing import InvoicingMixin
from connectors.paypal.fake.store import PayPalStore
from sandbox.credentials import PAYPAL_CLIENT_ID, PAYPAL_CLIENT_SECRET
from sandbox.environ import IGNORED
from sandbox.indexes import Table, retrying

__all__ = ["create_app", "error_body"]

JSON = dict[str, Any]

ACCOUNT_NUMBER = "XZXSPECPDZHZU"
APP_ID = "APP-80W284485P519543T"
MAX_RESULTS = 10_000
MAX_RANGE = timedelta(days=31)
SCOPES = (
    "https://uri.paypal.com/services/invoicing https://uri.paypal.com/services/vault/payment-tokens/read "
    "https://uri.paypal.com/services/disputes/read-buyer https://uri.paypal.com/services/payments/realtimepayment "
    "https://uri.paypal.com/services/reporting/search/read https://uri.paypal.com/services/disputes/read-seller "
    "https://uri.paypal.com/services/payments/payment/authcapture openid"
)
FIELDS = (
    "transaction_info",
    "payer_info",
    "shipping_info",
    "auction_info",
    "cart_info",
    "incentive_info",
    "store_info",
)


def initiated(txn: JSON) -> tuple[float, str] | None:
    """The order transactions are searched and listed in: initiation time (a timestamp), then
    id (a transaction without a readable initiation date is never found)."""
    info = txn.get("transaction_info", {})
    when = parse_time(info.get("transaction_initiation_date", ""))
    return None if when is None else (when.timestamp(), info.get("transaction_id", ""))


class PayPalApp(InvoicingMixin):
    """The WSGI app; one lock guards the store and the token table."""

    def __init__(
        self,
        store: PayPalStore,
        base_url: str,
        token_ttl_s: int,
        today: date | None,
        refresh_lag: timedelta,
    ) -> None:
        self.store = store
        self.base = base_url.rstrip("/")
        self.token_ttl_s = token_ttl_s
        self.today = today
        self.refresh_lag = refresh_lag
        self.tokens: dict[str, float] = {}  # access token -> monotonic expiry
        self.lock = threading.RLock()
        self.transactions_t = Table(lambda: self.store.transactions)
        self.url_map = Map(
            [
                Rule("/v1/oauth2/token", methods=["POST"], endpoint="token"),
                Rule("/v1/reporting/transactions", methods=["GET"], endpoint="transactions"),
                Rule("/v2/invoicing/search-invoices", methods=["POST"], endpoint="search"),
                Rule("/v2/invoicing/invoices", methods=["GET"], endpoint="invoices"),
                Rule("/v2/invoicing/invoices/<invoice_id>", methods=["GET"], endpoint="invoice"),
            ],
            strict_slashes=False,
        )
        self.handlers: dict[str, Callable[..., Response]] = {
            "token": self.token,
            "transactions": self.transactions,
            "search": self.search_invoices,
            "invoices": self.list_invoices,
            "invoice": self.get_invoice,
        }

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        return self.dispatch(Request(environ))(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        try:
            endpoint, args = self.url_map.bind_to_environ(request.environ).match()
        except MethodNotAllowed:
            return json_response(error_body("METHOD_NOT_SUPPORTED"), 405)
        except NotFound:
            return error_response("RESOURCE_NOT_FOUND")
        with self.lock:
            if endpoint != "token" and not self._authorized(request):
                return error_response("AUTHENTICATION_FAILURE")
            handler = self.handlers[str(endpoint)]
            try:
                return retrying([self.transactions_t], lambda: handler(request, **args))
            except Invalid as exc:
                return exc.response

    def now(self) -> datetime:
        """The fake's clock: real time, on `today` when one was given."""
        real = datetime.now(UTC)
        return real if self.today is None else datetime.combine(self.today, real.time(), UTC)

    # ---- OAuth ------------------------------------------------------------------------------

    def token(self, request: Request) -> Response:
        auth = request.authorization
        if (
            auth is None
            or auth.type != "basic"
            or auth.username != PAYPAL_CLIENT_ID
            or auth.password != PAYPAL_CLIENT_SECRET
        ):
            failed = {
                "error": "invalid_client",
                "error_description": "Client Authentication failed",
            }
            return json_response(failed, 401)
        grant = request.form.get("grant_type")
        if grant != "client_credentials":
            description = "Grant Type is NULL" if grant is None else "unsupported grant_type"
            return json_response(
                {"error": "unsupported_grant_type", "error_description": description}, 400
            )
        access_token = "A21AA" + secrets.token_urlsafe(72)
        self.tokens[access_token] = time.monotonic() + self.token_ttl_s
        nonce = self.now().strftime("%Y-%m-%dT%H:%M:%SZ") + secrets.token_urlsafe(32)
        body: JSON = {
            "scope": SCOPES,
            "access_token": access_token,
            "token_type": "Bearer",
            "app_id": APP_ID,
            "expires_in": self.token_ttl_s,
            "nonce": nonce,
        }
        return json_response(body)

    def _authorized(self, request: Request) -> bool:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        expiry = self.tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        if expiry is None:
            return False
        if time.monotonic() >= expiry:
            del self.tokens[token.strip()]
            return False
        return True

    # ---- Transaction Search -----------------------------------------------------------------

    def _int_arg(self, request: Request, name: str, default: int, low: int, high: int) -> int:
        raw = request.args.get(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise invalid(detail(name, raw, "INVALID_PARAMETER_SYNTAX")) from None
        if not low <= value <= high:
            text = f"{name} must be between {low} and {high}."
            raise invalid(detail(name, raw, "INVALID_PARAMETER_VALUE", text))
        return value

    def _window(self, request: Request) -> tuple[datetime, datetime]:
        moments: dict[str, datetime] = {}
        for name in ("start_date", "end_date"):
            raw = request.args.get(name)
            if raw is None:
                raise invalid(
                    detail(name, None, "MISSING_REQUIRED_PARAMETER", f"{name} is required.")
                )
            parsed = parse_time(raw)
            if parsed is None:
                raise invalid(detail(name, raw, "INVALID_PARAMETER_SYNTAX"))
            moments[name] = parsed
        start, end = moments["start_date"], moments["end_date"]
        raw_start, raw_end = request.args["start_date"], request.args["end_date"]
        if end < start:
            raise invalid(detail("end_date", raw_end, "End date should be greater than start date"))
        if end - start > MAX_RANGE:
            raise invalid(detail("end_date", raw_end, "Date range is greater than 31 days"))
        if start < self.horizon():
            raise invalid(detail("start_date", raw_start, "Start date is older than 3 years"))
        return start, end

    def horizon(self) -> datetime:
        """The oldest moment the search serves: "the previous three years"."""
        now = self.now()
        try:
            return now.replace(year=now.year - 3)
        except ValueError:  # 29 February
            return now.replace(year=now.year - 3, day=28)

    def transactions(self, request: Request) -> Response:
        start, end = self._window(request)
        args = request.args
        page_size = self._int_arg(request, "page_size", 100, 1, 500)
        page = self._int_arg(request, "page", 1, 1, 2_147_483_647)
        raw_fields = args.get("fields", "transaction_info")
        wanted = {f.strip() for f in raw_fields.split(",") if f.strip()}
        if "all" in wanted:
            wanted = set(FIELDS)
        if not wanted or wanted - set(FIELDS):
            raise invalid(detail("fields", raw_fields, "INVALID_PARAMETER_VALUE"))
        wanted.add("transaction_info")
        balance_only = args.get("balance_affecting_records_only", "Y")
        if balance_only not in ("Y", "N"):
            raise invalid(
                detail("balance_affecting_records_only", balance_only, "INVALID_PARAMETER_VALUE")
            )
        txn_id = args.get("transaction_id")
        if txn_id is not None and not 17 <= len(txn_id) <= 19:
            raise invalid(detail("transaction_id", txn_id, "INVALID_PARAMETER_VALUE"))
        refreshed = (self.now() - self.refresh_lag).replace(microsecond=0)
        filters = {
            "transaction_id": txn_id,
            "transaction_event_code": args.get("transaction_type"),
            "transaction_status": args.get("transaction_status"),
        }
        currency = args.get("transaction_currency")
        hits: list[JSON] = []
        ignored = request.environ.get(IGNORED, frozenset())  # hostile mode: validated, not used
        first = self.horizon() if "start_date" in ignored else start
        last_moment = refreshed if "end_date" in ignored else min(end, refreshed)
        last = math.nextafter(last_moment.timestamp(), math.inf)  # inclusive
        window = self.transactions_t.sorted("initiated", initiated, (first.timestamp(),), (last,))
        for txn in window.page(0, len(window)):
            info = txn.get("transaction_info", {})
            if any(v is not None and info.get(k) != v for k, v in filters.items()):
                continue
            if currency and info.get("transaction_amount", {}).get("currency_code") != currency:
                continue
            if balance_only == "Y" and info.get("transaction_status") == "D":
                continue
            hits.append(txn)
        if len(hits) > MAX_RESULTS:
            raise invalid(
                name="RESULTSET_TOO_LARGE", total_items=len(hits), maximum_items=MAX_RESULTS
            )
        chunk = hits[(page - 1) * page_size : page * page_size]
        total_pages = math.ceil(len(hits) / page_size)
        rows = [{k: v for k, v in txn.items() if k in wanted} for txn in chunk]
        body: JSON = {
            "transaction_details": rows,
            "account_number": ACCOUNT_NUMBER,
            "start_date": fmt_time(start),
            "end_date": fmt_time(min(end, refreshed)),
            "last_refreshed_datetime": fmt_time(refreshed),
            "page": page,
            "total_items": len(hits),
            "total_pages": total_pages,
            "links": page_links(self.base, request, page, total_pages, "GET"),
        }
        return json_response(body)


def create_app(
    store: PayPalStore,
    base_url: str,
    *,
    token_ttl_s: int = 32400,
    today: date | None = None,
    refresh_lag: timedelta = timedelta(minutes=45),
) -> Callable[..., Any]:
    """The fake PayPal API over `store`; links are absolute on `base_url` (no trailing slash)."""
    return PayPalApp(store, base_url, token_ttl_s, today, refresh_lag)
