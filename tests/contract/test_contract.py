"""The contract every registered system (bridge.core.plugins) passes by being registered.

Each check runs for every registered connector on every sandbox shop that serves it (see
`connectors/<system>/contract.py`); expected records come from the seeded stores, never from constants:
1. `check()` with a wrong key or secret raises AuthFailure, naming no secret;
2. a listing of exactly a multiple of the page size is collected whole, each record once, and a
   listing paged without a total is read up to its empty next page;
3. a 429 and a 500 on the first listing request are retried: the result is the one without them;
4. a listing that answers 400 or 403 with the vendor's error body, or HTML, gives status `error`
   with a message: never `ok`/`not_found` with what happened to be read;
5. every record carries a type (one the connector declares), an id and why it matched;
6. the identity traps: the subject's address in another case is found, everything under the
   subject's address is found, the containment look-alike (dejan@ beside jan@) is not, and an
   order number that merely starts with the subject's is not followed;
7. at DEBUG level, no secret (nor its base64 form) and no e-mail address of the shop is logged.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import suppress
from typing import Any

import pytest
from harness import (
    Bench,
    Case,
    all_cases,
    emails_in,
    quiet,
    sandbox_secrets,
    secret_forms,
    shop_emails,
)

from bridge.core import kinds
from bridge.core.errors import AuthFailure
from bridge.core.models import Identifier, SourceResult, Status
from bridge.core.plugins import by_name, registry
from sandbox.contract import PERSON, Key, contracts, same
from sandbox.faults import Fault, html_error
from sandbox.server import SHOPS

# Known bugs, each failing exactly one parametrized case (strict: fixing it turns the case red
# until the entry goes): (check, system, shop, variant) -> the bug. "*" matches any.
# Known connector bugs, one case each, as strict xfails; empty when there are none.
BUGS: dict[tuple[str, str, str, str], str] = {}

Variants = Callable[[Case], Iterable[tuple[str, Any]]]


def _no_variants(case: Case) -> Iterable[tuple[str, Any]]:
    return [("", None)]


def cases(
    check: str, variants: Variants = _no_variants, only: Callable[[Case], bool] | None = None
) -> list[Any]:
    """The parameters of `check`: every case (and variant), known bugs marked xfail(strict)."""
    params: list[Any] = []
    for case in all_cases():
        if only is not None and not only(case):
            continue
        for name, value in variants(case):
            reason = next(
                (
                    BUGS[key]
                    for key in (
                        (check, case.system, shop, variant)
                        for shop in (case.shop, "*")
                        for variant in (name, "*")
                    )
                    if key in BUGS
                ),
                None,
            )
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            values = (case, value) if variants is not _no_variants else (case,)
            ident = f"{case}-{name}" if name else str(case)
            params.append(pytest.param(*values, marks=marks, id=ident))
    return params


def secret_settings(case: Case) -> list[tuple[str, str]]:
    return [(s.name, s.name) for s in by_name(case.system).settings if s.secret]


def wrong(value: str) -> str:
    """A value of the same shape (prefix, length) that is not the right one."""
    tail = "wxyz" if not value.endswith("wxyz") else "abcd"
    return value[:-4] + tail


def keys(result: SourceResult) -> set[Key]:
    return {(r.type, r.id) for r in result.records}


def looks_up_orders(case: Case) -> bool:
    return kinds.ORDER_NUMBER in by_name(case.system).looks_up


# -- the registry ------------------------------------------------------------------------------


def test_every_registered_connector_has_a_contract_entry() -> None:
    registered = {cls.name for cls in registry()}
    assert registered - set(contracts()) == set(), "registered without a contract entry"
    assert set(contracts()) - registered == set(), "contract entries for unregistered systems"
    for contract in contracts().values():
        assert contract.shops, contract.system
        for shop in contract.shops:
            assert contract.system in SHOPS[shop], f"{shop} does not serve {contract.system}"


# -- 1. credentials ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "setting"), cases("check_refuses_a_wrong_secret", secret_settings)
)
def test_check_refuses_a_wrong_secret(bench: Bench, setting: str) -> None:
    good = bench.config().values[setting]
    bad = wrong(good)
    connector = bench.connector(**{setting: bad})
    try:
        with pytest.raises(AuthFailure) as refused:
            connector.check()
    finally:
        connector.close()
    message = str(refused.value)
    assert message.removeprefix(f"{bench.system}:").strip()
    secrets = [bench.config().values[s.name] for s in by_name(bench.system).settings if s.secret]
    leaked = sorted(f for f in secret_forms([*secrets, bad]) if f in message)
    assert not leaked, f"the message {message!r} holds a secret"
    connector = bench.connector()
    try:
        connector.check()  # and the right one is accepted
    finally:
        connector.close()


# -- 2. paging ---------------------------------------------------------------------------------


@pytest.mark.parametrize("case", cases("whole_pages_are_collected_completely"))
def test_whole_pages_are_collected_completely(fresh_bench: Bench) -> None:
    bench = fresh_bench
    size = bench.contract.page_size
    listing = bench.contract.fill(bench.shop, PERSON, 2 * size)
    assert len(listing.ids) == 2 * size
    quiet(bench.sandbox)
    connector = bench.connector()
    if bench.contract.page_attribute:
        setattr(connector, bench.contract.page_attribute, size)
    try:
        found = connector.collect([Identifier(kind=kinds.EMAIL, value=PERSON)])
    finally:
        connector.close()
    ids = [r.id for r in found.records if r.type == listing.type]
    repeated = sorted(i for i, n in Counter(ids).items() if n > 1)
    assert not repeated, f"{len(repeated)} records came more than once"
    assert len(set(ids)) == len(listing.ids), "records missing or foreign"
    assert set(ids) == listing.ids
    asked = Counter(path for method, path in bench.requests if method == "GET")
    for path, pages in listing.requests.items():
        assert asked[path] == pages, f"{path}: {pages - 1} full pages, then the empty one"


# -- 3. retries --------------------------------------------------------------------------------


def records(result: SourceResult) -> dict[Key, tuple[list[str], dict[str, Any]]]:
    return {(r.type, r.id): (sorted(r.matched_by), r.data) for r in result.records}


@pytest.mark.parametrize("case", cases("429_and_500_are_retried"))
def test_429_and_500_are_retried(bench: Bench) -> None:
    expected = bench.baseline()
    quiet(bench.sandbox)
    faults = bench.sandbox.faults[bench.system]
    path = bench.contract.listing_path
    too_many = faults.add(bench.contract.too_many(path))
    failing = faults.add(Fault(status=500, path=path))
    result = bench.collect()
    assert (too_many.times, failing.times) == (0, 0), "the faults were not met"
    assert (result.status, result.error) == (Status.ok, None)
    assert expected.status is Status.ok
    assert records(result) == records(expected)


# -- 4. refusals -------------------------------------------------------------------------------


# Answers of a wrong shape, as a 200: each must fail the listing, never read as "nothing found".
SHAPES = {"null": b"null", "object": b'{"foo": 1}', "scalars": b"[1, 2, 3]", "text": b'"ok"'}


def refusals(case: Case) -> list[tuple[str, str]]:
    return [("400", "400"), ("403", "403"), ("html", "html")] + [(s, s) for s in SHAPES]


@pytest.mark.parametrize(
    ("case", "answer"), cases("refusal_is_an_error_never_an_empty_result", refusals)
)
def test_refusal_is_an_error_never_an_empty_result(bench: Bench, answer: str) -> None:
    path = bench.contract.listing_path
    if answer == "html":
        fault = html_error(status=200, path=path, times=10**6)
    elif answer in SHAPES:
        fault = Fault(status=200, body=SHAPES[answer], path=path, times=10**6)
    else:
        body = bench.contract.error_body(int(answer))
        fault = Fault(status=int(answer), body=body, path=path, times=10**6)
    bench.sandbox.faults[bench.system].add(fault)
    result = bench.collect()
    # A system with other resources to read is `partial`, naming the one refused; one that could
    # read nothing is an `error`. Never `ok` or `not_found`.
    assert result.status in (Status.error, Status.partial), (
        f"{result.status} with {len(result.records)} records"
    )
    assert (result.error or "").strip(), "an error without a message"
    if result.status is Status.partial:
        assert result.failed, "partial without the failed resource named"


# -- 5. records --------------------------------------------------------------------------------


@pytest.mark.parametrize("case", cases("records_carry_type_id_and_matched_by"))
def test_records_carry_type_id_and_matched_by(bench: Bench) -> None:
    result = bench.baseline()
    assert result.status is Status.ok and result.records, result.error
    declared = by_name(bench.system).categories
    for record in result.records:
        assert record.type.strip() and record.id.strip(), record
        assert record.matched_by, f"{record.type} {record.id} says not why it matched"
        assert all(isinstance(m, str) and m.strip() for m in record.matched_by), record.matched_by
        assert record.type in declared, f"record type {record.type!r} has no categories"


# -- 6. identity -------------------------------------------------------------------------------


@pytest.mark.parametrize("case", cases("address_in_another_case_is_found"))
def test_address_in_another_case_is_found(bench: Bench) -> None:
    variant = bench.shop.traps["case"]
    assert variant != bench.shop.subject_email and same(variant, bench.shop.subject_email)
    trap = {key for key, email in bench.contract.by_email(bench.shop) if email == variant}
    assert trap, "the store holds no record under the address in another case: plant one"
    assert sorted(trap - keys(bench.baseline(email_only=True))) == []


@pytest.mark.parametrize("case", cases("every_record_under_the_address_is_found"))
def test_every_record_under_the_address_is_found(bench: Bench) -> None:
    subject = bench.shop.subject_email
    mine = {key for key, email in bench.contract.by_email(bench.shop) if same(email, subject)}
    assert mine
    assert sorted(mine - keys(bench.baseline(email_only=True))) == []


@pytest.mark.parametrize("case", cases("containment_lookalike_is_not_found"))
def test_containment_lookalike_is_not_found(bench: Bench) -> None:
    lookalike, subject = bench.shop.traps["containment"], bench.shop.subject_email
    assert subject.split("@")[0] in lookalike and not same(lookalike, subject)
    theirs = {key for key, email in bench.contract.by_email(bench.shop) if same(email, lookalike)}
    assert theirs, "the store holds nothing of the look-alike here"
    assert sorted(theirs & keys(bench.baseline())) == []


@pytest.mark.parametrize("case", cases("shared_order_prefix_is_not_followed", only=looks_up_orders))
def test_shared_order_prefix_is_not_followed(bench: Bench) -> None:
    by_order = bench.contract.by_order
    assert by_order is not None, "looks up order numbers: the entry needs `by_order`"
    prefix, longer = bench.shop.traps["shared_prefix_of"], bench.shop.traps["shared_prefix"]
    assert longer.startswith(prefix) and longer != prefix
    numbers = {i.value for i in bench.revealed() if i.kind == kinds.ORDER_NUMBER}
    assert prefix in numbers and longer not in numbers
    found = keys(bench.baseline())
    trap = {key for key, number in by_order(bench.shop) if number == longer}
    assert trap, "the store holds nothing under the longer order number here"
    assert sorted(trap & found) == []
    of_subject = {key for key, number in by_order(bench.shop) if number in numbers}
    assert sorted(of_subject - found) == []


# -- 7. logs -----------------------------------------------------------------------------------


@pytest.mark.parametrize("case", cases("debug_log_holds_no_secret_or_address"))
def test_debug_log_holds_no_secret_or_address(
    bench: Bench, caplog: pytest.LogCaptureFixture
) -> None:
    if bench.system != bench.platform:
        bench.revealed()  # the shop's own collect is its own case
    setting = next(s.name for s in by_name(bench.system).settings if s.secret)
    bad = wrong(bench.config().values[setting])
    with caplog.at_level(logging.DEBUG):
        result = bench.collect()
        connector = bench.connector()
        refused = bench.connector(**{setting: bad})
        try:
            connector.check()
            with suppress(AuthFailure):
                refused.check()
        finally:
            connector.close()
            refused.close()
    assert result.status is Status.ok, result.error
    text = caplog.text
    assert any(r.name.startswith("privacy_bridge") for r in caplog.records), "nothing logged"
    leaked = sorted(s for s in sandbox_secrets(bench.sandbox) | secret_forms([bad]) if s in text)
    assert not leaked, f"secrets in the log: {leaked}"
    key = ("emails", bench.kind)
    if key not in bench.memo:
        bench.memo[key] = shop_emails(bench.shop)
    addresses = sorted(emails_in(text) & bench.memo[key])
    assert not addresses, f"e-mail addresses in the log: {addresses}"
