"""Settings: the environment over `.env`, systems enabled by their settings, all documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bridge.config import HOME_SETTING, Config, load_config
from bridge.errors import InputError
from connectors import REGISTRY
from connectors.mollie import MollieConnector
from connectors.woocommerce import WooCommerceConnector

ROOT = Path(__file__).resolve().parents[1]


def test_env_example_documents_every_setting() -> None:
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    declared = {s.name for cls in REGISTRY for s in cls.settings} | {HOME_SETTING}
    assert declared <= documented, declared - documented


def test_environment_wins_over_the_env_file(tmp_path: Path) -> None:
    env = tmp_path / "x.env"
    env.write_text("MOLLIE_API_KEY=test_fromfile\nWOOCOMMERCE_URL=http://file\n")
    config = load_config(env, environ={"MOLLIE_API_KEY": "test_fromenv"})
    assert config.values["MOLLIE_API_KEY"] == "test_fromenv"
    assert config.values["WOOCOMMERCE_URL"] == "http://file"


def test_a_system_is_enabled_when_its_settings_are_present() -> None:
    assert MollieConnector.enabled(Config({"MOLLIE_API_KEY": "test_x"}))  # the URL has a default
    assert not MollieConnector.enabled(Config({"MOLLIE_API_URL": "http://x"}))
    assert not WooCommerceConnector.enabled(
        Config({"WOOCOMMERCE_URL": "http://x", "WOOCOMMERCE_CONSUMER_KEY": "ck"})
    )


def test_home_defaults_to_the_user_data_directory(tmp_path: Path) -> None:
    assert Config({}).home.name == "privacy-bridge"
    assert Config({HOME_SETTING: str(tmp_path)}).home == tmp_path


def test_a_missing_env_file_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        load_config(tmp_path / "missing.env", environ={})
