"""index.html as the customer reads it: the shop first, values as people write them, both languages.

The sandbox's subject is collected from the running fakes and laid out with each connector's
views (`Connector.views`); where a connector declares none yet, a view written here stands in,
so that what is checked is the page, not the views. The statement is built here by hand.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import pytest
from babel.dates import format_datetime

import exports.i18n as i18n
from bridge.api import open_connectors
from bridge.collect.export import collect
from bridge.core.config import Config
from bridge.core.models import DataPackage, Record, SourceResult, Status, Subject
from bridge.core.presentation import Field, Kind, Lines, RecordView, Words
from bridge.core.statement import Category, Company, Shop, Statement, Text
from exports.html import render_index
from exports.values import AMSTERDAM
from sandbox.server import Sandbox

SHOP = Shop(
    name="Theehuis De Lindeboom",
    address="Lindengracht 1\n1015 KM Amsterdam",
    privacy_contact="privacy@lindeboom.example.nl",
    website="",
)
PURPOSE = Text(nl="het uitvoeren van uw bestelling", en="carrying out your order")
BASIS = Text(nl="overeenkomst (art. 6 lid 1 sub b AVG)", en="contract (Art. 6(1)(b) GDPR)")
RETENTION = Text(nl="zeven jaar na de bestelling", en="seven years after the order")
SOURCE = Text(nl="van uzelf, bij het bestellen", en="from you, when ordering")

# Stand-ins for the shop's views until its connector declares them (then its own are used).
W = Words
STAND_IN: dict[str, RecordView] = {
    "order": RecordView(
        label=W("Bestelling", "Order"),
        title="number",
        when="date_created_gmt",
        amount="total",
        fields=(
            Field("number", W("Bestelnummer", "Order number")),
            Field("date_created_gmt", W("Besteld op", "Ordered on"), Kind.datetime),
            Field("total", W("Totaal", "Total"), Kind.money, currency="currency"),
            Field("billing.city", W("Plaats", "City")),
        ),
        lines=(
            Lines(
                "line_items",
                W("Producten", "Products"),
                (
                    Field("name", W("Product", "Product")),
                    Field("quantity", W("Aantal", "Quantity"), Kind.number),
                    Field("total", W("Bedrag", "Amount"), Kind.money),
                ),
            ),
        ),
        internal=("_links", "cart_hash", "order_key"),
    ),
    "review": RecordView(
        label=W("Review", "Review"),
        title="product_name",
        when="date_created_gmt",
        fields=(
            Field("product_name", W("Product", "Product")),
            Field("review", W("Tekst", "Text"), Kind.html),
        ),
        internal=("_links", "reviewer_avatar_urls"),
    ),
}


def _statement(package: DataPackage) -> Statement:
    return Statement(
        shop=SHOP,
        companies=[
            Company(
                system=source.system,
                name=f"{source.system.title()} B.V.",
                role=Text(nl="verwerker", en="processor"),
                recipients=[Text(nl="de webwinkel", en="the shop")],
                automated_decisions=Text(nl="geen", en="none"),
                transfers=Text(nl="geen", en="none"),
                categories=[
                    Category(
                        record_type=record_type,
                        purposes=[PURPOSE],
                        legal_basis=[BASIS],
                        retention=RETENTION,
                        source=SOURCE,
                    )
                    for record_type in source.categories
                ],
            )
            for source in package.sources
        ],
    )


def _views(connectors: list[Any]) -> dict[str, Mapping[str, RecordView]]:
    views: dict[str, Mapping[str, RecordView]] = {}
    for connector in connectors:
        own = dict(connector.views)
        if connector.name == "woocommerce":
            own = {**STAND_IN, **own}
        views[connector.name] = own
    return views


@pytest.fixture()
def subject_page(sbx: Sandbox, config: Config) -> Iterator[tuple[str, DataPackage, dict[str, Any]]]:
    i18n.missing.clear()
    with open_connectors(config) as connectors:
        package = collect(connectors, sbx.shop.subject_email)
        views = _views(connectors)
    package.statement = _statement(package)
    yield render_index(package, views).decode("utf-8"), package, views


def _first_screen(html: str) -> str:
    return html.split('id="records"', 1)[0]


def _without_raw(html: str) -> str:
    return re.sub(r"<pre>.*?</pre>", "", html, flags=re.DOTALL)


def test_the_first_screen_names_the_shop_and_its_contact(
    subject_page: tuple[str, DataPackage, dict[str, Any]],
) -> None:
    html, package, _ = subject_page
    first = _first_screen(html)
    assert SHOP.name in first
    assert "Lindengracht 1\n1015 KM Amsterdam" in first
    assert f'href="mailto:{SHOP.privacy_contact}"' in first
    assert "Autoriteit Persoonsgegevens" in first
    for source in package.sources:
        assert f"{source.system.title()} B.V." in first  # what each company holds
    footer = html.split("<footer>", 1)[1]
    assert SHOP.name in footer and "privacy-bridge" not in footer


def test_amounts_in_euros_and_times_in_amsterdam(
    subject_page: tuple[str, DataPackage, dict[str, Any]],
) -> None:
    html, package, _ = subject_page
    assert re.search(
        r'<span lang="nl">€\xa0\d+,\d\d</span><span class="en" lang="en">€\d+\.\d\d<', html
    )
    shop = next(s for s in package.sources if s.system == "woocommerce")
    order = next(r for r in shop.records if r.type == "order")
    when = datetime.fromisoformat(order.data["date_created_gmt"]).replace(tzinfo=UTC)
    local = format_datetime(when.astimezone(AMSTERDAM), "d MMM y, HH:mm", locale="nl_NL")
    assert local in html
    assert " UTC" not in html


def test_labels_come_from_the_views_and_html_is_text(
    subject_page: tuple[str, DataPackage, dict[str, Any]],
) -> None:
    html, package, views = subject_page
    shown = _without_raw(html)
    for system, types in views.items():
        for record_type in types:
            section = shown.split(f'-{record_type.replace("_", "-")}"', 1)
            if len(section) < 2:
                continue
            body = section[1].split("</details>", 1)[0]
            labels = re.findall(r"<dt[^>]*>(.*?)</dt>", body, flags=re.DOTALL)
            assert not [x for x in labels if re.search(r"\w\.\w", x)], (system, record_type)
    assert "&lt;p&gt;" not in shown and "&amp;ndash;" not in shown
    reviews = [r for s in package.sources for r in s.records if r.type == "review"]
    if reviews:
        text = re.sub(r"<[^>]+>", "", reviews[0].data["review"]).strip()
        assert text.split("\n")[0] in shown


def test_order_lines_are_under_each_order(
    subject_page: tuple[str, DataPackage, dict[str, Any]],
) -> None:
    html, package, _ = subject_page
    shop = next(s for s in package.sources if s.system == "woocommerce")
    order = next(r for r in shop.records if r.type == "order" and r.data.get("line_items"))
    tables = re.findall(r'<table class="lines">.*?</table>', html, flags=re.DOTALL)
    assert tables
    name = order.data["line_items"][0]["name"]
    assert any(name.replace("&", "&amp;") in table for table in tables)


def test_every_company_states_purposes_basis_retention_and_source(
    subject_page: tuple[str, DataPackage, dict[str, Any]],
) -> None:
    html, package, _ = subject_page
    for source in package.sources:
        if not source.categories:
            continue
        articles = html.split('<article class="system"')[1:]
        section = next(a for a in articles if f"<code>{source.system}</code></h3>" in a)
        for text in (PURPOSE, BASIS, RETENTION, SOURCE):
            assert text.nl in section and text.en in section, source.system
        for label in (
            "Doelen",
            "Purposes",
            "Wettelijke grondslag",
            "Legal basis",
            "Bewaartermijn",
            "Herkomst",
        ):
            assert label in section


def test_the_page_misses_no_text_in_either_language(
    subject_page: tuple[str, DataPackage, dict[str, Any]],
) -> None:
    html, _, _ = subject_page
    assert not i18n.missing
    pairs = re.findall(r'<(\w+) lang="nl">(.*?)</\1><\1 class="en" lang="en">(.*?)</\1>', html)
    assert len(pairs) > 50
    assert all(nl.strip() and en.strip() for _, nl, en in pairs)


def test_nobody_found_is_said_plainly(sbx: Sandbox, config: Config) -> None:
    i18n.missing.clear()
    with open_connectors(config) as connectors:
        package = collect(connectors, "nobody@nowhere.example")
        views = _views(connectors)
    package.statement = _statement(package)
    html = render_index(package, views).decode("utf-8")
    assert "Wij hebben geen persoonsgegevens over u gevonden." in html
    assert "We found no personal data about you." in html
    asked = html.split('class="asked"', 1)[1].split("</ul>", 1)[0]
    for source in package.sources:
        assert f"{source.system.title()} B.V." in asked
    assert 'href="csv/' not in html and "data.xlsx" not in html
    assert "kopie van de persoonsgegevens" not in html
    assert 'id="records"' not in html
    assert not i18n.missing


def _small(statement: Statement | None) -> DataPackage:
    order = Record(
        type="order",
        id="7",
        matched_by=["email"],
        data={
            "id": 7,
            "number": "1042",
            "total": "11.45",
            "date_created_gmt": "2025-03-14T09:26:53",
        },
    )
    return DataPackage(
        subject=Subject(email="a@b.nl"),
        generated_at=datetime(2025, 3, 14, 9, 26, 53, tzinfo=UTC),
        complete=True,
        sources=[SourceResult(system="shop", status=Status.ok, records=[order])],
        statement=statement,
    )


def test_without_a_statement_or_views_the_page_still_reads() -> None:
    i18n.missing.clear()
    html = render_index(_small(None)).decode("utf-8")
    assert 'id="no-statement"' in html
    assert "1042" in html and "14 mrt 2025, 10:26" in html  # by name: no view, still Amsterdam
    assert "€\xa011,45" in html
    assert not i18n.missing


def test_a_view_shows_each_record_once_by_its_title() -> None:
    html = render_index(_small(None), {"shop": {"order": STAND_IN["order"]}}).decode("utf-8")
    cards = re.findall(r'<article class="card">.*?</article>', _without_raw(html), flags=re.DOTALL)
    assert len(cards) == 1
    assert cards[0].count("1042") == 1 and ">7<" not in cards[0]
