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
from typing import Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from connectors.mollie.fake.hal import (
    JSON,
    LOCALES,
    Fail,
    MollieHal,
    Tables,
    bad,
    customer_of,
    error_body,
    error_response,
    find,
    hal_response,
    now_iso,
    rate_limit_body,
    subscription_of,
)
from connectors.mollie.fake.store import MollieStore
from sandbox.credentials import MOLLIE_API_KEY
from sandbox.indexes import retrying

__all__ = ["create_app", "error_body", "rate_limit_body"]

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class MollieApp(MollieHal):
    """The WSGI app; every request runs under one lock, so the store stays consistent."""

    def __init__(self, store: MollieStore, base_url: str) -> None:
        self.store = store
        self.base = base_url.rstrip("/")
        self.lock = threading.RLock()
        self.t = Tables(store)
        get, patch, delete = ["GET"], ["PATCH"], ["DELETE"]
        c = "/v2/customers/<cid>"
        p = "/v2/payments/<pid>"
        rules: list[tuple[str, list[str], Callable[..., Response]]] = [
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
        handler = self.handlers[str(endpoint)]
        with self.lock:
            try:
                return retrying(self.t, lambda: handler(request, **args))
            except Fail as fail:
                return fail.response

    @staticmethod
    def _authorized(request: Request) -> bool:
        scheme, _, key = request.headers.get("Authorization", "").partition(" ")
        return scheme.lower() == "bearer" and key.strip() == MOLLIE_API_KEY

    def _live_customer(self, cid: str) -> JSON:
        return find(self.t.customers, cid)

    # ---- customers --------------------------------------------------------------------------

    def list_customers(self, request: Request) -> Response:
        return self._list(
            request, self.t.customers, "cst_", "customers", self.customer, "list-customers"
        )

    def get_customer(self, request: Request, cid: str) -> Response:
        return hal_response(self.customer(self._live_customer(cid), single=True))

    def update_customer(self, request: Request, cid: str) -> Response:
        customer = self._live_customer(cid)
        try:
            data = json.loads(request.get_data(as_text=True) or "{}")
        except ValueError:
            raise bad("The request body is not valid JSON.", "body") from None
        if not isinstance(data, dict):
            raise bad("The request body must be a JSON object.", "body")
        for key in ("name", "email"):
            if key in data and not isinstance(data[key], str | None):
                raise Fail(
                    error_response(422, "Unprocessable Entity", f"The {key} is invalid", key)
                )
        if isinstance(data.get("email"), str) and data["email"] and "@" not in data["email"]:
            raise Fail(error_response(422, "Unprocessable Entity", "The email is invalid", "email"))
        if "locale" in data and data["locale"] is not None and data["locale"] not in LOCALES:
            raise Fail(
                error_response(422, "Unprocessable Entity", "The locale is invalid", "locale")
            )
        for key in ("name", "email", "locale", "metadata"):
            if key in data:
                customer[key] = data[key]
        return hal_response(self.customer(customer, single=True))

    def delete_customer(self, request: Request, cid: str) -> Response:
        customer = self._live_customer(cid)
        mandates = self.t.mandates.group("customer", customer_of, cid)
        subscriptions = self.t.subscriptions.group("customer", customer_of, cid)
        self.store.customers.remove(customer)
        stamp = now_iso()
        for mandate in mandates:
            mandate["status"] = "invalid"
        for sub in subscriptions:
            if sub.get("status") != "canceled":
                self._cancel(sub, stamp)
        return hal_response(None, 204)

    @staticmethod
    def _cancel(sub: JSON, stamp: str) -> None:
        sub["status"] = "canceled"
        sub["canceledAt"] = stamp
        sub.pop("nextPaymentDate", None)

    def list_customer_payments(self, request: Request, cid: str) -> Response:
        self._live_customer(cid)
        mine = self.t.payments.group("customer", customer_of, cid)
        return self._list(request, mine, "tr_", "payments", self.payment, "list-customer-payments")

    # ---- mandates and subscriptions ---------------------------------------------------------

    def list_mandates(self, request: Request, cid: str) -> Response:
        self._live_customer(cid)
        mine = self.t.mandates.group("customer", customer_of, cid)
        return self._list(request, mine, "mdt_", "mandates", self.mandate, "list-mandates")

    def get_mandate(self, request: Request, cid: str, mid: str) -> Response:
        self._live_customer(cid)
        return hal_response(self.mandate(find(self.t.mandates, mid, customerId=cid), True))

    def revoke_mandate(self, request: Request, cid: str, mid: str) -> Response:
        self._live_customer(cid)
        mandate = find(self.t.mandates, mid, customerId=cid)
        mandate["status"] = "invalid"
        stamp = now_iso()
        for sub in self.t.subscriptions.group("customer", customer_of, cid):
            if sub.get("mandateId") == mid and sub.get("status") in ("pending", "active"):
                self._cancel(sub, stamp)
        return hal_response(None, 204)

    def list_subscriptions(self, request: Request, cid: str) -> Response:
        self._live_customer(cid)
        mine = self.t.subscriptions.group("customer", customer_of, cid)
        return self._list(
            request, mine, "sub_", "subscriptions", self.subscription, "list-subscriptions"
        )

    def get_subscription(self, request: Request, cid: str, sid: str) -> Response:
        self._live_customer(cid)
        sub = find(self.t.subscriptions, sid, customerId=cid)
        return hal_response(self.subscription(sub, single=True))

    def cancel_subscription(self, request: Request, cid: str, sid: str) -> Response:
        self._live_customer(cid)
        sub = find(self.t.subscriptions, sid, customerId=cid)
        if sub.get("status") == "canceled":
            detail = "The subscription has been canceled"
            raise Fail(error_response(422, "Unprocessable Entity", detail))
        self._cancel(sub, now_iso())
        return hal_response(self.subscription(sub, single=True))

    def list_subscription_payments(self, request: Request, cid: str, sid: str) -> Response:
        self._live_customer(cid)
        find(self.t.subscriptions, sid, customerId=cid)
        mine = self.t.payments.group("subscription", subscription_of, sid)
        return self._list(
            request, mine, "tr_", "payments", self.payment, "list-subscription-payments"
        )

    def list_all_subscriptions(self, request: Request) -> Response:
        return self._list(
            request,
            self.t.subscriptions,
            "sub_",
            "subscriptions",
            self.subscription,
            "list-all-subscriptions",
        )

    # ---- payments, refunds, chargebacks -----------------------------------------------------

    def list_payments(self, request: Request) -> Response:
        return self._list(
            request, self.t.payments, "tr_", "payments", self.payment, "list-payments"
        )

    def get_payment(self, request: Request, pid: str) -> Response:
        body = self.payment(find(self.t.payments, pid), single=True)
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

    def _with_payment(
        self, request: Request, render: Callable[[JSON], JSON]
    ) -> Callable[[JSON], JSON]:
        embeds = {e.strip() for e in request.args.get("embed", "").split(",")}
        if "payment" not in embeds:
            return render

        def embedded(obj: JSON) -> JSON:
            out = render(obj)
            payment = self.t.payments.get(obj["paymentId"])
            if payment is not None:
                out["_embedded"] = {"payment": self.payment(payment)}
            return out

        return embedded

    def list_payment_refunds(self, request: Request, pid: str) -> Response:
        find(self.t.payments, pid)
        render = self._with_payment(request, self.refund)
        return self._list(request, self._refunds_of(pid), "re_", "refunds", render, "list-refunds")

    def get_refund(self, request: Request, pid: str, rid: str) -> Response:
        find(self.t.payments, pid)
        return hal_response(self.refund(find(self.t.refunds, rid, paymentId=pid), True))

    def list_payment_chargebacks(self, request: Request, pid: str) -> Response:
        find(self.t.payments, pid)
        render = self._with_payment(request, self.chargeback)
        items = self._chargebacks_of(pid)
        return self._list(request, items, "chb_", "chargebacks", render, "list-chargebacks")

    def get_chargeback(self, request: Request, pid: str, chid: str) -> Response:
        find(self.t.payments, pid)
        cb = find(self.t.chargebacks, chid, paymentId=pid)
        return hal_response(self.chargeback(cb, single=True))

    def list_refunds(self, request: Request) -> Response:
        render = self._with_payment(request, self.refund)
        return self._list(request, self.t.refunds, "re_", "refunds", render, "list-all-refunds")

    def list_chargebacks(self, request: Request) -> Response:
        render = self._with_payment(request, self.chargeback)
        return self._list(
            request, self.t.chargebacks, "chb_", "chargebacks", render, "list-all-chargebacks"
        )


def create_app(store: MollieStore, base_url: str) -> WSGIApp:
    """The fake Mollie API over `store`, emitting absolute links on `base_url` (no trailing /)."""
    return MollieApp(store, base_url)
