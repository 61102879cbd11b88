"""The demo and `sandbox serve`: the only commands that start the built-in sandbox.

The sandbox (fakes of every registered system and a seeded shop) is imported here alone (its
browser by demo_screenshots), and only when one of these commands runs (the layers in
pyproject.toml allow it nowhere else in bridge/).
"""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bridge import api
from bridge.cli.common import err, handled, out
from bridge.cli.demo_screenshots import screenshots
from bridge.cli.progress import export_progress
from bridge.cli.views import erasure_summary_table, manual_table, summary_table
from bridge.core.config import HOME_SETTING
from bridge.core.dirs import private_dir
from bridge.core.errors import InputError
from bridge.core.plugins import registry

if TYPE_CHECKING:
    pass

sandbox_app = typer.Typer(help="The built-in sandbox: fakes of every system with a seeded shop.")
# The shops in words for --help, without importing the sandbox: a shop is played on each
# registered platform (sandbox.server.SHOPS; a test holds the two alike), the first the default.
_PLATFORMS = [c.name for c in registry() if c.role == "platform"]
SHOP_CHOICES = f"{_PLATFORMS[0]} (the default) or " + " or ".join(_PLATFORMS[1:])


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
    serve: Annotated[
        bool,
        typer.Option(
            "--serve",
            help="Instead: keep the sandbox running with the HTTP service over it, and print "
            "three commands to try it (a request over HTTP, its webhook, its package once).",
        ),
    ] = False,
) -> None:
    """Start the sandbox, export a seeded customer with a rich history, then erase them.

    The erasure's plan is shown first (a dry run), then applied, verified and reported. The
    sandbox and its state are thrown away afterwards; the package and the report stay.

    With --serve: the sandbox and `privacy-bridge serve` over it run until Ctrl-C (or SIGTERM),
    with a client whose webhooks go to a local receiver; OUT/serve.env holds the settings and
    OUT/serve.home is the service's own state directory (made anew each run).

    Example: privacy-bridge demo --out ./demo-out
    or:      privacy-bridge demo --serve --out ./demo-out
    """
    import tempfile

    from bridge.core.config import Config
    from sandbox.server import DEFAULT_SHOP, SHOPS, start

    if (shop or DEFAULT_SHOP) not in SHOPS:  # refused before any sandbox starts
        raise InputError(f"unknown shop {shop!r}; choose from {', '.join(SHOPS)}")
    if serve:
        serve_demo(shop or DEFAULT_SHOP, out_dir)
        return
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


def _free_port(preferred: int) -> int:
    """`preferred` when nothing listens on it at 127.0.0.1, else a free port."""
    import socket

    for port in (preferred, 0):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(probe.getsockname()[1])
    raise InputError("no free port on 127.0.0.1")  # pragma: no cover


def _shown(path: Path) -> str:
    """A path as short as it can be for a command to paste in this directory, shell-quoted."""
    import os
    import shlex

    absolute = path.absolute()
    try:
        shown = str(absolute.relative_to(Path.cwd()))
    except ValueError:
        shown = str(absolute)
    return shlex.quote(shown if os.sep in shown else f"./{shown}")


def serve_recipe(
    *,
    base: str,
    token: str,
    secret: str,
    env_file: Path,
    out_dir: Path,
    receiver_port: int,
    email: str,
) -> str:
    """The three commands against a running `demo --serve`, filled in."""
    import sys

    python = _shown(Path(sys.executable))
    found = Path(sys.executable).with_name("privacy-bridge")
    cli = _shown(found) if found.is_file() else f"{python} -m bridge"
    env, packages = _shown(env_file), _shown(out_dir / "packages")
    fetched = _shown(out_dir / "packages" / "fetched.zip")
    field = "python3 -c 'import json,sys;print(json.load(sys.stdin)[\"{}\"])'"
    body = f'{{"type":"access","email":"{email}","reference":"demo-1"}}'
    return f"""\
# 1. Receive and verify the webhooks: prints each verified event (stop it with: kill %1)
PRIVACY_BRIDGE_WEBHOOK_SECRET={secret} {python} -m bridge.service.receiver --port {receiver_port} & sleep 1
# 2. Create a request over HTTP: answers with its id and legal due date
TOKEN={token}; R=$(curl -fsS -X POST {base}/v1/requests -H "Authorization: Bearer $TOKEN" \\
  -H 'Content-Type: application/json' -d '{body}'); echo "$R"; ID=$(echo "$R" | {field.format("id")})
# 3. Verify it by hand, export it, fetch the package once (the second fetch answers 410)
{cli} requests verify "$ID" --manual --note 'demo: checked by phone' --env-file {env} \\
  && {cli} export --request "$ID" --out {packages} --env-file {env} \\
  && URL={base}$(curl -fsS -H "Authorization: Bearer $TOKEN" {base}/v1/requests/$ID/package \\
     | {field.format("url")}) \\
  && curl -fsS -o {fetched} "$URL" && echo "fetched {fetched.strip("'")}" \\
  && curl -sS -o /dev/null -w 'second fetch: %{{http_code}}\\n' "$URL"
"""


def serve_demo(shop: str, out_dir: Path) -> None:
    """`demo --serve`: the sandbox, the HTTP service over it with a client, until interrupted."""
    import os
    import shutil
    import sys
    from datetime import UTC, datetime

    import uvicorn

    from bridge.cli.serve import DEFAULT_PORT
    from bridge.core.config import Config
    from bridge.service import clients
    from bridge.service.app import create_app
    from bridge.service.limits import HEADER_BYTES
    from sandbox.server import env_file_text, start

    private_dir(out_dir)
    env_file = out_dir / "serve.env"
    home = (out_dir / "serve.home").absolute()
    shutil.rmtree(home, ignore_errors=True)  # the demo's own: made anew, like the sandbox
    private_dir(home)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    receiver_port = _free_port(9000)
    port = _free_port(DEFAULT_PORT)
    base = f"http://127.0.0.1:{port}"
    with start(shop) as sandbox:
        settings = {**sandbox.env, HOME_SETTING: str(home)}
        email = sandbox.shop.subject_email
        text = env_file_text(settings, subject=email)
        fd = os.open(env_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # keys of the fakes
        with os.fdopen(fd, "w") as file:
            file.write(text)
        service_app = create_app(Config(settings), webhooks=True, poll_seconds=1.0)
        service = service_app.state.service
        callback = f"http://127.0.0.1:{receiver_port}/hook"
        made = clients.add(service.store, "webshop", callback, now=datetime.now(UTC))
        service.app.register().log(None, "client_added", client="webshop", callback=True)
        server = uvicorn.Server(
            uvicorn.Config(
                service_app,
                host="127.0.0.1",
                port=port,
                access_log=False,  # a download link's path is a credential: never logged
                server_header=False,
                http="h11",
                h11_max_incomplete_event_size=HEADER_BYTES * 2,
                timeout_keep_alive=5,
                log_level="warning",
            )
        )
        thread = threading.Thread(target=server.run, name="service", daemon=True)
        thread.start()
        while not server.started and thread.is_alive() and not stop.wait(0.05):
            pass
        try:
            if not server.started:
                if stop.is_set():
                    return
                raise InputError(f"the service did not start on {base}")
            err.print(
                f"sandbox: {sandbox.shop.kind} shop with {', '.join(sandbox.servers)} on loopback",
                highlight=False,
                soft_wrap=True,
            )
            err.print(
                f"settings: {env_file}; the service's own state directory: {home}",
                highlight=False,
                soft_wrap=True,
            )
            err.print(f"client webshop: webhooks to {callback}", highlight=False)
            if os.environ.get(HOME_SETTING, "").strip():
                err.print(
                    f"note: {HOME_SETTING} is set in your environment and wins over {env_file}:"
                    " unset it in the shell where you paste the commands",
                    highlight=False,
                    soft_wrap=True,
                )
            out.print(f"serving on {base}", highlight=False)
            out.print(
                "\nIn another shell, in this directory, paste these three commands:\n",
                highlight=False,
            )
            recipe = serve_recipe(
                base=base,
                token=made.token,
                secret=made.secret,
                env_file=env_file,
                out_dir=out_dir,
                receiver_port=receiver_port,
                email=email,
            )
            out.print(recipe, highlight=False, markup=False, soft_wrap=True)
            sys.stdout.flush()  # a pipe would hold it back
            err.print("Ctrl-C to stop")
            while not stop.wait(0.5) and thread.is_alive():
                pass
        finally:
            server.should_exit = True
            thread.join(timeout=20)
    err.print("stopped")


# The customer's two documents as a phone (390 px wide) and a laptop (1280 px) show them.
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
