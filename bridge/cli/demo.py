"""The demo and `sandbox serve`: the only commands that start the built-in sandbox.

The sandbox (fakes of every registered system and a seeded shop) is imported here alone, and only
when one of these commands runs (the layers in pyproject.toml allow it nowhere else in bridge/).
"""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bridge import api
from bridge.cli.common import err, handled, out
from bridge.cli.views import erasure_summary_table, export_progress, manual_table, summary_table
from bridge.core.config import HOME_SETTING
from bridge.core.dirs import private_dir
from bridge.core.errors import InputError

if TYPE_CHECKING:
    from sandbox.browser import Browser

sandbox_app = typer.Typer(help="The built-in sandbox: fakes of every system with a seeded shop.")
# The shops in words for --help, which must not import the sandbox (sandbox.server.SHOPS; a test
# holds the two alike).
SHOP_CHOICES = "woocommerce (the default) or lightspeed"


@handled
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Where the package goes.")] = Path(
        "demo-out"
    ),
    shop: Annotated[
        str | None,
        typer.Option(
            "--shop",
            help=f"Which reference shop to play: {SHOP_CHOICES}.",
        ),
    ] = None,
) -> None:
    """Start the sandbox, export a seeded customer with a rich history, then erase them.

    The erasure's plan is shown first (a dry run), then applied, verified and reported. The
    sandbox and its state are thrown away afterwards; the package and the report stay.

    Example: privacy-bridge demo --out ./demo-out
    """
    import tempfile

    from bridge.core.config import Config
    from sandbox.server import DEFAULT_SHOP, SHOPS, start

    if (shop or DEFAULT_SHOP) not in SHOPS:  # refused before any sandbox starts
        raise InputError(f"unknown shop {shop!r}; choose from {', '.join(SHOPS)}")
    with start(shop or DEFAULT_SHOP) as sandbox, tempfile.TemporaryDirectory() as state:
        email = sandbox.shop.subject_email
        err.print(
            f"sandbox: {sandbox.shop.kind} shop with {', '.join(sandbox.servers)} on loopback"
        )
        err.print(f"exporting the data of {email}")
        config = Config({**sandbox.env, "PRIVACY_BRIDGE_HOME": state})
        with export_progress(err) as listener:
            result = api.export(email, out_dir, config, listener=listener)
        out.print(summary_table(result.data))
        out.print(f"package: {result.package}", highlight=False)
        policy = api.policy_for(config)
        err.print(f"planning the erasure of {email}")
        plan = api.erase(email, config, dry_run=True, policy=policy)
        out.print(erasure_summary_table(plan.result, "Erasure plan (dry run: nothing changed yet)"))
        err.print("applying the erasure")
        erased = api.erase(email, config, dry_run=False, policy=policy, out_dir=out_dir)
    out.print(erasure_summary_table(erased.result, "Erasure applied"))
    if erased.result.manual_open:
        out.print(manual_table(erased.result))
    for problem in erased.result.problems:
        out.print(f"[red]not verified:[/red] {problem}", highlight=False)
    verdict = "verified" if erased.complete else "NOT complete"
    out.print(f"erasure {verdict}; report: {erased.report}", highlight=False)
    documents = {"package": result.package, "erasure": erased.report}
    screenshots(out_dir / (shop or DEFAULT_SHOP), documents)
    if not (result.complete and erased.complete):
        raise typer.Exit(1)


# The customer's two documents as a phone (390 px wide) and a laptop (1280 px) show them.
SCREEN_WIDTHS = (390, 1280)


def screenshots(shop_dir: Path, documents: dict[str, Path | None]) -> None:
    """Full-page PNGs of each zip's index.html at each width, in `shop_dir`/pages (owner-only),
    beside the pages themselves (`package.html`, `erasure.html`); each path and height printed.

    Headless Chromium (sandbox.browser): without it, one line says why and the demo goes on.
    """
    from bridge.core.dirs import private_dir
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


def sandbox_home(env_file: Path) -> Path:
    """The sandbox's own state directory: `FILE.home` beside the env file `FILE`, absolute."""
    target = env_file.expanduser().absolute()
    return target.with_name(f"{target.name}.home")


@sandbox_app.command("serve")
@handled
def sandbox_serve(
    env_file: Annotated[
        Path,
        typer.Option(
            "--env-file",
            help="Where to write the settings; the sandbox's own state directory is made beside "
            "it (FILE.home).",
        ),
    ] = Path("sandbox.env"),
    latency_ms: Annotated[int, typer.Option("--latency-ms", min=0, help="Delay per request.")] = 0,
    shop: Annotated[
        str | None,
        typer.Option(
            "--shop",
            help=f"Which reference shop to play: {SHOP_CHOICES}.",
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the generated shop.")] = 7,
    scale: Annotated[
        int,
        typer.Option(
            "--scale",
            min=1,
            help="Make the shop about N times as large: N-1 copies of its people with all "
            "their records (70: about 100,000 orders and 20,000 customers).",
        ),
    ] = 1,
    hostile: Annotated[
        bool,
        typer.Option(
            "--hostile",
            help="Play the vendors at their least helpful: person "
            "filters ignored, unconfirmed fields spelled the other way, side resources missing.",
        ),
    ] = False,
) -> None:
    """Run the fakes on free loopback ports until interrupted (SIGINT or SIGTERM).

    The settings written include a state directory of the sandbox's own: PRIVACY_BRIDGE_HOME is
    the directory FILE.home beside the env file (made 0700, kept between runs: delete it to
    start over), so that fake requests, index and keys never land in your real state directory.
    A PRIVACY_BRIDGE_HOME set in your environment would win over the file: unset it for commands
    against the sandbox.

    Example: privacy-bridge sandbox serve --env-file sandbox.env --latency-ms 50
    then, in another shell: privacy-bridge export --env-file sandbox.env --email ... --out out
    """
    import os
    import time

    from sandbox.data import build_shop
    from sandbox.hostile import HOSTILE
    from sandbox.server import SHOPS, env_file_text, start

    shop = shop or next(iter(SHOPS))
    if shop not in SHOPS:
        raise InputError(f"unknown shop {shop!r}; choose from {', '.join(SHOPS)}")
    # Beside the env file, absolute: the commands that read the file may run from anywhere.
    home = private_dir(sandbox_home(env_file))
    began = time.perf_counter()
    built = build_shop(shop, seed=seed, scale=scale)
    orders = built.order_count()
    err.print(
        f"built the {shop} shop (scale {scale}: {orders:,} orders) "
        f"in {time.perf_counter() - began:.1f} s"
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    hostility = HOSTILE if hostile else None
    with start(shop, latency_ms=latency_ms, seed=seed, shop=built, hostile=hostility) as sandbox:
        settings = {**sandbox.env, HOME_SETTING: str(home)}
        text = env_file_text(settings, subject=sandbox.shop.subject_email)
        env_file.write_text(text)
        out.print(text, end="", highlight=False, markup=False)
        err.print(f"subject with a rich history: {sandbox.shop.subject_email}")
        err.print(f"the sandbox's own state directory: {home}")
        if os.environ.get(HOME_SETTING, "").strip():
            err.print(
                f"note: {HOME_SETTING} is set in your environment and wins over {env_file}:"
                " unset it for commands against the sandbox",
                highlight=False,
                soft_wrap=True,
            )
        err.print(f"settings written to {env_file}; Ctrl-C to stop")
        while not stop.wait(0.5):
            pass
