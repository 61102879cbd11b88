"""How the fake shows what it stores: lists with live counts, members with their computed keys,
notes, tags and the two activity views."""

from __future__ import annotations

import copy
from typing import Any

from connectors.mailchimp.fake.http import link
from connectors.mailchimp.fake.store import JSON, MailchimpStore, MemberKey

# The activity-feed types that are e-mail events, and so also appear in the older `/activity`
# view (Member_Activity: action, timestamp, url, type, campaign_id, title, parent_campaign).
EMAIL_EVENTS = ("sent", "open", "click", "bounce", "unsub")
ACTIVITY_LIMIT = 50  # "/activity": "the last 50 events of a member's activity"
MEMBER_TAG_LIMIT = 50  # a member shows "up to 50 tags"


def show_list(store: MailchimpStore, lst: JSON, base: str, total_contacts: bool) -> JSON:
    """A Subscriber_List with its member counts taken from the members as they are now."""
    out = copy.deepcopy(lst)
    members = list(store.members.get(lst["id"], {}).values())
    counts = {s: sum(1 for m in members if m["status"] == s) for s in _STATUSES}
    stats: JSON = out.setdefault("stats", {})
    stats["member_count"] = counts["subscribed"]
    stats["unsubscribe_count"] = counts["unsubscribed"]
    stats["cleaned_count"] = counts["cleaned"]
    stats["merge_field_count"] = len(store.merge_tags.get(lst["id"], ())) or stats.get(
        "merge_field_count", 0
    )
    if total_contacts:
        stats["total_contacts"] = len(members)
    else:
        stats.pop("total_contacts", None)
    href = f"{base}/lists/{lst['id']}"
    out["_links"] = [
        link("self", href),
        link("parent", f"{base}/lists"),
        link("update", href, "PATCH"),
        link("delete", href, "DELETE"),
        link("members", f"{href}/members"),
    ]
    return out


_STATUSES = ("subscribed", "unsubscribed", "cleaned", "pending", "transactional", "archived")


def member_href(base: str, list_id: str, hashed: str) -> str:
    return f"{base}/lists/{list_id}/members/{hashed}"


def show_member(store: MailchimpStore, list_id: str, member: JSON, base: str) -> JSON:
    """A List_Members object: the stored keys plus `tags`, `tags_count`, `last_note`, `_links`."""
    key: MemberKey = (list_id, member["id"])
    out = copy.deepcopy(member)
    tags = store.tags.get(key, [])
    out["tags_count"] = len(tags)
    out["tags"] = [{"id": t["id"], "name": t["name"]} for t in tags[:MEMBER_TAG_LIMIT]]
    notes = store.notes.get(key, [])
    if notes:
        last = max(notes, key=lambda n: (n["created_at"], n["id"]))
        out["last_note"] = {
            "note_id": last["id"],
            "created_at": last["created_at"],
            "created_by": last["created_by"],
            "note": last["note"],
        }
    else:
        out["last_note"] = {}
    out["list_id"] = list_id
    href = member_href(base, list_id, member["id"])
    out["_links"] = [
        link("self", href),
        link("parent", f"{base}/lists/{list_id}/members"),
        link("update", href, "PATCH"),
        link("upsert", href, "PUT"),
        link("delete", href, "DELETE"),
        link("activity", f"{href}/activity"),
        link("notes", f"{href}/notes"),
        link("tags", f"{href}/tags"),
    ]
    return out


def show_note(list_id: str, member: JSON, note: JSON, base: str) -> JSON:
    href = f"{member_href(base, list_id, member['id'])}/notes/{note['id']}"
    return {
        **note,
        "list_id": list_id,
        "email_id": member["id"],
        "contact_id": member.get("contact_id", ""),
        "_links": [
            link("self", href),
            link("update", href, "PATCH"),
            link("delete", href, "DELETE"),
        ],
    }


def feed(store: MailchimpStore, key: MemberKey) -> list[JSON]:
    """The activity feed, newest first: the stored events and one `note` item per note."""
    items = [copy.deepcopy(e) for e in store.activity.get(key, [])]
    for note in store.notes.get(key, []):
        items.append(
            {
                "activity_type": "note",
                "created_at_timestamp": note["created_at"],
                "updated_at_timestamp": note["updated_at"],
                "note_id": str(note["id"]),
                "note_text": note["note"],
                "created_by": note["created_by"],
                "avatar_url": "",
            }
        )
    items.sort(key=lambda e: e["created_at_timestamp"], reverse=True)
    return items


def legacy_activity(store: MailchimpStore, key: MemberKey) -> list[JSON]:
    """The `/activity` view: the last 50 e-mail events in the older Member_Activity shape."""
    out: list[JSON] = []
    for event in feed(store, key):
        if event["activity_type"] not in EMAIL_EVENTS:
            continue
        item: dict[str, Any] = {
            "action": event["activity_type"],
            "timestamp": event["created_at_timestamp"],
            "type": "regular",
            "campaign_id": event.get("campaign_id", ""),
            "title": event.get("campaign_title", ""),
        }
        if event["activity_type"] == "click":
            item["url"] = event.get("link_clicked", "")
        out.append(item)
        if len(out) == ACTIVITY_LIMIT:
            break
    return out
