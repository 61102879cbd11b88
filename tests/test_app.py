"""The composition root: each part built once and only when needed; an erasure opens the
connectors once for collect and apply, and once more for the lookup that verifies it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from bridge.app import App
from bridge.core.config import Config
from bridge.core.connector import Connector
from bridge.core.plugins import registry
from bridge.store.db import Store
from sandbox.server import start


def test_what_a_command_does_not_need_is_not_built(tmp_path: Path) -> None:
    built: list[str] = []

    def counting(cls: type[Connector], config: Config) -> Connector:
        built.append(cls.name)
        return cls.from_config(config)

    with start("woocommerce") as sandbox:
        config = Config({**sandbox.env, "PRIVACY_BRIDGE_HOME": str(tmp_path / "state")})
        with App(config, factory=counting) as app:
            assert app.register("tester").list() == []
            assert app.store is app.store
        assert built == []  # the register needs no connector

        with App(config, factory=counting) as app:
            plan = app.erase(sandbox.shop.subject_email, dry_run=True)
            assert plan.result.steps and not plan.report
        assert built and len(built) == len(set(built))  # a dry run: once each
        enabled = {cls.name for cls in registry() if cls.enabled(config)}
        assert set(built) == enabled

        built.clear()
        with App(config, factory=counting) as app:
            assert app.erase(sandbox.shop.subject_email, dry_run=False).complete
        assert Counter(built) == dict.fromkeys(enabled, 2)  # collect + apply, then verify


def test_an_export_makes_no_state_database(tmp_path: Path) -> None:
    with start("woocommerce") as sandbox:
        home = tmp_path / "state"
        config = Config({**sandbox.env, "PRIVACY_BRIDGE_HOME": str(home)})
        with App(config) as app:
            result = app.export(sandbox.shop.subject_email, tmp_path / "out")
        assert result.complete and result.package.exists()
        assert not (home / Store.FILE).exists()
