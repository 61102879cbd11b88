"""The WordPress plugin against Debian's real WordPress: a site on loopback (PHP's own server,
MariaDB), the plugin activated and set up through its settings page, and WordPress's own export
and erase flows driven through admin-ajax.php as the admin screens drive them, for the sandbox's
customer, whose requests are confirmed through the link of WordPress's e-mail.

Needs `integrations/wordpress/ci-setup.sh` (Debian's wordpress, mariadb-server, php-cli,
php-mysql, php-curl, php-zip; the test database; /etc/wordpress/config-127.0.0.1.php); skipped
with the reason when they are not there.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from bridge.core.config import Config
from bridge.service import clients
from bridge.service.app import create_app
from bridge.service.limits import Limits
from sandbox.server import Sandbox, start

WORDPRESS = Path("/usr/share/wordpress")
SITE_CONFIG = Path("/etc/wordpress/config-127.0.0.1.php")
PLUGIN = Path(__file__).resolve().parents[1] / "integrations" / "wordpress" / "privacy-bridge"
SETUP = "integrations/wordpress/ci-setup.sh"
DB, DB_USER, DB_PASSWORD = "privacy_bridge_wp", "privacy_bridge_wp", "privacy-bridge-test"
ADMIN, ADMIN_PASSWORD = "admin", "a-long-test-password-1"


def _missing() -> str | None:
    """Why the test cannot run here, or None."""
    for tool in ("php", "mariadb", "mariadb-admin"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (run {SETUP})"
    if not (WORDPRESS / "wp-admin" / "admin-ajax.php").is_file():
        return f"Debian's wordpress is not installed (run {SETUP})"
    if not SITE_CONFIG.is_file():
        return f"{SITE_CONFIG} is missing (run {SETUP})"
    modules = subprocess.run(["php", "-m"], capture_output=True, text=True).stdout.lower()
    for module in ("mysqli", "curl", "zip"):
        if module not in modules.split():
            return f"PHP's {module} module is missing (run {SETUP})"
    if subprocess.run(["mariadb-admin", "ping"], capture_output=True).returncode != 0:
        return f"MariaDB is not running (run {SETUP})"
    return None


pytestmark = pytest.mark.skipif(_missing() is not None, reason=_missing() or "")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait(port: int, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on {port}")


@dataclass
class Site:
    url: str
    content: Path
    mail: Path
    admin: httpx.Client

    def page(self, path: str) -> str:
        answer = self.admin.get(f"{self.url}{path}")
        assert answer.status_code == 200, (path, answer.status_code)
        return answer.text

    def ajax(self, **form: object) -> Any:
        answer = self.admin.post(
            f"{self.url}/wp-admin/admin-ajax.php", data={k: str(v) for k, v in form.items()}
        )
        assert answer.status_code == 200, answer.text[:500]
        body = answer.json()
        assert body["success"], body
        return body["data"]


@pytest.fixture()
def sbx() -> Iterator[Sandbox]:
    """A sandbox of this test's own: the erasure changes its data."""
    with start("woocommerce") as running:
        yield running


@pytest.fixture()
def bridge(sbx: Sandbox, tmp_path: Path) -> Iterator[tuple[str, str, Config]]:
    """The bridge's service on a loopback port, over the sandbox; its URL and a client token."""
    config = Config({**sbx.env, "PRIVACY_BRIDGE_HOME": str(tmp_path / "state")})
    api = create_app(config, limits=Limits(per_minute=10_000))
    made = clients.add(api.state.service.store, "wordpress", None, now=datetime.now(UTC))
    port = _port()
    server = uvicorn.Server(uvicorn.Config(api, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="bridge", daemon=True)
    thread.start()
    _wait(port)
    yield f"http://127.0.0.1:{port}", made.token, config
    server.should_exit = True
    thread.join(timeout=10)
    api.state.service.app.close()


@pytest.fixture()
def site(tmp_path: Path) -> Iterator[Site]:
    """A fresh WordPress on a fresh database, installed, the admin logged in."""
    subprocess.run(
        ["mariadb", "-u", DB_USER, f"-p{DB_PASSWORD}", "-e",
         f"DROP DATABASE IF EXISTS {DB}; CREATE DATABASE {DB} CHARACTER SET utf8mb4"],
        check=True,
    )  # fmt: skip
    content = tmp_path / "wp-content"
    (content / "plugins").mkdir(parents=True)
    (content / "uploads").mkdir()
    (content / "plugins" / "privacy-bridge").symlink_to(PLUGIN)
    mail = tmp_path / "mail.txt"
    port = _port()
    env = {**os.environ, "PRIVACY_BRIDGE_WP_CONTENT": str(content), "PRIVACY_BRIDGE_WP_DB": DB}
    php = subprocess.Popen(
        ["php", "-d", f"sendmail_path=tee -a {mail} >/dev/null", "-d", "max_execution_time=300",
         "-S", f"127.0.0.1:{port}", "-t", str(WORDPRESS)],
        env=env, stdout=subprocess.DEVNULL, stderr=(tmp_path / "php.log").open("wb"),
    )  # fmt: skip
    try:
        _wait(port)
        url = f"http://127.0.0.1:{port}"
        admin = httpx.Client(timeout=300, follow_redirects=True)
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
        assert installed.status_code == 200 and "Success" in installed.text, installed.text[:500]
        admin.get(f"{url}/wp-login.php")  # the test cookie WordPress asks for
        logged = admin.post(
            f"{url}/wp-login.php",
            data={"log": ADMIN, "pwd": ADMIN_PASSWORD, "testcookie": "1", "wp-submit": "Log In"},
        )
        assert "wp-admin" in str(logged.url) and logged.status_code == 200
        yield Site(url, content, mail, admin)
        admin.close()
    finally:
        php.terminate()
        php.wait(timeout=10)


def _nonce(text: str) -> str:
    found = re.search(r'name="_wpnonce" value="([0-9a-f]+)"', text)
    assert found, "no nonce on the page"
    return found.group(1)


def _form(text: str, marker: str) -> str:
    """The form of the page holding `marker`."""
    at = text.index(marker)
    return text[text.rindex("<form", 0, at) : text.index("</form>", at)]


def _activate_and_set_up(site: Site, url: str, token: str) -> None:
    plugins = site.page("/wp-admin/plugins.php")
    link = re.search(
        r'href="(plugins\.php\?action=activate&amp;plugin=privacy-bridge[^"]+)"', plugins
    )
    assert link, "the plugin is not listed"
    site.page("/wp-admin/" + html.unescape(link.group(1)))
    settings = site.page("/wp-admin/options-general.php?page=privacy-bridge")
    form = _form(settings, "privacy_bridge_url")
    saved = site.admin.post(
        f"{site.url}/wp-admin/options.php",
        data={
            "option_page": "privacy_bridge",
            "action": "update",
            "_wpnonce": _nonce(form),
            "_wp_http_referer": "/wp-admin/options-general.php?page=privacy-bridge",
            "privacy_bridge_url": url,
            "privacy_bridge_token": token,
        },
    )
    assert saved.status_code == 200
    shown = site.page("/wp-admin/options-general.php?page=privacy-bridge")
    assert url in shown and token not in shown and token[-4:] in shown  # masked, never in full


def _confirmed_request(site: Site, screen: str, action: str, email: str) -> int:
    """A request added on WordPress's Tools screen, confirmed by the customer's e-mail link."""
    page = site.page(f"/wp-admin/{screen}")
    form = _form(page, action)
    fields = dict(re.findall(r'<input type="hidden"[^>]* name="([^"]+)" value="([^"]*)"', form))
    fields.update(re.findall(r'<input[^>]* name="([^"]+)"[^>]* value="([^"]*)"', form))
    fields |= {"username_or_email_for_privacy_request": email, "send_confirmation_email": "1"}
    site.admin.post(f"{site.url}/wp-admin/{screen}", data=fields)
    mails = site.mail.read_text(errors="replace").replace("=\n", "").replace("=3D", "=")
    links = re.findall(r"https?://\S*action=confirmaction\S*", mails)
    assert links, "WordPress sent no confirmation link"
    confirm = httpx.get(links[-1].rstrip(">"), follow_redirects=True, timeout=300)
    assert confirm.status_code == 200, confirm.text[:300]
    found = re.search(r"request_id=(\d+)", links[-1])
    assert found
    return int(found.group(1))


def _row(page: str, kind: str, request_id: int) -> tuple[str, int]:
    """The nonce and the count of exporters (erasers) of a request's row on the Tools screen."""
    for div in re.findall(rf'<div class="{kind}"[^>]*>', page):
        if f'data-request-id="{request_id}"' in div:
            nonce = re.search(r'data-nonce="([^"]+)"', div)
            count = re.search(r'data-(?:exporters|erasers)-count="(\d+)"', div)
            assert nonce and count
            return nonce.group(1), int(count.group(1))
    raise AssertionError(f"no {kind} row for request {request_id}")


def test_wordpress_exports_and_erases_the_processors_data_through_the_plugin(
    bridge: tuple[str, str, Config], site: Site, sbx: Sandbox
) -> None:
    url, token, config = bridge
    email = sbx.shop.subject_email
    _activate_and_set_up(site, url, token)

    # Export: the customer confirms, the request is registered in the bridge as verified.
    export_id = _confirmed_request(
        site, "export-personal-data.php", "add_export_personal_data_request", email
    )
    api_headers = {"Authorization": f"Bearer {token}"}
    nonce, exporters = _row(
        site.page("/wp-admin/export-personal-data.php"), "export-personal-data", export_id
    )
    answer: dict[str, Any] = {}
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
    archive = (
        site.content / "uploads" / "wp-personal-data-exports" / answer["url"].rsplit("/", 1)[1]
    )
    with zipfile.ZipFile(archive) as opened:
        names = opened.namelist()
        document = json.loads(opened.read("export.json"))
        index = opened.read("index.html").decode()
    assert "index.html" in names
    groups = next(iter(document.values()))
    with httpx.Client(base_url=url, headers=api_headers) as api:
        registered = [r for r in (clients_requests(config)) if r[1] == f"wp-{export_id}"]
        assert registered, "the confirmation did not register the request"
        state = api.get(f"/v1/requests/{registered[0][0]}").json()
    assert state["type"] == "access" and state["status"] in ("in_progress", "verified")
    processors = [s for s, status in state["systems"].items() if status == "ok"]
    assert len(processors) >= 3, state["systems"]
    for system in processors:  # one group per company, holding its records
        assert system in groups, (system, list(groups))
        assert groups[system]["items"], system
        assert groups[system]["group_label"] in index

    # Erasure: the same customer asks to be forgotten; the messages name what is kept, until when.
    erase_id = _confirmed_request(
        site, "erase-personal-data.php", "add_remove_personal_data_request", email
    )
    nonce, erasers = _row(
        site.page("/wp-admin/erase-personal-data.php"), "remove-personal-data", erase_id
    )
    messages: list[str] = []
    retained = removed = False
    for eraser in range(1, erasers + 1):
        page, done = 1, False
        while not done:
            step = site.ajax(
                action="wp-privacy-erase-personal-data",
                eraser=eraser,
                id=erase_id,
                page=page,
                security=nonce,
            )
            messages += step["messages"]
            retained |= bool(step["items_retained"])
            removed |= bool(step["items_removed"])
            done = bool(step["done"])
            page += 1
    assert removed and retained
    kept = [m for m in messages if re.search(r" are kept until \d{1,2} \w+ \d{4}", m)]
    assert kept, messages


def clients_requests(config: Config) -> list[tuple[str, str | None]]:
    """(request id, reference) of every request a client registered in the bridge's state."""
    from bridge.store.db import Store

    store = Store(config.home)
    try:
        rows = store.db.execute("SELECT request_id, reference FROM service_requests").fetchall()
        return [(r["request_id"], r["reference"]) for r in rows]
    finally:
        store.close()
