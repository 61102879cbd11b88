"""The customer's documents in headless Chromium (issue 14): at 390 and 1280 px wide, no sideways
scrolling, no text off the screen, every fixed text in Dutch and English, nothing fetched from
outside. First the checks themselves on small pages, then the package and the erasure report of
the subject and the heavy customer of both sandbox shops, and the package of a person nobody knows.

Debian's chromium (sandbox.browser): without it, or without playwright, these tests skip.
"""

from __future__ import annotations

import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from bridge import api
from bridge.core.config import Config
from sandbox.browser import Browser, available, browser, png_height
from sandbox.server import SHOPS, start, unlimited

WIDTHS = (390, 1280)
NOBODY = "nobody@nowhere.example"


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    if (reason := available()) is not None:
        pytest.skip(f"no browser checks: {reason}")
    with browser() as running:
        yield running


def _page(tmp_path: Path, body: str, name: str = "page", head: str = "") -> Path:
    path = tmp_path / f"{name}.html"
    path.write_text(
        '<!doctype html><html lang="nl"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><title>t</title>'
        f"<style>body {{ margin: 8px; font: 16px sans-serif; }}</style>{head}</head>"
        f"<body>{body}</body></html>",
        encoding="utf-8",
    )
    return path


PAIR = '<p lang="nl">Uw gegevens</p><p lang="en">Your data</p>'
WIDE = "x" * 400  # one word far wider than a phone


def test_a_clean_page_passes_at_both_widths(chromium: Browser, tmp_path: Path) -> None:
    page = _page(
        tmp_path,
        f"<h1><span lang='nl'>Overzicht</span> <span lang='en'>Overview</span></h1>{PAIR}"
        # A wide table in a scrolling box inside a closed <details>: not shown, not checked.
        f"<details><summary><span lang='nl'>Ruwe gegevens</span><span lang='en'>Raw data</span>"
        f"</summary><div style='overflow-x: auto'><pre>{WIDE}</pre></div></details>"
        f"<div style='display: none'><p style='width: 3000px'>{WIDE}</p></div>"
        f"<p style='visibility: hidden; margin-left: -200px'>verborgen</p>"
        "<svg width='300' height='40' role='img'><text x='10' y='20'>2024</text></svg>",
    )
    for width in WIDTHS:
        assert chromium.check(page, width) == []


def test_overflow_is_found_and_its_cause_named(chromium: Browser, tmp_path: Path) -> None:
    page = _page(tmp_path, f"{PAIR}<div class='band wide' style='width: 600px; height: 9px'></div>")
    (problem,) = chromium.check(page, 390)
    assert problem.startswith("overflow at 390 px: the page is 608 px wide in a 390 px viewport")
    assert 'div.band.wide ""' in problem
    assert chromium.check(page, 1280) == []

    word = _page(tmp_path, f"<p class='ids' lang='nl'>nr {WIDE}</p><p lang='en'>no</p>", "word")
    problems = chromium.check(word, 390)
    assert len(problems) == 2, problems  # the page scrolls, and the word runs off it
    assert problems[0].startswith("overflow at 390 px") and 'text in p.ids "nr xxx' in problems[0]
    assert problems[1].startswith('off-screen at 390 px: "nr xxx') and "in p.ids" in problems[1]


def test_text_off_screen_is_found_where_nothing_scrolls(chromium: Browser, tmp_path: Path) -> None:
    page = _page(
        tmp_path,
        "<p style='margin-left: -60px' lang='nl'>Links buiten beeld</p><p lang='en'>Left out</p>"
        "<div class='clip' style='overflow: hidden'><span style='white-space: nowrap'>"
        + "Een regel die niet afbreekt en rechts verdwijnt "
        * 2
        + "</span></div>"
        "<div class='scroll' style='overflow-x: auto'>"
        "<p style='width: 1000px; text-align: right'>rechts</p></div>",
    )
    problems = chromium.check(page, 390)
    assert not any(p.startswith("overflow") for p in problems)  # the page itself does not scroll
    assert len(problems) == 3, problems
    left, clipped, scrolled = problems
    assert left.startswith('off-screen at 390 px: "Links buiten beeld" in p spans -52 to ')
    assert clipped.startswith('off-screen at 390 px: "Een regel die niet afbreekt en…" in span')
    assert clipped.endswith("(inside div.clip, overflow-x hidden)")
    # Text in a box that scrolls sideways is still beyond the phone's edge.
    assert scrolled.startswith('off-screen at 390 px: "rechts" in p spans ')
    assert scrolled.endswith("(inside div.scroll, overflow-x auto)")
    (left,) = chromium.check(page, 1280)
    assert left.startswith('off-screen at 1280 px: "Links buiten beeld" in p spans -52 to ')


def test_open_details_are_checked(chromium: Browser, tmp_path: Path) -> None:
    page = _page(tmp_path, f"<details open><summary>{PAIR}</summary><p>{WIDE}</p></details>")
    kinds = [p.split(" at ")[0] for p in chromium.check(page, 390)]
    assert kinds == ["overflow", "off-screen"]


def test_a_broken_pair_is_found(chromium: Browser, tmp_path: Path) -> None:
    page = _page(
        tmp_path,
        "<h2><span lang='nl'>Alleen Nederlands</span></h2>"
        "<p lang='en'>Only English</p>"
        "<p lang='nl'>Engels leeg</p><p lang='en'> </p>"
        "<p lang='nl'></p><p lang='en'>Dutch empty</p>"
        "<p lang='en'>Wrong order</p><p lang='nl'>Verkeerde volgorde</p>"
        "<p lang='nl'>Iets ertussen</p><p>—</p><p lang='en'>Something between</p>"
        f"{PAIR}<p lang='de'>Ein Name</p>",
    )
    problems = chromium.check(page, 1280)
    assert problems == [
        'pair: span lang="nl" "Alleen Nederlands" has no lang="en" sibling after it',
        'pair: p lang="en" "Only English" has no lang="nl" sibling before it',
        'pair: p lang="en" after "Engels leeg" is empty',
        'pair: p lang="nl" is empty (before "Dutch empty")',
        'pair: p lang="en" "Wrong order" has no lang="nl" sibling before it',
        'pair: p lang="nl" "Verkeerde volgorde" has no lang="en" sibling after it',
        'pair: p lang="nl" "Iets ertussen" has no lang="en" sibling after it',
        'pair: p lang="en" "Something between" has no lang="nl" sibling before it',
    ]
    assert chromium.check(page, 390) == problems


def test_nothing_is_fetched_from_outside(chromium: Browser, tmp_path: Path) -> None:
    page = _page(
        tmp_path,
        f"{PAIR}<img src='http://example.invalid/pixel.png' alt=''>",
        head="<link rel='stylesheet' href='https://example.invalid/style.css'>",
    )
    assert sorted(chromium.check(page, 390)) == [
        "external request: http://example.invalid/pixel.png",
        "external request: https://example.invalid/style.css",
    ]


def test_a_screenshot_is_the_whole_page(chromium: Browser, tmp_path: Path) -> None:
    page = _page(tmp_path, f"{PAIR}<div style='height: 3000px'></div>")
    png = tmp_path / "page.png"
    height = chromium.screenshot(page, png, 390)
    assert png.read_bytes().startswith(b"\x89PNG") and png_height(png) == height
    assert height > 3000


# The customer's documents, as the tool writes them.


def _unpack(archive: Path, into: Path) -> Path:
    with zipfile.ZipFile(archive) as package:
        package.extractall(into)
    return into / "index.html"


@pytest.fixture(scope="module", params=list(SHOPS))
def documents(
    request: pytest.FixtureRequest, chromium: Browser, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """The pages of one shop by name ("subject package", ...): the package and the erasure report
    of the subject and of the heavy customer, and the package of a person nobody knows."""
    shop: str = request.param
    base = tmp_path_factory.mktemp(shop)
    pages: dict[str, Path] = {}
    with start(shop) as sandbox:
        unlimited(sandbox)
        config = Config({**sandbox.env, "PRIVACY_BRIDGE_HOME": str(base / "state")})
        people = {"subject": sandbox.shop.subject_email, "heavy": sandbox.shop.bulk_email}
        for who, email in [*people.items(), ("nobody", NOBODY)]:
            exported = api.export(email, base / who, config)
            pages[f"{who} package"] = _unpack(exported.package, base / who / "package")
            if who == "nobody":
                continue
            erased = api.erase(email, config, dry_run=False, out_dir=base / who)
            assert erased.report is not None
            pages[f"{who} erasure report"] = _unpack(erased.report, base / who / "erasure")
    return pages


def _summary(found: dict[str, list[str]]) -> str:
    """Per page and width: how many problems of each kind, and the first few of each."""
    lines = []
    for where, problems in found.items():
        kinds = Counter(p.split(":")[0].split(" at ")[0] for p in problems)
        lines.append(f"{where}: " + ", ".join(f"{n} {kind}" for kind, n in kinds.items()))
        shown: dict[str, int] = defaultdict(int)
        for problem in problems:
            kind = problem.split(":")[0].split(" at ")[0]
            shown[kind] += 1
            if shown[kind] <= 3:
                lines.append(f"    {problem}")
    return "\n".join(lines)


def test_the_customers_documents_read_well_in_a_browser(
    chromium: Browser, documents: dict[str, Path]
) -> None:
    assert len(documents) == 5
    found = {
        f"{name} at {width} px": problems
        for name, page in documents.items()
        for width in WIDTHS
        if (problems := chromium.check(page, width))
    }
    assert not found, "\n" + _summary(found)
