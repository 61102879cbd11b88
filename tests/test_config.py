"""Settings: the environment over `.env`, systems enabled by their settings, all documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bridge.core.config import HOME_SETTING, Config, load_config
from bridge.core.errors import InputError
from bridge.core.plugins import registry
from connectors.mollie.connector import MollieConnector
from connectors.woocommerce.connector import WooCommerceConnector

ROOT = Path(__file__).resolve().parents[1]


def test_env_example_documents_every_setting() -> None:
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    declared = {s.name for cls in registry() for s in cls.settings} | {HOME_SETTING}
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


@pytest.mark.parametrize(
    ("value", "fine"),
    [
        ("https://api.mollie.com", True),
        ("http://127.0.0.1:8080/nl/", True),
        ("https://winkel.example.nl/shop?lang=nl", True),
        ("not a url", False),
        ("api.mollie.com", False),
        ("ftp://api.mollie.com", False),
        ("https://", False),
        ("https://:443/x", False),
        ("http://127.0.0.1:99999", False),
        ("http://127.0.0.1:port", False),
        ("https://api.mollie.com/ v2", False),
    ],
)
def test_a_url_setting_is_http_with_a_host(value: str, fine: bool) -> None:
    from bridge.core.config import Setting

    assert (Setting("SHOP_API_URL", "").problem(value) is None) is fine


@pytest.mark.parametrize(
    ("value", "fine"),
    [
        ("test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM", True),
        ("live_abc123", True),
        ("garbage", False),
        ("test_", False),
        ("test_with space", False),
        ("test_métier", False),
    ],
)
def test_the_mollie_key_has_the_form_its_client_requires(value: str, fine: bool) -> None:
    key = next(s for s in MollieConnector.settings if s.name == "MOLLIE_API_KEY")
    assert (key.problem(value) is None) is fine


def test_an_invalid_setting_is_named_never_shown() -> None:
    config = Config({"MOLLIE_API_KEY": "secret-garbage"})
    with pytest.raises(InputError) as refused:
        config.check(MollieConnector.settings, "mollie")
    assert "MOLLIE_API_KEY" in str(refused.value) and "secret-garbage" not in str(refused.value)
