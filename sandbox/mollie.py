"""Fake of the Mollie API v2 (customers, mandates, subscriptions, payments, refunds, chargebacks).

Follows Mollie's own OpenAPI 3.1 document (github.com/mollie/openapi `specs.yaml`, saved in
shared/specs/mollie): HAL lists (`count`, `_embedded.<resource>`, `_links.self/previous/next/
documentation` with absolute hrefs on the fake's base URL), `from`/`limit` (1-250, default 50)/`sort`
(default `desc`, newest first) paging, the `error-response` body (`status`, `title`, `detail`,
`field`, `_links.documentation`) and `application/hal+json` everywhere. The 401 body is the one
Mollie's own documentation shows ("Unauthorized Request" / "Missing authentication, or failed to
authenticate"), which the spec itself does not list.

Erasure: `DELETE /v2/customers/{id}` answers 204 and, as the spec says, cancels all mandates
(status `invalid`) and subscriptions (status `canceled`) of the customer; its payments stay.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from sandbox.credentials import MOLLIE_API_KEY
from sandbox.data import MollieStore

JSON = dict[str, Any]
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

HAL = "application/hal+json"
ERRORS_DOC = "https://docs.mollie.com/overview/handling-errors"
AUTH_DOC = "https://docs.mollie.com/overview/authentication"
DASHBOARD = "https://my.mollie.com/dashboard/org_13514547"
DEFAULT_LIMIT = 50
MAX_LIMIT = 250
LOCALES = frozenset(
    "ca_ES cs_CZ da_DK de_AT de_CH de_DE de_LU en_BE en_GB en_NL en_US es_ES fi_FI fr_BE fr_FR "
    "fr_LU hu_HU is_IS it_IT lt_LT lv_LV nb_NO nl_BE nl_NL pl_PL pt_PT sk_SK sv_SE".split()
)
_NAMES = {"cst_": "customer", "tr_": "payment", "mdt_": "mandate", "sub_": "subscription"}
_NAMES |= {"re_": "refund", "chb_": "chargeback"}


def error_body(status: int, title: str, detail: str, field: str | None = None) -> JSON:
    """Mollie's `error-response` body, e.g. `error_body(429, "Too Many Requests", "You have ...")`."""
    body: JSON = {"status": status, "title": title, "detail": detail}
    if field is not None:
        body["field"] = field
    doc = AUTH_DOC if status == 401 else ERRORS_DOC
    body["_links"] = {"documentation": {"href": doc, "type": "text/html"}}
    return body


def hal_response(body: JSON | None, status: int = 200) -> Response:
    """A response in Mollie's media type (no body for 204)."""
    if body is None:
        return Response(status=status)
    return Response(json.dumps(body), status=status, content_type=HAL)


def error_response(status: int, title: str, detail: str, field: str | None = None) -> Response:
    return hal_response(error_body(status, title, detail, field), status)


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class _Fail(Exception):
    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


def _not_found(token: str) -> _Fail:
    kind = next((n for p, n in _NAMES.items() if token.startswith(p)), "entity")
    return _Fail(error_response(404, "Not Found", f"No {kind} exists with token {token}."))


def _bad(detail: str, field: str) -> _Fail:
    return _Fail(error_response(400, "Bad Request", detail, field))


def _find(items: list[JSON], token: str, **match: str) -> JSON:
    for item in items:
        if item.get("id") == token and all(item.get(k) == v for k, v in match.items()):
            return item
    raise _not_found(token)


class MollieApp:
    """The WSGI app; every request runs under one lock, so the store stays consistent."""

    def __init__(self, store: MollieStore, base_url: str) -> None:
        self.store = store
        self.base = base_url.rstrip("/")
        self.lock = threading.RLock()
        get, patch, delete = ["GET"], ["PATCH"], ["DELETE"]
        c = "/v2/customers/<cid>"
        p = "/v2/payments/<pid>"
        rules = [
            ("/v2/customers", get, self.list_customers),
            (c, get, self.get_customer),
            (c, patch, self.update_customer),
            (c, delete, self.delete_customer),
            (c + "/payments", get, self.list_customer_payments),
            (c + "/mandates", get, self.list_mandates),
            (c + "/mandates/<mid>", get, self.get_mandate),
            (c + "/mandates/<mid>", delete, self.revoke_mandate),
            (c + "/subscriptions", get, self.list_subscriptions),
            (c + "/subscriptions/<sid>", get, self.get_subscription),
            (c + "/subscriptions/<sid>", delete, self.cancel_subscription),
            (c + "/subscriptions/<sid>/payments", get, self.list_subscription_payments),
            ("/v2/subscriptions", get, self.list_all_subscriptions),
            ("/v2/payments", get, self.list_payments),
            (p, get, self.get_payment),
            (p + "/refunds", get, self.list_payment_refunds),
            (p + "/refunds/<rid>", get, self.get_refund),
            (p + "/chargebacks", get, self.list_payment_chargebacks),
            (p + "/chargebacks/<chid>", get, self.get_chargeback),
            ("/v2/refunds", get, self.list_refunds),
            ("/v2/chargebacks", get, self.list_chargebacks),
        ]
        self.handlers: dict[str, Callable[..., Response]] = {}
        url_rules = []
        for i, (path, methods, handler) in enumerate(rules):
            self.handlers[str(i)] = handler
            url_rules.append(Rule(path, methods=methods, endpoint=str(i)))
        self.url_map = Map(url_rules, strict_slashes=False)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        return self.dispatch(request)(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        if not self._authorized(request):
            return error_response(
                401, "Unauthorized Request", "Missing authentication, or failed to authenticate"
            )
        try:
            endpoint, args = self.url_map.bind_to_environ(request.environ).match()
        except MethodNotAllowed:
            return error_response(405, "Method Not Allowed", "The method is not allowed here.")
        except NotFound:
            return error_response(404, "Not Found", "The requested URL was not found.")
        except HTTPException as exc:  # pragma: no cover - other routing errors
            return error_response(exc.code or 400, exc.name, exc.description or exc.name)
        with self.lock:
            try:
                return self.handlers[str(endpoint)](request, **args)
            except _Fail as fail:
                return fail.response

    @staticmethod
    def _authorized(request: Request) -> bool:
        scheme, _, key = request.headers.get("Authorization", "").partition(" ")
        return scheme.lower() == "bearer" and key.strip() == MOLLIE_API_KEY

    # ---- rendering --------------------------------------------------------------------------

    def _link(self, path: str, kind: str = HAL) -> JSON:
        href = path if path.startswith("http") else self.base + path
        return {"href": href, "type": kind}

    def _render(self, obj: JSON, links: dict[str, str | None], single: bool, doc: str) -> JSON:
        out = dict(obj)
        rendered: JSON = {}
        for name, path in links.items():
            if path is not None:
                kind = "text/html" if path.startswith(DASHBOARD) else HAL
                rendered[name] = self._link(path, kind)
        if single:
            rendered["documentation"] = self._link(
                f"https://docs.mollie.com/reference/{doc}", "text/html"
            )
        out["_links"] = rendered
        return out

    def customer(self, c: JSON, single: bool = False) -> JSON:
        cid = c["id"]
        path = f"/v2/customers/{cid}"
        has_pay = any(p.get("customerId") == cid for p in self.store.payments)
        has_mdt = any(m.get("customerId") == cid for m in self.store.mandates)
        has_sub = any(s.get("customerId") == cid for s in self.store.subscriptions)
        links = {
            "self": path,
            "dashboard": f"{DASHBOARD}/customers/{cid}",
            "payments": path + "/payments" if has_pay else None,
            "mandates": path + "/mandates" if has_mdt else None,
            "subscriptions": path + "/subscriptions" if has_sub else None,
        }
        return self._render(c, links, single, "get-customer")

    def payment(self, p: JSON, single: bool = False) -> JSON:
        pid = p["id"]
        path = f"/v2/payments/{pid}"
        cid, sid = p.get("customerId"), p.get("subscriptionId")
        links = {
            "self": path,
            "dashboard": f"{DASHBOARD}/payments/{pid}",
            "refunds": path + "/refunds" if self._refunds_of(pid) else None,
            "chargebacks": path + "/chargebacks" if self._chargebacks_of(pid) else None,
            "customer": f"/v2/customers/{cid}" if cid else None,
            "mandate": f"/v2/customers/{cid}/mandates/{p['mandateId']}"
            if cid and p.get("mandateId")
            else None,
            "subscription": f"/v2/customers/{cid}/subscriptions/{sid}" if cid and sid else None,
            "order": f"/v2/orders/{p['orderId']}" if p.get("orderId") else None,
        }
        return self._render(p, links, single, "get-payment")

    def mandate(self, m: JSON, single: bool = False) -> JSON:
        cid = m["customerId"]
        links = {"self": f"/v2/customers/{cid}/mandates/{m['id']}", "customer": f"/v2/customers/{cid}"}
        return self._render(m, links, single, "get-mandate")

    def subscription(self, s: JSON, single: bool = False) -> JSON:
        cid = s["customerId"]
        path = f"/v2/customers/{cid}/subscriptions/{s['id']}"
        has_pay = any(p.get("subscriptionId") == s["id"] for p in self.store.payments)
        links = {
            "self": path,
            "customer": f"/v2/customers/{cid}",
            "mandate": f"/v2/customers/{cid}/mandates/{s['mandateId']}" if s.get("mandateId") else None,
            "profile": f"/v2/profiles/{s['profileId']}" if s.get("profileId") else "/v2/profiles/me",
            "payments": path + "/payments" if has_pay else None,
        }
        return self._render(s, links, single, "get-subscription")

    def refund(self, r: JSON, single: bool = False) -> JSON:
        pid = r["paymentId"]
        links = {"self": f"/v2/payments/{pid}/refunds/{r['id']}", "payment": f"/v2/payments/{pid}"}
        return self._render(r, links, single, "get-refund")

    def chargeback(self, cb: JSON, single: bool = False) -> JSON:
        pid = cb["paymentId"]
        links = {"self": f"/v2/payments/{pid}/chargebacks/{cb['id']}", "payment": f"/v2/payments/{pid}"}
        return self._render(cb, links, single, "get-chargeback")

    def _refunds_of(self, pid: str) -> list[JSON]:
        return [r for r in self.store.refunds if r.get("paymentId") == pid]

    def _chargebacks_of(self, pid: str) -> list[JSON]:
        return [c for c in self.store.chargebacks if c.get("paymentId") == pid]

    # ---- lists ------------------------------------------------------------------------------

    def _list(
        self,
        request: Request,
        items: list[JSON],
        prefix: str,
        resource: str,
        render: Callable[[JSON], JSON],
        doc: str,
    ) -> Response:
        args = request.args
        limit = DEFAULT_LIMIT
        if "limit" in args:
            try:
                limit = int(args["limit"])
            except ValueError:
                raise _bad("The limit must be a number between 1 and 250.", "limit") from None
            if not 1 <= limit <= MAX_LIMIT:
                raise _bad("The limit must be a number between 1 and 250.", "limit")
        sort = args.get("sort", "desc")
        if sort not in ("asc", "desc"):
            raise _bad("The sort must be either 'asc' or 'desc'.", "sort")
        ordered = sorted(items, key=lambda o: (o.get("createdAt", ""), o["id"]))
        if sort == "desc":
            ordered.reverse()
        start = 0
        if "from" in args:
            token = args["from"]
            ids = [o["id"] for o in ordered]
            if not token.startswith(prefix) or token not in ids:
                raise _bad("Invalid cursor value", "from")
            start = ids.index(token)
        page = ordered[start : start + limit]
        rest = [(k, v) for k, v in args.items(multi=True) if k not in ("from", "limit")]

        def href(token: str) -> JSON:
            query = urlencode([("from", token), ("limit", str(limit)), *rest])
            return self._link(f"{request.path}?{query}")

        nxt = ordered[start + limit] if start + limit < len(ordered) else None
        prev = ordered[max(0, start - limit)] if start > 0 else None
        self_href = request.path + (f"?{request.query_string.decode()}" if request.query_string else "")
        body = {
            "count": len(page),
            "_embedded": {resource: [render(o) for o in page]},
            "_links": {
                "self": self._link(self_href),
                "previous": href(prev["id"]) if prev else None,
                "next": href(nxt["id"]) if nxt else None,
                "documentation": self._link(f"https://docs.mollie.com/reference/{doc}", "text/html"),
            },
        }
        return hal_response(body)

    def _live_customer(self, cid: str) -> JSON:
        return _find(self.store.customers, cid)

    # ---- customers --------------------------------------------------------------------------

    def list_customers(self, request: Request) -> Response:
        return self._list(
            request, self.store.customers, "cst_", "customers", self.customer, "list-customers"
        )

    def get_customer(self, request: Request, cid: str) -> Response:
        return hal_response(self.customer(self._live_customer(cid), single=True))

    def update_customer(self, request: Request, cid: str) -> Response:
        customer = self._live_customer(cid)
        try:
            data = json.loads(request.get_data(as_text=True) or "{}")
        except ValueError:
            raise _bad("The request body is not valid JSON.", "body") from None
        if not isinstance(data, dict):
            raise _bad("The request body must be a JSON object.", "body")
        for key in ("name", "email"):
            if key in data and not isinstance(data[key], str | None):
                raise _Fail(error_response(422, "Unprocessable Entity", f"The {key} is invalid", key))
        if isinstance(data.get("email"), str) and data["email"] and "@" not in data["email"]:
            raise _Fail(error_response(422, "Unprocessable Entity", "The email is invalid", "email"))
        if "locale" in data and data["locale"] is not None and data["locale"] not in LOCALES:
            raise _Fail(error_response(422, "Unprocessable Entity", "The locale is invalid", "locale"))
        for key in ("name", "email", "locale", "metadata"):
            if key in data:
                customer[key] = data[key]
        return hal_response(self.customer(customer, single=True))

    def delete_customer(self, request: Request, cid: str) -> Response:
        customer = self._live_customer(cid)
        self.store.customers.remove(customer)
        stamp = now_iso()
        for mandate in self.store.mandates:
            if mandate.get("customerId") == cid:
                mandate["status"] = "invalid"
        for sub in self.store.subscriptions:
            if sub.get("customerId") == cid and sub.get("status") != "canceled":
                self._cancel(sub, stamp)
        return hal_response(None, 204)

    @staticmethod
    def _cancel(sub: JSON, stamp: str) -> None:
        sub["status"] = "canceled"
        sub["canceledAt"] = stamp
        sub.pop("nextPaymentDate", None)

    def list_customer_payments(self, request: Request, cid: str) -> Response:
        self._live_customer(cid)
        mine = [p for p in self.store.payments if p.get("customerId") == cid]
        return self._list(request, mine, "tr_", "payments", self.payment, "list-customer-payments")

    # ---- mandates and subscriptions ---------------------------------------------------------

    def list_mandates(self, request: Request, cid: str) -> Response:
        self._live_customer(cid)
        mine = [m for m in self.store.mandates if m.get("customerId") == cid]
        return self._list(request, mine, "mdt_", "mandates", self.mandate, "list-mandates")

    def get_mandate(self, request: Request, cid: str, mid: str) -> Response:
        self._live_customer(cid)
        return hal_response(self.mandate(_find(self.store.mandates, mid, customerId=cid), True))

    def revoke_mandate(self, request: Request, cid: str, mid: str) -> Response:
        self._live_customer(cid)
        mandate = _find(self.store.mandates, mid, customerId=cid)
        mandate["status"] = "invalid"
        stamp = now_iso()
        for sub in self.store.subscriptions:
            if sub.get("mandateId") == mid and sub.get("status") in ("pending", "active"):
                self._cancel(sub, stamp)
        return hal_response(None, 204)

    def list_subscriptions(self, request: Request, cid: str) -> Response:
        self._live_customer(cid)
        mine = [s for s in self.store.subscriptions if s.get("customerId") == cid]
        return self._list(
            request, mine, "sub_", "subscriptions", self.subscription, "list-subscriptions"
        )

    def get_subscription(self, request: Request, cid: str, sid: str) -> Response:
        self._live_customer(cid)
        sub = _find(self.store.subscriptions, sid, customerId=cid)
        return hal_response(self.subscription(sub, single=True))

    def cancel_subscription(self, request: Request, cid: str, sid: str) -> Response:
        self._live_customer(cid)
        sub = _find(self.store.subscriptions, sid, customerId=cid)
        if sub.get("status") == "canceled":
            detail = "The subscription has been canceled"
            raise _Fail(error_response(422, "Unprocessable Entity", detail))
        self._cancel(sub, now_iso())
        return hal_response(self.subscription(sub, single=True))

    def list_subscription_payments(self, request: Request, cid: str, sid: str) -> Response:
        self._live_customer(cid)
        _find(self.store.subscriptions, sid, customerId=cid)
        mine = [p for p in self.store.payments if p.get("subscriptionId") == sid]
        return self._list(
            request, mine, "tr_", "payments", self.payment, "list-subscription-payments"
        )

    def list_all_subscriptions(self, request: Request) -> Response:
        return self._list(
            request,
            self.store.subscriptions,
            "sub_",
            "subscriptions",
            self.subscription,
            "list-all-subscriptions",
        )

    # ---- payments, refunds, chargebacks -----------------------------------------------------

    def list_payments(self, request: Request) -> Response:
        return self._list(
            request, self.store.payments, "tr_", "payments", self.payment, "list-payments"
        )

    def get_payment(self, request: Request, pid: str) -> Response:
        body = self.payment(_find(self.store.payments, pid), single=True)
        embeds = {e.strip() for e in request.args.get("embed", "").split(",") if e.strip()}
        embedded: JSON = {}
        if "refunds" in embeds:
            embedded["refunds"] = [self.refund(r) for r in self._refunds_of(pid)]
        if "chargebacks" in embeds:
            embedded["chargebacks"] = [self.chargeback(c) for c in self._chargebacks_of(pid)]
        if "captures" in embeds:
            embedded["captures"] = []
        if embedded:
            body["_embedded"] = embedded
        return hal_response(body)

    def _with_payment(self, request: Request, render: Callable[[JSON], JSON]) -> Callable[[JSON], JSON]:
        embeds = {e.strip() for e in request.args.get("embed", "").split(",")}
        if "payment" not in embeds:
            return render

        def embedded(obj: JSON) -> JSON:
            out = render(obj)
            payment = next((p for p in self.store.payments if p["id"] == obj["paymentId"]), None)
            if payment is not None:
                out["_embedded"] = {"payment": self.payment(payment)}
            return out

        return embedded

    def list_payment_refunds(self, request: Request, pid: str) -> Response:
        _find(self.store.payments, pid)
        render = self._with_payment(request, self.refund)
        return self._list(request, self._refunds_of(pid), "re_", "refunds", render, "list-refunds")

    def get_refund(self, request: Request, pid: str, rid: str) -> Response:
        _find(self.store.payments, pid)
        return hal_response(self.refund(_find(self.store.refunds, rid, paymentId=pid), True))

    def list_payment_chargebacks(self, request: Request, pid: str) -> Response:
        _find(self.store.payments, pid)
        render = self._with_payment(request, self.chargeback)
        items = self._chargebacks_of(pid)
        return self._list(request, items, "chb_", "chargebacks", render, "list-chargebacks")

    def get_chargeback(self, request: Request, pid: str, chid: str) -> Response:
        _find(self.store.payments, pid)
        cb = _find(self.store.chargebacks, chid, paymentId=pid)
        return hal_response(self.chargeback(cb, single=True))

    def list_refunds(self, request: Request) -> Response:
        render = self._with_payment(request, self.refund)
        return self._list(
            request, self.store.refunds, "re_", "refunds", render, "list-all-refunds"
        )

    def list_chargebacks(self, request: Request) -> Response:
        render = self._with_payment(request, self.chargeback)
        return self._list(
            request, self.store.chargebacks, "chb_", "chargebacks", render, "list-all-chargebacks"
        )


def money(value: Decimal | str, currency: str = "EUR") -> JSON:
    """A Mollie `amount` object."""
    return {"value": f"{Decimal(value):.2f}", "currency": currency}


def create_app(store: MollieStore, base_url: str) -> WSGIApp:
    """The fake Mollie API over `store`, emitting absolute links on `base_url` (no trailing /)."""
    return MollieApp(store, base_url)
