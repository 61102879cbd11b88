"""The Mailchimp Marketing API v3 fake and its seed, against Mailchimp's documentation (the
sources are listed in `connectors.mailchimp.fake`), and the official SDK run unmodified against it."""

from __future__ import annotations

import copy
import io
import json
import random
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import requests
from werkzeug.test import EnvironBuilder

from connectors.mailchimp.fake import (
    MAILCHIMP_API_KEY,
    MAILCHIMP_DATA_CENTER,
    MAILCHIMP_OAUTH_TOKEN,
    MailchimpStore,
    create_app,
    subscriber_hash,
)
from connectors.mailchimp.seed import seed_mailchimp
from sandbox.data import Shop, ShopOrder
from sandbox.server import serve

AUTH = ("anystring", MAILCHIMP_API_KEY)
ERRORS_DOC = "https://mailchimp.com/developer/marketing/docs/errors/"
PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}
# The List_Members keys of the marketing spec (get member, list members, search members).
MEMBER_KEYS = {
    "id", "email_address", "unique_email_id", "contact_id", "full_name", "web_id", "email_type",
    "status", "unsubscribe_reason", "consents_to_one_to_one_messaging", "sms_phone_number",
    "sms_subscription_status", "sms_subscription_last_updated", "merge_fields", "interests",
    "stats", "ip_signup", "timestamp_signup", "ip_opt", "timestamp_opt", "member_rating",
    "last_changed", "language", "vip", "email_client", "location", "marketing_permissions",
    "last_note", "source", "tags_count", "tags", "list_id", "_links",
}  # fmt: skip
LIST_KEYS = {
    "id", "web_id", "name", "contact", "permission_reminder", "use_archive_bar",
    "campaign_defaults", "notify_on_subscribe", "notify_on_unsubscribe", "date_created",
    "list_rating", "email_type_option", "subscribe_url_short", "subscribe_url_long",
    "beamer_address", "visibility", "double_optin", "has_welcome", "marketing_permissions",
    "modules", "stats", "_links",
}  # fmt: skip
ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00")


# ---- fixtures ---------------------------------------------------------------------------------


def _starting(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    start_response("503 Starting", [("Content-Type", "text/plain")])
    return [b"starting"]


@contextmanager
def serving(store: MailchimpStore) -> Iterator[str]:
    """The fake over `store` on a loopback port (`sandbox.server.serve`); yields its base URL."""
    server, thread = serve(_starting)
    url = f"http://127.0.0.1:{server.server_port}"
    server.app = create_app(store, url)
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def orders(woo_shop: Shop) -> list[ShopOrder]:
    return woo_shop.orders()


@pytest.fixture(scope="module")
def store(woo_shop: Shop, orders: list[ShopOrder]) -> MailchimpStore:
    store = MailchimpStore()
    seed_mailchimp(
        store,
        orders,
        woo_shop.today,
        random.Random(13),
        subject_email=woo_shop.subject_email,
        traps=woo_shop.traps,
    )
    return store


@pytest.fixture(scope="module")
def api(store: MailchimpStore) -> Iterator[str]:
    """The API root of a fake shared by the read-only tests."""
    with serving(copy.deepcopy(store)) as url:
        yield f"{url}/3.0"


@pytest.fixture()
def scratch(store: MailchimpStore) -> Iterator[tuple[str, MailchimpStore]]:
    """A fake of its own, for tests that change the store."""
    mine = copy.deepcopy(store)
    with serving(mine) as url:
        yield f"{url}/3.0", mine


def list_id(store: MailchimpStore, name: str) -> str:
    return next(lst["id"] for lst in store.lists if lst["name"] == name)


def get(api: str, path: str, **params: Any) -> requests.Response:
    return requests.get(f"{api}{path}", params=params, auth=AUTH, timeout=10)


def assert_problem(response: requests.Response, status: int, title: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert set(body) >= PROBLEM_KEYS
    assert (body["type"], body["title"], body["status"]) == (ERRORS_DOC, title, status)
    assert isinstance(body["instance"], str) and body["instance"]
    return dict(body)


# ---- health and authentication ----------------------------------------------------------------


def test_ping(api: str) -> None:
    response = get(api, "/ping")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json() == {"health_status": "Everything's Chimpy!"}


def test_basic_auth_takes_any_user_name_and_the_key_as_password(api: str) -> None:
    response = requests.get(f"{api}/ping", auth=("whoever", MAILCHIMP_API_KEY), timeout=10)
    assert response.status_code == 200
    bearer = {"Authorization": f"Bearer {MAILCHIMP_OAUTH_TOKEN}"}
    assert requests.get(f"{api}/ping", headers=bearer, timeout=10).status_code == 200


def test_missing_and_invalid_keys_are_401(api: str) -> None:
    missing = assert_problem(requests.get(f"{api}/lists", timeout=10), 401, "API Key Missing")
    assert missing["detail"] == "Your request did not include an API key."
    wrong = requests.get(f"{api}/lists", auth=("x", "0" * 32 + "-us21"), timeout=10)
    body = assert_problem(wrong, 401, "API Key Invalid")
    assert body["detail"] == (
        "Your API key may be invalid, or you've attempted to access the wrong datacenter."
    )
    # An API key is a Basic-auth password; as a bearer token it is not an OAuth token.
    key_as_bearer = {"Authorization": f"Bearer {MAILCHIMP_API_KEY}"}
    assert_problem(
        requests.get(f"{api}/lists", headers=key_as_bearer, timeout=10), 401, "API Key Invalid"
    )
    assert MAILCHIMP_API_KEY.endswith(f"-{MAILCHIMP_DATA_CENTER}")


def test_unknown_route_and_wrong_method(api: str) -> None:
    assert_problem(get(api, "/nothing-here"), 404, "Resource Not Found")
    response = requests.delete(f"{api}/lists", auth=AUTH, timeout=10)
    assert_problem(response, 405, "Method Not Allowed")
    assert "GET" in response.headers["Allow"].split(", ")


# ---- lists ------------------------------------------------------------------------------------


def test_lists_paging_and_fields(api: str, store: MailchimpStore) -> None:
    everything = get(api, "/lists").json()
    assert everything["total_items"] == 2
    assert {lst["name"] for lst in everything["lists"]} == {"Nieuwsbrief", "Klantenpanel"}
    assert set(everything["lists"][0]) == LIST_KEYS
    first = get(api, "/lists", count=1).json()
    second = get(api, "/lists", count=1, offset=1).json()
    assert first["total_items"] == second["total_items"] == 2
    assert [first["lists"][0]["id"], second["lists"][0]["id"]] == [s["id"] for s in store.lists]
    assert get(api, "/lists", offset=2).json()["lists"] == []
    picked = get(api, "/lists", fields="lists.id,lists.name,total_items").json()
    assert set(picked) == {"lists", "total_items"}
    assert all(set(lst) == {"id", "name"} for lst in picked["lists"])
    trimmed = get(api, "/lists", exclude_fields="_links,constraints,lists.stats").json()
    assert set(trimmed) == {"lists", "total_items"}
    assert all("stats" not in lst and "name" in lst for lst in trimmed["lists"])


def test_lists_email_filter(api: str, woo_shop: Shop) -> None:
    mine = get(api, "/lists", email=woo_shop.subject_email).json()
    assert {lst["name"] for lst in mine["lists"]} == {"Nieuwsbrief", "Klantenpanel"}
    theirs = get(api, "/lists", email=woo_shop.traps["containment"]).json()
    assert [lst["name"] for lst in theirs["lists"]] == ["Nieuwsbrief"]


def test_get_list_counts_members(api: str, store: MailchimpStore) -> None:
    for lst in store.lists:
        shown = get(api, f"/lists/{lst['id']}", include_total_contacts="true").json()
        members = store.members[lst["id"]].values()
        assert shown["stats"]["member_count"] == sum(m["status"] == "subscribed" for m in members)
        assert shown["stats"]["total_contacts"] == len(members)
        assert "total_contacts" not in get(api, f"/lists/{lst['id']}").json()["stats"]
    assert_problem(get(api, "/lists/0000000000"), 404, "Resource Not Found")


# ---- members ----------------------------------------------------------------------------------


def test_members_paging_and_status(api: str, store: MailchimpStore) -> None:
    lid = list_id(store, "Nieuwsbrief")
    members = store.members[lid]
    visible = [h for h, m in members.items() if m["status"] != "archived"]
    default = get(api, f"/lists/{lid}/members").json()
    assert len(default["members"]) == 10
    assert default["total_items"] == len(visible)
    assert default["list_id"] == lid
    seen: list[str] = []
    for offset in range(0, len(visible), 37):
        page = get(api, f"/lists/{lid}/members", count=37, offset=offset).json()
        assert page["total_items"] == len(visible)
        seen += [m["id"] for m in page["members"]]
    assert seen == visible
    assert len(get(api, f"/lists/{lid}/members", count=5000).json()["members"]) == len(visible)
    for status in ("subscribed", "unsubscribed", "cleaned", "pending", "archived"):
        page = get(api, f"/lists/{lid}/members", status=status, count=1000).json()
        expected = sum(m["status"] == status for m in members.values())
        assert expected > 0, status
        assert page["total_items"] == expected == len(page["members"])
        assert {m["status"] for m in page["members"]} == {status}
    assert_problem(get(api, f"/lists/{lid}/members", status="gone"), 400, "Invalid Resource")
    assert_problem(get(api, f"/lists/{lid}/members", count="many"), 400, "Invalid Resource")


def test_member_by_hash_address_or_contact_id(
    api: str, store: MailchimpStore, woo_shop: Shop
) -> None:
    lid = list_id(store, "Nieuwsbrief")
    hashed = subscriber_hash(woo_shop.subject_email)
    by_hash = get(api, f"/lists/{lid}/members/{hashed}").json()
    assert set(by_hash) == MEMBER_KEYS
    assert by_hash["id"] == hashed and by_hash["list_id"] == lid
    # "This endpoint also accepts a list member's email address or contact_id."
    by_email = get(api, f"/lists/{lid}/members/{woo_shop.subject_email.upper()}").json()
    by_contact = get(api, f"/lists/{lid}/members/{by_hash['contact_id']}").json()
    assert by_email["id"] == by_contact["id"] == hashed
    # The activity feed documents the hash only.
    feed = get(api, f"/lists/{lid}/members/{woo_shop.subject_email}/activity-feed")
    assert_problem(feed, 404, "Resource Not Found")


def test_unknown_member_is_a_404_problem(api: str, store: MailchimpStore) -> None:
    lid = list_id(store, "Nieuwsbrief")
    response = get(api, f"/lists/{lid}/members/{subscriber_hash('nobody@example.nl')}")
    body = assert_problem(response, 404, "Resource Not Found")
    assert body["detail"] == "The requested resource could not be found."


def test_member_shapes(api: str, store: MailchimpStore) -> None:
    for lst in store.lists:
        page = get(api, f"/lists/{lst['id']}/members", count=1000, status="subscribed").json()
        for member in page["members"]:
            assert set(member) == MEMBER_KEYS
            assert member["id"] == subscriber_hash(member["email_address"])
            merge = member["merge_fields"]
            assert set(merge) == {"FNAME", "LNAME", "ADDRESS", "PHONE", "BIRTHDAY"}
            address = merge["ADDRESS"]
            assert address == "" or set(address) == {
                "addr1",
                "addr2",
                "city",
                "state",
                "zip",
                "country",
            }
            assert merge["BIRTHDAY"] == "" or re.fullmatch(r"\d\d/\d\d", merge["BIRTHDAY"])
            assert ISO.fullmatch(member["timestamp_opt"]) and ISO.fullmatch(member["last_changed"])
            assert member["timestamp_signup"] == "" or ISO.fullmatch(member["timestamp_signup"])
            assert member["tags_count"] == len(member["tags"])
            assert {"latitude", "longitude", "country_code", "timezone"} <= set(member["location"])


def test_the_case_trap(api: str, store: MailchimpStore, woo_shop: Shop) -> None:
    """One hash, the address as it was typed in each audience."""
    hashed = subscriber_hash(woo_shop.subject_email)
    news = get(api, f"/lists/{list_id(store, 'Nieuwsbrief')}/members/{hashed}").json()
    panel = get(api, f"/lists/{list_id(store, 'Klantenpanel')}/members/{hashed}").json()
    assert news["email_address"] == woo_shop.subject_email
    assert panel["email_address"] == woo_shop.traps["case"] != woo_shop.subject_email
    assert news["id"] == panel["id"] == subscriber_hash(woo_shop.traps["case"])
    assert news["unique_email_id"] == panel["unique_email_id"]


# ---- tags, notes, activity --------------------------------------------------------------------


def test_tags(scratch: tuple[str, MailchimpStore], woo_shop: Shop) -> None:
    api, store = scratch
    lid, hashed = list_id(store, "Nieuwsbrief"), subscriber_hash(woo_shop.subject_email)
    path = f"/lists/{lid}/members/{hashed}/tags"
    before = get(api, path).json()
    assert before["total_items"] >= 1
    assert set(before["tags"][0]) == {"id", "name", "date_added"}
    removed = before["tags"][0]["name"]
    body = {
        "tags": [
            {"name": "AVG-verzoek", "status": "active"},
            {"name": removed, "status": "inactive"},
        ]
    }
    response = requests.post(f"{api}{path}", json=body, auth=AUTH, timeout=10)
    assert response.status_code == 204 and response.content == b""
    names = {t["name"] for t in get(api, path, count=1000).json()["tags"]}
    assert "AVG-verzoek" in names and removed not in names
    member = get(api, f"/lists/{lid}/members/{hashed}").json()
    assert member["tags_count"] == len(names)
    paged = get(api, path, count=1, offset=1).json()
    assert paged["total_items"] == len(names) and len(paged["tags"]) == 1
    bad = requests.post(
        f"{api}{path}", json={"tags": [{"name": "x", "status": "on"}]}, auth=AUTH, timeout=10
    )
    assert_problem(bad, 400, "Invalid Resource")


def test_notes(scratch: tuple[str, MailchimpStore], woo_shop: Shop) -> None:
    api, store = scratch
    lid, hashed = list_id(store, "Nieuwsbrief"), subscriber_hash(woo_shop.subject_email)
    path = f"/lists/{lid}/members/{hashed}/notes"
    before = get(api, path).json()
    assert before["total_items"] >= 1 and before["email_id"] == hashed
    added = requests.post(
        f"{api}{path}", json={"note": "Inzageverzoek ontvangen."}, auth=AUTH, timeout=10
    )
    assert added.status_code == 200
    note = added.json()
    assert {
        "id",
        "created_at",
        "created_by",
        "updated_at",
        "note",
        "list_id",
        "email_id",
        "contact_id",
    } <= set(note)
    listed = get(api, path).json()
    assert listed["total_items"] == before["total_items"] + 1
    assert listed["notes"][0]["id"] == note["id"]  # newest first
    assert get(api, f"/lists/{lid}/members/{hashed}").json()["last_note"]["note_id"] == note["id"]
    assert get(api, f"{path}/{note['id']}").json()["note"] == "Inzageverzoek ontvangen."
    deleted = requests.delete(f"{api}{path}/{note['id']}", auth=AUTH, timeout=10)
    assert deleted.status_code == 204
    assert_problem(get(api, f"{path}/{note['id']}"), 404, "Resource Not Found")
    too_long = requests.post(f"{api}{path}", json={"note": "x" * 1001}, auth=AUTH, timeout=10)
    assert_problem(too_long, 400, "Invalid Resource")


def test_activity_feed_and_activity(api: str, store: MailchimpStore, woo_shop: Shop) -> None:
    hashed = subscriber_hash(woo_shop.subject_email)
    for lst in store.lists:
        base = f"/lists/{lst['id']}/members/{hashed}"
        feed = get(api, f"{base}/activity-feed", count=1000).json()
        assert set(feed) == {"activity", "email_id", "list_id", "_links"}
        kinds = [e["activity_type"] for e in feed["activity"]]
        assert len(kinds) >= 5 and "note" in kinds and "sent" in kinds
        stamps = [e["created_at_timestamp"] for e in feed["activity"]]
        assert stamps == sorted(stamps, reverse=True)
        assert len(get(api, f"{base}/activity-feed").json()["activity"]) == min(10, len(kinds))
        opens = get(api, f"{base}/activity-feed", activity_filters="open", count=1000).json()
        assert {e["activity_type"] for e in opens["activity"]} == {"open"}
        legacy = get(api, f"{base}/activity").json()
        assert legacy["total_items"] == len(legacy["activity"]) > 0
        assert {"action", "timestamp", "type", "campaign_id", "title"} <= set(legacy["activity"][0])


# ---- search -----------------------------------------------------------------------------------


def test_search_members(api: str, store: MailchimpStore, woo_shop: Shop) -> None:
    subject, lookalike = woo_shop.subject_email, woo_shop.traps["containment"]
    exact = get(api, "/search-members", query=subject.upper()).json()
    assert set(exact) == {"exact_matches", "full_search", "_links"}
    found = exact["exact_matches"]["members"]
    assert exact["exact_matches"]["total_items"] == len(found) == 2
    assert {m["list_id"] for m in found} == {lst["id"] for lst in store.lists}
    assert {m["id"] for m in found} == {subscriber_hash(subject)}
    assert set(found[0]) == MEMBER_KEYS
    only = get(api, "/search-members", query=subject, list_id=list_id(store, "Klantenpanel")).json()
    assert [m["email_address"] for m in only["exact_matches"]["members"]] == [
        woo_shop.traps["case"]
    ]
    theirs = get(api, "/search-members", query=lookalike).json()["exact_matches"]["members"]
    assert [m["email_address"] for m in theirs] == [lookalike]
    # Not an address: a part of the address, first or last name, in every audience.
    local = subject.split("@")[0]
    partial = get(api, "/search-members", query=local).json()["full_search"]["members"]
    addresses = {m["email_address"].casefold() for m in partial}
    assert {subject, lookalike} <= addresses
    assert_problem(get(api, "/search-members"), 400, "Invalid Resource")
    assert_problem(
        get(api, "/search-members", query="x", list_id="nope"), 404, "Resource Not Found"
    )


# ---- writes: add, upsert, update, archive, delete-permanent -----------------------------------


def test_add_upsert_and_patch(scratch: tuple[str, MailchimpStore]) -> None:
    api, store = scratch
    lid = list_id(store, "Nieuwsbrief")
    members = f"{api}/lists/{lid}/members"
    email = "Nieuw.Lid@Example.nl"
    hashed = subscriber_hash(email)
    body = {
        "email_address": email,
        "status_if_new": "subscribed",
        "merge_fields": {"FNAME": "Nieuw"},
    }
    created = requests.put(f"{members}/{hashed}", json=body, auth=AUTH, timeout=10)
    assert created.status_code == 200, created.text
    assert created.json()["email_address"] == email and created.json()["id"] == hashed
    again = requests.post(
        members, json={"email_address": email, "status": "subscribed"}, auth=AUTH, timeout=10
    )
    exists = assert_problem(again, 400, "Member Exists")
    assert (
        exists["detail"]
        == f"{email} is already a list member. Use PUT to insert or update list members."
    )
    patched = requests.patch(
        f"{members}/{hashed}",
        json={"merge_fields": {"LNAME": "Lid"}, "status": "unsubscribed"},
        auth=AUTH,
        timeout=10,
    )
    assert patched.json()["merge_fields"]["FNAME"] == "Nieuw"
    assert (patched.json()["full_name"], patched.json()["status"]) == ("Nieuw Lid", "unsubscribed")
    unknown = requests.patch(
        f"{members}/{subscriber_hash('x@y.nl')}", json={}, auth=AUTH, timeout=10
    )
    assert_problem(unknown, 404, "Resource Not Found")
    wrong = requests.patch(
        f"{members}/{hashed}", json={"status": "archived"}, auth=AUTH, timeout=10
    )
    assert_problem(wrong, 400, "Invalid Resource")
    broken = requests.put(f"{members}/{hashed}", data="{not json", auth=AUTH, timeout=10)
    assert_problem(broken, 400, "JSON Parse Error")
    address = {"ADDRESS": {"addr1": "Dorpsstraat 1"}}
    incomplete = requests.patch(
        f"{members}/{hashed}", json={"merge_fields": address}, auth=AUTH, timeout=10
    )
    assert assert_problem(incomplete, 400, "Invalid Resource")["errors"][0]["field"] == "ADDRESS"


def test_archive_is_not_deletion(scratch: tuple[str, MailchimpStore], woo_shop: Shop) -> None:
    api, store = scratch
    lid = list_id(store, "Nieuwsbrief")
    hashed = subscriber_hash(woo_shop.subject_email)
    url = f"{api}/lists/{lid}/members/{hashed}"
    assert requests.delete(url, auth=AUTH, timeout=10).status_code == 204
    archived = get(api, f"/lists/{lid}/members/{hashed}").json()
    assert archived["status"] == "archived" and archived["email_address"] == woo_shop.subject_email
    assert get(api, f"{url[len(api) :]}/notes").json()["total_items"] >= 1  # everything stays
    default = get(api, f"/lists/{lid}/members", count=1000).json()["members"]
    assert hashed not in {m["id"] for m in default}
    only = get(api, f"/lists/{lid}/members", count=1000, status="archived").json()["members"]
    assert hashed in {m["id"] for m in only}
    back = requests.put(
        url,
        json={"email_address": woo_shop.subject_email, "status": "subscribed"},
        auth=AUTH,
        timeout=10,
    )
    assert back.status_code == 200 and back.json()["status"] == "subscribed"


def test_delete_permanent(scratch: tuple[str, MailchimpStore], woo_shop: Shop) -> None:
    api, store = scratch
    lid, other = list_id(store, "Nieuwsbrief"), list_id(store, "Klantenpanel")
    email = woo_shop.subject_email
    hashed = subscriber_hash(email)
    url = f"{api}/lists/{lid}/members/{hashed}"
    # The action documents the hash only: an address in its place names no member.
    by_email = requests.post(
        f"{api}/lists/{lid}/members/{email}/actions/delete-permanent", auth=AUTH, timeout=10
    )
    assert_problem(by_email, 404, "Resource Not Found")
    gone = requests.post(f"{url}/actions/delete-permanent", auth=AUTH, timeout=10)
    assert gone.status_code == 204 and gone.content == b""
    for path in ("", "/tags", "/notes", "/activity", "/activity-feed"):
        assert_problem(get(api, f"/lists/{lid}/members/{hashed}{path}"), 404, "Resource Not Found")
    assert (lid, hashed) in store.deleted and (lid, hashed) not in store.notes
    detail = (
        f"{email} was permanently deleted and cannot be re-imported. "
        "The contact must re-subscribe to get back on the list."
    )
    for response in (
        requests.put(url, json={"email_address": email, "status_if_new": "subscribed"}, auth=AUTH, timeout=10),
        requests.post(f"{api}/lists/{lid}/members", json={"email_address": email, "status": "pending"}, auth=AUTH, timeout=10),
    ):  # fmt: skip
        body = assert_problem(response, 400, "Forgotten Email Not Subscribed")
        assert body["detail"] == detail
    found = get(api, "/search-members", query=email).json()["exact_matches"]["members"]
    assert [m["list_id"] for m in found] == [other]  # the other audience keeps its member
    assert get(api, f"/lists/{other}/members/{hashed}").status_code == 200
    again = requests.post(f"{url}/actions/delete-permanent", auth=AUTH, timeout=10)
    assert_problem(again, 404, "Resource Not Found")


# ---- the connection limit ---------------------------------------------------------------------


class HeldBody(io.BytesIO):
    """A request body that is not sent until `release` is set: the request stays in flight."""

    def __init__(self, data: bytes, reached: threading.Semaphore, release: threading.Event) -> None:
        super().__init__(data)
        self.reached, self.release = reached, release

    def _hold(self) -> None:
        self.reached.release()
        assert self.release.wait(timeout=10)

    def read(self, size: int | None = -1) -> bytes:
        self._hold()
        return super().read(size)

    def readinto(self, buffer: Any) -> int:
        self._hold()
        return super().readinto(buffer)


def call(app: Any, method: str, path: str, body: io.BytesIO | None = None) -> tuple[int, bytes]:
    builder = EnvironBuilder(
        path=path,
        method=method,
        headers={"Authorization": _basic()},
        content_type="application/json",
    )
    environ = builder.get_environ()
    if body is not None:
        environ["wsgi.input"] = body
        environ["CONTENT_LENGTH"] = str(len(body.getvalue()))
    status: list[str] = []
    chunks = app(environ, lambda s, headers, exc_info=None: status.append(s))
    return int(status[0].split()[0]), b"".join(chunks)


def _basic() -> str:
    import base64

    return "Basic " + base64.b64encode(f"x:{MAILCHIMP_API_KEY}".encode()).decode()


def test_more_than_ten_simultaneous_requests_get_429(store: MailchimpStore) -> None:
    app = create_app(copy.deepcopy(store), "http://mailchimp.test")
    lid = store.lists[0]["id"]
    path = f"/3.0/lists/{lid}/members/{subscriber_hash('held@example.nl')}"
    reached, release = threading.Semaphore(0), threading.Event()
    results: list[int] = []
    payload = json.dumps(
        {"email_address": "held@example.nl", "status_if_new": "subscribed"}
    ).encode()

    def held() -> None:
        results.append(call(app, "PUT", path, HeldBody(payload, reached, release))[0])

    threads = [threading.Thread(target=held) for _ in range(10)]
    for thread in threads:
        thread.start()
    for _ in threads:
        assert reached.acquire(timeout=10)  # all ten are reading their bodies
    status, raw = call(app, "GET", "/3.0/ping")
    assert status == 429
    body = json.loads(raw)
    assert (body["title"], body["status"]) == ("Too Many Requests", 429)
    assert body["detail"] == "You have exceeded the limit of 10 simultaneous connections."
    release.set()
    for thread in threads:
        thread.join(timeout=10)
    assert sorted(results) == [200] * 10
    assert call(app, "GET", "/3.0/ping")[0] == 200


# ---- the seed ---------------------------------------------------------------------------------


def test_seed_is_deterministic(
    store: MailchimpStore, woo_shop: Shop, orders: list[ShopOrder]
) -> None:
    again = MailchimpStore()
    seed_mailchimp(
        again, orders, woo_shop.today, random.Random(13),
        subject_email=woo_shop.subject_email, traps=woo_shop.traps,
    )  # fmt: skip
    assert again == store
    other = MailchimpStore()
    seed_mailchimp(
        other, orders, woo_shop.today, random.Random(14), subject_email=woo_shop.subject_email
    )
    assert other != store


def test_seed_people(store: MailchimpStore, woo_shop: Shop, orders: list[ShopOrder]) -> None:
    customers = {o.email.casefold() for o in orders}
    hashed = subscriber_hash(woo_shop.subject_email)
    statuses: set[str] = set()
    for lst in store.lists:
        key = (lst["id"], hashed)
        assert hashed in store.members[lst["id"]]
        assert store.tags[key] and store.notes[key] and len(store.activity[key]) >= 5
        members = store.members[lst["id"]].values()
        statuses |= {m["status"] for m in members}
        assert 0.1 < len(members) / len(customers) < 0.7
        assert {m["email_address"].casefold() for m in members} <= customers
    assert statuses >= {"subscribed", "unsubscribed", "cleaned", "pending", "archived"}
    news = store.members[list_id(store, "Nieuwsbrief")]
    lookalike = subscriber_hash(woo_shop.traps["containment"])
    assert news[lookalike]["email_address"] == woo_shop.traps["containment"]
    assert lookalike != hashed


# ---- the official SDK, unmodified -------------------------------------------------------------


@pytest.fixture()
def sdk(scratch: tuple[str, MailchimpStore]) -> Any:
    """`mailchimp_marketing.Client` pointed at the fake through its public configuration: the
    key and data centre by `set_config`, the API root by the client's `api_client.host`."""
    marketing = pytest.importorskip("mailchimp_marketing")
    client = marketing.Client()
    client.set_config({"api_key": MAILCHIMP_API_KEY, "server": MAILCHIMP_DATA_CENTER})
    client.api_client.host = scratch[0]
    return client


def test_sdk_reads(sdk: Any, scratch: tuple[str, MailchimpStore], woo_shop: Shop) -> None:
    _, store = scratch
    lid = list_id(store, "Nieuwsbrief")
    hashed = subscriber_hash(woo_shop.subject_email)
    assert sdk.ping.get() == {"health_status": "Everything's Chimpy!"}
    lists = sdk.lists.get_all_lists(
        count=1, offset=1, fields=["lists.id", "lists.name", "total_items"]
    )
    assert lists == {
        "lists": [{"id": store.lists[1]["id"], "name": "Klantenpanel"}],
        "total_items": 2,
    }
    member = sdk.lists.get_list_member(lid, hashed)
    assert member["email_address"] == woo_shop.subject_email
    assert sdk.lists.get_list_member_tags(lid, hashed)["total_items"] == member["tags_count"]
    assert sdk.lists.get_list_member_notes(lid, hashed)["total_items"] >= 1
    feed = sdk.lists.get_list_member_activity_feed(lid, hashed, count=50)
    assert len(feed["activity"]) >= 5
    assert sdk.lists.get_list_member_activity(lid, hashed)["activity"]
    found = sdk.searchMembers.search(woo_shop.subject_email)
    assert found["exact_matches"]["total_items"] == 2
    one = sdk.searchMembers.search(woo_shop.subject_email, list_id=lid)
    assert [m["list_id"] for m in one["exact_matches"]["members"]] == [lid]


def test_sdk_delete_permanent(
    sdk: Any, scratch: tuple[str, MailchimpStore], woo_shop: Shop
) -> None:
    from mailchimp_marketing.api_client import ApiClientError

    _, store = scratch
    lid = list_id(store, "Klantenpanel")
    hashed = subscriber_hash(woo_shop.subject_email)
    response = sdk.lists.delete_list_member_permanent(lid, hashed)
    assert response.status_code == 204  # no body: the SDK hands back the HTTP response
    with pytest.raises(ApiClientError) as missing:
        sdk.lists.get_list_member(lid, hashed)
    assert missing.value.status_code == 404
    assert json.loads(missing.value.text)["title"] == "Resource Not Found"
    with pytest.raises(ApiClientError) as refused:
        sdk.lists.set_list_member(
            lid, hashed, {"email_address": woo_shop.subject_email, "status_if_new": "subscribed"}
        )
    assert refused.value.status_code == 400
    assert json.loads(refused.value.text)["title"] == "Forgotten Email Not Subscribed"
    sdk.set_config({"api_key": "0" * 32 + "-us21"})
    with pytest.raises(ApiClientError) as denied:
        sdk.ping.get()
    assert denied.value.status_code == 401
