"""What the Lightspeed fake serves per resource: verbs, filters, writable fields, envelope keys.

Verbs follow the official client's resource list (vendor-apis.md §2 "Resources and verbs",
CONFIRMED); filters are the SECONDARY ones of §2 "Find-by-person"; writable fields are the
update schemas of the docs-derived client (NickTacke). Choices where the sources are silent:
- text filters (`email`, `number`) match a case-insensitive substring, so `email=jan@x.nl`
  also returns `dejan@x.nl`, and `number=ORD10004` also `ORD100042`: compare client-side;
- `subscriptions`, `contacts` and `checkouts` have no person filter: an `email` parameter is
  ignored like any unknown parameter (the whole list comes back);
- a PUT body must be wrapped in the singular key (`{"order": {...}}`; checkouts also
  unwrapped); fields that are not writable are ignored (200, unchanged: read the record back),
  a writable field of the wrong type or outside its values is a 400;
- orders accept only `status`, `paymentStatus`, `shipmentStatus`, `memo`, `remark` and
  `doNotify` (`remark` and `doNotify` are accepted and not shown): an order's personal fields
  cannot be changed through the API;
- a customer's `email` must look like an address and be unused by another customer (400).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from connectors.lightspeed.fake.rest import Matcher, bad, contains, equals, id_is
from connectors.lightspeed.fake.shape import COUNTRIES, JSON, ref_id

ORDER_STATUS = (
    "on_hold",
    "processing_awaiting_payment",
    "processing_awaiting_shipment",
    "processing_awaiting_pickup",
    "processing_ready_for_pickup",
    "completed",
    "completed_shipped",
    "completed_picked_up",
    "cancelled",
)
PAYMENT_STATUS = ("not_paid", "partially_paid", "paid", "cancelled")
SHIPMENT_STATUS = ("not_shipped", "partially_shipped", "shipped", "cancelled")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z0-9-]{2,}")


@dataclass(frozen=True)
class Field:
    """A writable field: `str`, `str?` (or null), `bool`, `score`, `email`, `country`, `birth`,
    `enum` (one of `choices`), `address` (a dict merged into the stored one), `ignored`."""

    kind: str
    choices: tuple[str, ...] = ()

    def check(self, name: str, value: Any) -> Any:
        kind = self.kind
        ok = {
            "str": isinstance(value, str),
            "str?": value is None or isinstance(value, str),
            "bool": isinstance(value, bool),
            "score": isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5,
            "email": isinstance(value, str) and EMAIL.fullmatch(value) is not None,
            "country": isinstance(value, str) and value.lower() in COUNTRIES,
            "birth": value is False
            or (isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) is not None),
            "enum": value in self.choices,
            "address": isinstance(value, dict),
            "ignored": True,
        }[kind]
        if not ok:
            raise bad(f"Invalid data input for field '{name}'.")
        if kind == "country":
            return dict(COUNTRIES[value.lower()])
        return value


@dataclass(frozen=True)
class Kind:
    """One resource (or sub-resource) and what the fake lets a client do with it."""

    plural: str  # the list envelope key
    singular: str  # the item envelope key
    verbs: frozenset[str]  # list, get, count, update, delete
    filters: Mapping[str, Matcher] = field(default_factory=dict)
    writable: Mapping[str, Field] = field(default_factory=dict)
    wrapped: bool = True


def _verbs(*names: str) -> frozenset[str]:
    return frozenset(("list", "get", "count", *names))


S, S_, B = Field("str"), Field("str?"), Field("bool")
_ADDRESS = ("Name", "Street", "Street2", "Number", "Extension", "Zipcode", "City", "Region")
CUSTOMER_FIELDS: dict[str, Field] = {
    "email": Field("email"),
    "gender": S,
    "birthDate": Field("birth"),
    "memo": S_,
    "isConfirmed": B,
    "isCompany": B,
    "doNotifyRegistered": B,
    "addressBillingCountry": Field("country"),
    "addressShippingCountry": Field("country"),
    **{
        k: S
        for k in (
            "firstname",
            "middlename",
            "lastname",
            "nationalId",
            "remoteId",
            "phone",
            "mobile",
            "companyName",
            "companyCoCNumber",
            "companyVatNumber",
            *(f"addressBilling{p}" for p in _ADDRESS),
            *(f"addressShipping{p}" for p in _ADDRESS),
        )
    },
}


def _customer_id(item: JSON) -> int | None:
    return ref_id(item.get("customer"))


def _order_id(item: JSON) -> int | None:
    return ref_id(item.get("order"))


BY_CUSTOMER = {"customer": id_is("customer", _customer_id)}
KINDS: dict[str, Kind] = {
    "customers": Kind(
        "customers",
        "customer",
        _verbs("update", "delete"),
        {
            "email": contains(lambda c: c.get("email")),
            "isConfirmed": equals(lambda c: str(c.get("isConfirmed")).lower()),
        },
        CUSTOMER_FIELDS,
    ),
    "orders": Kind(
        "orders",
        "order",
        _verbs("update"),
        {
            **BY_CUSTOMER,
            "email": contains(lambda o: o.get("email")),
            "number": contains(lambda o: o.get("number")),
            "status": equals(lambda o: o.get("status")),
            "paymentStatus": equals(lambda o: o.get("paymentStatus")),
            "shipmentStatus": equals(lambda o: o.get("shipmentStatus")),
        },
        {
            "status": Field("enum", ORDER_STATUS),
            "paymentStatus": Field("enum", PAYMENT_STATUS),
            "shipmentStatus": Field("enum", SHIPMENT_STATUS),
            "memo": S,
            "remark": Field("ignored"),
            "doNotify": Field("ignored"),
        },
    ),
    "invoices": Kind(
        "invoices",
        "invoice",
        _verbs("update"),
        {
            **BY_CUSTOMER,
            "order": id_is("order", _order_id),
            "number": contains(lambda i: i.get("number")),
            "status": equals(lambda i: i.get("status")),
        },
        {"status": Field("enum", ("paid", "not_paid")), "memo": Field("ignored")},
    ),
    "shipments": Kind(
        "shipments",
        "shipment",
        _verbs("update"),
        {
            **BY_CUSTOMER,
            "order": id_is("order", _order_id),
            "status": equals(lambda s: s.get("status")),
        },
        {"status": Field("enum", SHIPMENT_STATUS), "trackingCode": S},
    ),
    "returns": Kind(
        "returns",
        "return",
        _verbs("update", "delete"),
        {
            "customer": id_is("customer", lambda r: r.get("customerId")),
            "order": id_is("order", lambda r: r.get("orderId")),
        },
        {"status": S, "staffNote": S, "customerComment": S, "mailMessage": S},
    ),
    "reviews": Kind(
        "reviews",
        "review",
        _verbs("update", "delete"),
        {**BY_CUSTOMER, "product": id_is("product", lambda r: ref_id(r.get("product")))},
        {"isVisible": B, "score": Field("score"), "name": S, "content": S},
    ),
    "subscriptions": Kind(
        "subscriptions",
        "subscription",
        _verbs("update", "delete"),
        {},
        {"isConfirmed": B, "email": Field("email"), "firstname": S, "lastname": S},
    ),
    "contacts": Kind("contacts", "contact", _verbs()),
    "tickets": Kind(
        "tickets",
        "ticket",
        _verbs("update", "delete"),
        BY_CUSTOMER,
        {"isAnswered": B, "isClosed": B, "isTodo": B, "subject": S, "memo": S},
    ),
    "quotes": Kind("quotes", "quote", _verbs("update"), BY_CUSTOMER, {"comment": S_}),
    "checkouts": Kind(
        "checkouts",
        "checkout",
        _verbs("update", "delete"),
        {},
        {
            **{k: S for k in ("email", "firstname", "lastname", "phone", "company", "gender")},
            "comment": S_,
            "newsletter": B,
            "billing_address": Field("address"),
            "shipping_address": Field("address"),
        },
        wrapped=False,
    ),
}
METAFIELD = {"key": S, "value": S}
CHILDREN: dict[str, Kind] = {
    "orders/products": Kind("orderProducts", "orderProduct", _verbs()),
    "orders/metafields": Kind(
        "orderMetafields", "orderMetafield", _verbs("update", "delete"), {}, METAFIELD
    ),
    "customers/metafields": Kind(
        "customerMetafields", "customerMetafield", _verbs("update", "delete"), {}, METAFIELD
    ),
    "tickets/messages": Kind(
        "ticketMessages", "ticketMessage", _verbs("update", "delete"), {}, {"message": S}
    ),
}
CHECKOUT_PERSON = ("email", "firstname", "lastname", "phone", "company", "gender")
