"""Products and product reviews of the WooCommerce fake (see `connectors.woocommerce.fake.app`)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from connectors.woocommerce.fake.rest import CONTEXT, FORCE, RestError, contains, fold
from connectors.woocommerce.fake.routes import (
    REVIEW_ARGS,
    REVIEW_FIELDS,
    SIMPLE_LIST,
    Ctx,
    Reply,
    Routes,
    in_order,
    local_time,
    moment,
    positions,
    query_key,
    sort_by,
    stamp,
    wpautop,
)
from sandbox.data import JSON


class CatalogRoutes(Routes):
    def _products(self, ctx: Ctx) -> Reply:
        args = ctx.args(SIMPLE_LIST)
        ctx.allow("list")
        products = [
            p for p in self.pick(self.store.products, args) if contains(p["name"], args["search"])
        ]
        key: Callable[[JSON], Any] = (
            (lambda p: p["id"])
            if args["orderby"] == "id"
            else (lambda p: (p["date_created_gmt"], p["id"]))
        )
        products = sort_by(products, key, args["order"])

        def render(p: JSON) -> JSON:
            return {**p, "_links": ctx.links(f"products/{p['id']}", "products")}

        return self.page(ctx, products, args, "products", render)

    def _product(self, ctx: Ctx, pid: int) -> Reply:
        ctx.allow("view")
        product = self.find(
            self.store.products, pid, "woocommerce_rest_product_invalid_id", "Invalid ID."
        )
        return 200, {**product, "_links": ctx.links(f"products/{pid}", "products")}, []

    def review_out(self, ctx: Ctx, review: JSON, context: str = "view") -> JSON:
        more = {"up": f"products/{review['product_id']}"}
        user = self.store.review_user_ids.get(review["id"], 0)
        out = {
            **review,
            "_links": ctx.links(f"products/reviews/{review['id']}", "products/reviews", **more),
        }
        if user:
            out["_links"]["reviewer"] = [
                {"embeddable": True, "href": f"{ctx.root}/wp-json/wp/v2/users/{user}"}
            ]
        if context == "view":
            out["review"] = wpautop(review["review"])
        return out

    def _reviews(self, ctx: Ctx) -> Reply:
        args = ctx.args(REVIEW_ARGS)
        ctx.allow("list")
        rows = self.reviews_t.memo(
            ("reviews", query_key(args)),
            lambda items: positions(items, self.review_scan(args)),
        )
        render = partial(self.review_out, ctx, context=args["context"])
        return self.page(ctx, rows, args, "products/reviews", render)

    def review_scan(self, args: dict[str, Any]) -> list[JSON]:
        reviews = self.pick(self.store.reviews, args)
        wanted = ("approved", "hold") if args["status"] == "all" else (args["status"],)
        reviews = [r for r in reviews if r["status"] in wanted]
        users = self.store.review_user_ids
        if args["reviewer"]:
            reviews = [r for r in reviews if users.get(r["id"], 0) in args["reviewer"]]
        reviews = [r for r in reviews if users.get(r["id"], 0) not in args["reviewer_exclude"]]
        if args["reviewer_email"]:
            reviews = [
                r for r in reviews if fold(r["reviewer_email"]) == fold(args["reviewer_email"])
            ]
        if args["product"]:
            reviews = [r for r in reviews if r["product_id"] in args["product"]]
        if args["search"]:
            fields = ("reviewer", "reviewer_email", "review")
            reviews = [r for r in reviews if any(contains(r[f], args["search"]) for f in fields)]
        for name, later in (("after", True), ("before", False)):
            if args[name]:
                limit = moment(args[name], False)
                reviews = [
                    r
                    for r in reviews
                    if (r["date_created"] > limit if later else r["date_created"] < limit)
                ]
        keys: dict[str, Callable[[JSON], Any]] = {
            "id": lambda r: r["id"], "product": lambda r: (r["product_id"], r["id"]),
            "date": lambda r: (r["date_created"], r["id"]),
            "include": lambda r: in_order(args["include"], r["id"]),
        }  # fmt: skip
        return sort_by(
            reviews,
            keys.get(args["orderby"], lambda r: (r["date_created_gmt"], r["id"])),
            args["order"],
        )

    def get_review(self, rid: int) -> JSON:
        review = self.reviews_t.get(rid)
        if review is None:
            raise RestError("woocommerce_rest_review_invalid_id", "Invalid review ID.", 404)
        return review

    def _review(self, ctx: Ctx, rid: int) -> Reply:
        args = ctx.args({"context": CONTEXT})
        review = self.get_review(rid)
        ctx.allow("view")
        return 200, self.review_out(ctx, review, args["context"]), []

    def set_review_status(self, review: JSON, status: str) -> None:
        previous = self.store.review_previous_status
        if status in ("spam", "trash"):
            previous[review["id"]] = review["status"]
        elif status in ("unspam", "untrash"):
            status = (
                previous.pop(review["id"], "hold")
                if review["status"] == status[2:]
                else review["status"]
            )
        review["status"] = status

    def _review_update(self, ctx: Ctx, rid: int) -> Reply:
        body = ctx.body
        specs = REVIEW_FIELDS
        args = ctx.args(specs, {k: v for k, v in body.items() if k in specs})
        review = self.get_review(rid)
        ctx.allow("edit")
        fields = [
            k
            for k in (
                "review",
                "reviewer",
                "reviewer_email",
                "product_id",
                "date_created",
                "date_created_gmt",
            )
            if k in body
        ]
        if not fields and args["status"] and args["status"] == review["status"]:
            raise RestError(
                "woocommerce_rest_review_failed_edit", "Updating review status failed.", 500
            )
        if "review" in body and not body["review"]:
            raise RestError(
                "woocommerce_rest_review_content_invalid", "Invalid review content.", 400
            )
        with self.reviews_t.changing(review):
            self.apply_review_update(review, body, args)
        return 200, self.review_out(ctx, review, "edit"), []

    def apply_review_update(self, review: JSON, body: JSON, args: dict[str, Any]) -> None:
        if args["product_id"]:
            product = self.find(
                self.store.products,
                args["product_id"],
                "woocommerce_rest_product_invalid_id",
                "Invalid product ID.",
            )
            review.update(
                product_id=product["id"],
                product_name=product["name"],
                product_permalink=product["permalink"],
            )
        review.update({k: args[k] for k in ("review", "reviewer", "reviewer_email") if k in body})
        if args["rating"]:
            review["rating"] = args["rating"]
        if args["date_created"]:
            review.update(stamp("date_created", local_time(args["date_created"], False)))
        elif args["date_created_gmt"]:
            review.update(stamp("date_created", local_time(args["date_created_gmt"], True)))
        if body.get("verified") in (True, "true", "1", 1):
            review["verified"] = True
        if args["status"]:
            self.set_review_status(review, args["status"])

    def _review_delete(self, ctx: Ctx, rid: int) -> Reply:
        args = ctx.args({"force": FORCE})
        review = self.get_review(rid)
        ctx.allow("delete")
        if args["force"]:
            previous = self.review_out(ctx, review, "edit")
            previous.pop("_links")
            self.store.reviews.remove(review)
            self.store.review_user_ids.pop(rid, None)
            self.store.review_previous_status.pop(rid, None)
            return 200, {"deleted": True, "previous": previous}, []
        if review["status"] == "trash":
            raise RestError(
                "woocommerce_rest_already_trashed", "The object has already been trashed.", 410
            )
        with self.reviews_t.changing(review):
            self.set_review_status(review, "trash")
        return 200, self.review_out(ctx, review, "edit"), []
