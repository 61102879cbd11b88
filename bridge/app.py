"""The composition root: what one command (or one call of `bridge.api`) works with, made once.

An `App` is made from the settings in force and builds, each once and only when first needed,
the state store, the erasure policy, the shop's privacy statement and the connectors of the
enabled systems (wired to the sync index when one exists). It hands them to the services
(bridge.collect, bridge.erasure, bridge.register, bridge.index), which import none of this: a
command that needs no connectors opens none, and one that needs no state makes none. Closing the
App closes the connectors.

    with App(load_config()) as app:
        result = app.export("jan@example.nl", Path("out"))
        sync(app.store, app.connectors)

A set of connectors serves one lookup of one person: a connector keeps what that lookup read (a
listing read once whole, payments read in an earlier round), so a second lookup with the same set
could answer from before a change. `connectors` is that set; `reopened()` gives a fresh one, as
the erasure does for the lookup that verifies it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from datetime import date
from functools import cached_property
from pathlib import Path
from types import TracebackType

from bridge.collect import check as checking
from bridge.collect import export as exporting
from bridge.collect.check import CheckResult
from bridge.collect.export import ExportResult
from bridge.collect.identity import Listener
from bridge.core.config import Config
from bridge.core.connector import Connector, checked_email
from bridge.core.dirs import check_private_dir, private_dir
from bridge.core.errors import BridgeError, InputError
from bridge.core.http_limits import configure
from bridge.core.models import DataPackage
from bridge.core.plugins import registry
from bridge.core.policy import POLICY_SETTING, Policy, load_policy
from bridge.core.statement import Statement, load_statement
from bridge.erasure import process as erasure
from bridge.erasure.process import StepListener
from bridge.erasure.report import EraseResult, reported
from bridge.index.entries import IndexView
from bridge.register.reader import Clock
from bridge.register.requests import Register
from bridge.register.types import operator_name
from bridge.store.db import Store
from bridge.store.keys import Keys

# Builds one system's connector from the settings (tests pass one with a quicker backoff).
ConnectorFactory = Callable[[type[Connector], Config], Connector]


def policy_for(config: Config, path: Path | None = None) -> Policy:
    """The operator's policy file (argument, then PRIVACY_BRIDGE_POLICY), else the default."""
    configured = config.values.get(POLICY_SETTING, "").strip()
    return load_policy(path or (Path(configured) if configured else None))


class App:
    """The store, the policy and the connectors of one command, each built once when needed.

    `factory` builds a connector (default: its `from_config`); `policy` replaces the configured
    one (`policy_for`)."""

    def __init__(
        self,
        config: Config,
        *,
        factory: ConnectorFactory | None = None,
        policy: Policy | None = None,
    ) -> None:
        self.config = config
        self._factory = factory or _from_config
        self._policy = policy
        self._connectors: list[Connector] | None = None
        self._open = ExitStack()

    def __enter__(self) -> App:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connectors (when opened) and this thread's connection to the store."""
        self._connectors = None
        try:
            self._open.close()
        finally:
            if "store" in self.__dict__:
                self.store.close()

    # -- what the services are given --------------------------------------------------------------

    @cached_property
    def store(self) -> Store:
        """The state database of the state directory (made there on first use)."""
        return Store(self.config.home)

    @property
    def policy(self) -> Policy:
        if self._policy is None:
            self._policy = policy_for(self.config)
        return self._policy

    @cached_property
    def statement(self) -> Statement:
        """The shop's privacy statement (PRIVACY_BRIDGE_STATEMENT), else the built-in default."""
        return load_statement(self.config)

    def register(self, operator: str | None = None, *, clock: Clock | None = None) -> Register:
        """The request register, acting as `operator` (else PRIVACY_BRIDGE_OPERATOR, else the
        OS user)."""
        return Register(self.store, operator_name(self.config, operator), clock=clock)

    @property
    def connectors(self) -> list[Connector]:
        """The connectors of every enabled system, opened on first use and closed with the App:
        for one lookup of one person (see the module)."""
        if self._connectors is None:
            self._connectors = self._open.enter_context(self.reopened())
        return self._connectors

    @contextmanager
    def reopened(self) -> Iterator[list[Connector]]:
        """A fresh set of the connectors of every enabled system, closed when the block ends.

        Every setting is checked before any connector is built (an InputError naming it), and
        nothing is sent or written before that; a client that refuses its settings is an
        InputError too. When a sync index exists, each connector may use it for lookups.
        """
        classes = [cls for cls in registry() if cls.enabled(self.config)]
        if not classes:
            names = ", ".join(s.name for s in registry()[0].settings)
            raise InputError(f"no system is configured: set e.g. {names} (see .env.example)")
        for cls in classes:  # every setting of the wrong form, before anything is sent or written
            self.config.check(cls.settings, cls.name)
        configure(self.config.values)  # the size limit and deadline of the clients built next
        connectors: list[Connector] = []
        try:
            for cls in classes:
                connectors.append(_built(cls, self.config, self._factory))
            if (self.config.home / Store.FILE).exists():  # an index exists: let lookups use it
                for connector in connectors:
                    view = IndexView(self.store, connector.name)
                    if view.cursors:
                        connector.index = view
            yield connectors
        finally:
            for connector in connectors:
                connector.close()

    def pseudonym(self, address: str) -> str:
        """The subject's keyed pseudonym (HMAC), from the keys of the state directory."""
        return Keys(private_dir(self.config.home)).pseudonym(address)

    # -- the operations of bridge.api, with what they need ----------------------------------------

    def collect(self, email: str, *, listener: Listener | None = None) -> DataPackage:
        """Everything the enabled systems hold about `email`, not yet written anywhere."""
        address = checked_email(email)
        statement = self.statement  # a bad statement file is refused before any request
        return exporting.collect(self.connectors, address, listener=listener, statement=statement)

    def export(
        self, email: str, out_dir: Path, *, listener: Listener | None = None
    ) -> ExportResult:
        """The data package of `email`, written into `out_dir` (bridge.collect.export)."""
        address = checked_email(email)
        statement = self.statement  # a bad statement file is refused before any request
        return exporting.export(
            self.connectors,
            address,
            out_dir,
            self.pseudonym,
            listener=listener,
            statement=statement,
        )

    def check(self) -> list[CheckResult]:
        """One cheap authenticated call per enabled system."""
        return checking.check(self.connectors)

    def erase(
        self,
        email: str,
        *,
        dry_run: bool,
        out_dir: Path | None = None,
        today: date | None = None,
        request_id: str | None = None,
        listener: Listener | None = None,
        on_step: StepListener | None = None,
        stop: threading.Event | None = None,
    ) -> EraseResult:
        """Plan (`dry_run`) or apply, verify and report the erasure of `email` under the policy
        (bridge.erasure.process.erase); the report goes into `out_dir` when given."""
        address = checked_email(email)  # refused before the report's directory is looked at
        if out_dir is not None:
            check_private_dir(out_dir)  # refused before any request when it cannot be private
        policy = self.policy
        result = erasure.erase(
            address,
            self.connectors,
            policy,
            store=None if dry_run else self.store,
            reopen=self.reopened,
            today=today,
            dry_run=dry_run,
            request_id=request_id,
            listener=listener,
            on_step=on_step,
            stop=stop,
        )
        return reported(result, out_dir, shop=self.statement.shop)

    def confirm_manual(self, email: str, seqs: Sequence[int], note: str = "") -> tuple[int, int]:
        """Mark manual steps of the person's open erasure as done; (changed, still open)."""
        address = checked_email(email)  # refused before the state is opened
        return erasure.confirm_manual(self.store, address, seqs, note)


def _from_config(cls: type[Connector], config: Config) -> Connector:
    return cls.from_config(config)


def _built(cls: type[Connector], config: Config, build: ConnectorFactory) -> Connector:
    """The connector, or an InputError naming its settings when its client refuses them (a
    vendor SDK checks a key's form, e.g.); the client's own message may hold the value."""
    try:
        return build(cls, config)
    except BridgeError:
        raise
    except Exception as exc:
        names = ", ".join(s.name for s in cls.settings)
        raise InputError(
            f"{cls.name}: its client refused the settings ({type(exc).__name__}): check {names} "
            "(see .env.example)"
        ) from None
