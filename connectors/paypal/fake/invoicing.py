"""The Invoicing v2 part of the PayPal fake: search, list and show invoices (invoicing_v2.json).

Search criteria combine with AND, as documented. `recipient_email` matches a primary recipient's
billing e-mail case-insensitively and exactly; the name and business-name criteria match
case-insensitive substrings (PayPal does not document how they match, so a client must filter the
results itself anyway). Search results leave out the big collections (`items`, `payments`,
`refunds`, `additional_recipients`, `detail.attachments`) unless the body's `fields` asks for them.
"""

from __future__ import annotations

import copy
import json
import math
from typing import Any
from urllib.parse import urlencode

from werkzeug.wrappers import Request, Response

from connectors.paypal.fake.http import error_response, invalid, json_response, parse_time
from connectors.paypal.fake.store import PayPalStore

JSON = dict[str, Any]

_STATUSES = "DRAFT SENT SCHEDULED PAID MARKED_AS_PAID CANCELLED REFUNDED PARTIALLY_PAID"
STATUSES = frozenset(
    (_STATUSES + " PARTIALLY_REFUNDED MARKED_AS_REFUNDED UNPAID PAYMENT_PENDING").split(" ")
)
COLLECTIONS = {
    "items": ("items",),
    "payments": ("payments",),
    "refunds": ("refunds",),
    "additional_recipients_info": ("additional_recipients",),
    "attachments": ("detail", "attachments"),
}


def _issue(field: str, value: Any, issue: str, description: str, location: str = "query") -> JSON:
    return {
        "field": field,
        "value": str(value),
        "location": location,
        "issue": issue,
        "description": description,
    }


def _bounded(request: Request, name: str, default: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        text = "the value of a field does not conform to the expected format."
        raise invalid(_issue(name, raw, "INVALID_PARAMETER_SYNTAX", text)) from None
    if value < 1:
        raise invalid(
            _issue(name, raw, "INVALID_INTEGER_MIN_VALUE", "Value less than minimum value.")
        )
    if value > high:
        raise invalid(_issue(name, raw, "INVALID_INTEGER_MAX_VALUE", "Value exceeds max value."))
    return value


def _recipients(invoice: JSON) -> list[JSON]:
    return [r.get("billing_info", {}) for r in invoice.get("primary_recipients", [])]


def _contains(needle: str, *haystack: str | None) -> bool:
    return any(needle.casefold() in (h or "").casefold() for h in haystack)


def _in_range(value: str | None, bounds: JSON, times: bool) -> bool:
    if not value:
        return False
    if not times:
        return bool(bounds.get("start", "") <= value[:10] <= bounds.get("end", "9999"))
    moment, start, end = (parse_time(str(v)) for v in (value, bounds["start"], bounds["end"]))
    if moment is None or start is None or end is None:
        return False
    return start <= moment <= end


def matches(invoice: JSON, query: JSON) -> bool:
    """Whether `invoice` meets every criterion of a `search_data` body."""
    billing = _recipients(invoice)
    detail = invoice.get("detail", {})
    if "recipient_email" in query:
        wanted = str(query["recipient_email"]).casefold()
        if not any((b.get("email_address") or "").casefold() == wanted for b in billing):
            return False
    for key, part in (("recipient_first_name", "given_name"), ("recipient_last_name", "surname")):
        if key in query and not any(
            _contains(str(query[key]), b.get("name", {}).get(part)) for b in billing
        ):
            return False
    if "recipient_business_name" in query and not any(
        _contains(str(query["recipient_business_name"]), b.get("business_name")) for b in billing
    ):
        return False
    exact = {
        "invoice_number": detail.get("invoice_number"),
        "reference": detail.get("reference"),
        "currency_code": detail.get("currency_code"),
        "memo": detail.get("memo"),
    }
    if any(k in query and query[k] != v for k, v in exact.items()):
        return False
    if "status" in query and invoice.get("status") not in query["status"]:
        return False
    archived = query.get("archived")
    if archived is not None and bool(invoice.get("archived", False)) != bool(archived):
        return False
    created = detail.get("metadata", {}).get("create_time")
    ranges = (
        ("invoice_date_range", detail.get("invoice_date"), False),
        ("due_date_range", detail.get("payment_term", {}).get("due_date"), False),
        ("creation_date_range", created, True),
    )
    return all(key not in query or _in_range(value, query[key], t) for key, value, t in ranges)


def _validate(query: Any) -> JSON:
    syntax = "the value of a field does not conform to the expected format."
    if not isinstance(query, dict):
        raise invalid(_issue("/", query, "INVALID_PARAMETER_SYNTAX", syntax, "body"))
    limits = {"recipient_email": 254, "recipient_first_name": 140, "recipient_last_name": 140}
    limits |= {"recipient_business_name": 300, "invoice_number": 25, "reference": 120, "memo": 500}
    for key, most in limits.items():
        if key in query and not isinstance(query[key], str):
            raise invalid(_issue(f"/{key}", query[key], "INVALID_PARAMETER_SYNTAX", syntax, "body"))
        if key in query and len(query[key]) > most:
            text = "the value of a field is too long."
            raise invalid(_issue(f"/{key}", query[key], "INVALID_STRING_MAX_LENGTH", text, "body"))
    status = query.get("status", [])
    if not isinstance(status, list) or any(s not in STATUSES for s in status):
        raise invalid(_issue("/status", status, "INVALID_PARAMETER_SYNTAX", syntax, "body"))
    if len(status) > 5:
        text = "the number of items in an array parameter is too large."
        raise invalid(_issue("/status", status, "INVALID_ARRAY_MAX_ITEMS", text, "body"))
    for key in ("invoice_date_range", "due_date_range", "creation_date_range"):
        bounds = query.get(key)
        if key in query and not (isinstance(bounds, dict) and {"start", "end"} <= set(bounds)):
            raise invalid(_issue(f"/{key}", bounds, "INVALID_PARAMETER_SYNTAX", syntax, "body"))
    return query


class InvoicingMixin:
    """Invoicing endpoints of the PayPal fake (the app provides `store` and `base`)."""

    store: PayPalStore
    base: str

    def _render_invoice(self, invoice: JSON, fields: set[str] | None = None) -> JSON:
        out = copy.deepcopy(invoice)
        out.pop("archived", None)
        if fields is not None:
            for name, path in COLLECTIONS.items():
                if name not in fields:
                    holder = out.get(path[0]) if len(path) == 2 else out
                    if isinstance(holder, dict):
                        holder.pop(path[-1], None)
        href = f"{self.base}/v2/invoicing/invoices/{invoice['id']}"
        out["links"] = [
            {"href": href, "rel": "self", "method": "GET"},
            {"href": href, "rel": "replace", "method": "PUT"},
            {"href": href, "rel": "delete", "method": "DELETE"},
        ]
        return out

    def get_invoice(self, request: Request, invoice_id: str) -> Response:
        for invoice in self.store.invoices:
            if invoice.get("id") == invoice_id:
                return json_response(self._render_invoice(invoice))
        text = "Specified resource ID does not exist. Please check the resource ID and try again."
        issue = {"issue": "INVALID_RESOURCE_ID", "description": text}
        return error_response("RESOURCE_NOT_FOUND", [issue])

    def _page(
        self, request: Request, found: list[JSON], fields: set[str] | None, method: str
    ) -> Response:
        page = _bounded(request, "page", 1, 1000)
        page_size = _bounded(request, "page_size", 20, 100)
        total_required = request.args.get("total_required", "false").lower() == "true"
        chunk = found[(page - 1) * page_size : page * page_size]
        total_pages = math.ceil(len(found) / page_size)
        rest = [(k, v) for k, v in request.args.items(multi=True) if k != "page"]
        query = urlencode(rest)
        url = f"{self.base}{request.path}?{query + '&' if query else ''}page="
        links = [{"href": f"{url}{page}", "rel": "self", "method": method}]
        if page < total_pages:
            links.append({"href": f"{url}{page + 1}", "rel": "next", "method": method})
        if page > 1:
            links.append({"href": f"{url}{page - 1}", "rel": "prev", "method": method})
        body: JSON = {"items": [self._render_invoice(i, fields) for i in chunk], "links": links}
        if total_required:
            body = {"total_items": len(found), "total_pages": total_pages, **body}
        return json_response(body)

    def list_invoices(self, request: Request) -> Response:
        fields = None if request.args.get("fields", "all").lower() == "all" else set[str]()
        return self._page(request, self._sorted(self.store.invoices), fields, "GET")

    def search_invoices(self, request: Request) -> Response:
        try:
            raw = json.loads(request.get_data(as_text=True) or "{}")
        except ValueError:
            raw = None
        query = _validate(raw)
        fields = {str(f) for f in query.get("fields", [])}
        found = [i for i in self._sorted(self.store.invoices) if matches(i, query)]
        return self._page(request, found, fields, "POST")

    @staticmethod
    def _sorted(invoices: list[JSON]) -> list[JSON]:
        def created(invoice: JSON) -> str:
            return str(invoice.get("detail", {}).get("metadata", {}).get("create_time", ""))

        return sorted(invoices, key=lambda i: (created(i), i.get("id", "")), reverse=True)
