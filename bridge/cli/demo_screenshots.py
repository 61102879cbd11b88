"""The demo's screenshots of the customer's two pages at a phone's and a laptop's width, in
headless Chromium (sandbox.browser, imported only when they are taken)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bridge.cli.common import err, out
from bridge.core.dirs import private_dir

if TYPE_CHECKING:
    from sandbox.browser import Browser

SCREEN_WIDTHS = (390, 1280)


def screenshots(shop_dir: Path, documents: dict[str, Path | None]) -> None:
    """Full-page PNGs of each zip's index.html at each width, in `shop_dir`/pages (owner-only),
    beside the pages themselves (`package.html`, `erasure.html`); each path and height printed.

    Headless Chromium (sandbox.browser): without it, one line says why and the demo goes on.
    """
    from sandbox.browser import available, browser

    if (reason := available()) is not None:
        err.print(f"no screenshots: {reason}", highlight=False, soft_wrap=True)
        return
    private_dir(shop_dir)
    pages = private_dir(shop_dir / "pages")
    try:
        with browser() as chromium:
            for name, archive in documents.items():
                if archive is not None:
                    _screenshot(chromium, name, archive, pages)
    except Exception as exc:  # a browser that would not start
        err.print(f"no screenshots: {_first_line(exc)}", highlight=False, soft_wrap=True)


def _screenshot(chromium: Browser, name: str, archive: Path, pages: Path) -> None:
    """`name`.html out of the zip, and its PNG at each width."""
    import os
    import zipfile

    html = pages / f"{name}.html"
    with zipfile.ZipFile(archive) as package:
        page = package.read("index.html")
    fd = os.open(html, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(page)
    for width in SCREEN_WIDTHS:
        png = pages / f"{name}-{width}.png"
        try:
            height = chromium.screenshot(html, png, width)
        except Exception as exc:  # e.g. a page too tall for Chromium to capture
            err.print(f"no screenshot {png}: {_first_line(exc)}", highlight=False, soft_wrap=True)
            continue
        png.chmod(0o600)
        out.print(f"screenshot: {png} ({width} x {height} px)", highlight=False)


def _first_line(exc: Exception) -> str:
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
