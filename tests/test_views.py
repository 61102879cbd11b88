"""Each system's `views` against the records the sandbox shops really return.

For both sandbox shops, the subject's and the bulk customer's records are collected once; every
record type returned must have a view, every path a view declares must occur in that type's
records (a path that never occurs is a typo), every code seen must have a meaning, and every
label must exist in Dutch and in English.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest

from bridge import api
from bridge.core.config import Config
from bridge.core.plugins import registry
from bridge.core.presentation import Field, Kind, RecordView, Words
from sandbox.server import start, unlimited

JSON = dict[str, Any]
Records = dict[tuple[str, str], list[JSON]]

SHOPS = ("woocommerce", "lightspeed")
DATES = {Kind.date, Kind.datetime}
AMOUNTS = {Kind.money, Kind.cents}
ISO_4217 = re.compile(r"[A-Z]{3}")

# Record types the sandbox's people never get from a collect, read from the fake's store
# instead: The Feedback Company's reviews show no e-mail or order number (vendor-apis.md §6), so
# the connector can link none of them to a person.
FROM_STORE: dict[tuple[str, str], tuple[str, str]] = {
    ("feedbackcompany", "feedback_review"): ("feedbackcompany", "reviews"),
}
# Documented paths the sandbox's data does not hold: (system, record type, path).
DOCUMENTED_UNSEEN = {
    # wc/v3 _orders.md "Order - Coupon lines properties"; no sandbox order used a coupon
    ("woocommerce", "order", "coupon_lines.code"),
    ("woocommerce", "order", "coupon_lines.discount"),
    # MyParcel 07.shipment-related-object-definitions.md §7.B (Address); a return's sender is the
    # customer, whose address in the sandbox has no suffix
    ("myparcel", "shipment", "sender.number_suffix"),
}
# Words that are the same in Dutch and English, and names.
SAME_IN_BOTH = {
    "E-mail",
    "Status",
    "Postcode",
    "Product",
    "Download",
    "Browser",
    "Variant",
    "Link",
    "Pallet",
    "Score (0-5)",
    "Score (1-5)",
    # payment methods (Mollie's `payment-method` enum) and carriers (MyParcel's `carrier`)
    "Apple Pay",
    "Bancomat Pay",
    "Bancontact",
    "Belfius Pay Button",
    "Bizum",
    "Bitcoin",
    "BLIK",
    "EPS",
    "Giropay",
    "Google Pay",
    "iDEAL",
    "ING Home'Pay",
    "Klarna",
    "MB WAY",
    "MobilePay",
    "Multibanco",
    "MyBank",
    "PayPal",
    "paysafecard",
    "Przelewy24",
    "Satispay",
    "Swish",
    "Trustly",
    "TWINT",
    "Vipps",
    "PostNL",
    "bpost",
    "CheapCargo (pallets)",
    "DPD",
    "UPS",
    "DHL For You",
    "DHL Parcel Connect",
    "DHL Europlus",
}

MISSING = object()


def lookup(data: Any, path: str) -> Any:
    """The value at a dotted path, or MISSING."""
    for key in path.split("."):
        if not isinstance(data, dict) or key not in data:
            return MISSING
        data = data[key]
    return data


def occurs(records: list[Any], path: str) -> bool:
    return any(lookup(r, path) is not MISSING for r in records)


def items(records: list[JSON], path: str) -> list[Any]:
    """Every item of the list at `path`, over all records."""
    found: list[Any] = []
    for record in records:
        value = lookup(record, path)
        if isinstance(value, list):
            found += value
    return found


@pytest.fixture(scope="module")
def records() -> Records:
    """Every record the sandbox shops return for their subject and bulk customer, by type."""
    found: Records = {}
    for shop in SHOPS:
        with start(shop) as sb, tempfile.TemporaryDirectory() as home:
            unlimited(sb)
            config = Config({**sb.env, "PRIVACY_BRIDGE_HOME": home})
            for email in (sb.shop.subject_email, sb.shop.bulk_email):
                package = api.collect(email, config)
                for source in package.sources:
                    for record in source.records:
                        found.setdefault((source.system, record.type), []).append(record.data)
            for (system, kind), (store, attribute) in FROM_STORE.items():
                stored = getattr(sb.shop.stores.get(store), attribute, None) or []
                for item in stored:
                    clean = {k: v for k, v in item.items() if not k.startswith("_")}
                    found.setdefault((system, kind), []).append(clean)
    return found


def views() -> Iterator[tuple[str, str, RecordView]]:
    for connector in registry():
        for kind, view in connector.views.items():
            yield connector.name, kind, view


def all_fields(view: RecordView) -> Iterator[tuple[str, Field]]:
    """(lines path or "", field) for the record's fields and every line's."""
    for field in view.fields:
        yield "", field
    for lines in view.lines:
        for field in lines.fields:
            yield lines.path, field


def all_words(view: RecordView) -> Iterator[tuple[str, Words]]:
    yield "label", view.label
    for lines in view.lines:
        yield f"lines {lines.path}", lines.label
    for _, field in all_fields(view):
        yield field.path, field.label
        for code, meaning in field.codes.items():
            yield f"{field.path}={code}", meaning


def test_every_record_type_returned_has_a_view(records: Records) -> None:
    declared = {(c.name, kind) for c in registry() for kind in c.views}
    missing = sorted(set(records) - declared)
    assert not missing, f"record types without a view: {missing}"


def test_every_record_type_a_connector_declares_has_a_view() -> None:
    for connector in registry():
        assert set(connector.views) == set(connector.categories), connector.name


def test_every_view_is_seen_in_the_sandbox(records: Records) -> None:
    unseen = sorted((s, k) for s, k, _ in views() if not records.get((s, k)))
    assert not unseen, f"views of record types the sandbox never returns: {unseen}"


def test_declared_paths_occur_in_the_records(records: Records) -> None:
    wrong: list[str] = []
    for system, kind, view in views():
        data = records.get((system, kind), [])
        named = [view.title, view.when, view.amount]
        for path in [*(p for p in named if p), *(f.path for f in view.fields)]:
            if not occurs(data, path) and (system, kind, path) not in DOCUMENTED_UNSEEN:
                wrong.append(f"{system}.{kind}: {path}")
        for lines in view.lines:
            if not occurs(data, lines.path):
                wrong.append(f"{system}.{kind}: lines {lines.path}")
            rows = items(data, lines.path)
            for field in lines.fields:
                full = f"{lines.path}.{field.path}"
                if not occurs(rows, field.path) and (system, kind, full) not in DOCUMENTED_UNSEEN:
                    wrong.append(f"{system}.{kind}: {full}")
    assert not wrong, "paths that occur in no record:\n" + "\n".join(wrong)


def test_currency_paths_occur(records: Records) -> None:
    wrong: list[str] = []
    for system, kind, view in views():
        data = records.get((system, kind), [])
        for within, field in all_fields(view):
            if field.kind not in AMOUNTS or ISO_4217.fullmatch(field.currency):
                continue
            rows = items(data, within) if within else data
            if not occurs(rows, field.currency):
                wrong.append(f"{system}.{kind}: {field.path} currency {field.currency}")
    assert not wrong, "\n".join(wrong)


def test_when_and_amount_are_dates_and_amounts() -> None:
    for system, kind, view in views():
        kinds = {f.path: f.kind for f in view.fields}
        if view.when is not None:
            assert kinds.get(view.when) in DATES, f"{system}.{kind}: when {view.when}"
        if view.amount is not None:
            assert kinds.get(view.amount) in AMOUNTS, f"{system}.{kind}: amount {view.amount}"


def test_orders_and_payments_are_on_the_timeline() -> None:
    timeline = {
        ("woocommerce", "order"),
        ("woocommerce", "refund"),
        ("lightspeed", "order"),
        ("mollie", "payment"),
        ("mollie", "refund"),
        ("mollie", "chargeback"),
        ("paypal", "paypal_transaction"),
    }
    for system, kind, view in views():
        if (system, kind) in timeline:
            assert view.when and view.amount, f"{system}.{kind}"


def test_every_code_seen_has_a_meaning(records: Records) -> None:
    wrong: list[str] = []
    for system, kind, view in views():
        data = records.get((system, kind), [])
        for within, field in all_fields(view):
            if field.kind != Kind.code:
                assert not field.codes, f"{system}.{kind}: {field.path} has codes but no code kind"
                continue
            assert field.codes, f"{system}.{kind}: {field.path} is a code without meanings"
            rows = items(data, within) if within else data
            for row in rows:
                value = lookup(row, field.path)
                if value in (MISSING, None, "", False):
                    continue
                if str(value) not in field.codes:
                    wrong.append(f"{system}.{kind}: {field.path}={value!r}")
    assert not wrong, "codes without a meaning:\n" + "\n".join(sorted(set(wrong)))


def test_labels_exist_in_both_languages() -> None:
    wrong: list[str] = []
    for system, kind, view in views():
        for where, words in all_words(view):
            nl, en = words.nl.strip(), words.en.strip()
            if not nl or not en:
                wrong.append(f"{system}.{kind} {where}: empty {words}")
            elif nl == en and nl not in SAME_IN_BOTH:
                wrong.append(f"{system}.{kind} {where}: the same in both languages: {nl!r}")
    assert not wrong, "\n".join(wrong)


def test_fields_are_neither_repeated_nor_hidden() -> None:
    for system, kind, view in views():
        paths = [f.path for f in view.fields]
        assert len(paths) == len(set(paths)), f"{system}.{kind}: a field declared twice"
        for path in paths:
            hidden = [i for i in view.internal if path == i or path.startswith(f"{i}.")]
            assert not hidden, f"{system}.{kind}: {path} is a field and internal ({hidden})"
        for lines in view.lines:
            assert not any(lines.path == i or lines.path.startswith(f"{i}.") for i in view.internal)
        if view.title is not None:
            assert view.title in paths, f"{system}.{kind}: title {view.title} is not a field"
