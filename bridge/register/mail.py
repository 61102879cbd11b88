"""Mail to the customer over SMTP: the verification code, the data package and the final erasure
report, in Dutch and English.

Settings: SMTP_HOST, SMTP_PORT (587; 465 means TLS from the start), SMTP_USER, SMTP_PASSWORD,
SMTP_FROM. STARTTLS is used whenever the server offers it; a password is never sent over a
connection that is not encrypted (except to a server on this machine). Every mail goes to exactly
one recipient: the address of the request.
"""

from __future__ import annotations

import ipaddress
import smtplib
import ssl
from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from bridge.core.config import Config, Setting
from bridge.core.errors import BridgeError, InputError
from bridge.core.redact import Redactor

SMTP_SETTINGS = (
    Setting("SMTP_HOST", "the mail server that sends codes and packages"),
    Setting("SMTP_PORT", "587 (STARTTLS when offered) or 465 (TLS)", default="587"),
    Setting("SMTP_USER", "login name; no login when empty", required=False),
    Setting("SMTP_PASSWORD", "password of SMTP_USER", secret=True, required=False),
    Setting("SMTP_FROM", "sender address of the shop, e.g. privacy@shop.nl", required=False),
)
HOST, PORT, USER, PASSWORD, FROM = SMTP_SETTINGS
TIMEOUT = 30

# One function sends one message to one address; tests and scripts may pass their own.
Sender = Callable[[Config, EmailMessage, str], None]

RIGHT_NL = {
    "access": "inzage in uw persoonsgegevens",
    "portability": "overdracht van uw persoonsgegevens",
    "erasure": "verwijdering van uw persoonsgegevens",
    "rectification": "correctie van uw persoonsgegevens",
    "restriction": "beperking van de verwerking van uw persoonsgegevens",
    "objection": "bezwaar tegen de verwerking van uw persoonsgegevens",
}
RIGHT_EN = {
    "access": "access to your personal data",
    "portability": "a portable copy of your personal data",
    "erasure": "erasure of your personal data",
    "rectification": "correction of your personal data",
    "restriction": "restriction of the processing of your personal data",
    "objection": "an objection to the processing of your personal data",
}


def sender_address(config: Config) -> str:
    sender = config.get(FROM) or config.get(USER) or ""
    if "@" not in sender:
        raise InputError("SMTP_FROM is not set: the sender address of the mail (see .env.example)")
    return sender


def server(config: Config) -> tuple[str, int]:
    """The mail server's host and port, checked before any work that ends in a mail."""
    host = config.get(HOST)
    if not host:
        raise InputError("SMTP_HOST is not set: no mail can be sent (see .env.example)")
    try:
        port = int(config.get(PORT) or "587")
    except ValueError:
        raise InputError("SMTP_PORT must be a number") from None
    sender_address(config)
    return host, port


def send(config: Config, message: EmailMessage, to: str) -> None:
    """Send `message` to `to` only (the envelope has one recipient), over SMTP."""
    host, port = server(config)
    user, password = config.get(USER), config.get(PASSWORD) or ""
    redact = Redactor([password])
    context = ssl.create_default_context()
    try:
        smtp = (
            smtplib.SMTP_SSL(host, port, timeout=TIMEOUT, context=context)
            if port == 465
            else smtplib.SMTP(host, port, timeout=TIMEOUT)
        )
        with smtp:
            smtp.ehlo()
            encrypted = port == 465
            if not encrypted and smtp.has_extn("starttls"):
                smtp.starttls(context=context)
                smtp.ehlo()
                encrypted = True
            if user:
                if not encrypted and not _loopback(host):
                    raise BridgeError(
                        "the mail server offers no STARTTLS: refusing to send the SMTP password"
                        " unencrypted"
                    )
                smtp.login(user, password)
            smtp.send_message(message, from_addr=sender_address(config), to_addrs=[to])
    except smtplib.SMTPAuthenticationError:
        raise BridgeError("the mail server refused the SMTP credentials") from None
    except (smtplib.SMTPException, OSError) as exc:
        detail = redact(str(exc) or type(exc).__name__)
        raise BridgeError(f"the mail was not sent: {detail}") from None


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _message(config: Config, to: str, subject: str, body: str) -> EmailMessage:
    sender = sender_address(config)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    return message


def _when(moment: datetime) -> tuple[str, str]:
    local = moment.astimezone()
    zone = local.strftime("%Z") or local.strftime("%z")
    return local.strftime(f"%d-%m-%Y %H:%M {zone}"), local.strftime(f"%Y-%m-%d %H:%M {zone}")


def code_message(
    config: Config, to: str, request_id: str, kind: str, code: str, expires: datetime
) -> EmailMessage:
    """The verification code, valid until `expires`."""
    nl, en = _when(expires)
    body = f"""(English below)

Beste klant,

U heeft een verzoek gedaan om {RIGHT_NL[kind]} (verzoek {request_id}).
Om zeker te weten dat het verzoek van u komt, vragen wij u deze verificatiecode aan ons
door te geven, bijvoorbeeld door op deze e-mail te antwoorden:

    {code}

De code is geldig tot {nl}. Heeft u dit verzoek niet gedaan? Dan kunt u deze e-mail negeren;
er gebeurt dan niets met uw gegevens.

---

Dear customer,

You have asked for {RIGHT_EN[kind]} (request {request_id}).
To make sure the request comes from you, please give us this verification code, for example by
replying to this e-mail:

    {code}

The code is valid until {en}. If you did not make this request, you can ignore this e-mail;
nothing will happen to your data.
"""
    return _message(config, to, f"Uw verificatiecode / Your verification code ({request_id})", body)


def package_message(
    config: Config,
    to: str,
    request_id: str,
    package: Path,
    sha256: str,
    *,
    attach: bool,
    complete: bool,
    available_until: datetime,
) -> EmailMessage:
    """The data package attached, or (too large for mail) a notice that it is ready."""
    size_mb = f"{package.stat().st_size / 1024 / 1024:.1f}"
    nl_until, en_until = (s.split(" ")[0] for s in _when(available_until))
    if attach:
        nl_what = (
            "In de bijlage vindt u een kopie van de persoonsgegevens die wij van u bewaren, als\n"
            "zip-bestand. Open index.html voor een leesbaar overzicht; data.json en de map csv\n"
            "bevatten dezelfde gegevens in een machineleesbaar formaat."
        )
        en_what = (
            "Attached is a copy of the personal data we hold about you, as a zip file. Open\n"
            "index.html for a readable overview; data.json and the csv folder hold the same data\n"
            "in a machine-readable format."
        )
    else:
        nl_what = (
            "Uw gegevens staan klaar. Het bestand is te groot om per e-mail te versturen\n"
            f"({size_mb} MB). Wij bezorgen het u op een andere, veilige manier en nemen daarover\n"
            "contact met u op; u kunt ook op deze e-mail antwoorden. Het bestand blijft\n"
            f"beschikbaar tot {nl_until}."
        )
        en_what = (
            f"Your data is ready. The file is too large to send by e-mail ({size_mb} MB). We will\n"
            "hand it over to you in another secure way and will contact you about it; you can\n"
            f"also reply to this e-mail. The file remains available until {en_until}."
        )
    nl_gap = (
        ""
        if complete
        else "\nLet op: niet elk systeem kon worden geraadpleegd; index.html zegt welk.\n"
    )
    en_gap = (
        ""
        if complete
        else "\nPlease note: not every system could be reached; index.html says which.\n"
    )
    body = f"""(English below)

Beste klant,

Dit is ons antwoord op uw verzoek {request_id}.

{nl_what}
{nl_gap}
Controlegetal van het bestand (SHA-256): {sha256}

---

Dear customer,

This is our answer to your request {request_id}.

{en_what}
{en_gap}
Checksum of the file (SHA-256): {sha256}
"""
    message = _message(config, to, f"Uw gegevens / Your data ({request_id})", body)
    if attach:
        message.add_attachment(
            package.read_bytes(), maintype="application", subtype="zip", filename=package.name
        )
    return message


def erasure_message(
    config: Config, to: str, request_id: str, report: Path, sha256: str, *, attach: bool
) -> EmailMessage:
    """The erasure is complete: its final report attached, or (too large for mail) a notice
    that the customer can ask for it. The last mail to the address (it is forgotten next)."""
    size_mb = f"{report.stat().st_size / 1024 / 1024:.1f}"
    if attach:
        nl_what = (
            "In de bijlage vindt u het verslag als zip-bestand. Open index.html voor een leesbaar\n"
            "overzicht: per bedrijf wat er is verwijderd, wat wij volgens de wet nog moeten\n"
            "bewaren, waarom en tot wanneer, en welke bedrijven wij hebben gevraagd uw gegevens te\n"
            "verwijderen."
        )
        en_what = (
            "Attached is the report, as a zip file. Open index.html for a readable overview: per\n"
            "company what was erased, what the law still obliges us to keep, why and until when,\n"
            "and which companies we asked to erase your data."
        )
    else:
        nl_what = (
            f"Het verslag is te groot om per e-mail te versturen ({size_mb} MB). Antwoord op\n"
            "deze e-mail als u het wilt ontvangen; wij bezorgen het u dan op een veilige manier."
        )
        en_what = (
            f"The report is too large to send by e-mail ({size_mb} MB). Reply to this e-mail if\n"
            "you would like to receive it; we will then hand it over to you securely."
        )
    body = f"""(English below)

Beste klant,

Uw verzoek {request_id} om {RIGHT_NL["erasure"]} is afgerond: elke stap is uitgevoerd en
gecontroleerd, ook wat met de hand moest gebeuren.

{nl_what}

Dit is ons laatste bericht over dit verzoek: daarna bewaren wij uw e-mailadres er niet meer
voor. Bewaar het verslag daarom zelf.

Controlegetal van het bestand (SHA-256): {sha256}

---

Dear customer,

Your request {request_id} for {RIGHT_EN["erasure"]} is complete: every step has been carried
out and checked, including those that had to be done by hand.

{en_what}

This is our last message about this request: after it, we no longer keep your e-mail address
for it. Please keep the report yourself.

Checksum of the file (SHA-256): {sha256}
"""
    subject = f"Uw gegevens zijn verwijderd / Your data has been erased ({request_id})"
    message = _message(config, to, subject, body)
    if attach:
        message.add_attachment(
            report.read_bytes(), maintype="application", subtype="zip", filename=report.name
        )
    return message
