"""WooCommerce erasure: which REST calls carry out each step, and how the result is read back.

- orders under the fiscal term: `PUT orders/<id>` stripping them to the invoice fields (e-mail
  replaced by the policy's placeholder, since WooCommerce refuses an empty one; phone, shipping
  address, customer note and personal meta removed) and flagged restricted in meta;
- older orders: the same call, the billing fields blanked as well;
- order notes: `DELETE orders/<id>/notes/<id>?force=true`;
- reviews: `DELETE products/reviews/<id>?force=true` (without force they go to the trash);
- the account: `DELETE customers/<id>?force=true`, after its orders (the orders survive it);
- IP address and user agent of orders are read-only in the REST API: a manual step with the SQL.
A 404 (or 410) counts as done: the record is already gone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from bridge.errors import NotFound, SystemFailure
from bridge.models import Record
from bridge.plan import Step
from bridge.policy import Action, Policy
from connectors.base import record_date

RESTRICTED_META = "_privacy_bridge_restricted_until"
BILLING = (
    "first_name",
    "last_name",
    "company",
    "address_1",
    "address_2",
    "city",
    "state",
    "postcode",
    "country",
    "email",
    "phone",
)
SHIPPING = (
    "first_name",
    "last_name",
    "company",
    "address_1",
    "address_2",
    "city",
    "state",
    "postcode",
    "country",
    "phone",
)
RETAIN_REMOVES = ["billing.email", "billing.phone", "shipping", "customer_note"]
ANONYMISE_REMOVES = ["billing", "shipping", "customer_note"]


def plan_steps(system: str, records: Sequence[Record], policy: Policy, today: date) -> list[Step]:
    steps: list[Step] = []
    orders = {r.id: r for r in records if r.type == "order"}
    order_steps: dict[str, Step] = {}
    for oid, order in orders.items():
        action, until = policy.decide(
            "order", record_date(order.data.get("date_created_gmt")), today
        )
        number = str(order.data.get("number") or oid)
        personal_meta = sorted(
            {
                str(m.get("key"))
                for m in order.data.get("meta_data") or []
                if m.get("key") != RESTRICTED_META
            }
        )
        if action is Action.retain:
            step = Step(
                system=system,
                record_type="order",
                record_id=oid,
                action=action,
                operation="put_order",
                params={"meta": personal_meta, "restricted_until": str(until)},
                fields=RETAIN_REMOVES,
                kept=policy.retain.keep,
                until=until,
                legal_basis=policy.legal_basis,
                reason=f"order {number} is part of the fiscal administration until {until}: kept, restricted, stripped to the invoice fields",
            )
        else:
            step = Step(
                system=system,
                record_type="order",
                record_id=oid,
                action=Action.anonymise,
                operation="put_order",
                params={"meta": personal_meta},
                fields=ANONYMISE_REMOVES,
                reason=f"order {number} is past the fiscal term: anonymised, the amounts stay for the shop's records",
            )
        order_steps[oid] = step
        steps.append(step)
    for record in records:
        if record.type == "order":
            continue
        if record.type == "customer":
            own = [
                f"order:{o.id}"
                for o in orders.values()
                if str(o.data.get("customer_id")) == record.id
            ]
            steps.append(
                Step(
                    system=system,
                    record_type="customer",
                    record_id=record.id,
                    action=Action.delete,
                    operation="delete_customer",
                    after=own,
                    reason="the shop account is deleted once its orders are handled",
                )
            )
        elif record.type == "order_note":
            oid, nid = record.id.split(":", 1)
            steps.append(
                Step(
                    system=system,
                    record_type="order_note",
                    record_id=record.id,
                    action=Action.delete,
                    operation="delete_note",
                    params={"order_id": oid, "note_id": nid},
                    reason="order notes can hold personal data and are not part of the invoice",
                )
            )
        elif record.type == "review":
            steps.append(
                Step(
                    system=system,
                    record_type="review",
                    record_id=record.id,
                    action=policy.action("review"),
                    operation="delete_review",
                    reason="a review is not needed once its author asks to be forgotten",
                )
            )
        elif record.type == "download":
            cid = record.id.split(":", 1)[0]
            steps.append(
                Step(
                    system=system,
                    record_type="download",
                    record_id=record.id,
                    action=Action.delete,
                    operation="none",
                    after=[f"customer:{cid}"],
                    reason="download permissions disappear with the account",
                )
            )
        elif record.type == "refund":
            parent = next(
                (
                    s
                    for s in order_steps.values()
                    if any(
                        str(r.get("id")) == record.id
                        for r in orders[s.record_id].data.get("refunds") or []
                    )
                ),
                None,
            )
            steps.append(
                Step(
                    system=system,
                    record_type="refund",
                    record_id=record.id,
                    action=parent.action if parent else Action.retain,
                    operation="none",
                    until=parent.until if parent else None,
                    legal_basis=policy.legal_basis,
                    reason="a refund holds amounts of its order's fiscal record and no contact details",
                )
            )
    for oid in sorted(orders, key=int):
        steps.append(
            Step(
                system=system,
                record_type="order_ip_address",
                record_id=oid,
                action=Action.manual,
                operation="manual",
                reason="WooCommerce's REST API cannot change an order's IP address and user agent",
                instruction=(
                    f"Clear the IP address and user agent of order {oid} in the shop's database "
                    "(wp_ being the site's table prefix). With WooCommerce's order tables (HPOS, "
                    f"the default): UPDATE wp_wc_orders SET ip_address = '', user_agent = '' WHERE id = {oid}; "
                    "with the older post storage: UPDATE wp_postmeta SET meta_value = '' WHERE meta_key IN "
                    f"('_customer_ip_address', '_customer_user_agent') AND post_id = {oid};"
                ),
            )
        )
    return steps


def expired_order(step: Step) -> Step:
    """A retained order whose fiscal term ended: anonymised, and its restriction flag removed."""
    return step.model_copy(
        update={
            "action": Action.anonymise,
            "until": None,
            "fields": ANONYMISE_REMOVES,
            "kept": [],
            "params": {"meta": [RESTRICTED_META]},
            "reason": f"the fiscal term of order {step.record_id} ended on {step.until}: anonymised",
        }
    )


def order_payload(step: Step, policy: Policy) -> dict[str, Any]:
    shipping = dict.fromkeys(SHIPPING, "")
    if step.action is Action.retain:
        billing: dict[str, str] = {"email": policy.placeholder_email, "phone": ""}
        meta: list[dict[str, Any]] = [
            {"key": RESTRICTED_META, "value": step.params["restricted_until"]}
        ]
    else:
        billing = dict.fromkeys(BILLING, "") | {"email": policy.placeholder_email}
        meta = []
    meta += [{"key": key, "value": None} for key in step.params.get("meta", [])]
    return {"billing": billing, "shipping": shipping, "customer_note": "", "meta_data": meta}


def endpoint(step: Step) -> str:
    if step.record_type == "order":
        return f"orders/{step.record_id}"
    if step.record_type == "customer":
        return f"customers/{step.record_id}"
    if step.record_type == "review":
        return f"products/reviews/{step.record_id}"
    if step.record_type == "order_note":
        return f"orders/{step.params['order_id']}/notes/{step.params['note_id']}"
    raise SystemFailure("woocommerce", f"no endpoint for {step.record_type}")


def gone(error: SystemFailure) -> bool:
    """404/410, or WooCommerce's `…_invalid_id` error (a 400 for some routes)."""
    return isinstance(error, NotFound) or "_invalid_id" in str(error)
