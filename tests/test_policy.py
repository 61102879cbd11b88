"""The policy decides: one decision per record from the operator's action, what the system's API
can do (its connector's `capabilities`) and the record's date; never a write the policy does not
allow. Unit checks of `decide`, the policy file, the declarations of every connector, and
erasures against the sandbox shops with all-manual, single-type and narrow-retain policies."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import is_dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bridge.app import App
from bridge.core.config import Config
from bridge.core.connector import normalise_email
from bridge.core.decisions import Capability, decide
from bridge.core.errors import InputError
from bridge.core.plugins import registry
from bridge.core.policy import CATEGORIES, Action, Policy, load_policy
from bridge.erasure.process import ErasureResult
from sandbox.data import Shop
from sandbox.server import SHOPS, Sandbox, start

TODAY = date(2025, 6, 1)
RECENT = {"created": "2023-03-01T10:00:00"}  # under the 7-year term on TODAY
OLD = {"created": "2015-03-01T10:00:00"}  # past it
README = Path(__file__).resolve().parents[1] / "README.md"
# Requests that write nothing: PayPal's and The Feedback Company's token calls, and PayPal's
# invoice search, which is a POST that only reads.
READS_BY_POST = {("POST", "/v1/oauth2/token"), ("POST", "/v2/invoicing/search-invoices")}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def policy(actions: dict[str, str], remove: list[str] | None = None) -> Policy:
    retain = {"keep": ["order lines"], "remove": list(CATEGORIES) if remove is None else remove}
    return Policy.model_validate({"actions": actions, "retain": retain})


ORDERISH = Capability(
    delete=True,
    anonymise=True,
    restrict=True,
    strip={"phone": ("phone",), "e-mail address": ("email",)},
    fixed={"IP address": ("ip",)},
    date="created",
)


# -- decide ------------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["manual", None])
def test_manual_or_unnamed_is_a_manual_step_whatever_the_api_can(action: str | None) -> None:
    rules = {"thing": action} if action else {"other": "delete"}
    made = decide(policy(rules), "thing", ORDERISH, RECENT, TODAY)
    assert (made.action, made.how, made.automatic) == (Action.manual, "manual", False)
    assert "{what}" not in made.instruction("thing 1", "the shop") and made.todo


def test_anonymise_never_deletes() -> None:
    only_delete = Capability(delete=True, date="created")
    made = decide(policy({"thing": "anonymise"}), "thing", only_delete, RECENT, TODAY)
    assert (made.action, made.how) == (Action.manual, "manual")
    assert "Anonymise" in made.instruction("thing 1", "the shop")
    both = decide(policy({"thing": "anonymise"}), "thing", ORDERISH, RECENT, TODAY)
    assert (both.action, both.how, both.by_hand) == (Action.anonymise, "anonymise", ("IP address",))


def test_delete_where_the_api_cannot_is_a_prepared_manual_step() -> None:
    made = decide(policy({"thing": "delete"}), "thing", Capability(), RECENT, TODAY)
    assert (made.action, made.how) == (Action.manual, "manual")
    assert made.instruction("thing 7", "the back office") == "Delete thing 7 in the back office."


def test_retain_strips_what_the_policy_lists_as_far_as_the_api_can() -> None:
    made = decide(policy({"thing": "retain"}), "thing", ORDERISH, RECENT, TODAY)
    assert (made.action, made.how, made.until) == (Action.retain, "strip", date(2030, 3, 1))
    assert made.remove == ("phone", "e-mail address") and made.fields == ("phone", "email")
    assert made.by_hand == ("IP address",)
    narrow = decide(policy({"thing": "retain"}, ["phone"]), "thing", ORDERISH, RECENT, TODAY)
    assert (narrow.remove, narrow.fields, narrow.by_hand) == (("phone",), ("phone",), ())
    nothing = decide(policy({"thing": "retain"}, []), "thing", ORDERISH, RECENT, TODAY)
    assert (nothing.how, nothing.remove) == ("strip", ())  # still flagged restricted


def test_retain_past_the_term_is_anonymise_and_never_delete() -> None:
    made = decide(policy({"thing": "retain"}), "thing", ORDERISH, OLD, TODAY)
    assert (made.action, made.how, made.until) == (Action.anonymise, "anonymise", None)
    ended = decide(policy({"thing": "retain"}), "thing", ORDERISH, RECENT, TODAY, term_ended=True)
    assert ended.how == "anonymise"
    no_api = decide(policy({"thing": "retain"}), "thing", Capability(date="created"), OLD, TODAY)
    assert (no_api.action, no_api.how) == (Action.manual, "manual")


def test_retain_where_the_api_strips_nothing_is_kept_or_stripped_by_hand() -> None:
    fixed = Capability(fixed={"phone": ("phone",)}, date="created")
    made = decide(policy({"thing": "retain"}), "thing", fixed, RECENT, TODAY)
    assert (made.action, made.how, made.by_hand) == (Action.retain, "manual", ("phone",))
    kept = decide(policy({"thing": "retain"}, ["user agent"]), "thing", fixed, RECENT, TODAY)
    assert (kept.action, kept.how) == (Action.retain, "keep")


def test_a_deletion_that_takes_other_types_along_needs_the_policy_for_those_too() -> None:
    parent = Capability(delete=True, cascades=("child",))
    rules = {"parent": "delete", "child": "manual"}
    blocked = decide(policy(rules), "parent", parent, {}, TODAY)
    assert (blocked.action, blocked.how) == (Action.manual, "manual")
    assert decide(policy(rules), "parent", parent, {}, TODAY, along=[]).how == "delete"
    allowed = decide(policy({"parent": "delete", "child": "delete"}), "parent", parent, {}, TODAY)
    child = Capability(deleted_with="parent")
    along = decide(policy({"child": "delete"}), "child", child, {}, TODAY, parent=allowed)
    assert (along.action, along.how) == (Action.delete, "with_parent")
    alone = decide(policy({"child": "delete"}), "child", child, {}, TODAY, parent=blocked)
    assert alone.how == "manual"


def test_a_record_the_system_keeps_is_kept_until_its_term_then_asked_for() -> None:
    kept = Capability(date="created", keeps="the processor keeps it", basis="its own duty")
    made = decide(policy({"thing": "delete"}), "thing", kept, RECENT, TODAY)
    assert (made.action, made.how, made.until, made.basis) == (
        Action.retain,
        "keep",
        date(2030, 3, 1),
        "its own duty",
    )
    old = decide(policy({"thing": "delete"}), "thing", kept, OLD, TODAY)
    assert (old.action, old.how) == (Action.manual, "manual")
    assert old.instruction("thing 3", "the processor").startswith("Ask the processor to erase")


def test_a_capability_can_hold_for_some_records_only() -> None:
    concept = Capability(delete=True, only_if=("status", 1), otherwise=Capability(keeps="printed"))
    rules = policy({"thing": "delete"})
    assert decide(rules, "thing", concept, {"status": 1}, TODAY).how == "delete"
    assert decide(rules, "thing", concept, {"status": 2}, TODAY).how == "keep"


# -- the policy file ---------------------------------------------------------------------------


def test_unknown_categories_in_retain_remove_are_named(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(
        '[actions]\norder = "retain"\n[retain]\nkeep = []\nremove = ["phone", "shoe size", "mood"]\n'
    )
    with pytest.raises(InputError) as caught:
        load_policy(path)
    message = str(caught.value)
    assert "'shoe size'" in message and "'mood'" in message and "'phone'" not in message
    assert "\n" not in message


def test_a_policy_without_retain_removes_every_category(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text('[actions]\norder = "manual"\n')
    assert load_policy(path).retain.remove == list(CATEGORIES)


def test_every_record_type_of_every_connector_is_in_the_default_policy_and_the_readme() -> None:
    """Each reported type has a default action, a capability, and its row in the README's table,
    which says what each system's API can do with it (as the capabilities say)."""
    actions = load_policy().actions
    readme = README.read_text()
    section = readme[readme.index("### The policy decides") :]
    rows: dict[str, list[str]] = {}
    for connector in registry():
        reported = set(connector.categories)
        assert reported <= set(actions), (connector.name, reported - set(actions))
        assert set(connector.capabilities) == reported, connector.name
        for kind, can in connector.capabilities.items():
            for each in (can, can.otherwise or can):
                assert set(each.strip) | set(each.fixed) <= set(CATEGORIES), (connector.name, kind)
            rows.setdefault(kind, []).append(f"{connector.title}: {can.summary()}")
    for kind, says in rows.items():
        row = f"| `{kind}` | {actions[kind].value} | {'; '.join(says)} |"
        assert row in section, f"README's policy table: expected {row}"


# -- against the sandbox -----------------------------------------------------------------------


@pytest.fixture(params=list(SHOPS))
def shop(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Sandbox, Config]]:
    with start(request.param) as sandbox:
        yield sandbox, Config({**sandbox.env, "PRIVACY_BRIDGE_HOME": str(tmp_path / "state")})


@pytest.fixture()
def woo(tmp_path: Path) -> Iterator[tuple[Sandbox, Config]]:
    with start("woocommerce") as sandbox:
        yield sandbox, Config({**sandbox.env, "PRIVACY_BRIDGE_HOME": str(tmp_path / "state")})


def run(sandbox: Sandbox, config: Config, rules: Policy, *, dry_run: bool = False) -> ErasureResult:
    with App(config, policy=rules) as app:
        return app.erase(
            sandbox.shop.subject_email, today=sandbox.shop.today, dry_run=dry_run
        ).result


def settled(sandbox: Sandbox, config: Config) -> dict[str, dict[str, str]]:
    """The stores after a dry run (the fakes build some tables lazily, on the first read), with
    the request logs emptied: the baseline to compare a real run with."""
    run(sandbox, config, all_manual(), dry_run=True)
    for faults in sandbox.faults.values():
        faults.clear()
    return records(sandbox.shop)


def all_manual(**allowed: str) -> Policy:
    rules = {kind: "manual" for kind in load_policy().actions} | allowed
    return policy(rules)


def records(shop: Shop) -> dict[str, dict[str, str]]:
    """Every stored record of every system, by where it is kept and by id, as JSON text."""
    out: dict[str, dict[str, str]] = {}

    def walk(value: Any, path: str) -> None:
        if is_dataclass(value) and not isinstance(value, type):
            value = vars(value)
        if (
            isinstance(value, list)
            and value
            and all(isinstance(v, dict) and "id" in v for v in value)
        ):
            out[path] = {str(v["id"]): json.dumps(v, sort_keys=True, default=str) for v in value}
        elif isinstance(value, dict) and "id" not in value:
            for key, sub in value.items():
                walk(sub, f"{path}/{key}")
        else:
            out[path] = {"": json.dumps(value, sort_keys=True, default=str)}

    for system in SHOPS[shop.kind]:
        walk(vars(getattr(shop, system)), system)
    return out


def changed(before: dict[str, dict[str, str]], after: dict[str, dict[str, str]]) -> set[str]:
    """Where any record was added, removed or changed."""
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


def writes(sandbox: Sandbox) -> dict[str, list[tuple[str, str]]]:
    return {
        system: [(m, p) for m, p in faults.requests if m in WRITES and (m, p) not in READS_BY_POST]
        for system, faults in sandbox.faults.items()
    }


def test_a_policy_of_all_manual_writes_nothing_anywhere(shop: tuple[Sandbox, Config]) -> None:
    sandbox, config = shop
    before = settled(sandbox, config)
    result = run(sandbox, config, all_manual())
    assert writes(sandbox) == {system: [] for system in SHOPS[sandbox.shop.kind]}
    assert all(len(f.requests) for f in sandbox.faults.values())  # every system was asked
    assert changed(before, records(sandbox.shop)) == set()
    assert result.steps and {e.state for e in result.steps} == {"manual"}
    assert {e.step.action for e in result.steps} == {Action.manual}


def test_a_policy_that_allows_only_review_deletion_deletes_only_reviews(
    shop: tuple[Sandbox, Config],
) -> None:
    sandbox, config = shop
    before = settled(sandbox, config)
    result = run(sandbox, config, all_manual(review="delete"))
    assert result.complete and not result.problems
    done = [e.step for e in result.steps if e.state == "done"]
    assert done and {s.record_type for s in done} == {"review"}
    after = records(sandbox.shop)
    gone = {s.record_id for s in done}
    if sandbox.shop.kind == "woocommerce":  # the fake's side tables of a review go with it
        where = "woocommerce/reviews"
        side = {
            f"woocommerce/{t}/{i}"
            for t in ("review_user_ids", "review_previous_status")
            for i in gone
        }
        assert changed(before, after) - side == {where}
    else:
        where = "lightspeed/resources/reviews"
        assert changed(before, after) == {where}
    assert set(before[where]) - set(after[where]) == gone
    assert all(before[where][rid] == text for rid, text in after[where].items())
    sent = {(m, p) for found in writes(sandbox).values() for m, p in found}
    # one at a time, or WooCommerce's reviews in a batch (which deletes each)
    assert sent and all(m == "DELETE" or p.endswith("/products/reviews/batch") for m, p in sent)


def test_only_mollie_customers_to_delete_is_not_enough_to_cancel_their_mandates(
    woo: tuple[Sandbox, Config], tmp_path: Path
) -> None:
    """Deleting a Mollie customer cancels its mandates and subscriptions: with those `manual`,
    nothing is deleted; with them allowed too, exactly those three types change."""
    sandbox, config = woo
    before = settled(sandbox, config)
    result = run(sandbox, config, all_manual(mollie_customer="delete"))
    assert writes(sandbox)["mollie"] == [] and changed(before, records(sandbox.shop)) == set()
    steps = [e.step for e in result.steps if e.step.record_type == "mollie_customer"]
    assert steps and all("mandate" in s.reason and e_manual(s) for s in steps)
    elsewhere = Config({**config.values, "PRIVACY_BRIDGE_HOME": str(tmp_path / "other")})
    cancel = all_manual(mollie_customer="delete", mandate="delete", subscription="delete")
    again = run(sandbox, elsewhere, cancel)
    assert again.complete, again.problems
    assert changed(before, records(sandbox.shop)) == {
        "mollie/customers",
        "mollie/mandates",
        "mollie/subscriptions",
    }


def e_manual(step: Any) -> bool:
    return bool(step.operation == "manual" and step.instruction)


def test_a_retained_order_keeps_what_the_policy_does_not_remove(
    woo: tuple[Sandbox, Config],
) -> None:
    sandbox, config = woo
    woo_store = sandbox.shop.woocommerce
    subject = sandbox.shop.subject_email
    orders = {o["id"]: json.loads(json.dumps(o)) for o in woo_store.orders}
    rules = load_policy().model_copy(deep=True)
    rules.retain.remove = ["phone"]
    result = run(sandbox, config, rules)
    assert result.complete, result.problems
    kept = [e.step for e in result.steps if e.step.record_type == "order" and e.step.until]
    assert kept and all(s.removed == ["phone"] for s in kept)
    assert any(
        normalise_email(orders[int(s.record_id)]["billing"]["email"]) == subject for s in kept
    )
    read_only = {e.step.record_id for e in result.steps if e.step.record_type == "order_ip_address"}
    assert not read_only & {s.record_id for s in kept}  # IP and user agent stay: not listed
    for step in kept:
        before = orders[int(step.record_id)]
        after = next(o for o in woo_store.orders if o["id"] == before["id"])
        assert after["billing"]["email"] == before["billing"]["email"]
        assert after["billing"]["phone"] == "" and after["shipping"].get("phone", "") == ""
        assert after["customer_note"] == before["customer_note"]
        assert {k: v for k, v in after["shipping"].items() if k != "phone"} == {
            k: v for k, v in before["shipping"].items() if k != "phone"
        }
        meta = {m["key"] for m in after["meta_data"]}
        assert meta == {m["key"] for m in before["meta_data"]} | {
            "_privacy_bridge_restricted_until"
        }
    anonymised = [
        e.step for e in result.steps if e.step.record_type == "order" and not e.step.until
    ]
    for step in anonymised:  # past the term: anonymised whatever [retain] says
        after = next(o for o in woo_store.orders if str(o["id"]) == step.record_id)
        assert subject not in json.dumps(after).lower()
