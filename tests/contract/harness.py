"""How the contract checks drive one connector against one sandbox shop."""

from __future__ import annotations

import base64
import dataclasses
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Self

from bridge.collect.identity import resolve
from bridge.core.config import Config
from bridge.core.connector import EMAIL, Collected, Connector
from bridge.core.http import RateBudget
from bridge.core.models import Identifier, SourceResult
from bridge.core.plugins import by_name, registry
from sandbox import credentials
from sandbox.contract import Contract, contracts
from sandbox.data import Shop
from sandbox.server import SHOPS, Sandbox

BACKOFF_S = (
    0.01  # bridge.core.http waits backoff * 2**n between retries; the vendors' hints still apply
)


@dataclass(frozen=True)
class Case:
    """One registered connector on one sandbox shop that serves it."""

    system: str
    shop: str

    def __str__(self) -> str:
        return f"{self.system}@{self.shop}"


def all_cases() -> Iterator[Case]:
    """Every registered connector on every shop its contract names (a connector without an entry
    still gets a case: its checks then fail, saying the entry is missing)."""
    for cls in registry():
        contract = contracts().get(cls.name)
        for shop in contract.shops if contract else ("woocommerce",):
            yield Case(cls.name, shop)


class ShopStandIn(Connector):
    """Stands in for the shop platform in `resolve`: answers the subject's e-mail with the
    identifiers the real shop connector revealed for it (computed once per shop)."""

    name = "shop-stand-in"
    title = "the shop"
    role = "platform"
    settings = ()
    looks_up = frozenset({EMAIL})
    categories: ClassVar[dict[str, list[str]]] = {}

    def __init__(self, revealed: Sequence[Identifier]) -> None:
        self.revealed = list(revealed)

    @classmethod
    def from_config(cls, config: Config) -> Self:
        raise NotImplementedError

    def check(self) -> None:
        pass

    def collect(self, identifiers: Sequence[Identifier]) -> Collected:
        return Collected(revealed=list(self.revealed))

    @property
    def requests_made(self) -> int:
        return 0

    def close(self) -> None:
        pass


class Bench:
    """A registered connector, its contract entry, and the sandbox of one shop that serves it."""

    def __init__(
        self, contract: Contract, shop_kind: str, sandbox: Sandbox, home: Path, memo: dict[Any, Any]
    ) -> None:
        self.contract, self.kind, self.sandbox = contract, shop_kind, sandbox
        self.home, self.memo = home, memo

    @property
    def system(self) -> str:
        return self.contract.system

    @property
    def shop(self) -> Shop:
        return self.sandbox.shop

    @property
    def platform(self) -> str:
        return SHOPS[self.kind][0]

    @property
    def requests(self) -> list[tuple[str, str]]:
        """(method, path) of every request the system's fake got since the test began."""
        return self.sandbox.faults[self.system].requests

    def config(self, **settings: str) -> Config:
        return Config({**self.sandbox.env, **settings, "PRIVACY_BRIDGE_HOME": str(self.home)})

    def connector(self, system: str | None = None, **settings: str) -> Connector:
        connector = by_name(system or self.system).from_config(self.config(**settings))
        connector.http.backoff = BACKOFF_S
        connector.http.budget = RateBudget()  # see `unlimited`
        return connector

    def revealed(self) -> list[Identifier]:
        """What the shop connector's collect reveals about the subject (once per shop)."""
        key = ("revealed", self.kind)
        if key not in self.memo:
            shop = self.connector(self.platform)
            try:
                found = shop.collect([Identifier(kind=EMAIL, value=self.shop.subject_email)])
            finally:
                shop.close()
            self.memo[key] = found.revealed
        return list(self.memo[key])

    def collect(self, *, email_only: bool = False) -> SourceResult:
        """The system's result for the subject, resolved in rounds beside the shop (or from the
        e-mail address alone)."""
        address = self.shop.subject_email
        peers: list[Connector] = []
        if self.system != self.platform and not email_only:
            peers.append(ShopStandIn(self.revealed()))
        connector = self.connector()
        try:
            results = resolve([*peers, connector], address)
        finally:
            connector.close()
        return next(r for r in results if r.system == self.system)

    def baseline(self, *, email_only: bool = False) -> SourceResult:
        """The subject's result without faults (once per system and shop; call it before
        queueing faults)."""
        key = ("baseline", self.system, self.kind, email_only)
        if key not in self.memo:
            self.memo[key] = self.collect(email_only=email_only)
        return self.memo[key]


def quiet(sandbox: Sandbox) -> None:
    """Empty fault queues and request logs."""
    for faults in sandbox.faults.values():
        faults.clear()


def stop(sandbox: Sandbox) -> None:
    """`Sandbox.stop()`, with the servers shut down side by side (each polls every 0.5 s)."""
    with ThreadPoolExecutor(max_workers=len(sandbox.servers) or 1) as pool:
        list(pool.map(lambda server: server.shutdown(), sandbox.servers.values()))
    sandbox.stop()


# -- what must never reach a log line ----------------------------------------------------------


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def secret_forms(values: Iterable[str]) -> set[str]:
    """The values, their base64 forms, and the base64 of every `a:b` pair (HTTP Basic)."""
    values = [v for v in values if v]
    forms = set(values) | {_b64(v) for v in values}
    forms |= {_b64(f"{a}:{b}") for a, b in itertools.permutations(values, 2)}
    return forms


def sandbox_secrets(sandbox: Sandbox) -> set[str]:
    """Every credential of sandbox/credentials.py, every secret setting the sandbox hands out
    (a system whose fake keeps its own key), and every access token the fakes handed out."""
    values = [v for k, v in vars(credentials).items() if k.isupper() and isinstance(v, str)]
    secret = {s.name for cls in registry() for s in cls.settings if s.secret}
    values += [v for k, v in sandbox.env.items() if k in secret]
    for faults in sandbox.faults.values():
        tokens = getattr(faults.app, "tokens", None)
        if isinstance(tokens, dict):
            values.extend(str(t) for t in tokens)
    return secret_forms(values)


EMAIL_IN_TEXT = re.compile(r"[\w.+-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)


def emails_in(text: str) -> set[str]:
    return {m.replace("%40", "@").lower() for m in EMAIL_IN_TEXT.findall(text)}


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _strings(getattr(value, f.name))
    elif isinstance(value, str):
        yield value


def shop_emails(shop: Shop) -> set[str]:
    """Every e-mail address anywhere in the seeded shop's stores, lower-cased."""
    return {e for text in _strings(shop) if "@" in text for e in emails_in(text)}
