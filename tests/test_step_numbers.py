"""Step numbers as the tool prints them and people paste them back (`bridge.register.step_numbers`)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridge.core.errors import InputError
from bridge.register.step_numbers import MAX_STEPS, parse, ranges


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("56–69", list(range(56, 70))),  # the en dash the to-do table prints
        ("56-69", list(range(56, 70))),
        ("56 – 69", list(range(56, 70))),  # spaces around the dash belong to the range
        ("85–91, 95, 96", [85, 86, 87, 88, 89, 90, 91, 95, 96]),
        ("12,13 14", [12, 13, 14]),
        ("  7  ", [7]),
        ("3, 1, 2, 3, 2-3", [1, 2, 3]),  # sorted and unique
        ("5-5", [5]),
        ("1—3;9", [1, 2, 3, 9]),  # an em dash and a semicolon, as editors make them
        ("1,,2", [1, 2]),
    ],
)
def test_what_the_tool_prints_and_people_type_is_read(text: str, numbers: list[int]) -> None:
    assert parse(text) == numbers


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("", "no step numbers"),
        (" , ", "no step numbers"),
        ("12,x", "'x'"),
        ("56-", "'56-'"),
        ("-5", "'-5'"),
        ("1--3", "'1--3'"),
        ("69-56", "low to high"),
        ("0", "start at 1"),
        ("1.5", "'1.5'"),
        ("١٢", "'١٢'"),  # digits of another script are not what the tool prints
        (f"1-{MAX_STEPS + 1}", f"more than {MAX_STEPS}"),
        ("12 all", "'all'"),
    ],
)
def test_anything_else_is_one_line_naming_the_bad_part(text: str, names: str) -> None:
    with pytest.raises(InputError) as refused:
        parse(text)
    message = str(refused.value)
    assert names in message and "\n" not in message


def test_a_long_bad_part_is_cut_short_in_the_message() -> None:
    with pytest.raises(InputError) as refused:
        parse("x" * 500)
    assert len(str(refused.value)) < 120


def test_ranges_are_printed_as_the_to_do_table_prints_them() -> None:
    assert ranges([95, 56, 57, 58, 96, 57]) == "56–58, 95, 96"
    assert ranges([1, 2]) == "1, 2" and ranges([]) == ""


@given(st.sets(st.integers(min_value=1, max_value=5000), min_size=1, max_size=200))
def test_what_is_printed_reads_back_the_same(numbers: set[int]) -> None:
    assert parse(ranges(numbers)) == sorted(numbers)
