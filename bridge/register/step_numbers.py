"""Step numbers as the tool prints them and people paste them back: `56–69, 95, 96`.

The to-do table and `requests show` print an erasure's manual steps as ranges joined by commas
(`ranges`); `parse` reads that back, and what people type by hand: a hyphen or an en dash (a
pasted range keeps the dash it was printed with), commas, spaces or both between the parts.

    parse("85–91, 95, 96")   # -> [85, 86, 87, 88, 89, 90, 91, 95, 96]
    parse("12,13 14")        # -> [12, 13, 14]
    ranges([56, 57, 58, 95]) # -> "56–58, 95"
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bridge.core.errors import InputError
from exports.erasure_report import compact_ids

# The dashes a range may be written with: the hyphen typed by hand, the en dash the tool prints,
# and the em dash and minus sign that word processors and chat clients turn them into.
DASHES = "-\u2013\u2014\u2212"
# More steps than one erasure plausibly has: a typo such as `1-99999` is refused, not expanded.
MAX_STEPS = 100_000

_RANGE = re.compile(rf"\s*[{DASHES}]\s*")
_PART = re.compile(r"([0-9]+)(?:-([0-9]+))?")
EXAMPLE = "e.g. 56-69, 85, 95"


def parse(text: str) -> list[int]:
    """The step numbers in `text`, sorted and unique; an InputError naming the part it cannot
    read (one line, as every input error)."""
    # Spaces around a dash belong to the range ("56 – 69"), not between two parts.
    joined = _RANGE.sub("-", text.strip())
    parts = [p for p in re.split(r"[,;\s]+", joined) if p]
    if not parts:
        raise InputError(f"no step numbers given ({EXAMPLE})")
    found: set[int] = set()
    for part in parts:
        match = _PART.fullmatch(part)
        if match is None:
            raise InputError(f"{_shown(part)} is not a step number or range ({EXAMPLE})")
        first = int(match.group(1))
        last = int(match.group(2)) if match.group(2) is not None else first
        if first < 1:
            raise InputError(f"{_shown(part)}: step numbers start at 1")
        if last < first:
            raise InputError(f"{_shown(part)}: a range goes from low to high ({first}-{last}?)")
        if last - first + 1 + len(found) > MAX_STEPS:
            raise InputError(f"{_shown(part)}: more than {MAX_STEPS} steps")
        found.update(range(first, last + 1))
    return sorted(found)


def ranges(numbers: Iterable[int]) -> str:
    """Numbers as the tool prints them: sorted, three or more in a row as a range with an en dash
    (`56–69, 95, 96`), so that what is shown can be pasted back into `parse`; never cut short."""
    unique = sorted(set(numbers))
    return compact_ids([str(n) for n in unique], limit=max(len(unique), 1))


def _shown(part: str) -> str:
    """The bad part, quoted and cut short: what the operator typed, for the error line."""
    return repr(part if len(part) <= 20 else part[:20] + "…")
