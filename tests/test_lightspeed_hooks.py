"""Lightspeed's webhooks at `POST /v1/hooks/lightspeed` (issue 16, item 4): the index kept fresh.

Against the Lightspeed fake of the sandbox, synced first, with the service app in fastapi's test
client. The hooks are built here as bridge/service/hooks.py documents Lightspeed's (the fake sends
none): the record wrapped in its name, `X-Event: <item group>/<item action>`, and `X-Signature`,
the hex MD5 of the raw body followed by the API secret. Changes are made through the fake's own API
(PUT and DELETE), as the shop's back office would. Checked: a changed customer's entry follows its
new address (found by it from the index alone); an order is re-indexed; a deleted customer's entry
goes, while a `deleted` hook for a customer that still exists removes nothing; a wrong or missing
signature is 401 and changes nothing; an item group the index does not keep and a replay are 202
and read nothing; malformed hooks are 400 in one line; every hook is one audit event without
personal data.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bridge.app import App
from bridge.core.config import Config
from bridge.index.entries import IndexView
from bridge.index.sync import sync
from bridge.register.requests import Register
from bridge.service import hooks
from bridge.service.app import create_app
from bridge.service.limits import Limits
from connectors.lightspeed.connector import LightspeedConnector
from sandbox.data import Shop, build_shop
from sandbox.server import Sandbox, start, unlimited

ROUTE = "/v1/hooks/lightspeed"
NAMES = {"LIGHTSPEED_API_URL", "LIGHTSPEED_API_KEY", "LIGHTSPEED_API_SECRET"}


@pytest.fixture(scope="module")
def shop() -> Shop:
    return build_shop("lightspeed", seed=7, today=date.today())


@pytest.fixture(scope="module")
def sandbox(shop: Shop) -> Iterator[Sandbox]:
    with start("lightspeed", shop=shop) as running:
        yield unlimited(running)


@dataclass
class Hooked:
    """The service over a state directory synced with the sandbox's Lightspeed."""

    api: FastAPI
    http: TestClient
    sandbox: Sandbox
    shop: Shop
    config: Config
    lightspeed: LightspeedConnector  # the shop's back office: changes made through the fake's API

    @property
    def secret(self) -> str:
        return self.config.values["LIGHTSPEED_API_SECRET"]

    @property
    def store(self) -> Any:
        return self.api.state.service.store

    def view(self) -> IndexView:
        return IndexView(self.store, "lightspeed")

    def entries(self) -> list[tuple[Any, ...]]:
        rows = self.store.db.execute(
            "SELECT system, record_type, record_id, subject, activity, links FROM index_entries "
            "ORDER BY system, record_type, record_id"
        ).fetchall()
        return [tuple(r) for r in rows]

    def requests(self) -> int:
        return self.sandbox.requests("lightspeed")

    def record(self, group: str, ident: int) -> dict[str, Any]:
        """The record as Lightspeed answers it now, wrapped in its name (as a hook carries it)."""
        body: dict[str, Any] = self.lightspeed.http.json("GET", f"{group}/{ident}.json")
        return body

    def hook(
        self,
        body: bytes | dict[str, Any],
        event: str | None = "customers/updated",
        *,
        signature: str | None = None,
    ) -> Any:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Format": "json",
            "X-Language": "nl",
            "X-Shop-Id": "301234",
            "X-Cluster-Id": "eu1",
            "X-Signature": signature if signature is not None else sign(raw, self.secret),
        }
        if event is not None:
            headers["X-Event"] = event
        return self.http.post(ROUTE, content=raw, headers=headers)

    def register(self) -> Register:
        return self.api.state.service.register("test")

    def hook_events(self) -> list[dict[str, Any]]:
        return [e for e in self.register().events() if e["action"] == hooks.EVENT]


def sign(body: bytes, secret: str) -> str:
    """Lightspeed's X-Signature, written out independently of the module under test."""
    return hashlib.md5(body + secret.encode()).hexdigest()


@pytest.fixture()
def hooked(sandbox: Sandbox, shop: Shop, tmp_path: Path) -> Iterator[Hooked]:
    env = {k: v for k, v in sandbox.env.items() if k in NAMES}
    config = Config({**env, "PRIVACY_BRIDGE_HOME": str(tmp_path / "state")})
    with App(config) as syncing:
        result = sync(syncing.store, syncing.connectors)
        assert (
            result.ok
            and syncing.store.db.execute("SELECT COUNT(*) FROM index_entries").fetchone()[0]
        )
    api = create_app(config, clock=lambda: datetime.now(UTC), limits=Limits(per_minute=1000))
    lightspeed = LightspeedConnector.from_config(config)
    with TestClient(api) as http:
        yield Hooked(api, http, sandbox, shop, config, lightspeed)
    lightspeed.close()
    api.state.service.app.close()


def customer(shop: Shop, n: int) -> dict[str, Any]:
    """The n-th customer of the shop (each test changes its own, the sandbox is shared)."""
    found: dict[str, Any] = shop.stores["lightspeed"].resources["customers"][n]
    return found


def test_a_changed_customer_is_found_by_its_new_address_from_the_index(hooked: Hooked) -> None:
    person = customer(hooked.shop, 3)
    ident, old = person["id"], person["email"]
    assert [i for i, _ in hooked.view().records_of(old, "customer")] == [str(ident)]
    new = f"nieuw.{ident}@example.nl"
    hooked.lightspeed.http.json(
        "PUT", f"customers/{ident}.json", json_body={"customer": {"email": new}}
    )
    assert hooked.view().records_of(new, "customer") == []  # the sync has not seen it

    before = hooked.requests()
    answer = hooked.hook(hooked.record("customers", ident))
    assert answer.status_code == 200, answer.text
    assert answer.json()["outcome"] == "indexed"
    assert hooked.requests() - before == 2  # the hook's body here, and the one re-read by id

    before = hooked.requests()
    assert [i for i, _ in hooked.view().records_of(new, "customer")] == [str(ident)]
    assert hooked.view().records_of(old, "customer") == []
    assert hooked.requests() == before  # the lookup is the index's: no request, no scan
    # The cursor is the sync's: one record says nothing of the others.
    (cursor,) = (
        r["value"]
        for r in hooked.store.db.execute(
            "SELECT stream, value FROM cursors WHERE system = 'lightspeed'"
        )
        if r["stream"] == "customers"
    )
    assert cursor < str(hooked.record("customers", ident)["customer"]["updatedAt"])


def test_what_the_hook_writes_is_what_the_sync_writes(hooked: Hooked) -> None:
    person = customer(hooked.shop, 4)
    ident = person["id"]
    changed = f"ander.{ident}@example.nl"
    hooked.lightspeed.http.json(
        "PUT", f"customers/{ident}.json", json_body={"customer": {"email": changed}}
    )
    # The body's content is not believed: a forged address in it is not what gets indexed.
    body = hooked.record("customers", ident)
    body["customer"]["email"] = "iemand.anders@example.nl"
    assert hooked.hook(body).status_code == 200
    assert hooked.view().records_of("iemand.anders@example.nl", "customer") == []
    assert [i for i, _ in hooked.view().records_of(changed, "customer")] == [str(ident)]
    # A full sync afterwards writes the very same row for it.
    mine = [r for r in hooked.entries() if r[1] == "customer" and r[2] == str(ident)]
    with App(hooked.config) as syncing:
        assert sync(syncing.store, syncing.connectors, full=True).ok
    assert [r for r in hooked.entries() if r[1] == "customer" and r[2] == str(ident)] == mine


def test_an_order_hook_writes_its_entry(hooked: Hooked) -> None:
    order = hooked.shop.stores["lightspeed"].resources["orders"][5]
    ident = str(order["id"])
    synced = [r for r in hooked.entries() if r[1] == "order" and r[2] == ident]
    hooked.store.db.execute(
        "DELETE FROM index_entries WHERE record_type = 'order' AND record_id = ?", (ident,)
    )
    hooked.store.db.commit()
    answer = hooked.hook(
        {"order": {"id": order["id"], "number": order.get("number")}}, "orders/updated"
    )
    assert answer.status_code == 200 and answer.json()["outcome"] == "indexed"
    assert [r for r in hooked.entries() if r[1] == "order" and r[2] == ident] == synced


def test_a_deleted_customer_s_entry_goes(hooked: Hooked) -> None:
    person = customer(hooked.shop, 6)
    ident, address = person["id"], person["email"]
    body = hooked.record("customers", ident)
    # A `deleted` hook for a customer Lightspeed still has removes nothing (proved by re-reading).
    early = hooked.hook(body, "customers/deleted")
    assert early.status_code == 200 and early.json()["outcome"] == "indexed"
    assert [i for i, _ in hooked.view().records_of(address, "customer")] == [str(ident)]

    hooked.lightspeed.http.request("DELETE", f"customers/{ident}.json")
    body["customer"]["updatedAt"] = "2099-01-01T00:00:00+00:00"  # another delivery, another body
    answer = hooked.hook(body, "customers/deleted")
    assert answer.status_code == 200, answer.text
    assert answer.json()["outcome"] == "removed"
    assert hooked.view().records_of(address, "customer") == []
    assert not [r for r in hooked.entries() if r[1] == "customer" and r[2] == str(ident)]


def test_a_wrong_or_missing_signature_is_401_and_changes_nothing(hooked: Hooked) -> None:
    person = customer(hooked.shop, 7)
    ident = person["id"]
    hooked.lightspeed.http.json(
        "PUT",
        f"customers/{ident}.json",
        json_body={"customer": {"email": f"vals.{ident}@example.nl"}},
    )
    body = hooked.record("customers", ident)
    raw = json.dumps(body).encode()
    index, before = hooked.entries(), hooked.requests()
    for signature in (
        "",  # none
        sign(raw, "not-the-secret"),
        sign(raw + b" ", hooked.secret),  # another body
        hashlib.md5(hooked.secret.encode() + raw).hexdigest(),  # secret first
        hashlib.sha256(raw + hooked.secret.encode()).hexdigest(),
        sign(raw, hooked.secret)[:-1],
    ):
        answer = hooked.hook(raw, signature=signature)
        assert answer.status_code == 401, signature
        assert answer.json() == {"detail": "the X-Signature does not verify"}
    assert hooked.entries() == index and hooked.requests() == before
    # Upper-case hex is the same signature.
    assert hooked.hook(raw, signature=sign(raw, hooked.secret).upper()).status_code == 200
    assert hooked.entries() != index


def test_an_unkept_group_and_a_replay_are_ignored_without_reading(hooked: Hooked) -> None:
    before, index = hooked.requests(), hooked.entries()
    product = {"product": {"id": 12, "title": "Zilveren ring"}}
    for body, event in ((product, "products/updated"), (product, None)):
        answer = hooked.hook(body, event)
        assert answer.status_code == 202 and answer.json()["outcome"] == "ignored"
    xml = b"<?xml version='1.0'?><product><id>12</id></product>"  # a group we keep no need to parse
    assert hooked.hook(xml, "products/created").status_code == 202
    assert hooked.requests() == before and hooked.entries() == index

    body = hooked.record("customers", customer(hooked.shop, 8)["id"])
    assert hooked.hook(body).status_code == 200
    before = hooked.requests()
    replay = hooked.hook(body)
    assert replay.status_code == 202 and "replay" in replay.json()["detail"]
    assert hooked.requests() == before


def test_malformed_hooks_are_400_in_one_line(hooked: Hooked) -> None:
    before, index = hooked.requests(), hooked.entries()
    ident = customer(hooked.shop, 9)["id"]
    for body, event in (
        (b"{", "customers/updated"),
        (b"<?xml version='1.0'?><customer><id>1</id></customer>", "customers/updated"),
        (b"[]", "customers/updated"),
        ({"customer": {"email": "x@example.nl"}}, "customers/updated"),  # no id
        ({"customer": {"id": "12; DROP"}}, "customers/updated"),
        ({"customer": {"id": ident}}, "orders/updated"),  # the header names another group
        ({"customer": {"id": ident}, "order": {"id": 1}}, "customers/updated"),
        ({"something": {"id": ident}}, None),
    ):
        answer = hooked.hook(body, event)
        assert answer.status_code == 400, body
        detail = answer.json()["detail"]
        assert "\n" not in detail and "x@example.nl" not in detail
    assert hooked.requests() == before and hooked.entries() == index


def test_every_hook_is_an_audit_event_without_personal_data(hooked: Hooked) -> None:
    person = customer(hooked.shop, 10)
    ident = person["id"]
    new = f"audit.{ident}@example.nl"
    hooked.lightspeed.http.json(
        "PUT", f"customers/{ident}.json", json_body={"customer": {"email": new}}
    )
    body = hooked.record("customers", ident)
    hooked.hook(body)  # 200
    hooked.hook(body)  # 202, a replay
    hooked.hook(body, signature="0" * 32)  # 401
    hooked.hook({"product": {"id": 1}}, "products/updated")  # 202
    hooked.hook(b"{", "customers/updated")  # 400
    hooked.hook(body, "../../etc/passwd", signature="bad")  # 401, a header not Lightspeed's
    events = hooked.hook_events()
    seen = [
        (e["actor"], e["detail"]["item_group"], e["detail"]["item_action"], e["detail"]["record"],
         e["detail"]["verified"], e["detail"]["outcome"], e["detail"]["http_status"])
        for e in events
    ]  # fmt: skip
    assert seen == [
        (hooks.ACTOR, "customers", "updated", str(ident), True, "indexed", 200),
        (hooks.ACTOR, "customers", "updated", str(ident), True, "ignored", 202),
        (hooks.ACTOR, "customers", "updated", None, False, "refused", 401),
        (hooks.ACTOR, "products", "updated", None, True, "ignored", 202),
        (hooks.ACTOR, "customers", "updated", None, True, "refused", 400),
        (hooks.ACTOR, "unknown", "unknown", None, False, "refused", 401),
    ]
    assert all(e["detail"]["system"] == "lightspeed" and e["request_id"] is None for e in events)
    # The middleware's api_call event is not written besides: one event a hook.
    assert not [e for e in hooked.register().events() if e["action"] == "api_call"]
    trail = json.dumps(hooked.register().audit_log())
    for personal in (new, person["email"], person.get("firstname"), person.get("lastname")):
        assert not personal or str(personal) not in trail
    assert (
        hooked.secret not in trail and sign(json.dumps(body).encode(), hooked.secret) not in trail
    )


def test_an_oversized_hook_is_413(hooked: Hooked) -> None:
    body = {"customer": {"id": customer(hooked.shop, 11)["id"], "memo": "x" * 20_000}}
    answer = hooked.hook(body)
    assert answer.status_code == 413 and answer.json() == {"detail": "the body exceeds 16384 bytes"}


def test_without_a_lightspeed_shop_the_route_is_404(tmp_path: Path) -> None:
    config = Config({"PRIVACY_BRIDGE_HOME": str(tmp_path / "state")})
    api = create_app(config, limits=Limits(per_minute=1000))
    with TestClient(api) as http:
        raw = b'{"customer": {"id": 1}}'
        answer = http.post(ROUTE, content=raw, headers={"X-Signature": sign(raw, "")})
        assert answer.status_code == 404
        assert answer.json() == {"detail": "no Lightspeed shop is configured here"}
    api.state.service.app.close()


def test_the_signature_is_md5_of_body_then_secret() -> None:
    # The documented example shape: md5(payload . secret), lower-case hex (module docstring).
    assert (
        hooks.signature(b'{"customer":{"id":1}}', "s3cret")
        == hashlib.md5(b'{"customer":{"id":1}}s3cret').hexdigest()
    )
    assert hooks.verified(b"x", "s", hooks.signature(b"x", "s"))
    assert not hooks.verified(b"x", "", hooks.signature(b"x", ""))  # no secret: nothing verifies
    assert not hooks.verified(b"x", "s", None)
