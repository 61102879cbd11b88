"""Shared pieces for the Mollie/PayPal fake tests: a small hand-made shop and loopback servers.

`small_shop()` builds a WooCommerce store by hand (until `build_shop()` exists it is the only
source of orders) and runs `seed_payments` over it. `serve(factory)` runs a fake on 127.0.0.1 in
a daemon thread and hands back its base URL.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from connectors.woocommerce.seed.payments import seed_payments
from sandbox.data import Shop
from sandbox.server import serve as serve_app

try:  # tests/sandbox imported as a package, or as a plain directory on sys.path
    from .openapi_check import SPECS_DIR, load_spec
except ImportError:
    from openapi_check import SPECS_DIR, load_spec

TODAY = date(2026, 3, 15)
SUBJECT = "jan@voorbeeld.nl"
CASE = "Jan@Voorbeeld.nl"
CONTAINMENT = "dejan@voorbeeld.nl"
BULK = "inkoop@groothandel.nl"
FIRST = ("Sanne", "Daan", "Noor", "Bram", "Lotte", "Sem", "Eva", "Jesse", "Anouk", "Thijs")
LAST = ("de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "de Boer", "Bos")
CITIES = (
    ("Utrecht", "3511 AB"),
    ("Zwolle", "8011 CD"),
    ("Haarlem", "2011 EF"),
    ("Delft", "2611 GH"),
)

App = Callable[..., Any]


def spec(relative: str) -> dict[str, Any]:
    """An OpenAPI document from ../shared/specs, or skip the test when it is not there."""
    if not (SPECS_DIR / relative).exists():
        pytest.skip(f"../shared/specs not present: {SPECS_DIR / relative}")
    return load_spec(relative)


def _person(rng: random.Random, email: str, first: str = "", last: str = "") -> dict[str, str]:
    city, postcode = rng.choice(CITIES)
    return {
        "first_name": first or rng.choice(FIRST),
        "last_name": last or rng.choice(LAST),
        "company": "",
        "address_1": f"Dorpsstraat {rng.randint(1, 200)}",
        "address_2": "",
        "city": city,
        "state": "",
        "postcode": postcode,
        "country": "NL",
        "email": email,
        "phone": f"06{rng.randint(10_000_000, 99_999_999)}",
    }


def small_shop(seed: int = 3, today: date = TODAY, bulk_orders: int = 30) -> Shop:
    """A WooCommerce shop with a subject, the look-alikes, a bulk buyer and some others, seeded."""
    rng = random.Random(seed)
    shop = Shop(kind="woocommerce", today=today, subject_email=SUBJECT, bulk_email=BULK)
    shop.traps = {"case": CASE, "containment": CONTAINMENT}
    now = datetime.combine(today, time(12), UTC)
    people: list[tuple[int, dict[str, str], list[int]]] = [
        (
            1,
            _person(rng, SUBJECT, "Jan", "de Vries"),
            [3000, 2400, 1500, 900, 700, 400, 200, 60, 20],
        ),
        (0, _person(rng, CASE, "Jan", "de Vries"), [300]),
        (2, _person(rng, CONTAINMENT, "Dejan", "Petrovic"), [1200, 500, 90]),
        (
            3,
            _person(rng, BULK, "Inkoop", "Groothandel"),
            [rng.randint(5, 1500) for _ in range(bulk_orders)],
        ),
    ]
    for n in range(4, 40):
        email = f"klant{n}@example.nl"
        registered = n if n % 3 else 0
        people.append(
            (
                registered,
                _person(rng, email),
                [rng.randint(2, 2800) for _ in range(rng.randint(1, 4))],
            )
        )
    order_id = 1000
    for customer_id, billing, ages in people:
        if customer_id:
            shop.woocommerce.customers.append(
                {"id": customer_id, "email": billing["email"], "billing": billing}
            )
        for age in ages:
            order_id += 1
            created = now - timedelta(days=age, hours=rng.randint(0, 20))
            status = rng.choices(
                ("completed", "processing", "refunded", "cancelled", "pending"), (80, 8, 4, 4, 4)
            )[0]
            if billing["email"].casefold() in (SUBJECT, CONTAINMENT):
                status = "completed"
            total = f"{rng.randint(5, 250)}.{rng.randint(0, 99):02d}"
            refunds = []
            if status == "refunded" or (billing["email"] == SUBJECT and age == 900):
                refunds = [{"id": order_id * 10, "reason": "Retour", "total": f"-{total}"}]
            shop.woocommerce.orders.append(
                {
                    "id": order_id,
                    "number": str(order_id),
                    "status": status,
                    "currency": "EUR",
                    "date_created": created.replace(tzinfo=None).isoformat(timespec="seconds"),
                    "date_created_gmt": created.replace(tzinfo=None).isoformat(timespec="seconds"),
                    "date_paid_gmt": (created + timedelta(minutes=3))
                    .replace(tzinfo=None)
                    .isoformat(timespec="seconds"),
                    "total": total,
                    "shipping_total": "4.95",
                    "customer_id": customer_id,
                    "billing": dict(billing),
                    "shipping": {k: v for k, v in billing.items() if k not in ("email", "phone")},
                    "payment_method": "",
                    "payment_method_title": "",
                    "transaction_id": "",
                    "meta_data": [{"id": order_id, "key": "_order_source", "value": "web"}],
                    "line_items": [{"name": "Theepot Ådelström", "quantity": 1, "total": total}],
                    "refunds": refunds,
                }
            )
    seed_payments(shop, random.Random(seed))
    return shop


@contextmanager
def serve(factory: Callable[[str], App]) -> Iterator[str]:
    """Run `factory(base_url)` on 127.0.0.1:<free port> in a daemon thread; yield the base URL."""

    def placeholder(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
        return [b"starting"]

    server, thread = serve_app(placeholder)
    base_url = f"http://127.0.0.1:{server.port}"
    server.app = factory(base_url)
    try:
        yield base_url
    finally:
        server.shutdown()
        thread.join(timeout=5)
