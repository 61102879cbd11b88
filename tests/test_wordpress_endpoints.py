"""The service's endpoints for the WordPress plugin, without WordPress: a request verified by
WordPress's confirmation, the processors' records page by page in WordPress's exporter shape,
and the erasure reported per company in its eraser shape (against the sandbox)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bridge.core.config import Config
from bridge.service import clients
from bridge.service.app import create_app
from bridge.service.limits import Limits
from sandbox.server import Sandbox, start


@pytest.fixture()
def sbx() -> Iterator[Sandbox]:
    """A sandbox of this test's own: the erasure changes its data."""
    with start("woocommerce") as running:
        yield running


@pytest.fixture()
def http(sbx: Sandbox, tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    config = Config({**sbx.env, "PRIVACY_BRIDGE_HOME": str(tmp_path / "state")})
    api = create_app(config, limits=Limits(per_minute=10_000))
    made = clients.add(api.state.service.store, "wordpress", None, now=datetime.now(UTC))
    with TestClient(api) as client:
        yield client, {"Authorization": f"Bearer {made.token}"}
    api.state.service.app.close()


def _verified(
    http: tuple[TestClient, dict[str, str]], kind: str, email: str, reference: str
) -> dict[str, Any]:
    client, auth = http
    body = {"type": kind, "email": email, "reference": reference, "verified_by": "wordpress"}
    answer = client.post("/v1/requests/verified", json=body, headers=auth)
    assert answer.status_code == 201, answer.text
    made: dict[str, Any] = answer.json()
    return made


def test_a_confirmed_request_is_registered_verified_once_and_only_by_a_client(
    http: tuple[TestClient, dict[str, str]], sbx: Sandbox
) -> None:
    client, auth = http
    email = sbx.shop.subject_email
    made = _verified(http, "access", email, "wp-7")
    assert made["status"] == "verified" and made["reference"] == "wp-7"
    body = {"type": "access", "email": email, "reference": "wp-7", "verified_by": "wordpress"}
    again = client.post("/v1/requests/verified", json=body, headers=auth)
    assert again.status_code == 200 and again.json()["id"] == made["id"]
    assert client.post("/v1/requests/verified", json=body).status_code == 401
    wrong = client.post(
        "/v1/requests/verified", json={**body, "verified_by": "myself"}, headers=auth
    )
    assert wrong.status_code == 422 and email not in wrong.text
    service = client.app.state.service  # type: ignore[attr-defined]
    events = service.register("test").events(made["id"])
    verified = [e for e in events if e["action"] == "verified"]
    assert verified and verified[0]["detail"]["method"] == "wordpress"
    assert all(email not in str(e["detail"]) for e in events)


def test_the_export_pages_hold_the_processors_records_grouped_per_company(
    http: tuple[TestClient, dict[str, str]], sbx: Sandbox
) -> None:
    client, auth = http
    made = _verified(http, "access", sbx.shop.subject_email, "wp-8")
    items: list[dict[str, Any]] = []
    page, done = 1, False
    while not done:
        answer = client.get(
            f"/v1/requests/{made['id']}/export", params={"page": page, "lang": "en"}, headers=auth
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["page"] == page
        items += body["data"]
        done = body["done"]
        page += 1
    groups = {item["group_id"] for item in items}
    assert len(groups) >= 3, groups  # the shop and its processors
    assert all(item["group_label"] and item["item_id"] for item in items)
    assert len({(i["group_id"], i["item_id"]) for i in items}) == len(items)
    assert all(
        set(f) == {"name", "value"} and f["name"] and f["value"] for i in items for f in i["data"]
    )
    # Values as a person reads them: amounts in euros somewhere among the payments.
    assert any("€" in f["value"] for i in items for f in i["data"])
    beyond = client.get(
        f"/v1/requests/{made['id']}/export", params={"page": page + 5}, headers=auth
    )
    assert beyond.status_code == 200 and beyond.json() | {"data": []} == beyond.json()
    assert beyond.json()["done"] is True


def test_the_erasure_runs_once_and_each_page_reports_a_company_with_what_is_kept(
    http: tuple[TestClient, dict[str, str]], sbx: Sandbox
) -> None:
    client, auth = http
    made = _verified(http, "erasure", sbx.shop.subject_email, "wp-9")
    wrong = client.get(f"/v1/requests/{made['id']}/export", headers=auth)
    assert wrong.status_code == 409
    messages: list[str] = []
    removed = retained = False
    page, done = 1, False
    while not done:
        answer = client.post(
            f"/v1/requests/{made['id']}/erase", params={"page": page, "lang": "en"}, headers=auth
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        messages += body["messages"]
        removed |= body["items_removed"]
        retained |= body["items_retained"]
        done = body["done"]
        page += 1
    assert removed and retained
    kept = [m for m in messages if " are kept until " in m]
    assert kept, messages
    # Page 1 again reports, it does not erase again.
    again = client.post(f"/v1/requests/{made['id']}/erase", params={"lang": "en"}, headers=auth)
    assert (
        again.status_code == 200
        and again.json()["messages"] == messages[: len(again.json()["messages"])]
    )
