"""The README's screenshots of the WordPress plugin, taken from a real site as the test builds it.

Sets up what tests/test_wordpress.py sets up (Debian's WordPress on loopback with PHP's own
server and MariaDB, the plugin activated, the bridge's service over the woocommerce sandbox),
then, in Debian's chromium logged in as the admin:

- docs/wordpress-settings.png: Settings › privacy-bridge, the URL and token saved through the form;
- docs/wordpress-export.png: the export zip WordPress built for the sandbox's customer, unzipped,
  its index.html opened at the first processor's group;
- docs/wordpress-tools.png: Tools › Export Personal Data with the customer's request listed.

Needs `integrations/wordpress/ci-setup.sh` (run as root) and the `playwright` package.
Run from the repository's root: `.venv/bin/python integrations/wordpress/screenshots.py`.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
import tempfile
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import uvicorn

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


from bridge.core.config import Config  # noqa: E402
from bridge.service import clients  # noqa: E402
from bridge.service.app import create_app  # noqa: E402
from bridge.service.limits import Limits  # noqa: E402
from sandbox.server import Sandbox, start  # noqa: E402
from tests.test_wordpress import (  # noqa: E402  (the repository's root is on the path first)
    ADMIN,
    ADMIN_PASSWORD,
    DB,
    DB_PASSWORD,
    DB_USER,
    PLUGIN,
    WORDPRESS,
    Site,
    _confirmed_request,
    _missing,
    _port,
    _row,
    _wait,
)

DOCS = ROOT / "docs"
CHROMIUM = "/usr/bin/chromium"
WIDTH, HEIGHT = 1280, 800


@contextmanager
def site_and_bridge(tmp: Path) -> Iterator[tuple[Site, str, str, Sandbox]]:
    """The test's fixtures in one: the sandbox, the bridge over it with a client's token, and a
    fresh WordPress (the plugin present, not yet active) with the admin logged in."""
    with start("woocommerce") as sbx:
        config = Config({**sbx.env, "PRIVACY_BRIDGE_HOME": str(tmp / "state")})
        api = create_app(config, limits=Limits(per_minute=10_000))
        made = clients.add(api.state.service.store, "webshop", None, now=datetime.now(UTC))
        port = _port()
        server = uvicorn.Server(
            uvicorn.Config(api, host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, name="bridge", daemon=True)
        thread.start()
        _wait(port)
        try:
            with _site(tmp) as site:
                yield site, f"http://127.0.0.1:{port}", made.token, sbx
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            api.state.service.app.close()


@contextmanager
def _site(tmp: Path) -> Iterator[Site]:
    subprocess.run(
        ["mariadb", "-u", DB_USER, f"-p{DB_PASSWORD}", "-e",
         f"DROP DATABASE IF EXISTS {DB}; CREATE DATABASE {DB} CHARACTER SET utf8mb4"],
        check=True,
    )  # fmt: skip
    content = tmp / "wp-content"
    (content / "plugins").mkdir(parents=True)
    (content / "uploads").mkdir()
    (content / "plugins" / "privacy-bridge").symlink_to(PLUGIN)
    mail = tmp / "mail.txt"
    port = _port()
    env = {**os.environ, "PRIVACY_BRIDGE_WP_CONTENT": str(content), "PRIVACY_BRIDGE_WP_DB": DB}
    php = subprocess.Popen(
        ["php", "-d", f"sendmail_path=tee -a {mail} >/dev/null", "-d", "max_execution_time=300",
         "-S", f"127.0.0.1:{port}", "-t", str(WORDPRESS)],
        env=env, stdout=subprocess.DEVNULL, stderr=(tmp / "php.log").open("wb"),
    )  # fmt: skip
    try:
        _wait(port)
        url = f"http://127.0.0.1:{port}"
        with httpx.Client(timeout=300, follow_redirects=True) as admin:
            installed = admin.post(
                f"{url}/wp-admin/install.php?step=2",
                data={
                    "weblog_title": "Sandbox shop",
                    "user_name": ADMIN,
                    "admin_password": ADMIN_PASSWORD,
                    "admin_password2": ADMIN_PASSWORD,
                    "pw_weak": "1",
                    "admin_email": "admin@shop.example",
                    "blog_public": "0",
                    "language": "",
                },
            )
            assert "Success" in installed.text, installed.text[:500]
            admin.get(f"{url}/wp-login.php")  # the test cookie WordPress asks for
            logged = admin.post(
                f"{url}/wp-login.php",
                data={
                    "log": ADMIN,
                    "pwd": ADMIN_PASSWORD,
                    "testcookie": "1",
                    "wp-submit": "Log In",
                },
            )
            assert "wp-admin" in str(logged.url), "the admin could not log in"
            yield Site(url, content, mail, admin)
    finally:
        php.terminate()
        php.wait(timeout=10)


def main() -> int:
    missing = _missing()
    if missing:
        print(f"cannot take the screenshots: {missing}", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    with (
        tempfile.TemporaryDirectory(prefix="privacy-bridge-wp-") as tmp,
        site_and_bridge(Path(tmp)) as (site, url, token, sbx),
        sync_playwright() as pw,
    ):
        plugins = site.page("/wp-admin/plugins.php")
        link = re.search(
            r'href="(plugins\.php\?action=activate&amp;plugin=privacy-bridge[^"]+)"', plugins
        )
        if link is None:
            raise SystemExit("the plugin is not listed on the Plugins screen")
        site.page("/wp-admin/" + html.unescape(link.group(1)))

        browser = pw.chromium.launch(executable_path=CHROMIUM)
        context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
        context.add_cookies(
            [
                {
                    "name": c.name,
                    "value": c.value or "",
                    "domain": "127.0.0.1",
                    "path": c.path or "/",
                }
                for c in site.admin.cookies.jar
            ]
        )
        tab = context.new_page()

        # (1) The settings page: the shop owner pastes the URL and the token and saves.
        tab.goto(f"{site.url}/wp-admin/options-general.php?page=privacy-bridge")
        tab.fill("#privacy_bridge_url", url)
        tab.fill("#privacy_bridge_token", token)
        tab.click("#submit")
        tab.wait_for_load_state()
        shown = tab.content()
        assert url in shown and token not in shown and token[-4:] in shown, "not saved"
        tab.screenshot(path=str(DOCS / "wordpress-settings.png"))

        # The customer asks for their data; the admin runs WordPress's export as the screen does.
        email = sbx.shop.subject_email
        export_id = _confirmed_request(
            site, "export-personal-data.php", "add_export_personal_data_request", email
        )
        nonce, exporters = _row(
            site.page("/wp-admin/export-personal-data.php"), "export-personal-data", export_id
        )
        answer: dict[str, object] = {}
        for exporter in range(1, exporters + 1):
            page, done = 1, False
            while not done:
                answer = site.ajax(
                    action="wp-privacy-export-personal-data",
                    exporter=exporter,
                    id=export_id,
                    page=page,
                    security=nonce,
                    sendAsEmail="false",
                )
                done = bool(answer["done"])
                page += 1
        name = str(answer["url"]).rsplit("/", 1)[1]
        archive = site.content / "uploads" / "wp-personal-data-exports" / name
        unzipped = Path(tmp) / "export"
        with zipfile.ZipFile(archive) as opened:
            opened.extractall(unzipped)

        # (3) Tools › Export Personal Data, the request listed.
        tab.goto(f"{site.url}/wp-admin/export-personal-data.php")
        tab.screenshot(path=str(DOCS / "wordpress-tools.png"))

        # (2) The zip's index.html, at the first group of a processor (after WordPress's own).
        tab.set_viewport_size({"width": 1100, "height": 1000})
        tab.goto((unzipped / "index.html").as_uri())
        ids = [str(h.get_attribute("id")) for h in tab.locator("h2[id]").all()]
        print("groups in the export:", ", ".join(ids))
        own = ("-about", "-user", "-woocommerce")  # WordPress's own and the shop's own groups
        processor = next((i for i in ids if not i.endswith(own)), None)
        if processor is not None:
            top = tab.evaluate(
                f"document.getElementById({processor!r}).getBoundingClientRect().top + scrollY"
            )
            tab.evaluate(f"window.scrollTo(0, {max(0, float(top) - 16)})")
        tab.screenshot(path=str(DOCS / "wordpress-export.png"))
        browser.close()
    for shot in ("settings", "export", "tools"):
        path = DOCS / f"wordpress-{shot}.png"
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
