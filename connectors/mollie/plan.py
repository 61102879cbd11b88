"""What Mollie's answers say about the requests still worth making (shared/specs/mollie, specs.yaml).

- A customer's `_links.payments`, `_links.mandates` and `_links.subscriptions` are "Omitted if
  no such payments [mandates, subscriptions] exist (yet)" (entity-customer-response): a customer
  whose rendered `_links` lack one has none of them, and its list is not asked for.
- A payment links its refunds and chargebacks (`_links.refunds`, `_links.chargebacks`) and sums
  them (`amountRefunded`; `amountChargedBack`, left out when zero): both must say "none" before
  the request is saved (`may_have`).
- `GET /v2/payments/{id}` embeds "all refunds" and "all chargebacks created for this payment"
  (`embed=refunds,chargebacks`, get-payment): one request instead of three. No list (customers,
  customer payments) embeds anything, and `GET /v2/customers/{id}` takes no `embed`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from bridge.core.connector import Collected
from bridge.core.parallel import each
from bridge.core.rate_budget import Limits
from connectors.mollie.references import owner_id

T = TypeVar("T")
CHILDREN = "refunds,chargebacks"  # the `embed` of a payment read by id
# Mollie's limits (docs.mollie.com/reference/rate-limiting): "measured in requests per second",
# with burst capacity, "dynamic", per endpoint, and no figure published: a few at a time.
LIMITS = Limits(concurrent=4)


def may_have(payment: Any, children: str, amount: str) -> bool:
    """Whether a payment may have refunds or chargebacks, so that they are worth a request. The
    spec links them (`_links.refunds`) and sums them (`amountRefunded`; `amountChargedBack` is
    left out when zero); both must say "none" before the request is saved."""
    links = payment.get("_links") or {}
    if not isinstance(links, dict) or links.get(children):
        return True
    value = payment.get(amount)
    if value is None:
        return amount == "amountRefunded"  # absent refunded sum: not documented as "none"
    try:
        return float(value.get("value", 1)) != 0
    except (AttributeError, TypeError, ValueError):
        return True


def has_children(payment: Any) -> bool:
    return may_have(payment, "refunds", "amountRefunded") or may_have(
        payment, "chargebacks", "amountChargedBack"
    )


def lists(customer: Any, name: str) -> bool:
    """Whether a customer's list (`payments`, `mandates`, `subscriptions`) is worth a request:
    unless its rendered `_links` (with their `self`) omit it, as the spec does when it is empty."""
    links = customer.get("_links")
    if not isinstance(links, dict) or not links.get("self"):
        return True  # links not rendered as documented: nothing is taken from their absence
    return bool(links.get(name))


def embedded_children(
    payment: dict[str, Any],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]] | None:
    """The refunds and chargebacks a payment read with `embed=refunds,chargebacks` carries (each
    naming the payment), taken out of it; None when it does not carry both lists (an API that
    ignored the embed), so that they are read through their own lists."""
    embedded = payment.get("_embedded")
    if not isinstance(embedded, dict):
        return None
    refunds, chargebacks = embedded.get("refunds"), embedded.get("chargebacks")
    if not isinstance(refunds, list) or not isinstance(chargebacks, list):
        return None
    rest = {k: v for k, v in embedded.items() if k not in ("refunds", "chargebacks")}
    if rest:
        payment["_embedded"] = rest
    else:
        del payment["_embedded"]
    tr = payment.get("id")
    return (
        [r for r in refunds if owner_id(r, "payment") == tr],
        [c for c in chargebacks if owner_id(c, "payment") == tr],
    )


def pages(items: int, size: int) -> int:
    """The requests a listing of `items` takes at `size` a page (an empty one: one)."""
    return max(1, math.ceil(items / size))


def parallel(work: Callable[[Any], T], items: Iterable[Any]) -> list[T]:
    """Independent lookups up to Mollie's limit at a time, results in the order given."""
    return each(work, items, LIMITS.concurrent)


def apart(found: Collected, work: Callable[[Any, Collected], T], items: Iterable[Any]) -> list[T]:
    """`parallel`, each item recording into a `Collected` of its own, taken into `found` in the
    order of the items: the records come in the order one lookup after another gave them."""

    def one(item: Any) -> tuple[T, Collected]:
        own = Collected(minimum=0)
        return work(item, own), own

    done = parallel(one, items)
    for _, own in done:  # after what `found` holds, as the sequential loop added it
        found.records += own.records
        found.revealed += own.revealed
        found.notes += own.notes
        for resource, why in own.failed.items():
            found.failed.setdefault(resource, why)
        found.read |= own.read
        found.hidden |= own.hidden
        found.need(own.minimum or 0)
    return [result for result, _ in done]
