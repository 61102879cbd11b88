"""The fake's store: the lightspeed resources it serves, in the API's own shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]


@dataclass
class LightspeedStore:
    """Lightspeed eCom resources, each a dict in the API's own shape (unwrapped), by resource name.

    `resources["customers"]`, `resources["orders"]`, … ; sub-resources keyed by parent id in
    `children["orders/products"][order_id]`, `children["tickets/messages"][ticket_id]`,
    `children["customers/metafields"][customer_id]`. Resource links are stored as the API prints
    them on the real host (`connectors.lightspeed.fake.shape.LS_HOST`); the fake serves them on its own URL and
    adds the `embedded` parts when it answers. Checkouts are stored snake_case (their API is).
    """

    resources: dict[str, list[JSON]] = field(default_factory=dict)
    children: dict[str, dict[int, list[JSON]]] = field(default_factory=dict)
    language: str = "nl"
