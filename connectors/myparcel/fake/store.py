"""The fake's store: the myparcel resources it serves, in the API's own shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]


@dataclass
class MyParcelStore:
    """MyParcel shipments in the API's own shape (07 §7.A), without `secondary_shipments`: the
    fake embeds a multi-collo main's secondaries (`multi_collo_main_shipment_id`) when it shows it.
    """

    shipments: list[JSON] = field(default_factory=list)
