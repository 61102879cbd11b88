"""Bearer tokens (bridge.core.auth): fetched once, renewed before they expire and once on a 401,
one fetch for threads that need a token at the same time. The clock is injected: no waiting."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from bridge.core.auth import Token, TokenAuth
from bridge.core.errors import AuthFailure, SystemFailure


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Vendor:
    """Hands out numbered tokens, each living `lifetime` seconds (None: not said)."""

    def __init__(self, lifetime: float | None = 3600) -> None:
        self.lifetime = lifetime
        self.issued: list[str] = []

    def fetch(self) -> Token:
        self.issued.append(f"token-{len(self.issued) + 1}")
        return Token(self.issued[-1], self.lifetime)


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


def auth(vendor: Vendor, clock: Clock, **kwargs: object) -> TokenAuth:
    return TokenAuth(vendor.fetch, clock=clock, **kwargs)  # type: ignore[arg-type]


def test_a_token_is_fetched_once_and_kept() -> None:
    vendor, clock = Vendor(), Clock()
    tokens = auth(vendor, clock)
    assert vendor.issued == []  # nothing fetched before it is needed
    assert tokens.headers() == bearer("token-1")
    clock.now += 3000
    assert tokens.headers() == bearer("token-1")
    assert vendor.issued == ["token-1"]


def test_it_is_renewed_the_margin_before_it_expires() -> None:
    vendor, clock = Vendor(lifetime=3600), Clock()
    tokens = auth(vendor, clock, margin_s=60)
    tokens.headers()
    clock.now += 3539
    assert tokens.headers() == bearer("token-1")
    clock.now += 1  # 60 s before its end
    assert tokens.headers() == bearer("token-2")
    assert vendor.issued == ["token-1", "token-2"]


def test_a_lifetime_shorter_than_the_margin_is_used_once() -> None:
    vendor, clock = Vendor(lifetime=30), Clock()
    tokens = auth(vendor, clock, margin_s=60)
    tokens.headers()
    tokens.headers()
    assert vendor.issued == ["token-1", "token-2"]


def test_a_token_without_a_lifetime_is_kept_until_refused() -> None:
    vendor, clock = Vendor(lifetime=None), Clock()
    tokens = auth(vendor, clock)
    tokens.headers()
    clock.now += 90 * 86400
    assert tokens.headers() == bearer("token-1")


def refusing(valid: set[str], calls: list[str]) -> Callable[[dict[str, str]], str]:
    """A call that the system answers only with a token in `valid`, else 401."""

    def call(headers: dict[str, str]) -> str:
        token = headers["Authorization"].removeprefix("Bearer ")
        calls.append(token)
        if token not in valid:
            raise AuthFailure("vendor", "credentials refused (HTTP 401)", 401)
        return "answer"

    return call


def test_a_401_fetches_a_fresh_token_and_sends_the_call_once_more() -> None:
    vendor, clock = Vendor(), Clock()
    tokens = auth(vendor, clock)
    calls: list[str] = []
    tokens.headers()  # token-1, then revoked by the system before its time
    assert tokens.send(refusing({"token-2"}, calls)) == "answer"
    assert calls == ["token-1", "token-2"]
    assert tokens.headers() == bearer("token-2")


def test_a_second_401_is_raised_not_tried_again() -> None:
    vendor, clock = Vendor(), Clock()
    tokens = auth(vendor, clock)
    calls: list[str] = []
    with pytest.raises(AuthFailure):
        tokens.send(refusing(set(), calls))
    assert calls == ["token-1", "token-2"]
    assert vendor.issued == ["token-1", "token-2"]


def test_a_403_is_not_a_stale_token() -> None:
    vendor, clock = Vendor(), Clock()
    tokens = auth(vendor, clock)

    def forbidden(headers: dict[str, str]) -> str:
        raise AuthFailure("vendor", "credentials refused (HTTP 403)", 403)

    with pytest.raises(AuthFailure):
        tokens.send(forbidden)
    assert vendor.issued == ["token-1"]


def test_a_refused_fetch_is_raised_and_not_repeated() -> None:
    fetched: list[int] = []

    def fetch() -> Token:
        fetched.append(1)
        raise AuthFailure("vendor", "credentials refused (HTTP 401)", 401)

    tokens = TokenAuth(fetch, clock=Clock())
    with pytest.raises(AuthFailure):
        tokens.send(lambda headers: "never sent")
    assert len(fetched) == 1


def test_other_failures_pass_through() -> None:
    vendor, clock = Vendor(), Clock()
    tokens = auth(vendor, clock)

    def broken(headers: dict[str, str]) -> str:
        raise SystemFailure("vendor", "HTTP 500")

    with pytest.raises(SystemFailure):
        tokens.send(broken)
    assert vendor.issued == ["token-1"]


def test_each_new_token_is_handed_to_the_redactor() -> None:
    vendor, clock = Vendor(lifetime=100), Clock()
    secrets: list[str] = []
    tokens = auth(vendor, clock, margin_s=0, on_token=secrets.append)
    tokens.headers()
    clock.now += 100
    tokens.headers()
    assert secrets == ["token-1", "token-2"]


def test_a_refusal_of_an_old_token_keeps_the_one_fetched_since() -> None:
    vendor, clock = Vendor(), Clock()
    tokens = auth(vendor, clock)
    tokens.headers()
    tokens.refused("token-1")
    assert tokens.headers() == bearer("token-2")
    tokens.refused("token-1")  # another thread's late news about the old token
    assert tokens.headers() == bearer("token-2")
    assert vendor.issued == ["token-1", "token-2"]


def test_threads_that_need_a_token_at_once_wait_for_one_fetch() -> None:
    started, release = threading.Event(), threading.Event()
    issued: list[str] = []

    def slow_fetch() -> Token:
        started.set()
        release.wait(timeout=10)
        issued.append("token")
        return Token("token", 3600)

    tokens = TokenAuth(slow_fetch, clock=Clock())
    results: list[dict[str, str]] = []
    threads = [threading.Thread(target=lambda: results.append(tokens.headers())) for _ in range(8)]
    for thread in threads:
        thread.start()
    assert started.wait(timeout=10)  # one thread is fetching; the others wait on the lock
    release.set()
    for thread in threads:
        thread.join(timeout=10)
    assert issued == ["token"]
    assert results == [bearer("token")] * 8
