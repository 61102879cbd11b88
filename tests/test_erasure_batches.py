"""Erasure in batches: each item journaled from its own answer, lost answers read back, a
resumed batch read back before it is sent, and verification reading back only what changed."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from io import BytesIO
from pathlib import Path
from typing import Any, ClassVar

import pytest

from bridge.app import App
from bridge.core import http_limits
from bridge.core.config import Config
from bridge.core.errors import SystemFailure
from bridge.core.http_retry import WriteUncertain
from bridge.core.policy import Action, Policy, load_policy
from bridge.core.steps import Step
from bridge.erasure.apply import SystemRun
from bridge.erasure.journal import JournalEntry
from bridge.erasure.process import ErasureResult
from bridge.erasure.writes import apply_batch_settled
from sandbox.faults import Fault
from sandbox.server import Sandbox, start
from tests.conftest import quick

INVALID = {"code": "rest_invalid_param", "message": "Invalid parameter(s): billing"}


@pytest.fixture()
def fresh(tmp_path: Path) -> Iterator[tuple[Sandbox, Config]]:
    with start("woocommerce") as sandbox:
        yield sandbox, Config({**sandbox.env, "PRIVACY_BRIDGE_HOME": str(tmp_path / "state")})


def run(sandbox: Sandbox, config: Config) -> ErasureResult:
    with App(config, factory=quick) as app:
        return app.erase(sandbox.shop.subject_email, dry_run=False).result


def woo(result: ErasureResult, operation: str) -> list[JournalEntry]:
    return [e for e in result.steps if e.step.operation == operation]


def test_an_item_error_fails_that_step_only_and_a_rerun_finishes(
    fresh: tuple[Sandbox, Config],
) -> None:
    sandbox, config = fresh
    original = sandbox.faults["woocommerce"].app
    refused: list[int] = []

    def refuse_first(environ: dict[str, Any], start_response: Any) -> Any:
        """The batch's first order refused with an error item; the others applied."""
        if (
            environ["REQUEST_METHOD"] != "POST"
            or refused
            or "orders/batch" not in environ["PATH_INFO"]
        ):
            return original(environ, start_response)
        body = json.loads(environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"])))
        first = body["update"].pop(0)
        refused.append(first["id"])
        raw = json.dumps(body).encode()
        environ = {**environ, "wsgi.input": BytesIO(raw), "CONTENT_LENGTH": str(len(raw))}
        answer = json.loads(b"".join(original(environ, lambda *a, **k: None)))
        error = {**INVALID, "data": {"status": 400}}
        answer["update"].insert(0, {"id": first["id"], "error": error})
        data = json.dumps(answer).encode()
        start_response("200 OK", [("Content-Type", "application/json")])
        return [data]

    sandbox.faults["woocommerce"].app = refuse_first
    first = run(sandbox, config)
    failed = [e for e in woo(first, "put_order") if e.state == "failed"]
    assert [e.step.record_id for e in failed] == [str(refused[0])]
    assert "Invalid parameter" in (failed[0].outcome or "")
    assert all(e.state == "done" for e in woo(first, "put_order") if e not in failed)
    customer = next(e for e in first.steps if e.step.key.startswith("customer:"))
    assert customer.state == "failed" and "waits for" in (customer.outcome or "")
    second = run(sandbox, config)
    assert second.complete, second.problems


def test_a_batch_whose_answer_was_lost_is_read_back_not_sent_again(
    fresh: tuple[Sandbox, Config], monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox, config = fresh
    monkeypatch.setattr(http_limits, "TIMEOUT", (2.0, 0.5))
    sandbox.faults["woocommerce"].add(
        Fault(status=0, delay_s=1.5, method="POST", path="/orders/batch", times=1)
    )
    result = run(sandbox, config)
    orders = woo(result, "put_order")
    assert orders and {e.state for e in orders} == {"done"}
    assert all(
        "its answer was lost; the record read back shows it" in (e.outcome or "") for e in orders
    )
    sent = [p for m, p in sandbox.faults["woocommerce"].requests if m == "POST"]
    assert sent.count("/wp-json/wc/v3/orders/batch") == 1
    assert result.complete, result.problems


def test_verification_reads_changed_orders_back_in_one_listing(
    fresh: tuple[Sandbox, Config],
) -> None:
    sandbox, config = fresh
    result = run(sandbox, config)
    assert result.complete, result.problems
    requests = sandbox.faults["woocommerce"].requests
    assert len(woo(result, "put_order")) > 1
    assert not [p for m, p in requests if m == "GET" and re.fullmatch(r".*/orders/\d+", p)]
    assert [m for m, p in requests if p.endswith("/orders/batch")] == ["POST"]
    assert not [p for m, p in requests if m == "PUT"]


class Stub:
    """A connector whose batches land (or not) and whose records read back as told."""

    name = "stub"
    batch_operations: ClassVar[dict[str, int]] = {"delete_thing": 2}

    def __init__(self, landed: set[str]) -> None:
        self.landed = landed
        self.batches: list[list[str]] = []

    def apply_batch(self, steps: Sequence[Step], policy: Policy) -> dict[str, str | Exception]:
        self.batches.append([s.record_id for s in steps])
        self.landed |= {s.key for s in steps}
        return {s.key: "deleted" for s in steps if s.record_id != "lost"} | {
            s.key: WriteUncertain("stub", "no answer") for s in steps if s.record_id == "lost"
        }

    def fetch_many(self, steps: Sequence[Step]) -> dict[str, dict[str, Any] | Exception | None]:
        return {s.key: None if s.key in self.landed else {"id": s.record_id} for s in steps}


def steps(*ids: str) -> list[Step]:
    return [
        Step(
            system="stub",
            record_type="thing",
            record_id=i,
            action=Action.delete,
            operation="delete_thing",
        )
        for i in ids
    ]


def landed(step: Step, record: dict[str, Any] | None) -> bool:
    return record is None


def test_a_resumed_batch_is_read_back_first_and_only_what_did_not_land_is_sent() -> None:
    stub = Stub(landed={"thing:1"})
    results = apply_batch_settled(stub, steps("1", "2"), load_policy(None), landed, resumed=True)
    assert stub.batches == [["2"]]
    assert results == {"thing:1": "deleted (found done on resuming)", "thing:2": "deleted"}


def test_an_item_without_an_answer_is_read_back() -> None:
    stub = Stub(landed=set())
    results = apply_batch_settled(stub, steps("1", "lost"), load_policy(None), landed)
    assert stub.batches == [["1", "lost"]]
    assert results["thing:lost"] == "deleted (its answer was lost; the record read back shows it)"


def test_a_failure_of_the_whole_call_fails_each_item() -> None:
    class Refusing(Stub):
        def apply_batch(self, steps: Sequence[Step], policy: Policy) -> dict[str, str | Exception]:
            raise SystemFailure("stub", "HTTP 413 too many")

    results = apply_batch_settled(Refusing(set()), steps("1", "2"), load_policy(None), landed)
    assert all(isinstance(r, SystemFailure) for r in results.values())


def test_ready_steps_go_in_batches_of_the_declared_size_in_journal_order() -> None:
    run_ = SystemRun(None, Stub(set()), load_policy(None), None, "a@b.nl")  # type: ignore[arg-type]
    entries = [JournalEntry(i, s, "pending", None) for i, s in enumerate(steps("1", "2", "3"))]  # type: ignore[arg-type]
    single = Step(
        system="stub", record_type="other", record_id="9", action=Action.delete, operation="x"
    )
    entries.insert(1, JournalEntry(9, single, "pending", None))  # type: ignore[arg-type]
    units = [[e.step.record_id for e in unit] for unit in run_._units(entries)]
    assert units == [["1", "2"], ["9"], ["3"]]
