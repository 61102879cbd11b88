"""The contract suite's entry for Mailchimp (sandbox.contract)."""

from __future__ import annotations

import copy
from collections.abc import Iterator

from connectors.mailchimp.fake.http import problem
from connectors.mailchimp.fake.store import subscriber_hash
from sandbox.contract import Contract, Key, Listing
from sandbox.data import Shop

# The person's audiences: `lists?email=` pages 1000 at a time (`total_items`); a member of each.


def mailchimp_fill(shop: Shop, email: str, n: int) -> Listing:
    store = shop.mailchimp
    hashed = subscriber_hash(email)
    mine = [lst["id"] for lst in store.lists if hashed in store.members.get(lst["id"], {})]
    for list_id in mine[n:]:
        store.members[list_id].pop(hashed)
    template = store.lists[0]
    first_member = next(iter(store.members[template["id"]].values()))
    for i in range(n - len(mine)):
        list_id = f"ct{i:08x}"
        store.lists.append({**copy.deepcopy(template), "id": list_id, "name": f"Lijst {i}"})
        member = copy.deepcopy(first_member)
        member.update(id=hashed, email_address=email, list_id=list_id)
        store.members[list_id] = {hashed: member}
        mine.append(list_id)
    return Listing("audience_member", frozenset(f"{lid}:{hashed}" for lid in mine[:n]))


def mailchimp_by_email(shop: Shop) -> Iterator[tuple[Key, str]]:
    for list_id, members in shop.mailchimp.members.items():
        for hashed, member in members.items():
            yield ("audience_member", f"{list_id}:{hashed}"), member.get("email_address", "")


def mailchimp_errors(status: int) -> bytes:
    if status == 403:
        title, detail = "Forbidden", "You don't have permission to access this resource."
    else:
        title, detail = "Invalid Resource", "The resource submitted could not be validated."
    return problem(status, title, detail).get_data()


# One shop: the account and the connector are the same in both. The paging check runs with pages
# of 50 (`page_attribute`): two pages of Mailchimp's own 1,000 audiences, three reads each, cost
# half a minute; the paging is the same.
CONTRACT = Contract(
    system="mailchimp",
    shops=("woocommerce",),
    page_size=50,
    page_attribute="page_size",
    listing_path="/3.0/lists",
    fill=mailchimp_fill,
    by_email=mailchimp_by_email,
    error_body=mailchimp_errors,
)
