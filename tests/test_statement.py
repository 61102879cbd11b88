"""The shop's privacy statement (art. 15(1) GDPR): the built-in default, a shop's own file, the
refusal of a bad one, `check`'s warnings, `statement init`, and its place in data.json."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel
from typer.testing import CliRunner

from bridge import api
from bridge.cli.main import app
from bridge.core.config import Config
from bridge.core.errors import InputError
from bridge.core.plugins import systems
from bridge.core.statement import (
    STATEMENT_SETTING,
    Statement,
    Text,
    default_text,
    load_statement,
    read_statement,
)
from sandbox.server import Sandbox

runner = CliRunner()
# Written into the bad files below: no message may repeat a file's content.
MARKER = "Geheim-7f3a"

SHOP = """
[shop]
name = "Sieraden & Zo B.V."
address = "Kerkstraat 1, 1011 AA Amsterdam"
privacy_contact = "privacy@sieradenenzo.example"
"""

MOLLIE = """
[[companies]]
system = "mollie"
name = "Mollie B.V."
role = {nl = "Onze betaaldienst, als verwerker", en = "Our payment service, as processor"}
automated_decisions = {nl = "Geen", en = "None"}
transfers = {nl = "Niet buiten de EER", en = "Not outside the EEA"}

[[companies.categories]]
record_type = "payment"
retention = {nl = "Zeven jaar", en = "Seven years"}
source = {nl = "Van u en uw bank", en = "From you and your bank"}
purposes = [{nl = "Uw betaling", en = "Your payment"}]
legal_basis = [{nl = "Overeenkomst", en = "Contract"}]
"""


def texts(value: object, where: str = "") -> Iterator[tuple[str, Text]]:
    """Every Text in a model, with its field path."""
    if isinstance(value, Text):
        yield where, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from texts(getattr(value, name), f"{where}.{name}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from texts(item, f"{where}[{i}]")


def write(tmp_path: Path, text: str, name: str = "statement.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def env_file(sbx: Sandbox, tmp_path: Path, **override: str) -> Path:
    path = tmp_path / "test.env"
    values = {**sbx.env, "PRIVACY_BRIDGE_HOME": str(tmp_path / "state"), **override}
    path.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    return path


# -- the built-in default --------------------------------------------------------------------------


def test_the_default_is_a_template_with_a_placeholder_shop() -> None:
    statement = read_statement()
    assert statement.template is True
    assert "placeholder" in statement.shop.name and "placeholder" in statement.shop.address
    assert statement.shop.privacy_contact.endswith(".example")  # a reserved, undeliverable domain
    assert statement.from_default() == [] and statement.categories_from_default() == []
    assert load_statement(Config({})) == statement


def test_the_default_describes_every_system_and_record_type() -> None:
    statement = read_statement()
    for system in systems():
        company = statement.company(system.name)
        assert company is not None, system.name
        described = [c.record_type for c in company.categories]
        assert sorted(described) == sorted(system.connector.categories), system.name
        assert company.recipients, system.name


def test_every_default_text_is_written_in_both_languages() -> None:
    found = list(texts(read_statement()))
    assert len(found) > 150  # the walk reached every category
    for where, text in found:
        assert text.nl.strip() and text.en.strip(), where
        assert text.nl != text.en, where  # translated, not copied


def test_the_default_names_the_legal_bases_and_terms_it_draws_on() -> None:
    statement = read_statement()
    order = statement.company("woocommerce").category("order")  # type: ignore[union-attr]
    assert order is not None
    bases = " ".join(b.en for b in order.legal_basis)
    assert "6(1)(b)" in bases and "6(1)(c)" in bases and "Art. 52" in bases
    assert "7 years" in order.retention.en and "7 jaar" in order.retention.nl
    newsletter = statement.company("mailchimp").category("audience_member")  # type: ignore[union-attr]
    assert newsletter is not None and "6(1)(a)" in newsletter.legal_basis[0].en
    for system in ("paypal", "mailchimp"):  # the two that send data to the United States
        transfers = statement.company(system).transfers  # type: ignore[union-attr]
        assert "United States" in transfers.en and "Verenigde Staten" in transfers.nl
    paypal = statement.company("paypal").category("paypal_transaction")  # type: ignore[union-attr]
    assert paypal is not None and paypal.source.en.startswith("From PayPal")


def test_init_writes_the_default_and_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "statement.toml"
    result = runner.invoke(app, ["statement", "init", str(path)])
    assert result.exit_code == 0, result.output
    assert path.read_text(encoding="utf-8") == default_text()
    assert read_statement(path).template is True  # what it wrote is valid, and still the example

    path.write_text(path.read_text().replace("template = true", "template = false"))
    again = runner.invoke(app, ["statement", "init", str(path)])
    assert again.exit_code == 2 and "exists" in again.stderr
    assert "template = false" in path.read_text()  # the shop's edit is still there

    nowhere = runner.invoke(app, ["statement", "init", str(tmp_path / "no" / "dir.toml")])
    assert nowhere.exit_code == 2 and "cannot write" in nowhere.stderr
    assert "Traceback" not in nowhere.output


# -- a shop's own file ------------------------------------------------------------------------------


def test_a_shop_file_overrides_and_the_rest_comes_from_the_default(tmp_path: Path) -> None:
    statement = load_statement(Config({STATEMENT_SETTING: str(write(tmp_path, SHOP + MOLLIE))}))
    default = read_statement()
    assert statement.template is False
    assert statement.shop.name == "Sieraden & Zo B.V."
    mollie = statement.company("mollie")
    assert mollie is not None and mollie.role.en == "Our payment service, as processor"
    payment = mollie.category("payment")
    assert payment is not None and payment.retention.nl == "Zeven jaar"
    # what the file leaves out: taken from the default, and said
    assert mollie.category("refund") == default.company("mollie").category("refund")  # type: ignore[union-attr]
    assert ("mollie", "refund") in statement.categories_from_default()
    assert ("mollie", "payment") not in statement.categories_from_default()
    assert "mollie" not in statement.from_default()
    assert set(statement.from_default()) == {s.name for s in systems()} - {"mollie"}
    assert [c.system for c in statement.companies] == [s.name for s in systems()]


def test_a_shop_file_describing_everything_takes_nothing_from_the_default(tmp_path: Path) -> None:
    own = default_text().replace("template = true", "template = false")
    statement = read_statement(write(tmp_path, own))
    assert statement.template is False
    assert statement.from_default() == [] and statement.categories_from_default() == []


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "no such file"),
        (b"\xff\xfe" + MARKER.encode(), "not UTF-8"),
        (f"[shop\nname = '{MARKER}'\n", "not valid TOML"),
        (f"[shop]\nname = '{MARKER}'\n", "shop.address: Field required"),
        (
            SHOP + MOLLIE.replace('"Zeven jaar"', '"   "'),
            "companies[0].categories[0].retention.nl: String should have at least 1 character",
        ),
        (SHOP + MOLLIE + f"colour = '{MARKER}'\n", "companies[0].categories[0].colour: Extra"),
        (SHOP + MOLLIE.replace('"mollie"', f'"{MARKER}"'), "companies[0].system: not a system"),
        (SHOP + MOLLIE.replace('"payment"', f'"{MARKER}"'), "record_type: not a record type"),
        (SHOP + MOLLIE + MOLLIE, "companies[1].system: the same system as companies[0]"),
    ],
)
def test_a_bad_file_is_one_line_naming_the_file_and_the_problem(
    tmp_path: Path, content: str | bytes | None, problem: str
) -> None:
    path = tmp_path / "statement.toml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as raised:
        read_statement(path)
    message = str(raised.value)
    assert str(path) in message and problem in message
    assert "\n" not in message and MARKER not in message
    assert raised.value.exit_code == 2


def test_a_directory_is_refused_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"cannot be read: is a directory"):
        read_statement(tmp_path)


# -- the CLI: check and export ---------------------------------------------------------------------


def test_check_warns_while_the_statement_is_the_template(sbx: Sandbox, tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", "--json", "--env-file", str(env_file(sbx, tmp_path))])
    assert result.exit_code == 0, result.output
    assert all(c["ok"] for c in json.loads(result.stdout))  # stdout stays JSON
    assert "warning" in result.stderr and "built-in example" in result.stderr
    assert "statement init" in result.stderr


def test_check_names_the_companies_taken_from_the_default(sbx: Sandbox, tmp_path: Path) -> None:
    path = write(tmp_path, SHOP + MOLLIE)
    env = env_file(sbx, tmp_path, **{STATEMENT_SETTING: str(path)})
    result = runner.invoke(app, ["check", "--env-file", str(env)])
    assert result.exit_code == 0, result.output
    stderr = " ".join(result.stderr.split())  # rich may wrap a long line
    used = [s for s in sbx.servers if s != "mollie"]
    assert f"does not describe {', '.join(s.name for s in systems() if s.name in used)}" in stderr
    assert "mollie refund" in stderr and "built-in example" in stderr
    assert "template = true" not in stderr


def test_check_is_quiet_about_a_finished_statement(sbx: Sandbox, tmp_path: Path) -> None:
    own = default_text().replace("template = true", "template = false")
    own = own.replace("Voorbeeldwinkel B.V. (placeholder)", "Sieraden & Zo B.V.")
    own = own.replace("Voorbeeldstraat 1, 1234 AB Voorbeeldstad (placeholder)", "Kerkstraat 1")
    own = own.replace("voorbeeldwinkel.example", "sieradenenzo.nl")
    env = env_file(sbx, tmp_path, **{STATEMENT_SETTING: str(write(tmp_path, own))})
    result = runner.invoke(app, ["check", "--env-file", str(env)])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr


@pytest.mark.parametrize("command", ["check", "export"])
def test_a_bad_statement_is_exit_2_in_one_line_before_any_request(
    sbx: Sandbox, tmp_path: Path, command: str
) -> None:
    path = write(tmp_path, f"[shop]\nname = '{MARKER}'\n")
    env = env_file(sbx, tmp_path, **{STATEMENT_SETTING: str(path)})
    args = [command, "--env-file", str(env)]
    if command == "export":
        args += ["--email", sbx.shop.subject_email, "--out", str(tmp_path / "out")]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "statement.toml" in result.stderr and "shop.address" in result.stderr
    assert "Traceback" not in result.output and MARKER not in result.output
    assert all(sbx.requests(system) == 0 for system in sbx.servers)
    assert not (tmp_path / "out").exists()


# -- the package ------------------------------------------------------------------------------------


def _data_json(package: Path) -> dict[str, object]:
    with zipfile.ZipFile(package) as zf:
        data: dict[str, object] = json.loads(zf.read("data.json"))
    return data


def test_data_json_carries_the_default_statement(
    config: Config, sbx: Sandbox, tmp_path: Path
) -> None:
    result = api.export(sbx.shop.subject_email, tmp_path / "out", config)
    assert result.data.statement == read_statement()
    data = _data_json(result.package)
    statement = Statement.model_validate(data["statement"])
    assert statement.template is True
    assert {c.system for c in statement.companies} >= set(sbx.servers)


def test_data_json_carries_the_shops_statement(
    config: Config, sbx: Sandbox, tmp_path: Path
) -> None:
    path = write(tmp_path, SHOP + MOLLIE)
    own = Config({**config.values, STATEMENT_SETTING: str(path)})
    result = api.export(sbx.shop.subject_email, tmp_path / "out", own)
    data = _data_json(result.package)
    statement = data["statement"]
    assert isinstance(statement, dict)
    assert statement["template"] is False
    assert statement["shop"]["name"] == "Sieraden & Zo B.V."
    mollie = next(c for c in statement["companies"] if c["system"] == "mollie")
    assert mollie["role"]["nl"] == "Onze betaaldienst, als verwerker"
