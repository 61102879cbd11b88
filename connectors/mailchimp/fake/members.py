"""The member routes of the Mailchimp fake: list, get, add (POST), upsert (PUT), update (PATCH),
archive (DELETE) and delete-permanent."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from typing import Any

from werkzeug.wrappers import Request, Response

from connectors.mailchimp.fake.http import (
    fail,
    invalid,
    json_response,
    link,
    no_content,
    not_found,
    paging,
    select,
)
from connectors.mailchimp.fake.shapes import show_member
from connectors.mailchimp.fake.store import (
    DEFAULT_MERGE_TAGS,
    JSON,
    MailchimpStore,
    subscriber_hash,
)
from connectors.mailchimp.fake.validate import (
    email_address,
    matches,
    merge_fields,
    object_body,
    permissions,
    status_value,
)

ADD_STATUSES = ("subscribed", "unsubscribed", "cleaned", "pending", "transactional")
PATCH_STATUSES = ("subscribed", "unsubscribed", "cleaned", "pending")
FILTER_STATUSES = (*ADD_STATUSES, "archived")
SORT_FIELDS = ("timestamp_opt", "timestamp_signup", "last_changed")
HEX32 = re.compile(r"[0-9a-fA-F]{32}")


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def forgotten(email: str) -> Any:
    return fail(
        400,
        "Forgotten Email Not Subscribed",
        f"{email} was permanently deleted and cannot be re-imported. "
        "The contact must re-subscribe to get back on the list.",
    )


class MemberRoutes:
    """Member handlers; the app supplies `store` and `base` (the API root, `.../3.0`)."""

    store: MailchimpStore
    base: str

    # ---- lookups ------------------------------------------------------------------------------

    def list_or_404(self, list_id: str) -> JSON:
        lst = self.store.get_list(list_id)
        if lst is None:
            raise not_found()
        return lst

    def resolve(self, list_id: str, segment: str, aliases: bool) -> str:
        """The subscriber hash a path segment names. Where the docs say the endpoint "also accepts
        a list member's email address or contact_id" (`aliases`), those work too; elsewhere only
        the hash does, and anything else names no member."""
        self.list_or_404(list_id)
        if HEX32.fullmatch(segment) and segment.lower() in self.store.members.get(list_id, {}):
            return segment.lower()
        if aliases and "@" in segment:
            return subscriber_hash(segment)
        if aliases:
            for hashed, member in self.store.members.get(list_id, {}).items():
                if member.get("contact_id") == segment:
                    return hashed
        return segment.lower() if HEX32.fullmatch(segment) else ""

    def member_or_404(self, list_id: str, segment: str, aliases: bool) -> JSON:
        hashed = self.resolve(list_id, segment, aliases)
        member = self.store.members.get(list_id, {}).get(hashed)
        if member is None:
            raise not_found()
        return member

    def shown(self, list_id: str, member: JSON, request: Request) -> Response:
        return json_response(
            select(show_member(self.store, list_id, member, self.base), request.args)
        )

    # ---- reads --------------------------------------------------------------------------------

    def list_members(self, request: Request, body: Any, list_id: str) -> Response:
        self.list_or_404(list_id)
        args = request.args
        count, offset = paging(args)
        status = args.get("status")
        if status and status not in FILTER_STATUSES:
            raise invalid("status", f"Value must be one of: {', '.join(FILTER_STATUSES)}")
        members = [
            m
            for m in self.store.members.get(list_id, {}).values()
            # Archived members are left out unless asked for (unconfirmed; see the docstring).
            if (m["status"] == status if status else m["status"] != "archived") and matches(m, args)
        ]
        sort_field = args.get("sort_field")
        if sort_field in SORT_FIELDS:
            members.sort(
                key=lambda m: m.get(sort_field) or "", reverse=args.get("sort_dir") == "DESC"
            )
        page = members[offset : offset + count]
        body_out = {
            "members": [show_member(self.store, list_id, m, self.base) for m in page],
            "list_id": list_id,
            "total_items": len(members),
            "_links": [
                link("self", f"{self.base}/lists/{list_id}/members"),
                link("parent", f"{self.base}/lists/{list_id}"),
                link("create", f"{self.base}/lists/{list_id}/members", "POST"),
            ],
        }
        return json_response(select(body_out, args))

    def get_member(self, request: Request, body: Any, list_id: str, segment: str) -> Response:
        return self.shown(list_id, self.member_or_404(list_id, segment, aliases=True), request)

    # ---- writes -------------------------------------------------------------------------------

    def add_member(self, request: Request, body: Any, list_id: str) -> Response:
        self.list_or_404(list_id)
        data = object_body(body)
        email = email_address(data.get("email_address"))
        hashed = subscriber_hash(email)
        if (list_id, hashed) in self.store.deleted:
            raise forgotten(email)
        if hashed in self.store.members.get(list_id, {}):
            raise fail(
                400,
                "Member Exists",
                f"{email} is already a list member. Use PUT to insert or update list members.",
            )
        status = status_value(data.get("status"), ADD_STATUSES, required=True)
        member = self.create(list_id, email, status, data)
        for name in data.get("tags") or []:
            if isinstance(name, str) and name.strip():
                self.add_tag(list_id, hashed, name.strip())
        return self.shown(list_id, member, request)

    def upsert_member(self, request: Request, body: Any, list_id: str, segment: str) -> Response:
        self.list_or_404(list_id)
        data = object_body(body)
        hashed = self.resolve(list_id, segment, aliases=True)
        existing = self.store.members.get(list_id, {}).get(hashed)
        email = data.get("email_address")
        if existing is None:
            email = email_address(email)
            if hashed and subscriber_hash(email) != hashed:
                raise invalid(
                    "email_address", "The email address does not match the subscriber hash"
                )
            if (list_id, subscriber_hash(email)) in self.store.deleted:
                raise forgotten(email)
            status = status_value(
                data.get("status_if_new") or data.get("status"), ADD_STATUSES, True
            )
            if data.get("status"):
                status = status_value(data["status"], ADD_STATUSES, required=True)
            return self.shown(list_id, self.create(list_id, email, status, data), request)
        status = status_value(data.get("status"), ADD_STATUSES, required=False)
        if status is None and existing["status"] == "archived" and data.get("status_if_new"):
            # PUT brings an archived member back (what the docs call "unarchive").
            status = status_value(data["status_if_new"], ADD_STATUSES, required=True)
        self.update(list_id, existing, data, status)
        return self.shown(list_id, existing, request)

    def patch_member(self, request: Request, body: Any, list_id: str, segment: str) -> Response:
        member = self.member_or_404(list_id, segment, aliases=True)
        data = object_body(body)
        status = status_value(data.get("status"), PATCH_STATUSES, required=False)
        self.update(list_id, member, data, status)
        return self.shown(list_id, member, request)

    def archive_member(self, request: Request, body: Any, list_id: str, segment: str) -> Response:
        member = self.member_or_404(list_id, segment, aliases=True)
        member["status"] = "archived"
        member["last_changed"] = now_iso()
        return no_content()

    def delete_permanent(self, request: Request, body: Any, list_id: str, segment: str) -> Response:
        member = self.member_or_404(list_id, segment, aliases=False)
        self.store.forget((list_id, member["id"]))
        return no_content()

    # ---- building and changing members --------------------------------------------------------

    def create(self, list_id: str, email: str, status: str, data: JSON) -> JSON:
        hashed = subscriber_hash(email)
        stamp = now_iso()
        seed = hashlib.sha1(f"{list_id}:{hashed}".encode()).hexdigest()
        tags = self.store.merge_tags.get(list_id) or list(DEFAULT_MERGE_TAGS)
        member: JSON = {
            "id": hashed,
            "email_address": email,
            "unique_email_id": self._unique_email_id(hashed) or seed[:10],
            "contact_id": hashlib.md5(seed.encode()).hexdigest(),
            "full_name": "",
            "web_id": self.store.new_web_id(),
            "email_type": "html",
            "status": status,
            "unsubscribe_reason": "",
            "consents_to_one_to_one_messaging": True,
            "sms_phone_number": "",
            "sms_subscription_status": "",
            "sms_subscription_last_updated": "",
            "merge_fields": {tag: "" for tag in tags},
            "interests": {},
            "stats": {"avg_open_rate": 0, "avg_click_rate": 0},
            "ip_signup": "",
            "timestamp_signup": "",
            "ip_opt": "",
            "timestamp_opt": stamp if status == "subscribed" else "",
            "member_rating": 2,
            "last_changed": stamp,
            "language": "",
            "vip": False,
            "email_client": "",
            "location": {
                "latitude": 0,
                "longitude": 0,
                "gmtoff": 0,
                "dstoff": 0,
                "country_code": "",
                "timezone": "",
                "region": "",
            },
            "marketing_permissions": [
                {**p, "enabled": False} for p in self.store.permissions.get(list_id, [])
            ],
            "source": "API - Generic",
        }
        self.update(list_id, member, data, None)
        self.store.members.setdefault(list_id, {})[hashed] = member
        return member

    def _unique_email_id(self, hashed: str) -> str:
        """The address's id "across all of Mailchimp": the one it has on another list, if any."""
        for members in self.store.members.values():
            if hashed in members:
                return str(members[hashed]["unique_email_id"])
        return ""

    def update(self, list_id: str, member: JSON, data: JSON, status: str | None) -> None:
        """Apply the writable fields of a PUT/PATCH/POST body to `member`."""
        if "email_address" in data and data["email_address"] != member["email_address"]:
            self._readdress(list_id, member, email_address(data["email_address"]))
        if status is not None and status != member["status"]:
            member["status"] = status
            if status == "subscribed":
                member["timestamp_opt"] = now_iso()
            if status == "unsubscribed":
                member["unsubscribe_reason"] = "N/A (Unsubscribed by an admin)"
        merge = data.get("merge_fields")
        if merge is not None:
            member["merge_fields"].update(merge_fields(merge))
            names = (member["merge_fields"].get("FNAME"), member["merge_fields"].get("LNAME"))
            member["full_name"] = " ".join(str(n) for n in names if n)
        for key in ("email_type", "language", "vip", "ip_signup", "ip_opt", "interests"):
            if key in data:
                member[key] = data[key]
        for key in ("timestamp_signup", "timestamp_opt"):
            if data.get(key):
                member[key] = str(data[key])
        location = data.get("location")
        if isinstance(location, dict):
            for key in ("latitude", "longitude"):
                if key in location:
                    member["location"][key] = location[key]
        permissions(member, data.get("marketing_permissions"))
        member["last_changed"] = now_iso()

    def _readdress(self, list_id: str, member: JSON, email: str) -> None:
        new_hash = subscriber_hash(email)
        if new_hash != member["id"]:
            if (list_id, new_hash) in self.store.deleted:
                raise forgotten(email)
            members = self.store.members.setdefault(list_id, {})
            if new_hash in members:
                raise fail(400, "Member Exists", f"{email} is already a list member.")
            old_key, new_key = (list_id, member["id"]), (list_id, new_hash)
            for side in (self.store.tags, self.store.notes, self.store.activity):
                if old_key in side:
                    side[new_key] = side.pop(old_key)
            members.pop(member["id"], None)
            member["id"] = new_hash
            members[new_hash] = member
        member["email_address"] = email

    def add_tag(self, list_id: str, hashed: str, name: str) -> None:
        tags = self.store.tags.setdefault((list_id, hashed), [])
        if not any(t["name"] == name for t in tags):
            tags.append(
                {"id": self.store.tag_id(list_id, name), "name": name, "date_added": now_iso()}
            )
