"""Fixtures for the sandbox fakes: the WooCommerce fake on a loopback port, in-process."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from woo_fixtures import RunningWoo, serve_woo

from sandbox.data import Shop, build_shop


@pytest.fixture(scope="session")
def woo_shop() -> Shop:
    """The seed-7 shop of today, built once; fixtures serve copies of its store."""
    return build_shop("woocommerce", seed=7, today=date.today())


@pytest.fixture(scope="module")
def woo(woo_shop: Shop) -> Iterator[RunningWoo]:
    """A fake shared by a module's read-only tests."""
    yield from serve_woo(woo_shop)


@pytest.fixture()
def fresh_woo(woo_shop: Shop) -> Iterator[RunningWoo]:
    """A fake of its own, for tests that change the store."""
    yield from serve_woo(woo_shop)
