"""The shared part of the WooCommerce fake's routes: arguments, dates, links, lookups.

The route handlers live in `connectors.woocommerce.fake.app` (customers), `connectors.woocommerce.fake.orders` (orders, notes,
refunds) and `connectors.woocommerce.fake.catalog` (products, reviews); see `connectors.woocommerce.fake.app` for what the
fake follows.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from connectors.woocommerce.fake.rest import (
    CONTEXT,
    PAGE,
    PER_PAGE,
    Param,
    PhpParams,
    RestError,
    link_headers,
    parse_date,
    validate,
)
from connectors.woocommerce.fake.store import WooStore
from sandbox.data import JSON
from sandbox.indexes import Listing, Rows, Table

TZ = ZoneInfo("Europe/Amsterdam")
API = "/wp-json/wc/v3"
Reply = tuple[int, Any, list[tuple[str, str]]]
ROLES = (
    "all",
    "administrator",
    "editor",
    "author",
    "contributor",
    "subscriber",
    "customer",
    "shop_manager",
)
STATUSES = (
    "pending",
    "processing",
    "on-hold",
    "completed",
    "cancelled",
    "refunded",
    "failed",
    "checkout-draft",
)
LABELS = {"pending": "Pending payment", "on-hold": "On hold", "checkout-draft": "Draft"}
ADDRESS = (
    "first_name",
    "last_name",
    "company",
    "address_1",
    "address_2",
    "city",
    "state",
    "postcode",
    "country",
)
EDIT = ["PUT", "POST", "PATCH"]
LIST = {
    "context": CONTEXT,
    "page": PAGE,
    "per_page": PER_PAGE,
    "search": Param("str", ""),
    "include": Param("ints", []),
    "exclude": Param("ints", []),
    "offset": Param("int"),
}
DESC, DATE = Param("enum", "desc", enum=("asc", "desc")), Param("date")
CUSTOMER_ARGS = {
    **LIST,
    "order": Param("enum", "asc", enum=("asc", "desc")),
    "email": Param("email"),
    "orderby": Param("enum", "name", enum=("id", "include", "name", "registered_date")),
    "role": Param("enum", "customer", enum=ROLES),
}
ORDER_ARGS = {
    **LIST,
    "after": DATE,
    "before": DATE,
    "modified_after": DATE,
    "modified_before": DATE,
    "dates_are_gmt": Param("bool", False),
    "order": DESC,
    "parent": Param("ints", []),
    "orderby": Param("enum", "date", enum=("date", "id", "include", "title", "slug", "modified")),
    "parent_exclude": Param("ints", []),
    "customer": Param("int"),
    "product": Param("int"),
    "status": Param("enums", ["any"], enum=("any", "trash", *STATUSES)),
    "dp": Param("int"),
}
REVIEW_ARGS = {
    **LIST,
    "after": DATE,
    "before": DATE,
    "order": DESC,
    "reviewer": Param("ints", []),
    "orderby": Param("enum", "date_gmt", enum=("date", "date_gmt", "id", "include", "product")),
    "reviewer_exclude": Param("ints", []),
    "reviewer_email": Param("email"),
    "product": Param("ints", []),
    "status": Param("enum", "approved", enum=("all", "hold", "approved", "spam", "trash")),
}
SIMPLE_LIST = {
    **LIST,
    "after": DATE,
    "before": DATE,
    "order": DESC,
    "dp": Param("int"),
    "orderby": Param("enum", "date", enum=("date", "id", "include", "title", "slug")),
}
DENIED = {
    "list": ("woocommerce_rest_cannot_view", "Sorry, you cannot list resources."),
    "view": ("woocommerce_rest_cannot_view", "Sorry, you cannot view this resource."),
    "create": ("woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources."),
    "edit": ("woocommerce_rest_cannot_edit", "Sorry, you are not allowed to edit this resource."),
    "delete": (
        "woocommerce_rest_cannot_delete",
        "Sorry, you are not allowed to delete this resource.",
    ),
    "batch": (
        "woocommerce_rest_cannot_batch",
        "Sorry, you are not allowed to batch manipulate this resource.",
    ),
}


REVIEW_FIELDS = {
    "status": Param("enum", enum=("approved", "hold", "spam", "unspam", "trash", "untrash")),
    "reviewer_email": Param("email"),
    "rating": Param("int"),
    "product_id": Param("int"),
    "review": Param("str"),
    "reviewer": Param("str"),
    "date_created": DATE,
    "date_created_gmt": DATE,
}


def in_order(wanted: list[int], ident: int) -> int:
    """The sort key of `orderby=include`: the position in `include`."""
    return wanted.index(ident) if ident in wanted else ident


def now_local() -> datetime:
    return datetime.now(TZ).replace(tzinfo=None, microsecond=0)


def stamp(prefix: str, local: datetime | None) -> JSON:
    if local is None:
        return {prefix: None, f"{prefix}_gmt": None}
    gmt = local.replace(tzinfo=TZ).astimezone(UTC)
    return {prefix: local.isoformat(), f"{prefix}_gmt": gmt.strftime("%Y-%m-%dT%H:%M:%S")}


def moment(value: str, gmt: bool) -> str:
    """A date argument as a site-time (or GMT) string comparable with the stored dates."""
    parsed = parse_date(value)
    assert parsed is not None
    naive, offset = parsed
    if offset:
        if offset != "Z":
            digits = offset[1:].replace(":", "")
            delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
            naive = naive.replace(tzinfo=timezone(delta if offset[0] == "+" else -delta))
        else:
            naive = naive.replace(tzinfo=UTC)
        naive = naive.astimezone(UTC if gmt else TZ).replace(tzinfo=None)
    return naive.strftime("%Y-%m-%dT%H:%M:%S")


def local_time(value: str, is_gmt: bool) -> datetime:
    """A date argument (site time, or GMT for `*_gmt` fields) as naive site time."""
    when = datetime.fromisoformat(moment(value, is_gmt))
    return when.replace(tzinfo=UTC).astimezone(TZ).replace(tzinfo=None) if is_gmt else when


def wpautop(text: str) -> str:
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "".join(f"<p>{p.replace(chr(10), '<br />' + chr(10))}</p>\n" for p in paragraphs)


def sort_by(items: Iterable[JSON], key: Callable[[JSON], Any], order: str) -> list[JSON]:
    return sorted(items, key=key, reverse=order == "desc")


def meta_update(meta: list[JSON], updates: Any) -> None:
    """`WC_Data::update_meta_data()` per entry: by id, else by key; a null value deletes.

    A changed row is a new dict in the row's place (a larger shop's copies share rows with
    their originals: `sandbox.scale`)."""
    for entry in updates if isinstance(updates, list) else []:
        if not isinstance(entry, dict) or "key" not in entry:
            continue
        key, value = str(entry["key"]), entry.get("value")
        hits = [m for m in meta if m["id"] == entry["id"]] if entry.get("id") else []
        hits = hits or [m for m in meta if m["key"] == key]
        if hits:
            where = next(i for i, m in enumerate(meta) if m is hits[0])
            meta[where] = {**hits[0], "key": key, "value": value}
            for extra in hits[1:]:
                meta.remove(extra)
        elif value is not None:
            meta.append(
                {"id": max([m["id"] for m in meta] + [100000]) + 1, "key": key, "value": value}
            )
    meta[:] = [m for m in meta if m["value"] is not None]


@dataclass
class Ctx:
    method: str
    query: PhpParams
    body: JSON
    root: str  # the site's home URL with the request's scheme
    user: bool

    def args(self, specs: dict[str, Param], source: dict[str, Any] | None = None) -> dict[str, Any]:
        return validate(self.query if source is None else source, specs)

    def allow(self, action: str) -> None:
        if not self.user:
            raise RestError(*DENIED[action], 401)

    def links(self, path: str, collection: str, **more: str) -> JSON:
        out = {
            "self": [{"href": f"{self.root}{API}/{path}"}],
            "collection": [{"href": f"{self.root}{API}/{collection}"}],
        }
        return out | {rel: [{"href": f"{self.root}{API}/{href}"}] for rel, href in more.items()}


def positions(items: list[JSON], records: list[JSON]) -> list[int]:
    """Where `records` (these very objects) are in `items`."""
    where = {id(rec): p for p, rec in enumerate(items)}
    return [where[id(rec)] for rec in records]


def query_key(args: dict[str, Any], *skip: str) -> tuple[tuple[str, str], ...]:
    """A listing's arguments without its paging, as a memo key."""
    paging = {"page", "per_page", "offset", "context", "dp", *skip}
    return tuple(sorted((k, repr(v)) for k, v in args.items() if k not in paging))


class Routes:
    """What every route handler uses; `WooCommerceFake` sets the store, tables and options."""

    store: WooStore
    search_customer_note: bool
    orders_t: Table
    customers_t: Table
    reviews_t: Table
    comment_ids: tuple[int, int] | None
    order_texts: dict[int, tuple[JSON, str, str]]

    def page(
        self,
        ctx: Ctx,
        rows: Rows | list[JSON],
        args: dict[str, Any],
        collection: str,
        render: Callable[[JSON], JSON],
    ) -> Reply:
        """One page of `rows` (rendered with `render`), with WordPress's totals and links.

        A page past the last gives `[]` with the totals (the CRUD controllers do not 400 there).
        """
        listing = Listing(rows) if isinstance(rows, list) else rows
        per_page = args["per_page"]
        start = args["offset"] if args["offset"] else (args["page"] - 1) * per_page
        total = len(listing)
        pages = math.ceil(total / per_page)
        chunk = [render(row) for row in listing.page(start, start + per_page)]
        links = link_headers(f"{ctx.root}{API}/{collection}", ctx.query, args["page"], pages)
        return (
            200,
            chunk,
            [("X-WP-Total", str(total)), ("X-WP-TotalPages", str(pages))]
            + [("Link", h) for h in links],
        )

    @staticmethod
    def pick(items: list[JSON], args: dict[str, Any], key: str = "id") -> list[JSON]:
        if args["include"]:
            items = [i for i in items if i[key] in args["include"]]
        return [i for i in items if i[key] not in args["exclude"]]

    @staticmethod
    def find(items: list[JSON], ident: int, code: str, message: str, status: int = 404) -> JSON:
        for item in items:
            if item["id"] == ident:
                return item
        raise RestError(code, message, status)

    @staticmethod
    def check_addresses(body: JSON) -> None:
        """An address e-mail must pass `is_email()`: "" too gives 400 (schema format `email`)."""
        for part in ("billing", "shipping"):
            if isinstance(body.get(part), dict) and "email" in body[part]:
                validate({part: body[part]["email"]}, {part: Param("email")})

    @staticmethod
    def address_update(target: JSON, body: JSON) -> None:
        """Merge `billing`/`shipping` field by field, into a new dict (a larger shop's copies
        share blocks with their originals: `sandbox.scale`)."""
        for part in ("billing", "shipping"):
            if isinstance(body.get(part), dict):
                keys = ADDRESS + (("email", "phone") if part == "billing" else ("phone",))
                changes = {k: str(v) for k, v in body[part].items() if k in keys and v is not None}
                target[part] = {**target[part], **changes}
