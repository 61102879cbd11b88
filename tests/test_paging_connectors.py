"""The connectors' paging against a server that pages wrongly: each ends in an error naming the
system and the path (bridge.core.paging), after the requests a correct walk would make, never
in a loop. Before bridge.core.paging, the Lightspeed and Feedback Company sync loops asked for
page after page for ever when a server repeated a full page.

Canned answers at the transport (a requests adapter): the connector, its HTTP client and its
paging run as they do against the real API. The adapter is bounded: a connector that keeps
asking fails the test instead of hanging it. No sleeps, no clocks.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from requests.adapters import BaseAdapter, HTTPAdapter
from urllib3 import HTTPResponse

from bridge.core.connector import Batch, IndexEntry, Stream, batches
from bridge.core.errors import PagingLoop
from bridge.core.paging import Page, PageNumber

LIMIT = 50  # no walk in these tests needs more requests than this


def records(first: int, n: int) -> list[dict[str, Any]]:
    return [{"id": i, "name": f"record {i}"} for i in range(first, first + n)]


Answer = tuple[dict[str, str], Any]  # headers, JSON body


class Canned(BaseAdapter):
    """A requests transport answering every request with `answer(path, query)`, bounded."""

    def __init__(self, answer: Callable[[str, dict[str, str]], Answer]) -> None:
        super().__init__()
        self.answer = answer
        self.asked: list[tuple[str, dict[str, str]]] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        url = urlsplit(request.url or "")
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        self.asked.append((url.path, query))
        assert len(self.asked) <= LIMIT, "the connector kept asking: a loop was not stopped"
        headers, body = self.answer(url.path, query)
        content = json.dumps(body).encode()
        raw = HTTPResponse(
            body=io.BytesIO(content),
            status=200,
            headers={"Content-Type": "application/json", **headers},
            preload_content=False,
        )
        return HTTPAdapter().build_response(request, raw)

    def close(self) -> None:
        pass

    def pages(self, path: str) -> list[str]:
        return [q.get("page", q.get("offset", "")) for p, q in self.asked if p == path]


def serve(connector: Any, answer: Callable[[str, dict[str, str]], Answer]) -> Canned:
    canned = Canned(answer)
    connector.http.session.mount("https://", canned)
    return canned


def test_lightspeed_sync_stops_on_a_server_that_repeats_a_full_page() -> None:
    from connectors.lightspeed.connector import LIMIT as FULL
    from connectors.lightspeed.connector import LightspeedConnector

    connector = LightspeedConnector("https://api.shop.example/nl/", "key", "secret")
    customers = [{**c, "updatedAt": "2024-01-01T00:00:00+00:00"} for c in records(1, FULL)]
    server = serve(connector, lambda path, query: ({}, {"customers": customers}))
    with pytest.raises(PagingLoop, match=r"lightspeed: customers\.json: page 2 repeats page 1"):
        list(connector.changes("customers", None))
    assert server.pages("/nl/customers.json") == ["1", "2"]


def test_feedback_sync_stops_on_a_server_that_repeats_a_full_page() -> None:
    from connectors.feedbackcompany.connector import PER_PAGE, FeedbackCompanyConnector

    connector = FeedbackCompanyConnector("https://reviews.example", "id", "secret")
    invitations = [{**i, "date_created": "2024-01-01 10:00:00"} for i in records(1, PER_PAGE)]

    def answer(path: str, query: dict[str, str]) -> Answer:
        if path.endswith("/oauth2/token"):
            return {}, {"access_token": "token"}
        return {}, {"success": True, "invitations": invitations}

    server = serve(connector, answer)
    with pytest.raises(PagingLoop, match="api/v2/invitations: page 2 repeats page 1"):
        list(connector.changes("invitations", None))
    assert server.pages("/api/v2/invitations") == ["1", "2"]


def test_woocommerce_sync_stops_when_the_page_count_says_more_than_the_server_gives() -> None:
    from connectors.woocommerce.connector import PER_PAGE, WooCommerceConnector

    connector = WooCommerceConnector("https://shop.example", "ck_key", "cs_secret")
    orders = [{**o, "date_modified_gmt": "2024-01-01T10:00:00"} for o in records(1, PER_PAGE)]
    server = serve(connector, lambda path, query: ({"X-WP-TotalPages": "9"}, orders))
    with pytest.raises(PagingLoop, match="woocommerce: orders: page 2 repeats page 1"):
        list(connector.changes("orders", None))
    assert server.pages("/wp-json/wc/v3/orders") == ["1", "2"]


def test_myparcel_sync_stops_when_the_total_says_more_than_the_server_gives() -> None:
    from connectors.myparcel.connector import SIZE, MyParcelConnector

    connector = MyParcelConnector("https://api.parcels.example", "key")
    shipments = [{**s, "created": "2024-01-01 10:00:00"} for s in records(1, SIZE)]
    body = {"data": {"shipments": shipments, "results": 10 * SIZE}}
    server = serve(connector, lambda path, query: ({}, body))
    with pytest.raises(PagingLoop, match="myparcel: shipments: page 2 repeats page 1"):
        list(connector.changes("shipments", None))
    assert server.pages("/shipments") == ["1", "2"]


def test_mollie_sync_stops_on_a_next_link_that_leads_back() -> None:
    from connectors.mollie.connector import MollieConnector

    connector = MollieConnector("https://api.payments.example", "test_key")
    url = "https://api.payments.example/v2/customers"

    def answer(path: str, query: dict[str, str]) -> Answer:
        start = int(query.get("from", "1"))  # page 2 links back to page 2
        customers = [{**c, "resource": "customer"} for c in records(start, 2)]
        links = {"next": {"href": f"{url}?from=3&limit=250", "type": "application/hal+json"}}
        return {}, {"count": 2, "_embedded": {"customers": customers}, "_links": links}

    server = serve(connector, answer)
    with pytest.raises(PagingLoop, match="mollie: v2/customers: page 2 links to a page already"):
        list(connector.changes("customers", None))
    assert [q.get("from") for _, q in server.asked] == [None, "3"]


def test_paypal_sync_stops_when_a_window_repeats_its_first_page() -> None:
    from connectors.paypal.connector import PayPalConnector

    connector = PayPalConnector("https://api.wallet.example", "id", "secret")
    details = [
        {"transaction_info": {"transaction_id": f"TX{i}", "transaction_initiation_date": ""}}
        for i in range(3)
    ]

    def answer(path: str, query: dict[str, str]) -> Answer:
        if path.endswith("/oauth2/token"):
            return {}, {"access_token": "token", "expires_in": 3600}
        return {}, {"transaction_details": details, "total_pages": 4}

    server = serve(connector, answer)
    with pytest.raises(PagingLoop, match="paypal: /v1/reporting/transactions: page 2 repeats"):
        list(connector.changes("transactions", "2024-01-01T00:00:00Z"))
    assert server.pages("/v1/reporting/transactions") == ["1", "2"]


# -- sync streams: a batch per page ---------------------------------------------------------


def entry(item: dict[str, Any]) -> IndexEntry:
    return IndexEntry("order", str(item["id"]), None, item.get("changed"))


def stamped(first: int, n: int) -> list[dict[str, Any]]:
    return [{"id": i, "changed": f"2024-01-{i:02d}"} for i in range(first, first + n)]


def test_a_stream_in_cursor_order_moves_the_cursor_with_every_batch() -> None:
    stream = Stream("orders", "orders", PageNumber(size=2), entry, cursor_field="changed")
    walked = [Page(stamped(1, 2), 1, False), Page(stamped(3, 1), 2, True)]
    made = list(batches(stream, walked, "2023-12-31"))
    assert [b.cursor for b in made] == ["2024-01-02", "2024-01-03"]
    assert [[e.record_id for e in b.entries] for b in made] == [["1", "2"], ["3"]]


def test_a_stream_out_of_cursor_order_saves_the_cursor_with_its_last_batch() -> None:
    stream = Stream(
        "customers", "customers.json", PageNumber(size=2), entry, "changed", ordered=False
    )
    walked = [Page(stamped(5, 2), 1, False), Page(stamped(1, 1), 2, True)]
    assert [b.cursor for b in batches(stream, walked, "2023-12-31")] == ["2023-12-31", "2024-01-06"]
    empty = list(batches(stream, [Page([], 1, True)], None))
    assert empty == [Batch([], None)]
