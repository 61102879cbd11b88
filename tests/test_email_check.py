"""The operator's address is checked as mail systems check one, and refused before anything runs.

`checked_email` (the operator's input) is strict; `normalise_email` (vendors' fields, compared)
stays lenient and never raises.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from bridge.cli.main import app
from bridge.core.connector import checked_email, normalise_email, same_email
from bridge.core.errors import InputError
from sandbox.server import Sandbox

runner = CliRunner()

GOOD = [
    ("jan@example.nl", "jan@example.nl"),
    ("Jan.Jansen@Example.NL", "jan.jansen@example.nl"),  # compared lower-cased
    ("jan+webshop@example.nl", "jan+webshop@example.nl"),  # a + tag is part of the address
    ("o'brien@example.ie", "o'brien@example.ie"),  # an apostrophe is allowed (is_email too)
    ("  anna-maria_de.vries@sub.example.com \n", "anna-maria_de.vries@sub.example.com"),
    ("x@123.nl", "x@123.nl"),
]

# (address, what the one-line message says)
BAD = [
    ("jan@bücher.de", "only ASCII addresses"),  # an IDN domain
    ("jürgen@example.de", "only ASCII addresses"),  # a unicode local part
    ("x@y.nl&role=all", "invalid characters"),  # a query string glued on
    ("jan\u202e@example.nl", "U+202E RIGHT-TO-LEFT OVERRIDE"),  # shown reversed
    ("jan\u200b@example.nl", "U+200B ZERO WIDTH SPACE"),  # invisible
    ("<script>@x.nl", "not a valid e-mail address"),
    ("jan@example.nl\u200b", "invisible character"),  # refused, not silently removed
    ("\ufeffjan@example.nl", "U+FEFF"),  # a byte order mark pasted along
    ("Jan <jan@example.nl>", "display name"),
    ("jan@example.invalid", "special-use or reserved name"),
    ("jan..jansen@example.nl", "two periods"),
    ('"jan"@example.nl', "quoting"),
    ("jan@[192.0.2.1]", "bracketed ip address"),
    ("a" * 65 + "@example.nl", "too long"),
    ("not-an-address", "@-sign"),
    ("jan@", "after the @-sign"),
    ("a b@x.nl", "invalid characters"),
    ("", "@-sign"),
]


@pytest.mark.parametrize(("given", "normalised"), GOOD)
def test_good_addresses_pass_normalised(given: str, normalised: str) -> None:
    assert checked_email(given) == normalised


@pytest.mark.parametrize(("address", "reason"), BAD)
def test_bad_addresses_are_one_line_input_errors(address: str, reason: str) -> None:
    with pytest.raises(InputError) as caught:
        checked_email(address)
    message = str(caught.value)
    assert message.startswith("not a valid e-mail address")
    assert reason.lower() in message.lower()
    assert "\n" not in message and caught.value.exit_code == 2
    local = address.strip().split("@")[0]
    assert not local or len(local) < 3 or local not in message  # names no address


def test_the_shops_rule_is_said_for_non_ascii() -> None:
    with pytest.raises(InputError, match="a shop platform refuses accented letters"):
        checked_email("jan@bücher.de")


def test_normalise_email_is_nfc_trimmed_and_lower_cased() -> None:
    decomposed = "Ze\u0301lie@Example.NL "  # e + combining acute, as some keyboards send it
    assert normalise_email(decomposed) == "z\u00e9lie@example.nl"
    assert same_email("ZE\u0301LIE@example.nl", "z\u00e9lie@example.nl")


@given(st.text())
def test_normalise_email_never_raises(text: str) -> None:
    assert normalise_email(text) == normalise_email(normalise_email(text))


def _env(sbx: Sandbox, tmp_path: Path) -> Path:
    path = tmp_path / "test.env"
    values = {**sbx.env, "PRIVACY_BRIDGE_HOME": str(tmp_path / "state")}
    path.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    return path


def _nothing_happened(sbx: Sandbox, tmp_path: Path, stderr: str) -> None:
    assert len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr
    assert "not a valid e-mail address" in stderr
    assert not (tmp_path / "out").exists() and not (tmp_path / "state").exists()
    assert sum(sbx.requests(system) for system in sbx.servers) == 0


@pytest.mark.parametrize("address", [address for address, _ in BAD])
def test_export_refuses_a_bad_address_before_anything(
    sbx: Sandbox, tmp_path: Path, address: str
) -> None:
    env = _env(sbx, tmp_path)
    args = ["export", "--email", address, "--out", str(tmp_path / "out"), "--env-file", str(env)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    _nothing_happened(sbx, tmp_path, result.stderr)


@pytest.mark.parametrize("address", ["x@y.nl&role=all", "jan\u200b@example.nl", "jan@bücher.de"])
def test_requests_new_and_erase_refuse_it_too(sbx: Sandbox, tmp_path: Path, address: str) -> None:
    env = str(_env(sbx, tmp_path))
    new = ["requests", "new", "--type", "access", "--email", address, "--env-file", env]
    erase = ["erase", "--email", address, "--yes", "--out", str(tmp_path / "out")]
    for args in (new, [*erase, "--env-file", env]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        _nothing_happened(sbx, tmp_path, result.stderr)


def test_a_good_address_in_another_form_finds_the_same_person(sbx: Sandbox, tmp_path: Path) -> None:
    subject = sbx.shop.subject_email
    shouted = f"  {subject.upper()} "
    env = str(_env(sbx, tmp_path))
    args = ["export", "--email", shouted, "--out", str(tmp_path / "out"), "--json"]
    result = runner.invoke(app, [*args, "--env-file", env])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    shop = next(s for s in summary["systems"] if s["system"] == "woocommerce")
    assert shop["status"] == "ok" and shop["records"]["customer"] >= 1
    assert subject.split("@")[0].lower() not in Path(summary["package"]).name.lower()
