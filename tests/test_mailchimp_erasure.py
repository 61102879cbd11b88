"""Mailchimp's erasure: the person's members are deleted permanently in every audience (also the
one under the address in other capitals), nobody else's, and the report says the address can no
longer be subscribed again through the API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from bridge.api import erase
from connectors.mailchimp.connector import subscriber_hash
from connectors.mailchimp.fake.store import MAILCHIMP_API_KEY
from sandbox.server import Sandbox, start
from tests.conftest import only


@pytest.fixture()
def shop() -> Iterator[Sandbox]:
    with start("woocommerce") as sandbox:
        yield sandbox


def members_of(sandbox: Sandbox, address: str) -> list[str]:
    hashed = subscriber_hash(address)
    return [lid for lid, members in sandbox.shop.mailchimp.members.items() if hashed in members]


def test_the_person_is_deleted_permanently_everywhere_and_nobody_else(
    shop: Sandbox, tmp_path: Path
) -> None:
    subject, lookalike = shop.shop.subject_email, shop.shop.traps["containment"]
    assert len(members_of(shop, subject)) == 2, "the seed puts the subject on both audiences"
    others = sum(len(m) for m in shop.shop.mailchimp.members.values()) - 2
    assert members_of(shop, lookalike)

    outcome = erase(subject, only(shop, "mailchimp", tmp_path=tmp_path), dry_run=False)

    assert outcome.complete, outcome.result.problems
    assert members_of(shop, subject) == []
    assert sum(len(m) for m in shop.shop.mailchimp.members.values()) == others
    assert members_of(shop, lookalike), "the look-alike dejan@ is somebody else"
    done = [e for e in outcome.result.steps if e.step.system == "mailchimp"]
    assert {e.step.operation for e in done} == {"delete_permanent"}
    assert all("cannot be subscribed again" in (e.outcome or "") for e in done)
    # As Mailchimp documents: the address cannot be put back through the API.
    list_id = next(iter(shop.shop.mailchimp.members))
    again = requests.put(
        f"{shop.url('mailchimp')}/3.0/lists/{list_id}/members/{subscriber_hash(subject)}",
        json={"email_address": subject, "status_if_new": "subscribed"},
        auth=("any", MAILCHIMP_API_KEY),
        timeout=10,
    )
    assert again.status_code == 400 and "permanently deleted" in again.json()["detail"]


def test_a_second_run_finds_nothing_left(shop: Sandbox, tmp_path: Path) -> None:
    config = only(shop, "mailchimp", tmp_path=tmp_path)
    assert erase(shop.shop.subject_email, config, dry_run=False).complete
    again = erase(shop.shop.subject_email, config, dry_run=True)
    assert [e for e in again.result.steps if e.step.system == "mailchimp"] == []
