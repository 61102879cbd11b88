"""HAL rendering for the Mollie fake: error bodies, object `_links`, and paged HAL lists.

Shapes follow Mollie's OpenAPI document (shared/specs/mollie/specs.yaml): list items carry
`_links.self`/`dashboard` (+ related resources), single objects also `_links.documentation`; lists
carry `count`, `_embedded.<resource>` and `_links.self/previous/next/documentation` with absolute
hrefs on the fake's base URL, so the official SDK follows `next` verbatim.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from werkzeug.wrappers import Request, Response

from connectors.mollie.fake.store import MollieStore
from sandbox.indexes import Listing, Rows, Table

JSON = dict[str, Any]

HAL = "application/hal+json"
ERRORS_DOC = "https://docs.mollie.com/overview/handling-errors"
AUTH_DOC = "https://docs.mollie.com/overview/authentication"
DASHBOARD = "https://my.mollie.com/dashboard/org_13514547"
DEFAULT_LIMIT = 50
MAX_LIMIT = 250
LOCALES = frozenset(  # locale-response in the spec
    [
        "ca_ES",
        "cs_CZ",
        "da_DK",
        "de_AT",
        "de_CH",
        "de_DE",
        "de_LU",
        "en_BE",
        "en_GB",
        "en_NL",
        "en_US",
        "es_ES",
        "fi_FI",
        "fr_BE",
        "fr_FR",
        "fr_LU",
        "hu_HU",
        "is_IS",
        "it_IT",
        "lt_LT",
        "lv_LV",
        "nb_NO",
        "nl_BE",
        "nl_NL",
        "pl_PL",
        "pt_PT",
        "sk_SK",
        "sv_SE",
    ]
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


def rate_limit_body() -> JSON:
    """The spec's 429 body (`429-rate-limit`), for a fault middleware to answer with."""
    detail = "You have exceeded the rate limit. Please slow down your requests."
    return error_body(429, "Too Many Requests", detail)


def hal_response(body: JSON | None, status: int = 200) -> Response:
    """A response in Mollie's media type (no body for 204)."""
    if body is None:
        return Response(status=status)
    return Response(json.dumps(body), status=status, content_type=HAL)


def error_response(status: int, title: str, detail: str, field: str | None = None) -> Response:
    return hal_response(error_body(status, title, detail, field), status)


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class Fail(Exception):
    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


def not_found(token: str) -> Fail:
    kind = next((n for p, n in _NAMES.items() if token.startswith(p)), "entity")
    return Fail(error_response(404, "Not Found", f"No {kind} exists with token {token}."))


def bad(detail: str, field: str) -> Fail:
    return Fail(error_response(400, "Bad Request", detail, field))


def find(items: Table, token: str, **match: str) -> JSON:
    item = items.get(token)
    if item is not None and all(item.get(k) == v for k, v in match.items()):
        return item
    raise not_found(token)


def created(obj: JSON) -> tuple[str, str]:
    """The order of every list: by `createdAt`, then id (`sort=desc` reverses it)."""
    return (obj.get("createdAt", ""), obj["id"])


def customer_of(obj: JSON) -> Any:
    return obj.get("customerId")


def payment_of(obj: JSON) -> Any:
    return obj.get("paymentId")


def subscription_of(obj: JSON) -> Any:
    return obj.get("subscriptionId")


class Tables:
    """The indexes over a Mollie store's lists (see `sandbox.indexes`)."""

    def __init__(self, store: MollieStore) -> None:
        self.customers = Table(lambda: store.customers)
        self.payments = Table(lambda: store.payments)
        self.refunds = Table(lambda: store.refunds)
        self.chargebacks = Table(lambda: store.chargebacks)
        self.mandates = Table(lambda: store.mandates)
        self.subscriptions = Table(lambda: store.subscriptions)

    def __iter__(self) -> Iterator[Table]:
        return iter(
            (
                self.customers,
                self.payments,
                self.refunds,
                self.chargebacks,
                self.mandates,
                self.subscriptions,
            )
        )


class MollieHal:
    """Renders store objects as the API shows them; the app subclasses it."""

    store: MollieStore
    base: str
    t: Tables

    # ---- rendering --------------------------------------------------------------------------

    def _link(self, path: str, kind: str = HAL) -> JSON:
        href = path if path.startswith("http") else self.base + path
        return {"href": href, "type": kind}

    def _render(self, obj: JSON, links: Mapping[str, str | None], single: bool, doc: str) -> JSON:
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
        has_pay = bool(self.t.payments.group("customer", customer_of, cid))
        has_mdt = bool(self.t.mandates.group("customer", customer_of, cid))
        has_sub = bool(self.t.subscriptions.group("customer", customer_of, cid))
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
        links = {
            "self": f"/v2/customers/{cid}/mandates/{m['id']}",
            "customer": f"/v2/customers/{cid}",
        }
        return self._render(m, links, single, "get-mandate")

    def subscription(self, s: JSON, single: bool = False) -> JSON:
        cid = s["customerId"]
        path = f"/v2/customers/{cid}/subscriptions/{s['id']}"
        has_pay = bool(self.t.payments.group("subscription", subscription_of, s["id"]))
        links = {
            "self": path,
            "customer": f"/v2/customers/{cid}",
            "mandate": f"/v2/customers/{cid}/mandates/{s['mandateId']}"
            if s.get("mandateId")
            else None,
            "profile": f"/v2/profiles/{s['profileId']}"
            if s.get("profileId")
            else "/v2/profiles/me",
            "payments": path + "/payments" if has_pay else None,
        }
        return self._render(s, links, single, "get-subscription")

    def refund(self, r: JSON, single: bool = False) -> JSON:
        pid = r["paymentId"]
        links = {"self": f"/v2/payments/{pid}/refunds/{r['id']}", "payment": f"/v2/payments/{pid}"}
        return self._render(r, links, single, "get-refund")

    def chargeback(self, cb: JSON, single: bool = False) -> JSON:
        pid = cb["paymentId"]
        links = {
            "self": f"/v2/payments/{pid}/chargebacks/{cb['id']}",
            "payment": f"/v2/payments/{pid}",
        }
        return self._render(cb, links, single, "get-chargeback")

    def _refunds_of(self, pid: str) -> list[JSON]:
        return self.t.refunds.group("payment", payment_of, pid)

    def _chargebacks_of(self, pid: str) -> list[JSON]:
        return self.t.chargebacks.group("payment", payment_of, pid)

    # ---- lists ------------------------------------------------------------------------------

    def _list(
        self,
        request: Request,
        source: Table | list[JSON],
        prefix: str,
        resource: str,
        render: Callable[[JSON], JSON],
        doc: str,
    ) -> Response:
        """A page of `source` (a whole list's table, or a few of its objects) in `createdAt`
        order, from the object named by `from` on; `next`/`previous` name the neighbouring pages'
        first objects."""
        args = request.args
        limit = DEFAULT_LIMIT
        if "limit" in args:
            try:
                limit = int(args["limit"])
            except ValueError:
                raise bad("The limit must be a number between 1 and 250.", "limit") from None
            if not 1 <= limit <= MAX_LIMIT:
                raise bad("The limit must be a number between 1 and 250.", "limit")
        sort = args.get("sort", "desc")
        if sort not in ("asc", "desc"):
            raise bad("The sort must be either 'asc' or 'desc'.", "sort")
        rows: Rows
        if isinstance(source, Table):
            rows = source.sorted("created", created, descending=sort == "desc")
        else:
            rows = Listing(sorted(source, key=created, reverse=sort == "desc"))
        start = 0
        if "from" in args:
            token = args["from"]
            where = self._where(source, token) if token.startswith(prefix) else None
            if where is None:
                raise bad("Invalid cursor value", "from")
            start = where if sort == "asc" else len(rows) - 1 - where
        found = rows.page(start, start + limit + 1)
        page, nxt = found[:limit], (found[limit] if len(found) > limit else None)
        prev = rows.page(max(0, start - limit), max(0, start - limit) + 1)[0] if start else None
        rest = [(k, v) for k, v in args.items(multi=True) if k not in ("from", "limit")]

        def href(token: str) -> JSON:
            query = urlencode([("from", token), ("limit", str(limit)), *rest])
            return self._link(f"{request.path}?{query}")

        self_href = request.path + (
            f"?{request.query_string.decode()}" if request.query_string else ""
        )
        body = {
            "count": len(page),
            "_embedded": {resource: [render(o) for o in page]},
            "_links": {
                "self": self._link(self_href),
                "previous": href(prev["id"]) if prev else None,
                "next": href(nxt["id"]) if nxt else None,
                "documentation": self._link(
                    f"https://docs.mollie.com/reference/{doc}", "text/html"
                ),
            },
        }
        return hal_response(body)

    @staticmethod
    def _where(source: Table | list[JSON], token: str) -> int | None:
        """The position (ascending `createdAt` order) of the object with id `token`."""
        if isinstance(source, Table):
            found = source.get(token)
            return None if found is None else source.locate("created", created, found)
        ordered = [o["id"] for o in sorted(source, key=created)]
        return ordered.index(token) if token in ordered else None
