"""The WooCommerce fake's part of hostile mode (`sandbox.hostile`): the 404 it answers for a
resource it does not serve. No field it serves is UNCONFIRMED, so nothing is respelled.
"""

from __future__ import annotations

import json
from typing import Any

from werkzeug.wrappers import Response

from connectors.woocommerce.fake import rest as woo_rest
from sandbox.plugin import Hostility, Respeller

# Every knob at once (sandbox.hostile.HOSTILE).
HOSTILITY = Hostility(
    ignore=frozenset(
        {
            "email",  # customers
            "search",  # customers, orders, reviews (and products: names apply everywhere)
            "include",  # customers, orders, reviews, products
            "customer",  # orders
            "reviewer",  # products/reviews
            "reviewer_email",  # products/reviews
            # wc-analytics customers (connectors.woocommerce.fake.analytics): id lists, whatever the names
            "customers",
            "users",
            "name_includes",
            "username_includes",
            "email_includes",
        }
    ),
    # Not ignored: `exclude`, `reviewer_exclude`, `parent_exclude` leave records out, they
    # never narrow to a person; `role` and `status` have narrowing defaults (customer,
    # any/approved), so ignoring them would hide records, not show everybody's; `product` and
    # `parent` select by product or parent order, not by person; `after`/`before`/
    # `modified_*` are date windows over everybody; paging, `orderby`, `_fields`, `context`
    # are no filters. wc-analytics: the `*_excludes` and `filter_empty` leave rows out;
    # `country_includes`, the date, count and spend bounds are not about a person; `match`
    # and `searchby` only say how the others apply.
)

RESPELLING = ""


def not_found(method: str, path: str) -> Response:
    """WordPress's `rest_no_route` 404."""
    body = woo_rest.not_found_route().body()
    return Response(json.dumps(body), 404, content_type="application/json; charset=UTF-8")


def respellers(store: Any) -> list[Respeller]:
    return []
