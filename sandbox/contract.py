"""The contract suite's entry per system: what the shared checks (tests/contract) need to know.

Each system's folder holds one (`connectors/<system>/contract.py`, `CONTRACT`), named by its
`SYSTEM.contract`; a registered system without one fails every check. An entry says which sandbox
shops serve the system, the path of the first listing request a collect makes (where faults are
injected), its page size, and small functions over the seeded stores (`shop.<system>`, plain lists
in this process). What a connector is fed is the same for all: the subject's e-mail address, and
for a processor also the identifiers the shop platform's own collect reveals, resolved in rounds:

- `fill(shop, email, n)` makes the store hold exactly `n` records of one listing for the person
  (adding copies of a seeded record or trimming), and returns what a complete collect must find;
- `by_email(shop)` / `by_order(shop)`: every record the system holds under an e-mail address or
  an order number, in the fields the system is searched by: the oracles of the identity checks;
- `plant(shop)`: the identity traps the seed does not put in this system (an address in another
  case), added before the shared sandbox starts.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from bridge.core.connector import normalise_email
from bridge.core.plugins import load, systems
from sandbox.data import Shop
from sandbox.faults import Fault, rate_limited

JSON = dict[str, Any]
Key = tuple[str, str]  # (record type, record id) as the connector reports it
Holders = Callable[[Shop], Iterator[tuple[Key, str]]]

# The person the paging check fills the stores for: in no seeded store.
PERSON = "veel.records@contract.example.nl"


@dataclass(frozen=True)
class Listing:
    """What `fill` left in the store: the person's records of one type, and, for a listing paged
    without a total, how many GETs each path must get (every full page, then the empty one)."""

    type: str
    ids: frozenset[str]
    requests: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Contract:
    system: str  # the connector's `name` in the registry
    shops: tuple[str, ...]  # the sandbox shops that serve it
    page_size: int
    listing_path: str  # a path (substring) of the first listing request of a collect
    fill: Callable[[Shop, str, int], Listing]
    by_email: Holders
    error_body: Callable[[int], bytes]  # the vendor's own error body for a 400 or 403
    by_order: Holders | None = None
    plant: Callable[[Shop], None] | None = None
    # The connector's attribute holding its page size, set to `page_size` for the paging check
    # where the vendor's own page is so large that filling two of them would be slow.
    page_attribute: str | None = None
    too_many: Callable[[str], Fault] = field(
        default=lambda path: rate_limited(retry_after=0, path=path)
    )


def same(found: object, email: str) -> bool:
    return isinstance(found, str) and normalise_email(found) == normalise_email(email)


def dumps(body: object) -> bytes:
    return json.dumps(body).encode()


def resize(
    items: list[JSON], mine: Callable[[JSON], bool], n: int, make: Callable[[int], JSON]
) -> list[JSON]:
    """Make `items` hold exactly `n` items that are `mine`: drop the last ones, or add new ones."""
    have = [i for i in items if mine(i)]
    for extra in have[n:]:
        items.remove(extra)
    items.extend(make(i) for i in range(n - len(have)))
    return [i for i in items if mine(i)]


def ids_of(items: list[JSON]) -> frozenset[str]:
    return frozenset(str(i["id"]) for i in items)


def trim_to_pages(items: list[JSON], keep: Callable[[JSON], bool], size: int) -> None:
    """Drop items that are not `keep` until `len(items)` is a multiple of `size`."""
    drop = len(items) % size
    for item in [i for i in items if not keep(i)][:drop]:
        items.remove(item)
    assert len(items) % size == 0, "not enough other items to trim"


@cache
def contracts() -> dict[str, Contract]:
    """The contract entry of every registered system that names one, by system name."""
    return {s.name: load(s.contract) for s in systems() if s.contract}
