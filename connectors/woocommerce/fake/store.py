"""The fake's store: the woocommerce resources it serves, in the API's own shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]


@dataclass
class WooAnalytics:
    """WooCommerce Analytics' own tables (`connectors.woocommerce.fake.analytics`), built from the store's
    customers and orders the first time the fake needs them (`built`).

    `customer_lookup`: the `wc_customer_lookup` rows (customer_id, user_id (None for guests),
    username, first_name, last_name, email, date_last_active, date_registered, country,
    postcode, city, state; dates `Y-m-d H:i:s`); `order_stats`: the `wc_order_stats` rows of
    orders and refunds by id (customer_id, parent_id, status, total_sales, dates); `queue`: the
    order imports Action Scheduler has pending (`{"order_id", "due"}`, `due` on
    `time.monotonic()`); they run at the first request after `import_delay_s` (WooCommerce
    schedules them 5 s after the save; 0 here: at the next request). `historical_import=False`:
    the merchant never ran "Import historical data", so orders taken before WooCommerce 4.0
    (their `version`) have no `wc_order_stats` row.
    """

    customer_lookup: list[JSON] = field(default_factory=list)
    order_stats: dict[int, JSON] = field(default_factory=dict)
    queue: list[JSON] = field(default_factory=list)
    import_delay_s: float = 0.0
    historical_import: bool = True
    built: bool = False
    next_customer_id: int = 1  # the table's AUTO_INCREMENT
    version: int = 0  # counts the changes (for the fake's memo)


@dataclass
class WooStore:
    """WooCommerce wc/v3 resources, each a dict in exactly the shape the REST API returns."""

    customers: list[JSON] = field(default_factory=list)
    orders: list[JSON] = field(default_factory=list)
    order_notes: dict[int, list[JSON]] = field(default_factory=dict)  # order id -> notes
    refunds: dict[int, list[JSON]] = field(default_factory=dict)  # order id -> refunds
    downloads: dict[int, list[JSON]] = field(default_factory=dict)  # customer id -> downloads
    reviews: list[JSON] = field(default_factory=list)
    products: list[JSON] = field(default_factory=list)
    # The site's home URL as the seed writes it into URLs (download links, permalinks); the fake
    # serves them on its own base URL instead.
    site_url: str = "https://brandpunt.example.nl"
    # What the API does not show but filters on: a review's WordPress user (0 = posted by e-mail
    # only; `products/reviews?reviewer=` matches this) and a trashed/spammed review's old status.
    review_user_ids: dict[int, int] = field(default_factory=dict)
    review_previous_status: dict[int, str] = field(default_factory=dict)
    # WooCommerce Analytics' customer lookup and order stats (`connectors.woocommerce.fake.analytics`).
    analytics: WooAnalytics = field(default_factory=WooAnalytics)
