"""WooCommerce erasure: what the REST API can do to each record type, which calls carry out the
core's decisions (`bridge.core.decisions.decide`), and how the result is read back.

- orders to retain: `PUT orders/<id>` removing the categories the policy's `[retain] remove`
  lists (the e-mail replaced by the policy's placeholder, since WooCommerce refuses an empty
  one) and flagged restricted in meta; orders to anonymise: the same call, the billing fields
  blanked as well; orders to delete: `DELETE orders/<id>?force=true` (its notes and refunds go
  along, so only when the policy deletes those too);
- order notes: `DELETE orders/<id>/notes/<id>?force=true` (notes cannot be edited);
- reviews: `DELETE products/reviews/<id>?force=true` (without force they go to the trash);
- the account: `DELETE customers/<id>?force=true`, after its orders (the orders survive it, with
  `customer_id` 0); its download permissions go with it;
- refunds hold amounts only: nothing to strip or anonymise;
- IP address and user agent of orders are read-only in the REST API: a manual step with the SQL.
A 404 (or 410) counts as done: the record is already gone.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date
from typing import Any

from bridge.core.decisions import Capability, Decision, decide
from bridge.core.errors import NotFound, SystemFailure
from bridge.core.models import Record
from bridge.core.policy import Action, Policy
from bridge.core.steps import Step, step_for

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
ADDRESS = tuple(f"shipping.{f}" for f in SHIPPING if f != "phone")
PHONES = ("billing.phone", "shipping.phone")
ANONYMISE_REMOVES = ["billing", "shipping", "customer_note"]
# The policy's categories in an order's fields: what `PUT orders/<id>` can clear, what it cannot.
ORDER_STRIP = {
    "phone": PHONES,
    "e-mail address": ("billing.email",),
    "delivery address": ADDRESS,
    "customer note": ("customer_note",),
    "meta data": ("meta_data",),
}
READ_ONLY = {"IP address": ("customer_ip_address",), "user agent": ("customer_user_agent",)}
SQL_COLUMNS = {
    "IP address": ("ip_address", "_customer_ip_address"),
    "user agent": ("user_agent", "_customer_user_agent"),
}
CAPABILITIES: dict[str, Capability] = {
    "customer": Capability(
        delete=True,
        cascades=("download", "analytics_customer"),
        fixed={
            "phone": PHONES,
            "e-mail address": ("email", "billing.email"),
            "delivery address": ADDRESS,
            "meta data": ("meta_data",),
        },
        date="date_created_gmt",
    ),
    "order": Capability(
        delete=True,
        anonymise=True,
        restrict=True,
        strip=ORDER_STRIP,
        fixed=READ_ONLY,
        cascades=("order_note", "refund", "analytics_customer"),
        date="date_created_gmt",
    ),
    "order_note": Capability(
        delete=True, fixed={"order notes": ("note",)}, date="date_created_gmt"
    ),
    "refund": Capability(
        anonymise=True, personal=False, deleted_with="order", date="date_created_gmt"
    ),
    "download": Capability(deleted_with="customer"),
    # Analytics' customer lookup row: read-only over REST; WooCommerce removes an account's row
    # when the account is deleted (and a guest's when its last order is): else by hand (SQL).
    "analytics_customer": Capability(deleted_with="customer", date="date_last_active"),
    "review": Capability(delete=True, date="date_created_gmt"),
}
DELETE_CALLS = {
    "customer": "delete_customer",
    "order": "delete_order",
    "order_note": "delete_note",
    "review": "delete_review",
}


def plan_steps(
    system: str, title: str, records: Sequence[Record], policy: Policy, today: date
) -> list[Step]:
    """Each record as the core decides it, with the WooCommerce call that carries it out."""
    orders = {r.id: r for r in records if r.type == "order"}
    order_of_refund = {
        str(refund.get("id")): oid
        for oid, order in orders.items()
        for refund in order.data.get("refunds") or []
    }
    children: dict[str, set[str]] = {}  # what goes along with an order or an account
    for record in records:
        if record.type == "order_note":
            children.setdefault(record.id.split(":", 1)[0], set()).add("order_note")
        elif record.type == "refund" and record.id in order_of_refund:
            children.setdefault(order_of_refund[record.id], set()).add("refund")
        elif record.type == "download":
            children.setdefault("customer:" + record.id.split(":", 1)[0], set()).add("download")
        elif record.type == "analytics_customer":
            # an account's row goes with the account; a guest's with the last of its orders
            owner = record.data.get("user_id")
            for key in [f"customer:{owner}"] if owner else list(orders):
                children.setdefault(key, set()).add("analytics_customer")

    def decision(record: Record, **kwargs: Any) -> Decision:
        return decide(policy, record.type, CAPABILITIES[record.type], record.data, today, **kwargs)

    def step(record: Record, made: Decision, **extra: Any) -> Step:
        call = {"delete": DELETE_CALLS.get(record.type, ""), "anonymise": "put_order"}
        extra.setdefault("operation", call.get(made.how, "put_order"))
        return step_for(system, record.type, record.id, made, policy, where=title, **extra)

    steps: list[Step] = []
    order_steps: dict[str, Step] = {}
    order_decisions: dict[str, Decision] = {}
    by_hand: list[tuple[str, Decision]] = []
    for oid, order in orders.items():
        made = order_decisions[oid] = decision(order, along=sorted(children.get(oid, ())))
        number = str(order.data.get("number") or oid)
        personal_meta = sorted(
            {
                str(m.get("key"))
                for m in order.data.get("meta_data") or []
                if m.get("key") != RESTRICTED_META
            }
        )
        extra: dict[str, Any] = {"what": f"order {number}", "reason": f"order {number}: {made.why}"}
        if made.how == "anonymise":
            extra |= {"params": {"meta": personal_meta}, "fields": ANONYMISE_REMOVES}
        elif made.how == "strip":
            meta = personal_meta if "meta data" in made.remove else []
            extra |= {
                "params": {"meta": meta, "restricted_until": str(made.until)},
                "fields": [f for f in made.fields if f != "meta_data"] + ["meta_data"] * bool(meta),
            }
        order_steps[oid] = step(order, made, **extra)
        steps.append(order_steps[oid])
        # the SQL only for the orders that hold a value to clear
        held = tuple(
            c for c in made.by_hand if any(order.data.get(f) for f in READ_ONLY.get(c, ()))
        )
        if held and made.how != "manual":
            by_hand.append((oid, dataclasses.replace(made, by_hand=held)))
    customers = {r.id: r for r in records if r.type == "customer"}
    customer_decisions = {
        cid: decision(c, along=sorted(children.get(f"customer:{cid}", ())))
        for cid, c in customers.items()
    }
    for record in records:
        if record.type == "customer":
            own = [
                f"order:{o.id}"
                for o in orders.values()
                if str(o.data.get("customer_id")) == record.id and order_steps[o.id].automatic
            ]
            made = customer_decisions[record.id]
            extra = {"after": own} if made.automatic else {}
            if made.how == "delete":
                extra["reason"] = "the shop account is deleted once its orders are handled"
            steps.append(step(record, made, **extra))
        elif record.type == "order_note":
            oid, nid = record.id.split(":", 1)
            made = decision(record)
            extra = {"params": {"order_id": oid, "note_id": nid}} if made.automatic else {}
            if made.how == "delete":
                extra["reason"] = (
                    "order notes can hold personal data and are not part of the invoice"
                )
            steps.append(step(record, made, what=f"note {nid} of order {oid}", **extra))
        elif record.type == "review":
            made = decision(record)
            reason = "a review is not needed once its author asks to be forgotten"
            steps.append(step(record, made, **({"reason": reason} if made.how == "delete" else {})))
        elif record.type == "download":
            cid = record.id.split(":", 1)[0]
            made = decision(record, parent=customer_decisions.get(cid))
            after = [f"customer:{cid}"] if made.how == "with_parent" else []
            steps.append(step(record, made, after=after))
        elif record.type == "analytics_customer":
            owner = str(record.data.get("user_id") or "")
            made = decision(record, parent=customer_decisions.get(owner))
            if made.how == "with_parent":
                steps.append(step(record, made, after=[f"customer:{owner}"]))
            elif made.how == "manual" and made.wanted is Action.delete:
                sql = (
                    "Delete the WooCommerce Analytics customer row "
                    f"{record.id} in the shop's database (wp_ being the site's table prefix): "
                    f"DELETE FROM wp_wc_customer_lookup WHERE customer_id = {record.id};"
                )
                why = "the REST API cannot delete an Analytics customer row" + (
                    "; an account's goes with the account" if owner else ""
                )
                steps.append(step(record, made, instruction=sql, reason=why))
            else:
                steps.append(step(record, made))
        elif record.type == "refund":
            parent = order_of_refund.get(record.id, "")
            made = decision(record, parent=order_decisions.get(parent))
            extra = {"after": [f"order:{parent}"]} if made.how == "with_parent" else {}
            if made.how == "keep":
                extra["reason"] = (
                    "a refund holds amounts of its order's fiscal record and no contact details"
                )
            steps.append(step(record, made, **extra))
        elif record.type != "order":
            steps.append(step(record, decide(policy, record.type, Capability(), {}, today)))
    for oid, made in sorted(by_hand, key=lambda item: int(item[0])):
        steps.append(_read_only_step(system, oid, made))
    return steps


def _read_only_step(system: str, oid: str, made: Decision) -> Step:
    """The IP address and user agent the REST API cannot change: the SQL that clears them."""
    cats = [c for c in made.by_hand if c in SQL_COLUMNS]
    columns = ", ".join(f"{SQL_COLUMNS[c][0]} = ''" for c in cats)
    keys = ", ".join(f"'{SQL_COLUMNS[c][1]}'" for c in cats)
    return Step(
        system=system,
        record_type="order_ip_address",
        record_id=oid,
        action=Action.manual,
        operation="manual",
        fields=[f for c in cats for f in READ_ONLY[c]],
        reason=f"WooCommerce's REST API cannot change an order's {' and '.join(cats)}",
        instruction=(
            f"Clear the {' and '.join(cats)} of order {oid} in the shop's database "
            "(wp_ being the site's table prefix). With WooCommerce's order tables (HPOS, "
            f"the default): UPDATE wp_wc_orders SET {columns} WHERE id = {oid}; "
            "with the older post storage: UPDATE wp_postmeta SET meta_value = '' WHERE meta_key IN "
            f"({keys}) AND post_id = {oid};"
        ),
    )


def expired_order(step: Step) -> Step:
    """A retained order whose fiscal term ended: anonymised, and its restriction flag removed."""
    return step.model_copy(
        update={
            "action": Action.anonymise,
            "until": None,
            "fields": ANONYMISE_REMOVES,
            "kept": [],
            "removed": [],
            "params": {"meta": [RESTRICTED_META], "all_meta": True},
            "reason": f"the fiscal term of order {step.record_id} ended on {step.until}: anonymised",
        }
    )


def order_payload(step: Step, policy: Policy) -> dict[str, Any]:
    """An anonymised order, or a retained one without the categories its step removes."""
    meta: list[dict[str, Any]]
    if step.action is Action.retain:
        removed = set(step.removed)
        billing: dict[str, str] = {}
        shipping: dict[str, str] = {}
        if "e-mail address" in removed:
            billing["email"] = policy.placeholder_email
        if "phone" in removed:
            billing["phone"] = shipping["phone"] = ""
        if "delivery address" in removed:
            shipping |= {f.split(".", 1)[1]: "" for f in ADDRESS}
        body: dict[str, Any] = {"billing": billing, "shipping": shipping}
        if "customer note" in removed:
            body["customer_note"] = ""
        meta = [{"key": RESTRICTED_META, "value": step.params["restricted_until"]}]
    else:
        billing = dict.fromkeys(BILLING, "") | {"email": policy.placeholder_email}
        body = {"billing": billing, "shipping": dict.fromkeys(SHIPPING, ""), "customer_note": ""}
        meta = []
    meta += [{"key": key, "value": None} for key in step.params.get("meta", [])]
    return {k: v for k, v in body.items() if v != {}} | {"meta_data": meta}


def verifiable(step: Step, record: dict[str, Any]) -> dict[str, Any]:
    """The record as verification reads it: an order's restriction flag is ours, not personal."""
    if step.record_type == "order" and isinstance(record.get("meta_data"), list):
        meta = [m for m in record["meta_data"] if m.get("key") != RESTRICTED_META]
        return record | {"meta_data": meta}
    return record


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
