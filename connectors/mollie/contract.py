"""The contract suite's entry for Mollie (sandbox.contract)."""

from __future__ import annotations

import copy
from collections.abc import Iterator

from connectors.mollie.fake.hal import error_body as mollie_error
from sandbox.contract import (
    JSON,
    Contract,
    Key,
    Listing,
    dumps,
    ids_of,
    resize,
    same,
)
from sandbox.data import Shop

# A customer's mandates: HAL lists of 250 following `_links.next`; the customer scan that finds
# the customer by e-mail is made to end on a full page as well.


def mollie_fill(shop: Shop, email: str, n: int) -> Listing:
    store = shop.mollie
    customer = next((c for c in store.customers if same(c["email"], email)), None)
    if customer is None:
        customer = copy.deepcopy(store.customers[0])
        customer.update(id="cst_ctperson01", email=email, name="Veel Records")
        store.customers.append(customer)
    cid = customer["id"]
    template = store.mandates[0]

    def make(i: int) -> JSON:
        mandate = copy.deepcopy(template)
        mandate.update(id=f"mdt_ct{i:08d}", customerId=cid)
        return mandate

    mine = resize(store.mandates, lambda m: m["customerId"] == cid, n, make)
    filler = copy.deepcopy(store.customers[0])
    for i in range(-len(store.customers) % 250):
        extra = {**filler, "id": f"cst_ctfill{i:04d}", "email": f"vulling{i}@contract.example.nl"}
        store.customers.append(extra)
    return Listing("mandate", ids_of(mine))


def mollie_by_email(shop: Shop) -> Iterator[tuple[Key, str]]:
    yield from ((("mollie_customer", c["id"]), c.get("email") or "") for c in shop.mollie.customers)


def mollie_errors(status: int) -> bytes:
    if status == 403:
        return dumps(mollie_error(403, "Forbidden", "This API key cannot list customers."))
    return dumps(mollie_error(400, "Bad Request", "The limit is invalid.", "limit"))


CONTRACT = Contract(
    system="mollie",
    shops=("woocommerce", "lightspeed"),
    page_size=250,
    listing_path="/v2/customers",
    fill=mollie_fill,
    by_email=mollie_by_email,
    error_body=mollie_errors,
)
