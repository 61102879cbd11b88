"""The batch endpoints of the WooCommerce fake (see `connectors.woocommerce.fake.app`).

`POST|PUT|PATCH /orders/batch`, `/customers/batch` and `/products/reviews/batch` take
`{"create": [...], "update": [...], "delete": [ids]}` (shared/specs/woocommerce/_orders.md,
_customers.md, _product-reviews.md, "Batch update ..."). They follow WooCommerce's
`WC_REST_Controller::batch_items()` and `check_batch_limit()`
(includes/abstracts/abstract-wc-rest-controller.php) and the single-item `delete_item()` of
`WC_REST_CRUD_Controller` (includes/abstracts/abstract-wc-rest-crud-controller.php):

- The route is registered for `WP_REST_Server::EDITABLE` (POST, PUT, PATCH); its permission
  callback `batch_items_permissions_check` answers 401 `woocommerce_rest_cannot_batch`, "Sorry,
  you are not allowed to batch manipulate this resource.", before anything else runs.
- The parameters are `array_filter($request->get_params())`: the JSON body, form and query
  merged, so `?delete[]=5` counts too; a `create`/`update`/`delete` that is not a list (or
  object) is ignored.
- At most `apply_filters('woocommerce_rest_batch_items_limit', 100, $rest_base)` items in all
  (create + update + delete counted together); more answers 413
  `woocommerce_rest_request_entity_too_large`, "Unable to accept more than 100 items for this
  request.", and nothing is changed. `batch_limit` sets the limit (the filter).
- The answer is 200 with `create`, `update` and `delete` in that order, each present only when
  the request had items there (none at all: `[]`, PHP's empty array). Each item is what the
  single-item endpoint answers (`response_to_data()`: with its `_links`), or for a failure
  `{"id": <the item's id>, "error": {"code", "message", "data": {"status", ...}}}`; one item's
  failure does not stop the others.
- `update`: each item is the body of `PUT <resource>/<item.id>` (the fake's own update handler:
  the same checks, notes and Analytics hooks); no query parameters reach it (no `_fields`,
  `context` or `dp` per item). The error's `id` is the item's `id` as sent (null when absent).
- `delete`: each id is `(int)`-cast; 0 is skipped silently; the item is deleted as
  `DELETE <resource>/<id>?force=true` would (an order or a review is deleted for good, not
  trashed; a review answers `{"deleted": true, "previous": ...}`). An object in `delete` is
  taken as the query parameters (`{"id": 5, "reassign": 3}`), `force` set to true.
- Choices of the fake: `create` is not served: each create item is an error item
  `{"id": 0, "error": {"code": "woocommerce_rest_fake_create_not_supported", ...,
  "data": {"status": 501}}}` (WooCommerce creates them). WordPress does not validate a batch
  item against the item schema (it calls `update_item()` directly); the fake's update
  handlers do, so a malformed field gives a 400 `rest_invalid_param` error item where
  WooCommerce might accept or ignore it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import Any

from connectors.woocommerce.fake.rest import PhpParams, RestError
from connectors.woocommerce.fake.routes import Ctx, Reply, Routes
from sandbox.data import JSON
from sandbox.indexes import retrying

BATCHES = ("create", "update", "delete")
BATCH_LIMIT = 100  # `woocommerce_rest_batch_items_limit`'s default


def batch_items(params: JSON, key: str) -> list[Any]:
    """A batch's items as `foreach` sees them: a list's items or an object's values."""
    value = params.get(key)
    if isinstance(value, list):
        return value
    return list(value.values()) if isinstance(value, dict) else []


def php_int(value: Any) -> int:
    """PHP's `(int)` cast of a JSON value."""
    if isinstance(value, bool | int):
        return int(value)
    if isinstance(value, float):
        return int(value) if value == value and abs(value) < 2**63 else 0
    if isinstance(value, str):
        match = re.match(r"\s*([+-]?\d+)", value)
        return int(match.group(1)) if match else 0
    return 0


def query_value(value: Any) -> str | dict[str, str]:
    """A JSON value as the fake's query parameters hold it (strings)."""
    if isinstance(value, dict | list):
        pairs = value.items() if isinstance(value, dict) else enumerate(value)
        return {str(k): str(query_value(v)) for k, v in pairs}
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def error_item(ident: Any, error: RestError) -> JSON:
    return {"id": ident, "error": error.body()}


class BatchRoutes(Routes):
    """`<resource>/batch` for orders, customers and product reviews."""

    batch_limit: int = BATCH_LIMIT

    def _orders_batch(self, ctx: Ctx) -> Reply:
        return self.batch(
            ctx, "orders", self.handler("_order_update"), self.handler("_order_delete")
        )

    def _customers_batch(self, ctx: Ctx) -> Reply:
        return self.batch(
            ctx, "customers", self.handler("_customer_update"), self.handler("_customer_delete")
        )

    def _reviews_batch(self, ctx: Ctx) -> Reply:
        return self.batch(
            ctx, "reviews", self.handler("_review_update"), self.handler("_review_delete")
        )

    def handler(self, name: str) -> Callable[[Ctx, int], Reply]:
        method: Callable[[Ctx, int], Reply] = getattr(self, name)
        return method

    def batch(
        self,
        ctx: Ctx,
        rest_base: str,
        update: Callable[[Ctx, int], Reply],
        delete: Callable[[Ctx, int], Reply],
    ) -> Reply:
        """`WC_REST_Controller::batch_items()` over the fake's single-item handlers."""
        ctx.allow("batch")
        params: JSON = {**ctx.query, **ctx.body}
        items = {key: batch_items(params, key) for key in BATCHES}
        total = sum(len(found) for found in items.values())
        if total > self.batch_limit:
            raise RestError(
                "woocommerce_rest_request_entity_too_large",
                f"Unable to accept more than {self.batch_limit} items for this request.",
                413,
            )
        out: JSON = {}
        for _ in items["create"]:
            out.setdefault("create", []).append(error_item(0, self.create_refused(rest_base)))
        for item in items["update"]:
            body = item if isinstance(item, dict) else {}
            sub = Ctx("PUT", {}, body, ctx.root, ctx.user)
            out.setdefault("update", []).append(
                self.answer(body.get("id"), partial(update, sub, php_int(body.get("id"))))
            )
        for raw in items["delete"]:
            ident: Any = raw if isinstance(raw, dict) else php_int(raw)
            if ident == 0:
                continue
            query: PhpParams = (
                {str(k): query_value(v) for k, v in ident.items()}
                if isinstance(ident, dict)
                else {}
            )
            query |= {"force": "true"}
            target = php_int(ident.get("id")) if isinstance(ident, dict) else ident
            sub = Ctx("DELETE", query, {}, ctx.root, ctx.user)
            out.setdefault("delete", []).append(self.answer(ident, partial(delete, sub, target)))
        return 200, out if out else [], []

    def answer(self, ident: Any, run: Callable[[], Reply]) -> JSON:
        """One item's answer: the handler's body, or its error as a batch error item. Each
        item is retried on its own when an index went stale, so that a retry does not repeat
        the items before it."""
        tables = (self.orders_t, self.customers_t, self.reviews_t)
        try:
            _, body, _ = retrying(tables, run)
        except RestError as error:
            return error_item(ident, error)
        return dict(body)

    @staticmethod
    def create_refused(rest_base: str) -> RestError:
        return RestError(
            "woocommerce_rest_fake_create_not_supported",
            f"Creating {rest_base} in a batch is not supported by this fake.",
            501,
        )
