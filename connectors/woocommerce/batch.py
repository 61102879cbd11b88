"""WooCommerce's erasure in batches, and its lean read-back.

Writes: `POST orders/batch`, `customers/batch` and `products/reviews/batch` with
`{"update": [{"id": …, …}], "delete": [id, …]}`, at most 100 items per call (WooCommerce
answers 413 beyond). The answer lists per item, in the order sent, the object (an order or a
customer; a review as `{"deleted": true, "previous": {…}}`) or `{"id": …, "error": {"code",
"message", "data": {"status"}}}`. A batch deletes with `force` (WooCommerce sets it per item).
An item's `…_invalid_id` or 404/410 error counts as done ("already gone"), another error fails
that item only; an item the answer does not account for is of unknown fate (WriteUncertain: the
core reads it back). Order notes have no batch endpoint: one `DELETE` each. A shop without the
batch routes (`rest_no_route`) gets the calls one at a time.

Read-back (`read_back`, for verification and for writes whose answer was lost): orders that were
changed, not deleted, by `GET orders?include=<ids>&per_page=100` (each record by its own `id`:
`include` only narrows); notes by one `GET orders/<id>/notes` per order (a note not listed is
gone; notes have no trash); anything else, and an order the listing leaves out (in the trash,
or gone), by its own `GET`, whose 404 is conclusive.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from bridge.core.connector import Connector
from bridge.core.errors import NotFound, SystemFailure
from bridge.core.http_errors import describe
from bridge.core.http_retry import WriteUncertain
from bridge.core.policy import Action, Policy
from bridge.core.steps import Step
from connectors.woocommerce import erasure
from connectors.woocommerce.client import ERRORS

if TYPE_CHECKING:
    from connectors.woocommerce.connector import WooCommerceConnector

SIZE = 100  # WooCommerce's limit of items per batch call
RESOURCES = {
    "put_order": "orders",
    "delete_order": "orders",
    "delete_customer": "customers",
    "delete_review": "products/reviews",
}
BATCHED = dict.fromkeys(RESOURCES, SIZE)
Found = dict[str, dict[str, Any] | Exception | None]


def apply(
    shop: WooCommerceConnector, steps: Sequence[Step], policy: Policy
) -> dict[str, str | Exception]:
    """One batch call for steps of one operation: per step key its outcome or its failure."""
    if len(steps) > SIZE or len({s.operation for s in steps}) != 1:
        raise ValueError(f"a WooCommerce batch takes at most {SIZE} steps of one operation")
    steps = _with_all_meta(shop, steps)
    update = steps[0].operation == "put_order"
    items: list[Any] = [
        {"id": int(s.record_id), **erasure.order_payload(s, policy)} if update else int(s.record_id)
        for s in steps
    ]
    try:
        response = shop.api.post(
            f"{RESOURCES[steps[0].operation]}/batch", {"update" if update else "delete": items}
        )
    except NotFound as exc:
        if "rest_no_route" not in str(exc):
            raise
        return {s.key: _single(shop, s, policy) for s in steps}  # no batch routes here
    body = shop.http.parse(response)
    answers = body.get("update" if update else "delete") if isinstance(body, dict) else None
    if not isinstance(answers, list):
        raise WriteUncertain(shop.name, "answered the batch in an unexpected shape")
    return _outcomes(shop.name, steps, answers)


def _done(step: Step) -> str:
    if step.operation != "put_order":
        return "deleted"
    return "restricted and stripped" if step.action is Action.retain else "anonymised"


def _outcomes(system: str, steps: Sequence[Step], answers: list[Any]) -> dict[str, str | Exception]:
    """Each step's item of the answer, found by its id (an error item carries it too); a step
    no item accounts for is left WriteUncertain."""
    by_id: dict[str, Any] = {}
    for item in answers:
        if isinstance(item, dict):
            ident = item.get("id", (item.get("previous") or {}).get("id"))
            by_id.setdefault(str(ident), item)
    results: dict[str, str | Exception] = {}
    for step in steps:
        item = by_id.get(step.record_id)
        if not isinstance(item, dict):
            results[step.key] = WriteUncertain(system, "the batch's answer leaves this item out")
        elif isinstance(item.get("error"), dict):
            results[step.key] = _item_error(system, item["error"])
        else:
            results[step.key] = _done(step)
    return {k: ("already gone" if _gone(v) else v) for k, v in results.items()}


def _item_error(system: str, error: dict[str, Any]) -> SystemFailure:
    status = (error.get("data") or {}).get("status")
    text = describe(error, ERRORS, f"HTTP {status}" if status else "error")
    if status in (404, 410):
        return NotFound(system, text, status)
    return SystemFailure(system, text, status if isinstance(status, int) else None)


def _gone(result: str | Exception) -> bool:
    return isinstance(result, SystemFailure) and erasure.gone(result)


def _single(shop: WooCommerceConnector, step: Step, policy: Policy) -> str | Exception:
    try:
        return shop.apply(step, policy)
    except SystemFailure as exc:  # WriteUncertain among them: the core reads it back
        return exc


def _with_all_meta(shop: WooCommerceConnector, steps: Sequence[Step]) -> Sequence[Step]:
    """An expired retention removes every meta key the order holds: read them first."""
    expired = [s for s in steps if s.params.get("all_meta")]
    if not expired:
        return steps
    found = read_back(shop, expired)
    ready = []
    for step in steps:
        record = found.get(step.key) if step.params.get("all_meta") else None
        if isinstance(record, Exception):
            raise record
        if isinstance(record, dict):
            keys = {str(m.get("key")) for m in record.get("meta_data") or []}
            meta = sorted(keys | set(step.params["meta"]))
            step = step.model_copy(update={"params": {"meta": meta}})
        ready.append(step)
    return ready


def read_back(shop: WooCommerceConnector, steps: Sequence[Step]) -> Found:
    """Each step's record as the shop holds it now (None: gone), in as few calls as it allows."""
    found: Found = {}
    orders = [s for s in steps if s.record_type == "order" and s.action is not Action.delete]
    for start in range(0, len(orders), SIZE):
        chunk = orders[start : start + SIZE]
        try:
            listed = shop._list("orders", {"include": ",".join(s.record_id for s in chunk)})
        except SystemFailure as exc:
            found |= {s.key: exc for s in chunk}
            continue
        by_id = {str(o.get("id")): o for o in listed}
        found |= {
            s.key: erasure.verifiable(s, by_id[s.record_id]) for s in chunk if s.record_id in by_id
        }
    notes: dict[str, list[Step]] = {}
    for step in steps:
        if step.record_type == "order_note" and "order_id" in step.params:
            notes.setdefault(str(step.params["order_id"]), []).append(step)
    for order_id, of_order in notes.items():
        found |= _notes(shop, order_id, of_order)
    rest = [s for s in steps if s.key not in found]
    return found | Connector.fetch_many(shop, rest)


def _notes(shop: WooCommerceConnector, order_id: str, steps: list[Step]) -> Found:
    try:
        listed = shop._list(f"orders/{order_id}/notes", paged=False)
    except SystemFailure as exc:
        if erasure.gone(exc):  # the order is gone, and its notes with it
            return dict.fromkeys((s.key for s in steps), None)
        return {s.key: exc for s in steps}
    by_id = {str(n.get("id")): n for n in listed}
    return {s.key: by_id.get(str(s.params.get("note_id"))) for s in steps}
