"""Runs the fakes of one seeded shop on free loopback ports.

`start()` is what the tests, the demo and `privacy-bridge sandbox serve` use: it builds the shop,
starts one threaded WSGI server per system, and returns the settings that point privacy-bridge at
them, under the same names as `.env.example`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from sandbox.data import Shop, build_shop
from sandbox.faults import Faults
from sandbox.hostile import Hostility, wrap
from sandbox.plugin import fakes, shops


class QuietHandler(WSGIRequestHandler):
    """The fakes log no request lines: those carry query strings with e-mail addresses."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def serve(app: Any) -> tuple[BaseWSGIServer, threading.Thread]:
    """A threaded server for `app` on a free loopback port, already serving."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    # A short poll: `stop()` waits up to one interval per server (werkzeug's default is 0.5 s,
    # which the tests' hundreds of sandboxes would spend idle).
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake", daemon=True
    )
    thread.start()
    return server, thread


# The sandbox shops, one per shop platform, with the systems that play in each: the two
# reference shops of the privacy policies the project grew from (004: woocommerce, 003: lightspeed).
SHOPS: dict[str, tuple[str, ...]] = shops()


DEFAULT_SHOP = next(iter(SHOPS))


@dataclass
class Sandbox:
    """A running sandbox: the shop, its servers, a fault queue per system, and the hostility in
    force per system (`sandbox.hostile`; empty: none)."""

    shop: Shop
    servers: dict[str, BaseWSGIServer] = field(default_factory=dict)
    faults: dict[str, Faults] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    hostile: dict[str, Hostility] = field(default_factory=dict)
    apps: dict[str, Any] = field(default_factory=dict)  # each fake as its create_app made it
    _threads: list[threading.Thread] = field(default_factory=list)

    def url(self, system: str) -> str:
        return f"http://127.0.0.1:{self.servers[system].server_port}"

    def requests(self, system: str) -> int:
        return len(self.faults[system].requests)

    def stop(self) -> None:
        # All at once: each shutdown waits up to a poll interval for its server loop.
        stopping = [threading.Thread(target=s.shutdown) for s in self.servers.values()]
        for stopper in stopping:
            stopper.start()
        for stopper in stopping:
            stopper.join()
        for server in self.servers.values():
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _placeholder(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    start_response("503 Starting", [("Content-Type", "text/plain")])
    return [b"starting"]


def start(
    shop_kind: str = DEFAULT_SHOP,
    *,
    latency_ms: int = 0,
    seed: int = 7,
    today: date | None = None,
    shop: Shop | None = None,
    scale: int = 1,
    hostile: Mapping[str, Hostility] | None = None,
) -> Sandbox:
    """Build the shop and start its fakes; stop them with `Sandbox.stop()` (or use `with`).

    `scale` N makes the shop about N times as large (`sandbox.scale`); `shop` serves one built
    before instead. `hostile` makes the named systems' fakes hostile (`sandbox.hostile`, e.g.
    `HOSTILE`: ignored filters, respelled fields, missing side resources)."""
    if shop_kind not in SHOPS:
        raise ValueError(f"unknown shop {shop_kind!r}; choose from {', '.join(SHOPS)}")
    shop = shop or build_shop(shop_kind, seed=seed, today=today, scale=scale)
    every = fakes()
    sandbox = Sandbox(shop)
    hostile = hostile or {}
    if unknown := sorted(set(hostile) - set(every)):
        raise ValueError(f"no fake for hostile system(s) {', '.join(unknown)}")
    for system in SHOPS[shop_kind]:
        fake, store = every[system], shop.stores[system]
        if fake.prepare is not None:
            fake.prepare(store)
        server, thread = serve(_placeholder)
        base_url = f"http://127.0.0.1:{server.server_port}"
        app = sandbox.apps[system] = fake.create_app(store, base_url, shop)
        hostility = hostile.get(system)
        if hostility:
            app = wrap(app, system, hostility, store)
            sandbox.hostile[system] = hostility
        faults = Faults(app, latency_s=latency_ms / 1000)
        server.app = faults  # requests before this line got a 503 "starting"
        sandbox.servers[system], sandbox.faults[system] = server, faults
        sandbox.env.update(fake.env(base_url))
        sandbox._threads.append(thread)
    return sandbox


def unlimited(sandbox: Sandbox) -> Sandbox:
    """Lift the fakes' own rate limits (e.g. Lightspeed's 20 per second and 300 per 5 minutes):
    many collects in one process add up to limits no single export reaches, and waiting for them
    is not what a test of exactness or a fault benchmark measures (tests/sandbox and
    tests/test_http.py check the limits themselves)."""
    every = fakes()
    for system, app in sandbox.apps.items():
        lift = every[system].unlimited
        if lift is not None:
            lift(app)
    return sandbox


def env_file_text(env: dict[str, str], subject: str = "") -> str:
    lines = ["# Written by `privacy-bridge sandbox serve`: settings for the running sandbox."]
    if subject:
        lines.append(f"# subject: {subject}")
    lines += [f"{name}={value}" for name, value in env.items()]
    return "\n".join(lines) + "\n"
