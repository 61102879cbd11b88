"""Hostile mode: the fakes answer the way a real vendor API may, where vendor-apis.md is unsure.

shared/reference/vendor-apis.md rates many facts SECONDARY (third-party code only) or UNCONFIRMED
(an assumption). The real API may ignore a person filter, spell an unconfirmed field another
documented way, or not serve a side resource. The product must stay exact whichever way it turns
out; a sandbox started with `start(..., hostile=HOSTILE)` is where that is proven.

A `Hostility` per system has three knobs:
- `ignore`: names of query parameters (and, for the search POSTs in `SEARCH_POSTS`, top-level
  JSON body keys) that the fake treats as ABSENT: the answer is the one for the request without
  them, i.e. everybody's records. A name applies on every path of its system; `k[]`/`k[x]`
  array forms count as `k`. `Hostile` removes them from `QUERY_STRING` (and `REQUEST_URI`) or
  the body before the fake sees the request, so it works the same for every fake. It also leaves
  in the environ the query as the client sent it (`ORIGINAL_QUERY`: WooCommerce checks the
  OAuth 1.0a signature over that) and the names (`IGNORED`). Names in `INSIDE` stay in the
  request because removing them would make it invalid: the fake validates them and then ignores
  them itself (PayPal's required `start_date`/`end_date`).
- `respell`: unconfirmed fields in the other documented spelling (each system's `RESPELLING`),
  rewritten in the JSON answers (Content-Length kept right).
- `missing`: side resources that answer 404 with the vendor's own error body; a name matches a
  path that has it as a segment (`.json` suffix ignored), e.g. "quotes" for `/nl/quotes.json`,
  `/nl/quotes/count.json` and `/nl/quotes/7.json`.

`HOSTILE` is everything at once, per system; `one_at_a_time()` splits it into single knobs so a
test can turn them on one by one. `Hostile` goes inside `sandbox.faults.Faults`, so the fault
queue and the request log see every request as the client sent it.

What differs per system (its 404 body, its respellings) is in the system's own folder, found
through `SYSTEM_MODULES`; this module is the mechanism.
"""

from __future__ import annotations

import importlib
import io
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from types import ModuleType
from typing import Any
from urllib.parse import unquote_plus

from werkzeug.wrappers import Response

from sandbox.environ import IGNORED, ORIGINAL_QUERY, segments
from sandbox.plugin import Hostility, Respeller, fakes

JSON = dict[str, Any]
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@cache
def _parts() -> dict[str, ModuleType]:
    """Each system's own hostile parts (its `Fake.hostile` module), by system name."""
    return {name: importlib.import_module(f.hostile) for name, f in fakes().items() if f.hostile}


# Every knob of every system at once: each system's `HOSTILITY`.
HOSTILE: dict[str, Hostility] = {name: part.HOSTILITY for name, part in _parts().items()}


def one_at_a_time(
    hostile: Mapping[str, Hostility] = HOSTILE,
) -> Iterator[tuple[str, str, Hostility]]:
    """Every knob of `hostile` on its own: (system, label, a `Hostility` with only that knob)."""
    for system, hostility in hostile.items():
        for name in sorted(hostility.ignore):
            yield system, f"ignore {name}", Hostility(ignore=frozenset({name}))
        if hostility.respell:
            yield system, "respell", Hostility(respell=True)
        for name in hostility.missing:
            yield system, f"missing {name}", Hostility(missing=(name,))


# ---- the systems' own parts --------------------------------------------------------------------

# A system's own hostile parts are the module its `Fake.hostile` names. It has
# - `HOSTILITY`: every knob of the system at once (what `HOSTILE` holds for it);
# - `not_found(method, path) -> Response`: the 404 the system answers for a resource it does not
#   serve, in its own error body;
# - `respellers(store) -> list[Respeller]`: what `respell=True` changes in its answers (`store`:
#   its fake's store, for the respellings that look records up), described by its `RESPELLING`;
# - optionally `INSIDE`, names the fake validates and then ignores itself (without them the
#   request is invalid), and `SEARCH_POSTS`, the POST paths whose JSON body keys are search
#   criteria (ignored keys are removed from the body).


def _system_module(system: str) -> ModuleType | None:
    return _parts().get(system)


def respellers(system: str, store: Any) -> list[Respeller]:
    """What `respell=True` changes in `system`'s answers (`store`: the fake's store); nothing for
    a system without hostile parts."""
    module = _system_module(system)
    return list(module.respellers(store)) if module is not None else []


def not_found(system: str, method: str, path: str) -> Response:
    """The 404 `system` answers for a resource it does not serve, in its own error body."""
    module = _system_module(system)
    if module is None:
        raise ValueError(f"unknown system {system!r}")
    response: Response = module.not_found(method, path)
    return response


# ---- the middleware ----------------------------------------------------------------------------
def _param_name(pair: str) -> str:
    key = unquote_plus(pair.split("=", 1)[0])
    return key.split("[", 1)[0]


def strip_query(query: str, names: frozenset[str]) -> str:
    """`query` without the parameters named `names` (`k[]`/`k[x]` count as `k`); the rest is
    kept byte for byte."""
    kept = [p for p in query.split("&") if not p or _param_name(p) not in names]
    return "&".join(kept)


@dataclass
class Hostile:
    """WSGI middleware making one system's fake as hostile as `hostility` says."""

    app: WSGIApp
    system: str
    hostility: Hostility
    store: Any = None
    _respellers: list[Respeller] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        if self.hostility.respell:
            self._respellers = respellers(self.system, self.store)

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        if any(name in segments(path) for name in self.hostility.missing):
            return not_found(self.system, method, path)(environ, start_response)
        if self.hostility.ignore:
            self._ignore(environ, method, path)
        if not self._respellers:
            return self.app(environ, start_response)
        return self._respelled(environ, start_response, path)

    def _ignore(self, environ: dict[str, Any], method: str, path: str) -> None:
        names = self.hostility.ignore - getattr(_system_module(self.system), "INSIDE", frozenset())
        original = environ.get("QUERY_STRING", "")
        environ[ORIGINAL_QUERY] = original
        environ[IGNORED] = self.hostility.ignore
        stripped = strip_query(original, names)
        if stripped != original:
            environ["QUERY_STRING"] = stripped
            for key in ("REQUEST_URI", "RAW_URI"):
                if key in environ:
                    head = environ[key].split("?", 1)[0]
                    environ[key] = f"{head}?{stripped}" if stripped else head
        if method == "POST" and path.rstrip("/") in getattr(
            _system_module(self.system), "SEARCH_POSTS", ()
        ):
            self._strip_body(environ, names)

    @staticmethod
    def _strip_body(environ: dict[str, Any], names: frozenset[str]) -> None:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return
        raw = environ["wsgi.input"].read(length) if length > 0 else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        if isinstance(body, dict) and names & body.keys():
            raw = json.dumps({k: v for k, v in body.items() if k not in names}).encode()
        environ["wsgi.input"] = io.BytesIO(raw)
        environ["CONTENT_LENGTH"] = str(len(raw))

    def _respelled(
        self, environ: dict[str, Any], start_response: Callable[..., Any], path: str
    ) -> Iterable[bytes]:
        captured: dict[str, Any] = {}
        chunks: list[bytes] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"], captured["headers"] = status, headers
            return chunks.append

        result = self.app(environ, capture)
        try:
            chunks.extend(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        status, headers = captured["status"], captured["headers"]
        body = b"".join(chunks)
        kind = next((v for k, v in headers if k.lower() == "content-type"), "")
        if body and "json" in kind:
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None
            if parsed is not None:
                code = int(status.split(" ", 1)[0])
                for respell in self._respellers:
                    parsed = respell(code, path, parsed)
                body = json.dumps(parsed, ensure_ascii=False).encode("utf-8")
                headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
                headers.append(("Content-Length", str(len(body))))
        start_response(status, headers)
        return [body]


def wrap(app: WSGIApp, system: str, hostility: Hostility | None, store: Any = None) -> WSGIApp:
    """`app` made hostile (unchanged without hostility); `store` is the fake's store (for the
    respellings that look records up)."""
    if not hostility:
        return app
    return Hostile(app, system, hostility, store)
