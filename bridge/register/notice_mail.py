"""The art. 19 notice as a mail, in the processor's language (bridge.register.notices sends it):
the request's reference, the records to erase or restrict, the address the processor knows the
person by."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from bridge.core.config import Config
from bridge.core.plugins import by_name
from bridge.register import mail

# What the processor is asked per record: a step by hand is theirs to erase; a record the shop
# keeps under a legal duty is theirs to restrict until that term ends.
ERASE, RESTRICT = "erase", "restrict"


@dataclass(frozen=True)
class NoticeRecord:
    """One record a notice names: its type and id, what is asked, and until when it is kept."""

    record_type: str
    record_id: str
    ask: str  # ERASE or RESTRICT
    until: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.record_type,
            "id": self.record_id,
            "ask": self.ask,
            "until": self.until,
        }


# --- the mail --------------------------------------------------------------------------------


def notice_message(
    config: Config,
    to: str,
    request_id: str,
    system: str,
    records: Sequence[NoticeRecord],
    language: str,
    *,
    address: str | None,
    first_sent: date | None = None,
    reminder: int = 0,
) -> EmailMessage:
    """The notice (or, with `reminder`, the reminder of the notice of `first_sent`) in the
    processor's language: the reference, the records to erase or restrict, the person's e-mail
    address when given; the reply the shop waits for."""
    sender = mail.sender_address(config)
    nl = language == "nl"
    text = _nl if nl else _en
    subject = text["subject"].format(ref=request_id)
    if reminder:
        subject = text["reminder_subject"].format(n=reminder, subject=subject)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Reply-To"] = sender
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])
    # No Auto-Submitted header (unlike the customer's mails): the shop waits for a person's reply,
    # and some ticket systems drop mail marked as automatic.
    message.set_content(
        _body(text, request_id, system, records, address, first_sent, reminder, sender)
    )
    return message


def _body(
    text: dict[str, str],
    request_id: str,
    system: str,
    records: Sequence[NoticeRecord],
    address: str | None,
    first_sent: date | None,
    reminder: int,
    sender: str,
) -> str:
    language = "nl" if text is _nl else "en"
    lines = [text["greeting"], "", text["reference"].format(ref=request_id), ""]
    if reminder:
        assert first_sent is not None
        lines += [text["reminder"].format(day=first_sent.isoformat(), ref=request_id), ""]
    lines += [text["intro"], ""]
    if address:
        lines += [text["address"].format(address=address), ""]
    erase = [r for r in records if r.ask == ERASE]
    restrict = [r for r in records if r.ask == RESTRICT]
    if erase:
        lines += [text["erase"], *(_item(text, system, r, language) for r in erase), ""]
    if restrict:
        lines += [text["restrict"], *(_item(text, system, r, language) for r in restrict), ""]
    lines += [text["ask"].format(ref=request_id), "", text["closing"], sender, ""]
    return "\n".join(lines)


def _item(text: dict[str, str], system: str, record: NoticeRecord, language: str) -> str:
    label = _label(system, record.record_type, language)
    until = text["until"].format(day=record.until) if record.until else ""
    return f"  - {label} {record.record_id}{until}"


def _label(system: str, record_type: str, language: str) -> str:
    """How the system's connector names the record type (its views), else the type itself."""
    try:
        view = by_name(system).views.get(record_type)
    except KeyError:  # a system no longer registered: its types are named as they are
        view = None
    label = getattr(view.label, language, "") if view is not None else ""
    return str(label or record_type.replace("_", " "))


_nl = {
    "subject": "Verzoek tot verwijdering van persoonsgegevens (art. 17 en 19 AVG), referentie {ref}",
    "reminder_subject": "Herinnering {n}: {subject}",
    "greeting": "Geachte heer, mevrouw,",
    "reference": "Onze referentie: {ref}",
    "reminder": (
        "Op {day} hebben wij u onderstaand verzoek gestuurd (referentie {ref}). Wij hebben nog\n"
        "geen bevestiging ontvangen en sturen het daarom opnieuw."
    ),
    "intro": (
        "Een klant van ons heeft gevraagd om verwijdering van zijn of haar persoonsgegevens\n"
        "(artikel 17 AVG). Wij hebben dat verzoek in onze eigen systemen uitgevoerd. Omdat u\n"
        "voor ons persoonsgegevens van deze klant verwerkt, laten wij u dit weten (artikel 19\n"
        "AVG)."
    ),
    "address": "U kent de klant onder het e-mailadres {address}.",
    "erase": "Wilt u deze gegevens verwijderen:",
    "restrict": (
        "Deze gegevens moeten wij bewaren vanwege een wettelijke plicht. Wilt u de verwerking\n"
        "ervan beperken tot het bewaren en ze verwijderen wanneer de termijn afloopt:"
    ),
    "until": " (bewaren tot {day})",
    "ask": (
        "Wilt u ons bevestigen dat dit is gebeurd, of laten weten welke gegevens u op grond van\n"
        "de wet moet bewaren? U kunt op deze e-mail antwoorden; vermeld daarbij referentie {ref}."
    ),
    "closing": "Met vriendelijke groet,",
}
_en = {
    "subject": "Request to erase personal data (art. 17 and 19 GDPR), reference {ref}",
    "reminder_subject": "Reminder {n}: {subject}",
    "greeting": "Dear Sir or Madam,",
    "reference": "Our reference: {ref}",
    "reminder": (
        "On {day} we sent you the request below (reference {ref}). We have not yet received\n"
        "a confirmation, so we are sending it again."
    ),
    "intro": (
        "A customer of ours has asked for their personal data to be erased (article 17 GDPR).\n"
        "We have carried out the request in our own systems. As you process personal data of\n"
        "this customer on our behalf, we are informing you of it (article 19 GDPR)."
    ),
    "address": "You know the customer by the e-mail address {address}.",
    "erase": "Please erase these records:",
    "restrict": (
        "We must keep these records under a legal duty. Please restrict their processing to\n"
        "storage and erase them when the term ends:"
    ),
    "until": " (kept until {day})",
    "ask": (
        "Please confirm to us that this has been done, or tell us which data the law obliges\n"
        "you to keep. You can reply to this e-mail; please quote reference {ref}."
    ),
    "closing": "Kind regards,",
}
