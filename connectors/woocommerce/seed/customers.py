"""The WooCommerce shop's customers: the wc/v3 customer of every WordPress user, written last,
from the person and their orders (billing and shipping only once they ordered; `date_modified`
and `wc_last_active` their last change).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, time

from connectors.woocommerce.fake.store import WooStore
from connectors.woocommerce.seed.formats import ascii_word, avatar, dates
from connectors.woocommerce.seed.people import Person
from sandbox.data import JSON


def write_customers(
    store: WooStore,
    people: list[Person],
    start: datetime,
    rng: random.Random,
    metas: Iterator[int],
) -> None:
    """The customers of `people` (by user id), after their orders are written; `start` is when
    the shop opened, `metas` the meta ids still free."""
    usernames: set[str] = set()
    by_customer: dict[int, list[JSON]] = {}
    for order in store.orders:
        by_customer.setdefault(order["customer_id"], []).append(order)
    for p in sorted(people, key=lambda p: p.user_id):
        mine = by_customer.get(p.user_id, [])
        changes = [datetime.fromisoformat(o["date_modified"]) for o in mine]
        last = max([p.registered or start, *changes])
        billing = p.billing() if mine else {k: "" for k in p.billing()}
        shipping = p.shipping() if mine else {k: "" for k in p.shipping()}
        username = ascii_word(p.first + p.last) if p.role != "administrator" else "brandpunt"
        while username in usernames:
            username = f"{ascii_word(p.first + p.last)}{rng.randint(2, 99)}"
        usernames.add(username)
        active = int(datetime.combine(last.date(), time(), UTC).timestamp())
        store.customers.append(
            {
                "id": p.user_id,
                **dates("date_created", p.registered),
                **dates("date_modified", last),
                "email": p.email,
                "first_name": p.first,
                "last_name": p.last,
                "role": p.role,
                "username": username,
                "billing": billing,
                "shipping": shipping,
                "is_paying_customer": any(o["date_paid"] for o in mine),
                "avatar_url": avatar(p.email),
                "meta_data": [{"id": next(metas), "key": "wc_last_active", "value": str(active)}],
            }
        )
