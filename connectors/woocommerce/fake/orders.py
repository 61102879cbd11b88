"""Orders, order notes and refunds of the WooCommerce fake (see `connectors.woocommerce.fake.app`)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from connectors.woocommerce.fake.rest import CONTEXT, FORCE, Param, RestError, fold
from connectors.woocommerce.fake.routes import (
    API,
    LABELS,
    ORDER_ARGS,
    SIMPLE_LIST,
    STATUSES,
    Ctx,
    Reply,
    Routes,
    in_order,
    meta_update,
    moment,
    now_local,
    positions,
    query_key,
    sort_by,
    stamp,
)
from sandbox.data import JSON
from sandbox.indexes import HIGH, Rows, after

DATE_FILTERS = (
    ("after", "date_created", True),
    ("before", "date_created", False),
    ("modified_after", "date_modified", True),
    ("modified_before", "date_modified", False),
)
# The sorted indexes of the orders (trash left out), by `orderby`, and the date each sorts on.
ORDER_KEYS: dict[str, Callable[[JSON], Any]] = {
    "date": lambda o: None if o["status"] == "trash" else (o["date_created_gmt"] or "", o["id"]),
    "modified": lambda o: (
        None if o["status"] == "trash" else (o["date_modified_gmt"] or "", o["id"])
    ),
    "id": lambda o: None if o["status"] == "trash" else (o["id"],),
}
SORTED = {"date": "date_created", "modified": "date_modified", "id": ""}
NARROWING = ("include", "exclude", "search", "customer", "product", "parent", "parent_exclude")


class OrderRoutes(Routes):
    def order_out(self, ctx: Ctx, order: JSON) -> JSON:
        more = {"customer": f"customers/{order['customer_id']}"} if order["customer_id"] else {}
        more |= {"up": f"orders/{order['parent_id']}"} if order["parent_id"] else {}
        meta = sorted(order["meta_data"], key=lambda m: (m["key"], m["id"]))
        return {
            **order,
            "meta_data": meta,
            "_links": ctx.links(f"orders/{order['id']}", "orders", **more),
        }

    def order_matches(self, order: JSON, term: str, needle: str | None = None) -> bool:
        """Whether `search=term` finds the order (`needle`: `fold(term)`, if known)."""
        if term.isdigit() and str(int(term)) == term and order["id"] == int(term):
            return True
        email, text = self.search_text(order)
        needle = fold(term) if needle is None else needle
        return email.startswith(needle) or ("\x00" not in term and needle in text)

    def search_text(self, order: JSON) -> tuple[str, str]:
        """What `search` looks in, folded: the billing e-mail, and the item, shipping, tax and
        coupon names, the address indexes and the customer note (one field per NUL-separated
        part); kept per order until the fake changes it, so that a scan of 100,000 orders
        costs two string tests each."""
        cached = self.order_texts.get(order["id"])
        if cached is not None and cached[0] is order:
            return cached[1], cached[2]
        names = [i["name"] for i in order["line_items"] + order["fee_lines"]]
        names += [s["method_title"] for s in order["shipping_lines"]]
        names += [t["rate_code"] for t in order["tax_lines"]] + [
            c["code"] for c in order["coupon_lines"]
        ]
        indexes = [
            " ".join(str(v) for v in order[part].values()) for part in ("billing", "shipping")
        ]
        notes = [order["customer_note"]] if self.search_customer_note else []
        text = fold("\x00".join(str(t) for t in names + indexes + notes))
        email = fold(order["billing"].get("email", ""))
        self.order_texts[order["id"]] = (order, email, text)
        return email, text

    def _orders(self, ctx: Ctx) -> Reply:
        args = ctx.args(ORDER_ARGS)
        ctx.allow("list")
        return self.page(ctx, self.order_rows(args), args, "orders", partial(self.order_out, ctx))

    def order_rows(self, args: dict[str, Any]) -> Rows:
        """The orders a listing asks for, in its order: a range of a sorted index when only the
        dates of the field it sorts on (GMT) narrow it, else a memoised scan."""
        orderby = "id" if args["orderby"] == "include" else args["orderby"]
        orderby = orderby if orderby in SORTED else "date"
        index_field = SORTED[orderby]
        bounds = [(name, field, later) for name, field, later in DATE_FILTERS if args[name]]
        plain = not any(args[name] for name in NARROWING) and args["status"] == ["any"]
        same_field = all(field == index_field for _, field, _ in bounds)
        if plain and same_field and (not bounds or args["dates_are_gmt"]):
            lo = hi = None
            for name, _, later in bounds:
                limit = moment(args[name], True)
                if later:
                    lo = max(lo or ("",), (after(limit),))
                else:
                    hi = min(hi or (HIGH,), (limit,))
            return self.orders_t.sorted(
                orderby, ORDER_KEYS[orderby], lo, hi, args["order"] == "desc"
            )
        return self.orders_t.memo(
            ("orders", query_key(args)), lambda items: positions(items, self.scan(args))
        )

    def scan(self, args: dict[str, Any]) -> list[JSON]:
        orders = self.pick(self.store.orders, args)
        statuses = args["status"]
        orders = [
            o
            for o in orders
            if (o["status"] != "trash" if "any" in statuses else o["status"] in statuses)
        ]
        if args["customer"] is not None:
            orders = [o for o in orders if o["customer_id"] == args["customer"]]
        if args["product"] is not None:
            orders = [
                o
                for o in orders
                if any(i["product_id"] == args["product"] for i in o["line_items"])
            ]
        if args["parent"]:
            orders = [o for o in orders if o["parent_id"] in args["parent"]]
        orders = [o for o in orders if o["parent_id"] not in args["parent_exclude"]]
        gmt = "_gmt" if args["dates_are_gmt"] else ""
        for name, field, later in DATE_FILTERS:
            if args[name]:
                limit = moment(args[name], bool(gmt))
                orders = [
                    o
                    for o in orders
                    if (o[field + gmt] > limit if later else o[field + gmt] < limit)
                ]
        if args["search"]:
            term, needle = args["search"], fold(args["search"])
            orders = [o for o in orders if self.order_matches(o, term, needle)]
        keys: dict[str, Callable[[JSON], Any]] = {
            "id": lambda o: o["id"], "modified": lambda o: (o["date_modified_gmt"], o["id"]),
            "include": lambda o: in_order(args["include"], o["id"]),
        }  # fmt: skip
        return sort_by(
            orders,
            keys.get(args["orderby"], lambda o: (o["date_created_gmt"], o["id"])),
            args["order"],
        )

    def get_order(
        self,
        oid: int,
        code: str = "woocommerce_rest_shop_order_invalid_id",
        msg: str = "Invalid ID.",
    ) -> JSON:
        order = self.orders_t.get(oid)
        if order is None:
            raise RestError(code, msg, 404)
        return order

    def _order(self, ctx: Ctx, oid: int) -> Reply:
        ctx.args({"context": CONTEXT, "dp": Param("int")})
        ctx.allow("view")
        return 200, self.order_out(ctx, self.get_order(oid)), []

    def _order_update(self, ctx: Ctx, oid: int) -> Reply:
        body = ctx.body
        ctx.args({"status": Param("enum", enum=(*STATUSES, "trash")), "customer_id": Param("int")},
                 {k: v for k, v in body.items() if k in ("status", "customer_id")})  # fmt: skip
        self.check_addresses(body)
        ctx.allow("edit")
        order = self.get_order(oid)
        customer_id = body.get("customer_id")
        if customer_id and self.customers_t.get(int(customer_id)) is None:
            raise RestError("woocommerce_rest_invalid_customer_id", "Customer ID is invalid.", 400)
        with self.orders_t.changing(order):
            self.apply_order_update(order, body)
        self.order_texts.pop(oid, None)
        return 200, self.order_out(ctx, order), []

    def apply_order_update(self, order: JSON, body: JSON) -> None:
        customer_id = body.get("customer_id")
        self.address_update(order, body)
        for key in (
            "customer_note",
            "payment_method",
            "payment_method_title",
            "transaction_id",
            "currency",
        ):
            if key in body and body[key] is not None:
                order[key] = str(body[key])
        if customer_id is not None:
            order["customer_id"] = int(customer_id)
        if "parent_id" in body:
            order["parent_id"] = int(body["parent_id"] or 0)
        meta_update(order["meta_data"], body.get("meta_data"))
        now = now_local()
        status = body.get("status") or order["status"]
        if body.get("set_paid") in (True, "true", "1", 1):
            order.update(stamp("date_paid", now))
            status = "processing" if status in ("pending", "on-hold", "failed") else status
        if status != order["status"]:
            self.add_note(
                order["id"],
                f"Order status changed from {self.label(order['status'])} to {self.label(status)}.",
            )
            if status == "completed":
                order.update(stamp("date_completed", now))
            order["status"] = status
            order.update(
                is_editable=status in ("pending", "on-hold"),
                needs_payment=status in ("pending", "failed"),
            )
        order.update(stamp("date_modified", now))

    @staticmethod
    def label(status: str) -> str:
        return LABELS.get(status, status.title())

    def _order_delete(self, ctx: Ctx, oid: int) -> Reply:
        args = ctx.args({"force": FORCE})
        ctx.allow("delete")
        order = self.get_order(oid)
        previous = self.order_out(ctx, order)
        if args["force"]:
            self.store.orders.remove(order)
            self.store.order_notes.pop(oid, None)
            self.store.refunds.pop(oid, None)
            return 200, previous, []
        if order["status"] == "trash":
            raise RestError(
                "woocommerce_rest_already_trashed", "The shop_order has already been deleted.", 410
            )
        with self.orders_t.changing(order):
            order["status"] = "trash"
            order.update(stamp("date_modified", now_local()))
        return 200, self.order_out(ctx, order), []

    # -- order notes and refunds ----------------------------------------------------------------
    def note_out(self, ctx: Ctx, oid: int, note: JSON) -> JSON:
        return {
            **note,
            "_links": ctx.links(
                f"orders/{oid}/notes/{note['id']}", f"orders/{oid}/notes", up=f"orders/{oid}"
            ),
        }

    def add_note(
        self, oid: int, text: str, customer_note: bool = False, author: str = "WooCommerce"
    ) -> JSON:
        note = {"id": self.next_comment_id(), "author": author,
                **stamp("date_created", now_local()), "note": text,
                "customer_note": customer_note}  # fmt: skip
        self.store.order_notes.setdefault(oid, []).append(note)
        return note

    def next_comment_id(self) -> int:
        """One more than the highest comment id (order notes and reviews share the sequence);
        the scan runs once, and again only when reviews were added from outside."""
        reviews = len(self.store.reviews)
        if self.comment_ids is None or self.comment_ids[1] != reviews:
            ids = [n["id"] for notes in self.store.order_notes.values() for n in notes]
            ids += [r["id"] for r in self.store.reviews]
            highest = max([*ids, 1, self.comment_ids[0] if self.comment_ids else 0])
            self.comment_ids = (highest, reviews)
        self.comment_ids = (self.comment_ids[0] + 1, reviews)
        return self.comment_ids[0]

    def _notes(self, ctx: Ctx, oid: int) -> Reply:
        args = ctx.args(
            {"context": CONTEXT, "type": Param("enum", "any", enum=("any", "customer", "internal"))}
        )
        ctx.allow("list")
        self.get_order(oid, "woocommerce_rest_order_invalid_id", "Invalid order ID.")
        notes = self.store.order_notes.get(oid, [])
        if args["type"] != "any":
            notes = [n for n in notes if n["customer_note"] == (args["type"] == "customer")]
        notes = sorted(notes, key=lambda n: (n["date_created_gmt"], n["id"]), reverse=True)
        return 200, [self.note_out(ctx, oid, n) for n in notes], []

    def _note(self, ctx: Ctx, oid: int, nid: int) -> Reply:
        ctx.args({"context": CONTEXT})
        ctx.allow("view")
        self.get_order(oid, "woocommerce_rest_order_invalid_id", "Invalid order ID.")
        note = self.find(
            self.store.order_notes.get(oid, []),
            nid,
            "woocommerce_rest_invalid_id",
            "Invalid resource ID.",
        )
        return 200, self.note_out(ctx, oid, note), []

    def _note_create(self, ctx: Ctx, oid: int) -> Reply:
        body = ctx.body
        if not isinstance(body.get("note"), str):
            raise RestError(
                "rest_missing_callback_param", "Missing parameter(s): note", 400, params=["note"]
            )
        flags = ctx.args({"customer_note": FORCE, "added_by_user": FORCE}, body)
        ctx.allow("create")
        self.get_order(oid, "woocommerce_rest_order_invalid_id", "Invalid order ID.")
        if not body["note"]:
            raise RestError(
                "woocommerce_rest_invalid_order_note",
                "Cannot create order note, please try again.",
                500,
            )
        admins = [c for c in self.store.customers if c["role"] == "administrator"]
        author = (
            f"{admins[0]['first_name']} {admins[0]['last_name']}"
            if admins and flags["added_by_user"]
            else "WooCommerce"
        )
        note = self.add_note(oid, body["note"], flags["customer_note"], author)
        location = f"{ctx.root}{API}/orders/{oid}/notes/{note['id']}"
        return 201, self.note_out(ctx, oid, note), [("Location", location)]

    def _note_delete(self, ctx: Ctx, oid: int, nid: int) -> Reply:
        args = ctx.args({"force": FORCE})
        ctx.allow("delete")
        self.get_order(oid, "woocommerce_rest_order_invalid_id", "Invalid order ID.")
        notes = self.store.order_notes.get(oid, [])
        note = self.find(notes, nid, "woocommerce_rest_invalid_id", "Invalid resource ID.")
        if not args["force"]:
            raise RestError(
                "woocommerce_rest_trash_not_supported",
                "The resource does not support trashing.",
                501,
            )
        notes.remove(note)
        return 200, self.note_out(ctx, oid, note), []

    def refund_out(self, ctx: Ctx, oid: int, refund: JSON) -> JSON:
        links = ctx.links(
            f"orders/{oid}/refunds/{refund['id']}", f"orders/{oid}/refunds", up=f"orders/{oid}"
        )
        return {**refund, "_links": links}

    def _refunds(self, ctx: Ctx, oid: int) -> Reply:
        args = ctx.args(SIMPLE_LIST)
        ctx.allow("list")
        self.get_order(oid, "woocommerce_rest_order_invalid_id", "Invalid order ID.")
        refunds = self.pick(self.store.refunds.get(oid, []), args)
        key: Callable[[JSON], Any] = (
            (lambda r: r["id"])
            if args["orderby"] == "id"
            else (lambda r: (r["date_created_gmt"], r["id"]))
        )
        refunds = sort_by(refunds, key, args["order"])
        render = partial(self.refund_out, ctx, oid)
        return self.page(ctx, refunds, args, f"orders/{oid}/refunds", render)

    def _refund(self, ctx: Ctx, oid: int, rid: int) -> Reply:
        ctx.args({"context": CONTEXT, "dp": Param("int")})
        ctx.allow("view")
        self.get_order(oid, "woocommerce_rest_order_invalid_id", "Invalid order ID.")
        refund = self.find(
            self.store.refunds.get(oid, []),
            rid,
            "woocommerce_rest_shop_order_refund_invalid_id",
            "Invalid ID.",
        )
        return 200, self.refund_out(ctx, oid, refund), []
