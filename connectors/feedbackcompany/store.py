"""The fake's store: the feedbackcompany resources it serves, in the API's own shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]


@dataclass
class FeedbackStore:
    """The Feedback Company: reviews and review invitations (`orders`) in the v2 API's shape.

    Keys starting with `_` are store-only (the fake never shows them): a review's
    `_invitation_id` links it to the invitation it came from. `shop` is what `GET /shop` shows
    (the fake fills in a default when it is empty).
    """

    reviews: list[JSON] = field(default_factory=list)
    invitations: list[JSON] = field(default_factory=list)
    shop: JSON = field(default_factory=dict)
