"""Both reference shops against the sandbox in hostile mode (`sandbox.hostile`): every person
filter ignored, unconfirmed fields spelled the other way, side resources answering 404.

What the product promises there: the export holds every record of the person that can be proven
and none of anybody else's; a listing that answers everyone is read once, not again per
customer or order; a failing side resource costs that resource only; the erasure leaves
everybody else's records byte-identical.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from harness import stop

from bridge.api import collect, erase
from bridge.core.config import Config
from bridge.core.models import DataPackage, Status
from sandbox.hostile import HOSTILE, Hostility
from sandbox.server import SHOPS, Sandbox, start, unlimited
from sandbox.snapshot import snapshot

Key = tuple[str, str, str]  # (system, record type, record id)

IGNORE_ONLY = {s: Hostility(ignore=h.ignore) for s, h in HOSTILE.items()}
RESPELL_ONLY = {s: Hostility(respell=True) for s in HOSTILE}
MISSING_ONLY = {s: Hostility(missing=h.missing) for s, h in HOSTILE.items() if h.missing}


def run(
    kind: str, tmp_path: Path, hostile: dict[str, Hostility] | None
) -> tuple[DataPackage, Sandbox]:
    sandbox = unlimited(start(kind, hostile=hostile))
    try:
        config = Config({**sandbox.env, "PRIVACY_BRIDGE_HOME": str(tmp_path / "state")})
        return collect(sandbox.shop.subject_email, config), sandbox
    finally:
        stop(sandbox)


def keys(package: DataPackage) -> set[Key]:
    return {(s.system, r.type, r.id) for s in package.sources for r in s.records}


@pytest.fixture(scope="module", params=list(SHOPS))
def normal(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    kind: str = request.param
    package, sandbox = run(kind, tmp_path_factory.mktemp(kind), None)
    assert package.complete, [(s.system, s.error) for s in package.sources]
    requests = {system: len(f.requests) for system, f in sandbox.faults.items()}
    return kind, package, requests


def test_filters_ignored_change_nothing_in_the_export(normal: Any, tmp_path: Path) -> None:
    kind, expected, normal_requests = normal
    package, sandbox = run(kind, tmp_path, IGNORE_ONLY)
    assert package.complete, [(s.system, s.error) for s in package.sources]
    assert keys(package) == keys(expected)
    # Read once and matched, not again per customer or order: within a few listings of the
    # requests a normal export makes, plus the whole listings themselves.
    for system, n in normal_requests.items():
        made = len(sandbox.faults[system].requests)
        assert made <= 2 * n + 20, f"{system}: {made} requests against {n} with filters honoured"


def test_unconfirmed_spellings_are_read(normal: Any, tmp_path: Path) -> None:
    kind, expected, _ = normal
    package, _ = run(kind, tmp_path, RESPELL_ONLY)
    assert package.complete, [(s.system, s.error) for s in package.sources]
    found = keys(package)
    assert keys(expected) <= found
    # What the other spelling adds is only what it proves: reviews that show the person's
    # address (The Feedback Company's `client.email`).
    added = found - keys(expected)
    subject = expected.subject.email
    by_key = {(s.system, r.type, r.id): r for s in package.sources for r in s.records}
    for key in added:
        assert key[:2] == ("feedbackcompany", "feedback_review"), key
        client = by_key[key].data.get("client") or {}
        assert str(client.get("email", "")).strip().lower() == subject
    assert bool(added) == (kind == "lightspeed")


def test_a_missing_side_resource_costs_that_resource_only(normal: Any, tmp_path: Path) -> None:
    kind, expected, _ = normal
    if kind != "lightspeed":
        pytest.skip(
            "the side resources that may be missing are Lightspeed's and Feedback Company's"
        )
    package, _ = run(kind, tmp_path, MISSING_ONLY)
    assert not package.complete
    by_system = {s.system: s for s in package.sources}
    gone = {"quote", "contact_message", "checkout", "review_invitation"}
    for system, hostility in MISSING_ONLY.items():
        source = by_system[system]
        assert source.status is Status.partial, (system, source.status, source.error)
        for resource in hostility.missing:
            assert any(f.startswith(resource) for f in source.failed), (resource, source.failed)
    assert keys(package) == {k for k in keys(expected) if k[1] not in gone}
    for system in set(by_system) - set(MISSING_ONLY):
        assert by_system[system].status in (Status.ok, Status.not_found), system


# -- the erasure -------------------------------------------------------------------------------


def _ids(package: DataPackage) -> dict[str, set[str]]:
    """The person's record ids per system, with the parts of composite ids (`order:note`)."""
    ids: dict[str, set[str]] = {}
    for source in package.sources:
        for record in source.records:
            ids.setdefault(source.system, set()).update(record.id.split(":"))
    return ids


def _whole_ids(package: DataPackage) -> dict[str, set[str]]:
    """The person's record ids per system as they are (`list:member`): what the collections
    of a record's side records are named by (`notes/<list>:<member>`)."""
    ids: dict[str, set[str]] = {}
    for source in package.sources:
        ids.setdefault(source.system, set()).update(r.id for r in source.records)
    return ids


@pytest.fixture()
def hostile_shop(normal: Any, tmp_path: Path) -> Iterator[tuple[Sandbox, Config]]:
    sandbox = unlimited(start(normal[0], hostile=HOSTILE))
    try:
        yield sandbox, Config({**sandbox.env, "PRIVACY_BRIDGE_HOME": str(tmp_path / "state")})
    finally:
        stop(sandbox)


def test_erasure_leaves_everybody_else_byte_identical(
    normal: Any, hostile_shop: tuple[Sandbox, Config], tmp_path: Path
) -> None:
    _, expected, _ = normal
    sandbox, config = hostile_shop
    mine, owners = _ids(expected), _whole_ids(expected)
    before = snapshot(sandbox.shop)
    result = erase(sandbox.shop.subject_email, config, dry_run=False).result
    after = snapshot(sandbox.shop)
    changed = {k for k in before if after.get(k) != before[k]} | (after.keys() - before.keys())
    assert changed, "the erasure changed nothing"
    others = sorted(
        k
        for k in changed
        if k[2] not in mine.get(k[0], set())
        and k[1].rsplit("/", 1)[-1] not in owners.get(k[0], set())
    )
    assert not others, f"records of other people changed: {others[:10]}"
    applied = [e for e in result.steps if e.step.automatic and e.state == "done"]
    assert applied
