"""Small helpers the payment seeders share: rng-only ids, money, dates, names from orders."""

from __future__ import annotations

import random
import re
import string
import unicodedata
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

JSON = dict[str, Any]

BASE62 = string.digits + string.ascii_letters
UPPER = string.digits + string.ascii_uppercase
PAID_STATUSES = frozenset({"processing", "completed", "refunded", "on-hold"})


class Ids:
    """Unique random ids drawn from one rng (deterministic for a given seed)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.seen: set[str] = set()

    def token(self, prefix: str, length: int = 10, alphabet: str = BASE62) -> str:
        while True:
            value = prefix + "".join(self.rng.choice(alphabet) for _ in range(length))
            if value not in self.seen:
                self.seen.add(value)
                return value

    def upper(self, length: int) -> str:
        """PayPal-style id: digits and capitals (17 for transactions, 13 for payer ids)."""
        return self.token("", length, UPPER)

    def iban(self) -> tuple[str, str]:
        """A Dutch IBAN with a valid checksum, and its bank's BIC."""
        bank, bic = self.rng.choice(BANKS)
        account = "".join(self.rng.choice(string.digits) for _ in range(10))
        digits = "".join(str(int(ch, 36)) for ch in bank + account + "NL00")
        check = 98 - int(digits) % 97
        return f"NL{check:02d}{bank}{account}", bic


BANKS = (
    ("ABNA", "ABNANL2A"),
    ("INGB", "INGBNL2A"),
    ("RABO", "RABONL2U"),
    ("SNSB", "SNSBNL2A"),
    ("ASNB", "ASNBNL21"),
    ("TRIO", "TRIONL2U"),
    ("KNAB", "KNABNL2H"),
    ("BUNQ", "BUNQNL2A"),
)


class Timeline:
    """Random moments in a shop's life, from `start` (its opening) to `end` (yesterday evening);
    the seeders of both shops draw their dates from it."""

    rng: random.Random
    start: datetime
    end: datetime

    def ago(self, days: float) -> datetime:
        return self.end - timedelta(days=days, minutes=self.rng.randint(0, 600))

    def between(self, a: datetime, b: datetime) -> datetime:
        return a + timedelta(seconds=self.rng.randint(0, max(0, int((b - a).total_seconds()))))

    def grown(self) -> datetime:
        """A moment in the shop's life, later moments likelier (the shop grows)."""
        return self.start + (self.end - self.start) * (self.rng.random() ** 0.6)


def dec(value: Any) -> Decimal:
    """A WooCommerce money string ("12.34", "-5.00") as a Decimal (0 when empty)."""
    return Decimal(str(value or "0"))


def amount2(value: Decimal) -> str:
    return f"{value:.2f}"


def parse_wc(value: Any) -> datetime | None:
    """A wc/v3 date string (`2024-05-01T10:11:12`, GMT fields without offset) as an aware UTC time."""
    if not value:
        return None
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def order_time(order: JSON) -> datetime:
    """When the order was created (GMT)."""
    for key in ("date_created_gmt", "date_created"):
        moment = parse_wc(order.get(key))
        if moment is not None:
            return moment
    raise ValueError(f"order {order.get('id')} has no date_created")


def paid_time(order: JSON) -> datetime:
    """When the order was paid, or a few minutes after it was created."""
    for key in ("date_paid_gmt", "date_paid"):
        moment = parse_wc(order.get(key))
        if moment is not None:
            return moment
    return order_time(order)


def iso(moment: datetime) -> str:
    """Mollie/PayPal style: `2024-05-01T10:11:12+00:00`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def email_of(order: JSON) -> str:
    return str(order.get("billing", {}).get("email") or "")


def full_name(person: JSON) -> str:
    return " ".join(p for p in (person.get("first_name"), person.get("last_name")) if p).strip()


def ascii_text(text: str, allowed: str = r"[^a-zA-Z0-9_'\-., \":;!?]") -> str:
    """Fold accents away and drop what PayPal's reporting patterns do not allow."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"\s+", " ", re.sub(allowed, " ", folded)).strip()


def e164(phone: str, country: str = "NL") -> str | None:
    """A Dutch phone number in E.164 (`+31612345678`), or None when it does not look like one."""
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("00"):
        digits = digits[2:]
    elif digits.startswith("0") and country in ("NL", ""):
        digits = "31" + digits[1:]
    elif digits.startswith("310"):
        digits = "31" + digits[3:]
    return "+" + digits if 10 <= len(digits) <= 15 else None


def other_email(rng: random.Random, person: JSON) -> str:
    """A plausible personal e-mail of the same person on another provider."""
    first = ascii_text(str(person.get("first_name") or "klant")).lower().replace(" ", "")
    last = ascii_text(str(person.get("last_name") or "")).lower().replace(" ", "")
    host = rng.choice(("gmail.com", "hotmail.com", "outlook.com", "ziggo.nl", "kpnmail.nl"))
    local = re.sub(r"[^a-z0-9.]", "", f"{first}.{last}".strip(".")) or "klant"
    return f"{local}{rng.randint(60, 99)}@{host}"
