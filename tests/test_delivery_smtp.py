"""The SMTP client: STARTTLS whenever the server offers it, a login only when a user is set."""

from __future__ import annotations

import ipaddress
import ssl
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from test_register import free_port

from bridge.core.config import Config
from bridge.core.errors import BridgeError, InputError
from bridge.register import mail

TO = "jan@example.nl"


class Recorder:
    def __init__(self) -> None:
        self.logins: list[tuple[bytes, bytes]] = []
        self.deliveries: list[dict[str, Any]] = []

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        self.logins.append((data.login, data.password))
        return AuthResult(success=data.password == b"right-password", handled=False)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.deliveries.append(
            {
                "tls": session.ssl is not None,
                "to": list(envelope.rcpt_tos),
                "auth": bool(session.authenticated),
            }
        )
        return "250 OK"


def certificate(tmp_path: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def server(recorder: Recorder, tls: ssl.SSLContext | None) -> Controller:
    kwargs: dict[str, Any] = {"authenticator": recorder.authenticate}
    if tls is None:
        kwargs["auth_require_tls"] = False
    else:
        kwargs["tls_context"] = tls
    return Controller(recorder, hostname="127.0.0.1", port=free_port(), **kwargs)


@pytest.fixture()
def tls_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Recorder, int]]:
    cert, key = certificate(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    original = ssl.create_default_context
    monkeypatch.setattr(mail.ssl, "create_default_context", lambda: original(cafile=str(cert)))
    recorder = Recorder()
    controller = server(recorder, context)
    controller.start()
    try:
        yield recorder, controller.port
    finally:
        controller.stop()


@pytest.fixture()
def plain_server() -> Iterator[tuple[Recorder, int]]:
    recorder = Recorder()
    controller = server(recorder, None)
    controller.start()
    try:
        yield recorder, controller.port
    finally:
        controller.stop()


def config(port: int, **extra: str) -> Config:
    return Config(
        {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SMTP_FROM": "p@shop.nl", **extra}
    )


def message(cfg: Config) -> Any:
    return mail.code_message(cfg, TO, "req-20261121-abcd", "access", "123456", datetime.now(UTC))


def test_starttls_when_offered_then_login(tls_server: tuple[Recorder, int]) -> None:
    recorder, port = tls_server
    cfg = config(port, SMTP_USER="shop", SMTP_PASSWORD="right-password")
    mail.send(cfg, message(cfg), TO)
    assert recorder.logins == [(b"shop", b"right-password")]
    assert recorder.deliveries == [{"tls": True, "to": [TO], "auth": True}]


def test_no_login_without_a_user(plain_server: tuple[Recorder, int]) -> None:
    recorder, port = plain_server
    cfg = config(port)
    mail.send(cfg, message(cfg), TO)
    assert recorder.logins == []
    assert recorder.deliveries == [{"tls": False, "to": [TO], "auth": False}]


def test_refused_credentials_are_one_safe_line(tls_server: tuple[Recorder, int]) -> None:
    _, port = tls_server
    cfg = config(port, SMTP_USER="shop", SMTP_PASSWORD="wrong-password")
    with pytest.raises(BridgeError, match="refused the SMTP credentials") as caught:
        mail.send(cfg, message(cfg), TO)
    assert "wrong-password" not in str(caught.value)


def test_missing_settings_are_input_errors() -> None:
    with pytest.raises(InputError, match="SMTP_HOST"):
        mail.server(Config({"SMTP_FROM": "p@shop.nl"}))
    with pytest.raises(InputError, match="SMTP_FROM"):
        mail.server(Config({"SMTP_HOST": "127.0.0.1"}))
    with pytest.raises(InputError, match="SMTP_PORT"):
        mail.server(Config({"SMTP_HOST": "h", "SMTP_PORT": "x", "SMTP_FROM": "p@shop.nl"}))


def test_an_unreachable_server_is_one_line(tmp_path: Path) -> None:
    cfg = config(free_port())
    with pytest.raises(BridgeError, match="the mail was not sent"):
        mail.send(cfg, message(cfg), TO)
