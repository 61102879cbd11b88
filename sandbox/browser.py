"""The customer's documents in a real browser: layout checks and screenshots in headless Chromium.

Debian's `chromium` driven by the `playwright` package (a dev dependency); playwright's own browser
downloads are never used. For the tests (tests/test_browser.py) and `privacy-bridge demo` only:
nothing at runtime imports this module.

    if (reason := available()) is None:
        with browser() as b:
            problems = b.check(Path("index.html"), 390)
            height = b.screenshot(Path("index.html"), Path("index-390.png"), 390)

A check loads a local page (file://) at one viewport width and reports, one line each:
- "overflow": the page scrolls sideways (`scrollWidth` > `innerWidth`), naming the widest elements;
- "off-screen": visible text lying (partly) left of 0 or right of the viewport;
- "pair": fixed text not rendered as a Dutch-English pair of sibling elements
  (`<x lang="nl">…</x><x lang="en">…</x>`, both with text);
- "external": a request that leaves file:// (it is aborted: local pages fetch nothing).
"""

from __future__ import annotations

import shutil
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
# Viewport heights by width: a phone (390 x 844) and a laptop (1280 x 800); others get 800.
HEIGHTS = {390: 844, 1280: 800}
# Schemes a local page may load from: itself, inline data, and nothing else.
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


def chromium() -> str | None:
    """Debian's chromium: /usr/bin/chromium, else `chromium` on the PATH; None when absent."""
    if Path(CHROMIUM).is_file():
        return CHROMIUM
    return shutil.which("chromium")


def available() -> str | None:
    """None when pages can be checked here; otherwise why not, in one line."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    if chromium() is None:
        return f"no chromium at {CHROMIUM} or on the PATH (Debian: apt-get install chromium)"
    return None


def viewport(width: int) -> dict[str, int]:
    return {"width": width, "height": HEIGHTS.get(width, 800)}


# Runs in the page; returns {"overflow": [...], "offscreen": [...], "pairs": [...]} of strings.
_CHECKS = r"""
() => {
  const W = window.innerWidth, SLACK = 0.5;
  const snippet = (text) => {
    const t = (text || "").replace(/\s+/g, " ").trim();
    return t.length > 30 ? t.slice(0, 30) + "…" : t;
  };
  const name = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    const cls = typeof el.className === "string" ? el.className.trim() : "";
    if (cls) s += "." + cls.split(/\s+/).join(".");
    return s;
  };
  // Rendered (not display:none, not visibility:hidden) and not in the content of a closed
  // `<details>` (its summary is shown).
  const shown = (el) => {
    if (!el.checkVisibility({visibilityProperty: true})) return false;
    if (el.tagName === "DETAILS" && !el.open) return false;  // text directly in it
    return !el.closest("details:not([open]) > :not(summary)");
  };
  // An ancestor (below body) that clips or scrolls its content sideways.
  const scroller = (el) => {
    for (let node = el.parentElement; node && node !== document.body
         && node !== document.documentElement; node = node.parentElement) {
      const x = getComputedStyle(node).overflowX;
      if (x !== "visible") return node;
    }
    return null;
  };

  // Every visible text node's horizontal extent (the union of its line boxes).
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.data.trim()) continue;
    const el = node.parentElement;
    if (!el || !shown(el)) continue;
    range.selectNodeContents(node);
    let left = Infinity, right = -Infinity;
    for (const r of range.getClientRects()) {
      if (r.width <= 0 || r.height <= 0) continue;
      left = Math.min(left, r.left);
      right = Math.max(right, r.right);
    }
    if (left !== Infinity) texts.push({el, text: node.data, left, right});
  }

  const overflow = [];
  const scrollWidth = document.documentElement.scrollWidth;
  if (scrollWidth > W) {
    // What sticks out on the right and is not inside a box that clips or scrolls it: elements,
    // and text running out of its element (a long word, a no-wrap line).
    const wide = [];
    for (const el of document.body.querySelectorAll("*")) {
      const r = el.getBoundingClientRect();
      if (r.right > W + SLACK && r.width > 0 && shown(el) && !scroller(el))
        wide.push({el, text: el.textContent, left: r.left, right: r.right, box: true});
    }
    for (const t of texts)
      if (t.right > W + SLACK && !scroller(t.el)) wide.push(t);
    wide.sort((a, b) => b.right - a.right || (b.right - b.left) - (a.right - a.left));
    const named = [], seen = new Set();
    for (const w of wide) {
      const key = w.el;
      if (seen.has(key) || named.length === 3) continue;
      seen.add(key);
      named.push(`${w.box ? "" : "text in "}${name(w.el)} "${snippet(w.text)}" ` +
        `(${Math.round(w.right - w.left)} px wide, right edge at ${Math.round(w.right)})`);
    }
    overflow.push(`the page is ${scrollWidth} px wide in a ${W} px viewport` +
      (named.length ? "; widest: " + named.join("; ") : ""));
  }

  const offscreen = [];
  for (const {el, text, left, right} of texts) {
    if (left >= -SLACK && right <= W + SLACK) continue;
    const box = scroller(el);
    offscreen.push(`"${snippet(text)}" in ${name(el)} spans ${Math.round(left)} to ` +
      `${Math.round(right)} px` + (box ? ` (inside ${name(box)}, overflow-x ` +
      `${getComputedStyle(box).overflowX})` : ""));
  }

  const pairs = [];
  const primary = (el) => (el.getAttribute("lang") || "").toLowerCase().split("-")[0];
  const hasText = (el) => !!el && el.textContent.trim() !== "";
  for (const el of document.querySelectorAll("[lang]")) {
    if (el === document.documentElement) continue;
    const lang = primary(el);
    if (lang === "nl") {
      const next = el.nextElementSibling;
      if (!hasText(el))
        pairs.push(`${name(el)} lang="nl" is empty (before "${snippet(next && next.textContent)}")`);
      if (!next || primary(next) !== "en")
        pairs.push(`${name(el)} lang="nl" "${snippet(el.textContent)}" has no lang="en" sibling ` +
          `after it`);
      else if (!hasText(next))
        pairs.push(`${name(next)} lang="en" after "${snippet(el.textContent)}" is empty`);
    } else if (lang === "en") {
      const prev = el.previousElementSibling;
      if (!prev || primary(prev) !== "nl")
        pairs.push(`${name(el)} lang="en" "${snippet(el.textContent)}" has no lang="nl" sibling ` +
          `before it`);
    }
  }
  return {overflow, offscreen, pairs};
}
"""


class Browser:
    """One running chromium; each check or screenshot opens a fresh context (page) in it."""

    def __init__(self, browser: Any) -> None:
        self._browser = browser

    @contextmanager
    def _page(self, html_path: Path, width: int) -> Iterator[tuple[Any, list[str]]]:
        """The page loaded at `width`, and the requests that left file:// (aborted; a URL may
        be listed twice: by the route that aborted it and by the page that asked)."""
        context = self._browser.new_context(
            viewport=viewport(width), device_scale_factor=1, locale="nl-NL"
        )
        external: list[str] = []

        def guard(route: Any) -> None:
            url = route.request.url
            if url.startswith(LOCAL_SCHEMES):
                route.continue_()
            else:
                external.append(url)
                route.abort("blockedbyclient")

        def seen(request: Any) -> None:
            if not request.url.startswith(LOCAL_SCHEMES):
                external.append(request.url)

        try:
            context.route("**/*", guard)
            page = context.new_page()
            page.on("request", seen)
            page.goto(Path(html_path).resolve().as_uri(), wait_until="load")
            yield page, external
        finally:
            context.close()

    def check(self, html_path: Path, width: int) -> list[str]:
        """What is wrong with the page at this viewport width; empty when nothing is."""
        with self._page(html_path, width) as (page, external):
            found = page.evaluate(_CHECKS)
        return [
            *(f"overflow at {width} px: {line}" for line in found["overflow"]),
            *(f"off-screen at {width} px: {line}" for line in found["offscreen"]),
            *(f"pair: {line}" for line in found["pairs"]),
            *(f"external request: {url}" for url in dict.fromkeys(external)),
        ]

    def screenshot(self, html_path: Path, png_path: Path, width: int) -> int:
        """A full-page PNG of the page at this width; returns its height in px."""
        with self._page(html_path, width) as (page, _):
            page.screenshot(path=str(png_path), full_page=True)
        return png_height(png_path)


def png_height(path: Path) -> int:
    """The height in the PNG's header (IHDR: width and height after the 16-byte start)."""
    with open(path, "rb") as file:
        head = file.read(24)
    return int(struct.unpack(">I", head[20:24])[0])


@contextmanager
def browser() -> Iterator[Browser]:
    """One headless chromium for many pages; raises RuntimeError when `available()` says no."""
    if (reason := available()) is not None:
        raise RuntimeError(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        running = driver.chromium.launch(executable_path=chromium(), headless=True)
        try:
            yield Browser(running)
        finally:
            running.close()


def check(html_path: Path, width: int) -> list[str]:
    """`Browser.check` in a browser of its own (for one page; use `browser()` for many)."""
    with browser() as b:
        return b.check(html_path, width)


def screenshot(html_path: Path, png_path: Path, width: int) -> int:
    """`Browser.screenshot` in a browser of its own (for one page; use `browser()` for many)."""
    with browser() as b:
        return b.screenshot(html_path, png_path, width)
