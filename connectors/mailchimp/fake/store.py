"""What the Mailchimp fake serves: audiences, their members and each member's tags, notes, activity.

Every object is kept in the API's own JSON shape (snake_case keys), minus what the fake computes
when it answers: a member's `tags`, `tags_count`, `last_note` and `_links`, a list's member counts
in `stats`, and the `note` items of the activity feed (made from the member's notes).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]
MemberKey = tuple[str, str]  # (list_id, subscriber_hash)

# The sandbox's API key: 32 hex digits, a dash and the data centre, the shape Mailchimp issues
# ("...-us21"); the official SDK takes the data centre from the part after the dash.
MAILCHIMP_API_KEY = "0123456789abcdef0123456789abcdef-us21"
MAILCHIMP_DATA_CENTER = MAILCHIMP_API_KEY.rsplit("-", 1)[1]
# An OAuth 2 access token the fake also accepts (`Authorization: Bearer ...`), for clients that
# authenticate the way Mailchimp's OAuth apps do.
MAILCHIMP_OAUTH_TOKEN = "5a1b7c2d9e0f4a6b8c3d1e2f7a9b0c4d"

# The default merge fields of a new audience (FNAME, LNAME, ADDRESS, PHONE) and a birthday field.
DEFAULT_MERGE_TAGS = ("FNAME", "LNAME", "ADDRESS", "PHONE", "BIRTHDAY")
# Who writes the notes added through the API (the account user the key belongs to).
API_USER = "Webshop API"


def subscriber_hash(email: str) -> str:
    """The MD5 hex digest of the lower-cased address: a member's `id` and its URL segment."""
    return hashlib.md5(email.strip().lower().encode("utf-8")).hexdigest()


@dataclass
class MailchimpStore:
    """The account's audiences and everything the fake knows about their members.

    - `lists`: Subscriber_List objects (`stats` holds the rates; the fake counts the members);
    - `members[list_id][subscriber_hash]`: List_Members objects without the computed keys;
    - `tags[(list_id, hash)]`: `{"id", "name", "date_added"}` in the order they were added;
    - `notes[(list_id, hash)]`: `{"id", "created_at", "created_by", "updated_at", "note"}`;
    - `activity[(list_id, hash)]`: activity-feed items (`activity_type`, `created_at_timestamp`,
      ...) oldest first, without notes;
    - `deleted`: the (list_id, hash) pairs permanently deleted: never again addable by the API;
    - `merge_tags[list_id]`: the audience's merge tags (default `DEFAULT_MERGE_TAGS`);
    - `tag_ids[list_id][name]`: the audience-wide id of each tag name;
    - `permissions[list_id]`: the audience's GDPR marketing permissions
      (`{"marketing_permission_id", "text"}`), which every member shows with its `enabled`.
    """

    lists: list[JSON] = field(default_factory=list)
    members: dict[str, dict[str, JSON]] = field(default_factory=dict)
    tags: dict[MemberKey, list[JSON]] = field(default_factory=dict)
    notes: dict[MemberKey, list[JSON]] = field(default_factory=dict)
    activity: dict[MemberKey, list[JSON]] = field(default_factory=dict)
    deleted: set[MemberKey] = field(default_factory=set)
    merge_tags: dict[str, list[str]] = field(default_factory=dict)
    tag_ids: dict[str, dict[str, int]] = field(default_factory=dict)
    permissions: dict[str, list[JSON]] = field(default_factory=dict)
    next_note_id: int = 1_000
    next_tag_id: int = 10_000
    next_web_id: int = 500_000_000

    def get_list(self, list_id: str) -> JSON | None:
        return next((lst for lst in self.lists if lst["id"] == list_id), None)

    def tag_id(self, list_id: str, name: str) -> int:
        """The audience's id for a tag name, made when the name is first used."""
        ids = self.tag_ids.setdefault(list_id, {})
        if name not in ids:
            self.next_tag_id += 1
            ids[name] = self.next_tag_id
        return ids[name]

    def new_note_id(self) -> int:
        self.next_note_id += 1
        return self.next_note_id

    def new_web_id(self) -> int:
        self.next_web_id += 1
        return self.next_web_id

    def forget(self, key: MemberKey) -> None:
        """Permanent deletion: the member and all it carries go; only the hash is remembered."""
        list_id, hashed = key
        self.members.get(list_id, {}).pop(hashed, None)
        for side in (self.tags, self.notes, self.activity):
            side.pop(key, None)
        self.deleted.add(key)
