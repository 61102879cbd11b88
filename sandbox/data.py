"""The seeded shops the fakes serve: Dutch customers, orders over 8 years, reviews, payments.

`build_shop()` is deterministic for a given seed and day: every date is placed relative to `today`
so the 3-year and 7-year terms of the vendors and of the law keep their meaning whenever it runs.
"""

from __future__ import annotations

import functools
import pickle
import random
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sandbox.plugin import fakes, shops

JSON = dict[str, Any]


@dataclass(frozen=True)
class ShopOrder:
    """An order in platform-neutral terms, for seeding the processors of either shop."""

    number: str  # the order number customers and carriers see
    created: datetime
    status: str  # "completed", "processing", "cancelled", "refunded", …
    email: str
    first_name: str
    last_name: str
    company: str
    street: str
    house_number: str
    postcode: str
    city: str
    country: str
    phone: str
    total: str  # "12.34"


@dataclass
class Shop:
    """One seeded shop and the people the tests and the demo look at."""

    kind: str  # the shop platform's system name: "woocommerce" (policy 004), "lightspeed" (003)
    today: date
    # Each system's fake store by system name (every registered fake: empty where the system
    # does not play in this shop); `shop.mollie` is `shop.stores["mollie"]`.
    stores: dict[str, Any] = field(default_factory=lambda: _empty_stores())
    # The demo's subject: a registered customer with a rich history, paying through Mollie and PayPal.
    subject_email: str = ""
    # Look-alikes of the subject, by trap name: "case" (same address, other case: IS the subject),
    # "containment" (dejan@… beside jan@…: NOT the subject), "note_mention" (a guest whose order
    # note names the subject's address: NOT the subject), "paypal_other_email" (a guest of the
    # subject... see the payment seeds); order numbers: "note_mention_order", "shared_prefix" (an
    # order of the "containment" look-alike whose number starts with "shared_prefix_of", the
    # number of the subject's first order, e.g. 1007 and 10072).
    traps: dict[str, str] = field(default_factory=dict)
    # A customer with more than 250 orders (paging beyond two full pages).
    bulk_email: str = ""
    # The shop's own address as the sender of its parcels, when its platform names one.
    sender: JSON | None = None

    def __getattr__(self, name: str) -> Any:
        # Only for system names: dunder lookups (copy, pickle) must not reach `stores` before
        # it exists.
        stores = self.__dict__.get("stores")
        if stores is None or name.startswith("_") or name not in stores:
            raise AttributeError(name)
        return stores[name]

    def orders(self) -> list[ShopOrder]:
        """The platform's orders in platform-neutral terms."""
        platform = fakes()[self.kind].platform
        assert platform is not None, self.kind
        return platform.orders(self)

    def order_count(self) -> int:
        """How many orders the shop's platform holds."""
        return len(self.orders())


def build_shop(
    kind: str = "woocommerce", seed: int = 7, today: date | None = None, scale: int = 1
) -> Shop:
    """Build the seeded shop; the same seed, day and scale always give the same shop.

    A shop is one shop platform (`sandbox.plugin.shops()`: woocommerce, policy 004; lightspeed,
    policy 003) with the systems that play in it. The platform's own data comes first, with the
    payments its orders were paid through; every other system is then seeded from its orders,
    each from an rng of its own. `scale` N > 1 adds N-1 copies of everyone but the subject, the
    traps and the bulk customer (about 1,400 orders and 300 customers each; see `sandbox.scale`).

    Each call gives a shop of its own (the fakes change it); one built before in this process
    for the same arguments is copied (unpickled) rather than seeded again: seeding costs a few
    times more, and the test suite starts hundreds of sandboxes.
    """
    return pickle.loads(_pristine(kind, seed, today or date.today(), scale))


@functools.lru_cache(maxsize=8)
def _pristine(kind: str, seed: int, today: date, scale: int) -> bytes:
    """The shop as `build_shop` seeds it, pickled: the copy each call unpickles."""
    return pickle.dumps(_seeded(kind, seed, today, scale), protocol=pickle.HIGHEST_PROTOCOL)


def _seeded(kind: str, seed: int, today: date, scale: int) -> Shop:
    if scale < 1:
        raise ValueError(f"scale must be at least 1, not {scale}")
    from faker import Faker

    every, kinds = fakes(), shops()
    if kind not in kinds:
        raise ValueError(f"unknown shop kind {kind!r}; choose from {', '.join(kinds)}")
    fake = Faker("nl_NL")
    fake.seed_instance(seed)
    shop = Shop(kind=kind, today=today)
    platform = every[kind].platform
    assert platform is not None
    shop.sender = platform.sender
    platform.seed(shop, fake, _rng(seed))
    orders = platform.orders(shop)
    for name in kinds[kind]:
        seed_system = every[name].seed
        if seed_system is not None:
            seed_system(shop.stores[name], shop, orders, random.Random(f"{seed}:{name}"))
    if scale > 1:
        from sandbox.scale import scale_shop

        scale_shop(shop, scale, seed)
    return shop


def _empty_stores() -> dict[str, Any]:
    return {name: each.store() for name, each in fakes().items()}


def _rng(seed: int) -> random.Random:
    return random.Random(seed)
