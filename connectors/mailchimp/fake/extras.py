"""A member's tags, notes and activity, and the account-wide member search, in the Mailchimp fake."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request, Response

from connectors.mailchimp.fake.http import (
    csv,
    fail,
    invalid,
    json_response,
    link,
    no_content,
    not_found,
    paging,
    select,
)
from connectors.mailchimp.fake.members import MemberRoutes, now_iso
from connectors.mailchimp.fake.shapes import (
    feed,
    legacy_activity,
    member_href,
    show_member,
    show_note,
)
from connectors.mailchimp.fake.store import API_USER, JSON
from connectors.mailchimp.fake.validate import EMAIL

NOTE_LIMIT = 1000  # "Note length is limited to 1,000 characters."
NOTE_SORT_FIELDS = ("created_at", "updated_at", "note_id")


class ExtraRoutes(MemberRoutes):
    # ---- tags ---------------------------------------------------------------------------------

    def get_tags(self, request: Request, body: Any, list_id: str, segment: str) -> Response:
        member = self.member_or_404(list_id, segment, aliases=True)
        count, offset = paging(request.args)
        tags = self.store.tags.get((list_id, member["id"]), [])
        href = f"{member_href(self.base, list_id, member['id'])}/tags"
        out = {
            "tags": [dict(t) for t in tags[offset : offset + count]],
            "total_items": len(tags),
            "_links": [link("self", href), link("parent", href.rsplit("/", 1)[0])],
        }
        return json_response(select(out, request.args))

    def post_tags(self, request: Request, body: Any, list_id: str, segment: str) -> Response:
        member = self.member_or_404(list_id, segment, aliases=False)
        tags = body.get("tags") if isinstance(body, dict) else None
        if not isinstance(tags, list):
            raise invalid("tags", "Required field missing")
        key = (list_id, member["id"])
        for tag in tags:
            name = tag.get("name") if isinstance(tag, dict) else None
            status = tag.get("status") if isinstance(tag, dict) else None
            if not isinstance(name, str) or not name.strip():
                raise invalid("tags.name", "This value should not be blank.")
            if status not in ("active", "inactive"):
                raise invalid("tags.status", "Value must be one of: inactive, active")
            if status == "active":
                self.add_tag(list_id, member["id"], name.strip())
            else:
                self.store.tags[key] = [
                    t for t in self.store.tags.get(key, []) if t["name"] != name.strip()
                ]
        return no_content()

    # ---- notes --------------------------------------------------------------------------------

    def get_notes(self, request: Request, body: Any, list_id: str, segment: str) -> Response:
        member = self.member_or_404(list_id, segment, aliases=False)
        args = request.args
        count, offset = paging(args)
        field = args.get("sort_field") or "created_at"
        if field not in NOTE_SORT_FIELDS:
            raise invalid("sort_field", f"Value must be one of: {', '.join(NOTE_SORT_FIELDS)}")
        sort_key = "id" if field == "note_id" else field
        notes = sorted(
            self.store.notes.get((list_id, member["id"]), []),
            key=lambda n: (n[sort_key], n["id"]),
            # Newest first unless asked otherwise ("recent notes"; the default order is unconfirmed).
            reverse=args.get("sort_dir", "DESC") != "ASC",
        )
        href = f"{member_href(self.base, list_id, member['id'])}/notes"
        out = {
            "notes": [
                show_note(list_id, member, n, self.base) for n in notes[offset : offset + count]
            ],
            "email_id": member["id"],
            "list_id": list_id,
            "total_items": len(notes),
            "_links": [link("self", href), link("create", href, "POST")],
        }
        return json_response(select(out, args))

    def add_note(self, request: Request, body: Any, list_id: str, segment: str) -> Response:
        member = self.member_or_404(list_id, segment, aliases=False)
        text = _note_text(body)
        stamp = now_iso()
        note: JSON = {
            "id": self.store.new_note_id(),
            "created_at": stamp,
            "created_by": API_USER,
            "updated_at": stamp,
            "note": text,
        }
        self.store.notes.setdefault((list_id, member["id"]), []).append(note)
        return json_response(show_note(list_id, member, note, self.base))

    def note_or_404(self, list_id: str, segment: str, note_id: str) -> tuple[JSON, JSON]:
        member = self.member_or_404(list_id, segment, aliases=True)
        for note in self.store.notes.get((list_id, member["id"]), []):
            if str(note["id"]) == note_id:
                return member, note
        raise not_found()

    def get_note(
        self, request: Request, body: Any, list_id: str, segment: str, note_id: str
    ) -> Response:
        member, note = self.note_or_404(list_id, segment, note_id)
        return json_response(select(show_note(list_id, member, note, self.base), request.args))

    def patch_note(
        self, request: Request, body: Any, list_id: str, segment: str, note_id: str
    ) -> Response:
        member, note = self.note_or_404(list_id, segment, note_id)
        note["note"] = _note_text(body)
        note["updated_at"] = now_iso()
        return json_response(show_note(list_id, member, note, self.base))

    def delete_note(
        self, request: Request, body: Any, list_id: str, segment: str, note_id: str
    ) -> Response:
        member, note = self.note_or_404(list_id, segment, note_id)
        self.store.notes[(list_id, member["id"])].remove(note)
        return no_content()

    # ---- activity -----------------------------------------------------------------------------

    def get_activity_feed(
        self, request: Request, body: Any, list_id: str, segment: str
    ) -> Response:
        member = self.member_or_404(list_id, segment, aliases=False)
        count, offset = paging(request.args)
        wanted = set(csv(request.args, "activity_filters"))
        items = [
            e
            for e in feed(self.store, (list_id, member["id"]))
            if not wanted or e["activity_type"] in wanted
        ]
        href = f"{member_href(self.base, list_id, member['id'])}/activity-feed"
        out = {
            "activity": items[offset : offset + count],
            "email_id": member["id"],
            "list_id": list_id,
            "_links": [link("self", href), link("parent", href.rsplit("/", 1)[0])],
        }
        return json_response(select(out, request.args))

    def get_activity(self, request: Request, body: Any, list_id: str, segment: str) -> Response:
        member = self.member_or_404(list_id, segment, aliases=True)
        wanted = set(csv(request.args, "action"))
        items = [
            e
            for e in legacy_activity(self.store, (list_id, member["id"]))
            if not wanted or e["action"] in wanted
        ]
        href = f"{member_href(self.base, list_id, member['id'])}/activity"
        out = {
            "activity": items,
            "email_id": member["id"],
            "contact_id": member.get("contact_id", ""),
            "list_id": list_id,
            "total_items": len(items),
            "_links": [link("self", href), link("parent", href.rsplit("/", 1)[0])],
        }
        return json_response(select(out, request.args))

    # ---- search -------------------------------------------------------------------------------

    def search_members(self, request: Request, body: Any) -> Response:
        """A valid e-mail address is looked up exactly (`exact_matches`); anything else is matched
        as a case-insensitive part of the e-mail address, FNAME or LNAME (`full_search`), which
        is what Mailchimp's maintainers describe (codegen issues #80 and #106)."""
        args = request.args
        query = (args.get("query") or "").strip()
        if not query:
            raise invalid("query", "This value should not be blank.")
        list_ids = [lst["id"] for lst in self.store.lists]
        if args.get("list_id"):
            self.list_or_404(args["list_id"])
            list_ids = [args["list_id"]]
        exact: list[JSON] = []
        partial: list[JSON] = []
        needle = query.casefold()
        for list_id in list_ids:
            for member in self.store.members.get(list_id, {}).values():
                shown = show_member(self.store, list_id, member, self.base)
                if EMAIL.fullmatch(query):
                    if member["email_address"].casefold() == needle:
                        exact.append(shown)
                elif _names(member, needle):
                    exact.append(shown)
                    partial.append(shown)
                elif any(needle in part for part in _searchable(member)):
                    partial.append(shown)
        out = {
            "exact_matches": {"members": exact, "total_items": len(exact)},
            "full_search": {"members": partial, "total_items": len(partial)},
            "_links": [link("self", f"{self.base}/search-members")],
        }
        return json_response(select(out, args))


def _searchable(member: JSON) -> list[str]:
    merge = member.get("merge_fields", {})
    return [
        str(value).casefold()
        for value in (member["email_address"], merge.get("FNAME", ""), merge.get("LNAME", ""))
        if value
    ]


def _names(member: JSON, needle: str) -> bool:
    """A query that is exactly the first name, last name or both counts as an exact match."""
    merge = member.get("merge_fields", {})
    first, last = str(merge.get("FNAME", "")).casefold(), str(merge.get("LNAME", "")).casefold()
    return needle in {first, last, f"{first} {last}".strip()} - {""}


def _note_text(body: Any) -> str:
    text = body.get("note") if isinstance(body, dict) else None
    if not isinstance(text, str) or not text.strip():
        raise invalid("note", "This value should not be blank.")
    if len(text) > NOTE_LIMIT:
        raise fail(400, "Invalid Resource", "Note length is limited to 1,000 characters.")
    return text
