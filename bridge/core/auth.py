"""Bearer tokens that a system hands out for credentials: fetched once, kept, renewed in time.

`TokenAuth` is given how to fetch a token (a call that returns a `Token`: its value and, when the
system says it, how many seconds it lives). It fetches one on first use, keeps it until `margin_s`
before it expires (one that states no lifetime is kept until it is refused), and when a call is
refused with 401 all the same (revoked, or expired early) it fetches a fresh one and sends that
call once more. One lock: threads that need a token at the same time wait for one fetch.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from bridge.core.errors import AuthFailure

T = TypeVar("T")
Headers = dict[str, str]


@dataclass(frozen=True)
class Token:
    """A bearer token, and the seconds it lives from when it was handed out (None: not said)."""

    value: str
    expires_in: float | None = None


class TokenAuth:
    """The `Authorization: Bearer` header for one set of credentials (see the module)."""

    def __init__(
        self,
        fetch: Callable[[], Token],
        *,
        margin_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        on_token: Callable[[str], None] | None = None,
    ) -> None:
        """`fetch` gets a new token (raising when the credentials are refused); `on_token` is
        told each new one (to redact it from messages); `clock` gives seconds, monotonic."""
        self._fetch = fetch
        self._margin_s = margin_s
        self._clock = clock
        self._on_token = on_token or (lambda value: None)
        self._lock = threading.Lock()
        self._value: str | None = None
        self._renew_at: float | None = None  # clock() from which it is fetched anew

    def headers(self) -> Headers:
        """The header with a token that is not about to expire, fetched when there is none."""
        return {"Authorization": f"Bearer {self._current()}"}

    def send(self, call: Callable[[Headers], T]) -> T:
        """`call(headers)`; refused with 401, once more with a fresh token. A failure to fetch
        a token is raised as it is, never repeated here."""
        token = self._current()
        try:
            return call({"Authorization": f"Bearer {token}"})
        except AuthFailure as exc:
            if exc.status != 401:
                raise
            self.refused(token)
        return call(self.headers())

    def refused(self, value: str) -> None:
        """Forget the token `value`, which the system refused: the next use fetches another (a
        token another thread has fetched meanwhile is kept)."""
        with self._lock:
            if self._value == value:
                self._value = self._renew_at = None

    def _current(self) -> str:
        with self._lock:
            now = self._clock()
            if self._value is None or (self._renew_at is not None and now >= self._renew_at):
                token = self._fetch()
                if not token.value:
                    raise ValueError("the token fetched is empty")
                self._on_token(token.value)
                self._value = token.value
                self._renew_at = (
                    None
                    if token.expires_in is None
                    else now + max(token.expires_in - self._margin_s, 0.0)
                )
            return self._value
