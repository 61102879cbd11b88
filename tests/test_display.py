"""Values as a person reads them: euros, cents, Amsterdam's clock, codes, HTML, unset fields."""

from __future__ import annotations

from bridge.core.presentation import Field, Kind, Words
from exports.display import show

LABEL = Words("Veld", "Field")


def test_amounts_read_as_euros_in_each_language() -> None:
    total = Field("total", LABEL, Kind.money)
    assert show({"total": "11.45"}, total) == Words("€\xa011,45", "€11.45")
    price = Field("price.amount", LABEL, Kind.cents, currency="price.currency")
    assert show({"price": {"amount": 695, "currency": "EUR"}}, price) == Words("€\xa06,95", "€6.95")
    mollie = Field("amount", LABEL, Kind.money)
    assert show({"amount": {"value": "10.00", "currency": "USD"}}, mollie) == Words(
        "US$\xa010,00", "US$10.00"
    )


def test_times_are_amsterdam_wall_clock_from_utc_or_local_values() -> None:
    gmt = Field("at", LABEL, Kind.datetime, naive="UTC")
    shown = show({"at": "2026-01-31T03:06:00"}, gmt)
    assert isinstance(shown, Words) and "04:06" in shown.nl and "04:06" in shown.en
    local = Field("at", LABEL, Kind.datetime, naive="Europe/Amsterdam")
    assert "03:06" in str(show({"at": "2026-07-01T03:06:00"}, local))
    offset = Field("at", LABEL, Kind.datetime)
    assert "05:06" in str(show({"at": "2026-07-01T03:06:00Z"}, offset))  # summer time


def test_codes_html_and_unset_values() -> None:
    status = Field("status", LABEL, Kind.code, codes={"7": Words("Bezorgd", "Delivered")})
    assert show({"status": 7}, status) == Words("Bezorgd", "Delivered")
    assert show({"status": 99}, status) == "99"  # an undocumented code is shown as it is
    review = Field("review", LABEL, Kind.html)
    assert show({"review": "<p>Snel &amp; goed</p>"}, review) == "Snel & goed"
    company = Field("company", LABEL)
    assert show({"company": False}, company) is None  # `false` for "not set"
    assert show({"company": ""}, company) is None
    yes = Field("subscribed", LABEL, Kind.boolean)
    shown = show({"subscribed": False}, yes)
    assert isinstance(shown, Words) and shown.en == "no"
