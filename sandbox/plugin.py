"""What the sandbox needs of one system's fake: declared in the system's folder as `FAKE`.

The system's `SYSTEM.fake` names it ("connectors.mollie.fake:FAKE"); the sandbox finds every fake
through the registry (`fakes()`), so the server, the seeded shops, scaling and hostile mode name
no system. A shop platform (`Platform`) seeds the shop and the payment processors its checkout
pays through; every other system is seeded afterwards from the platform's orders (`seed`).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from bridge.core.plugins import load, systems

if TYPE_CHECKING:
    from faker import Faker

    from sandbox.data import Shop, ShopOrder

JSON = dict[str, Any]
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@dataclass(frozen=True)
class Hostility:
    """How hostile one system's fake is (see sandbox.hostile); the default is not at all."""

    ignore: frozenset[str] = frozenset()
    respell: bool = False
    missing: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.ignore or self.respell or self.missing)


Respeller = Callable[[int, str, Any], Any]  # (status, path, parsed body) -> the body to send


@dataclass(frozen=True)
class Platform:
    """A shop platform: it seeds its own data and the processors its orders were paid through
    (the orders carry the processors' ids), and tells its orders to the other systems."""

    seed: Callable[[Shop, Faker, random.Random], None]
    orders: Callable[[Shop], list[ShopOrder]]
    sender: JSON | None = None  # the shop's own address, as the sender of its parcels


@dataclass(frozen=True)
class Fake:
    """One system's fake: its store, its WSGI app and the settings that point privacy-bridge at it."""

    store: Callable[[], Any]  # an empty store
    create_app: Callable[[Any, str, Shop], WSGIApp]  # (store, base URL, shop)
    env: Callable[[str], dict[str, str]]  # the settings for a fake served at this URL
    shops: tuple[str, ...]  # the sandbox shops (platform names) it plays in
    platform: Platform | None = None
    # Seeds the store from the platform's orders, after the platform; with an rng of its own, so
    # that adding a system changes no other system's data.
    seed: Callable[[Any, Shop, list[ShopOrder], random.Random], None] | None = None
    # Lifts the fake's own rate limits (for tests of exactness); the app as create_app made it.
    unlimited: Callable[[Any], None] | None = None
    # Makes the store look like a live system's before it is served (e.g. derived tables).
    prepare: Callable[[Any], object] | None = None
    # The module of its hostile parts (see sandbox.hostile) and of its copier for scaled shops
    # (`scale(shop, plan) -> CopyOne`, see sandbox.scale); "" for none.
    hostile: str = ""
    scale: str = ""


@cache
def fakes() -> dict[str, Fake]:
    """The fake of every registered system that has one, by system name, in registry order."""
    return {s.name: load(s.fake) for s in systems() if s.fake}


def shops() -> dict[str, tuple[str, ...]]:
    """The sandbox shops: one per shop platform, with the systems that play in it."""
    every = fakes()
    return {
        name: tuple(system for system, fake in every.items() if name in fake.shops)
        for name, fake in every.items()
        if fake.platform is not None
    }
