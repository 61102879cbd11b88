"""Fake of the Mailchimp Marketing API v3 (`https://<dc>.api.mailchimp.com/3.0`), for one account.

The API root is `{base_url}/3.0`. JSON everywhere (`application/json; charset=utf-8`); errors are
Problem Detail Documents, `application/problem+json; charset=utf-8`, `{"type":
"https://mailchimp.com/developer/marketing/docs/errors/", "title", "status", "detail",
"instance"}` (+ `errors: [{field, message}]` for "Invalid Resource"). `fields`/`exclude_fields`
(comma-separated, dot notation into objects and arrays) work on every GET. Collections page with
`count` (default 10, max 1000) and `offset` (default 0) and say `total_items`.

Routes (S = source, listed below)
- `GET /ping` -> `{"health_status": "Everything's Chimpy!"}` [S1].
- `GET /lists` (`count`, `offset`, `email`, `since_/before_date_created`, `sort_field=date_created`,
  `sort_dir`, `include_total_contacts`) -> `{lists, total_items, constraints, _links}`;
  `GET /lists/{list_id}` -> a Subscriber_List; `stats.member_count`/`unsubscribe_count`/
  `cleaned_count` (and `total_contacts` when asked for) are counted from the members [S1].
- `GET /lists/{id}/members` (`count`, `offset`, `status` incl. `archived`, `email_type`,
  `unique_email_id`, `vip_only`, `since_/before_timestamp_opt`, `since_/before_last_changed`,
  `sort_field` timestamp_opt|timestamp_signup|last_changed, `sort_dir`) -> `{members, list_id,
  total_items, _links}`; `POST /lists/{id}/members` adds one (`email_address`, `status` required;
  `tags` as names) -> the member, or 400 "Member Exists" [S1, S7].
- `/lists/{id}/members/{subscriber_hash}`: `GET`; `PUT` upsert (`email_address` and `status_if_new`
  needed only for a new member; `status` wins; brings an archived member back); `PATCH`; `DELETE`
  archives (204: status `archived`, everything kept, GET still answers) [S1, S2, S9].
- `POST .../{hash}/actions/delete-permanent` -> 204: the member, its tags, notes and activity are
  gone, GET is 404, and a PUT or POST of the address answers 400 "Forgotten Email Not Subscribed",
  "<email> was permanently deleted and cannot be re-imported. The contact must re-subscribe to get
  back on the list." (`MailchimpStore.deleted`) [S1, S2, S7].
- `GET .../{hash}/tags` -> `{tags: [{id, name, date_added}], total_items, _links}`; `POST
  .../{hash}/tags` `{"tags": [{"name", "status": "active"|"inactive"}]}` -> 204 [S1].
- `GET .../{hash}/notes` (`sort_field` created_at|updated_at|note_id, `sort_dir`, paging) ->
  `{notes, email_id, list_id, total_items, _links}`; `POST` `{"note"}` (<= 1,000 characters) ->
  the note; `GET`/`PATCH`/`DELETE .../notes/{note_id}` (DELETE -> 204) [S1].
- `GET .../{hash}/activity-feed` (`activity_filters`, paging) -> `{activity, email_id, list_id,
  _links}` (no total_items in the spec), items newest first in the spec's alternative activity
  schemas (`activity_type` open, click, bounce, unsub, sent, note, marketing_permission,
  website_signup, order, ...); a member's notes show up as `note` items [S1].
  `GET .../{hash}/activity` (`action`) -> the last 50 e-mail events as `{action, timestamp, url,
  type, campaign_id, title}` with `email_id, contact_id, list_id, total_items` [S1, S3].
- `GET /search-members?query=&list_id=` -> `{exact_matches: {members, total_items}, full_search:
  {members, total_items}, _links}`, members of every audience unless `list_id` [S1, S3, S8].

The subscriber_hash segment is the MD5 of the lower-cased address. Where the docs (SDK 3.0.80) say
the endpoint "also accepts a list member's email address or contact_id" - GET/PUT/PATCH/DELETE of a
member, GET tags, GET activity, GET/PATCH/DELETE of a note - those work too; on the others (notes
list and POST, tags POST, activity-feed, delete-permanent) only the hash names a member [S2].

Authentication: HTTP Basic with any user name and `MAILCHIMP_API_KEY` as password, or
`Authorization: Bearer MAILCHIMP_OAUTH_TOKEN` (an OAuth access token) [S5]. No header -> 401 "API
Key Missing" / "Your request did not include an API key."; anything else -> 401 "API Key Invalid"
/ "Your API key may be invalid, or you've attempted to access the wrong datacenter." [S4, S7].
Connections: more than 10 requests in flight at once -> 429 "Too Many Requests" / "You have
exceeded the limit of 10 simultaneous connections." [S4]. Unknown path -> 404 "Resource Not Found"
/ "The requested resource could not be found."; wrong method -> 405 "Method Not Allowed" with an
`Allow` header [S4]; a body that is not JSON -> 400 "JSON Parse Error" [S4].

Search: a query that is a valid address is looked up exactly (any case) in `exact_matches`;
anything else is matched as a case-insensitive part of the address, FNAME or LNAME in
`full_search` (so "jan" finds jan@... and dejan@...), and a query equal to a first, last or full
name is also put in `exact_matches` [S8].

Sources
- S1 Mailchimp's marketing OpenAPI spec (mailchimp/mailchimp-client-lib-codegen spec/marketing.json,
  3.0.55; read through its OpenAPI 3 conversion in Hevelop/go-client-mailchimp-marketing-api
  api/openapi.yaml, whose x-permalink is that file): paths, parameters, defaults (count 10, max
  1000), status codes (204 for archive, delete-permanent, tags POST, note DELETE), Problem Detail
  Document, health_status, Subscriber_List, tags/notes collections, activity schemas.
- S2 The official SDK `mailchimp-marketing` 3.0.80 (PyPI; spec 3.0.80): method names, which
  endpoints accept an address or contact_id, delete-permanent's "impossible to re-import".
- S3 Konfig's Java SDK generated from the same spec (konfig-sdks/mailchimp-java-sdk, 2024): the
  member's full key set (contact_id, full_name, web_id, consents_to_one_to_one_messaging, sms_*,
  source, tags, tags_count, location.region, stats.ecommerce_data, marketing_permissions.text),
  the search response and the two activity responses.
- S4 mailchimp.com/developer/marketing/docs/errors/ and its error glossary (problem+json content
  type, the 405 body, APIKeyMissing, APIKeyInvalid, ResourceNotFound, TooManyRequests with "10
  simultaneous connections", JSONParseError, InvalidResource).
- S5 mailchimp.com/developer/guides/marketing-api-conventions/ (Basic auth, any user name; OAuth).
- S6 The "Manage subscribers" guide (MD5 of the lower-case address; 404 when not on the list) and
  the merge-field docs (FNAME, LNAME, ADDRESS, PHONE by default; address values
  `{addr1, addr2, city, state, zip, country}` as in Mailchimp's Rust SDK; birthdays Month/Day).
- S7 Real responses quoted in issues: "Forgotten Email Not Subscribed" (ibericode/mailchimp-for-
  wordpress#673, #771; tbar0970/jethro-pmm#982; brandonseydel/MailChimp.Net#416), "Member Exists"
  ("... is already a list member. Use PUT to insert or update list members."), "API Key Invalid",
  "API Key Missing", the 404 body, "Invalid Resource" with `errors` ("Your merge fields were
  invalid.", 1up-lab/mailchimp-api-v3#11; ebizmarts/mailchimp-lib#12).
- S8 Mailchimp's maintainer in mailchimp-client-lib-codegen#80 and #106: search looks at EMAIL,
  FNAME and LNAME; a valid address is searched as such, anything else partially matched.
- S9 Archived members read back with status `archived` and PUT un-archives them
  (brandonseydel/MailChimp.Net#417, #526, #552).

Not confirmed (the fake's choice)
- `email_address` keeps the case it was sent in (the docs are silent; two third-party reports,
  orbiting/backends#54 and RichardKnop/go-mailchimp#2, say Mailchimp lower-cases it).
- The 429 title "Too Many Requests" and "JSON Parse Error" (the glossary gives only the names
  TooManyRequests/JSONParseError); validation messages in `errors`; whether 400 bodies always
  carry `type` (some 2023 captures lack it).
- Lists and members come in the order they were added unless sorted; `count` over 1000 is cut
  to 1000; a bad `count`/`offset`/`status` is 400 "Invalid Resource".
- The members list leaves out archived members unless `status=archived` (MailChimp.Net#529 hints
  so); archiving an archived member is 204 again; a second delete-permanent is 404; POST of an
  archived address is "Member Exists".
- Search: exact name matches, `full_search` also holding exact matches, archived members found,
  no cap on results, 404 for an unknown `list_id`, 400 without `query`.
- Which endpoints take an address or contact_id follows SDK 3.0.80 (3.0.55 also listed
  activity-feed); notes list newest first by default; API notes are by "Webshop API".
- `_links` carry rel, href and method only; no 403 WrongDatacenter (the fake has no data-centre
  host); the `apikey` Authorization scheme some third parties use is refused.
- Seeded values for `source`, `email_client`, `unsubscribe_reason`, location timezone.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from connectors.mailchimp.fake.app import MailchimpApp, create_app
from connectors.mailchimp.fake.store import (
    MAILCHIMP_API_KEY,
    MAILCHIMP_DATA_CENTER,
    MAILCHIMP_OAUTH_TOKEN,
    MailchimpStore,
    subscriber_hash,
)
from sandbox.plugin import Fake

if TYPE_CHECKING:
    from sandbox.data import Shop, ShopOrder


def _seed(store: MailchimpStore, shop: Shop, orders: list[ShopOrder], rng: random.Random) -> None:
    from connectors.mailchimp.seed import seed_mailchimp

    seed_mailchimp(
        store, orders, shop.today, rng, subject_email=shop.subject_email, traps=shop.traps
    )


FAKE = Fake(
    store=MailchimpStore,
    create_app=lambda store, url, shop: create_app(store, url),
    env=lambda url: {"MAILCHIMP_API_URL": f"{url}/3.0", "MAILCHIMP_API_KEY": MAILCHIMP_API_KEY},
    shops=("woocommerce", "lightspeed"),
    seed=_seed,
    hostile="connectors.mailchimp.fake.hostile",
)

__all__ = [
    "FAKE",
    "MAILCHIMP_API_KEY",
    "MAILCHIMP_DATA_CENTER",
    "MAILCHIMP_OAUTH_TOKEN",
    "MailchimpApp",
    "MailchimpStore",
    "create_app",
    "subscriber_hash",
]
