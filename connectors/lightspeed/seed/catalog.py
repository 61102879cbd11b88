"""Shared pieces of the Lightspeed seed: the catalogue, money, id sequences, person fields.

Used by `connectors.lightspeed.seed.orders` and `connectors.lightspeed.seed.extras`.
"""

from __future__ import annotations

import random

from connectors.lightspeed.fake.shape import COUNTRIES, JSON
from connectors.lightspeed.seed.people import Person

VAT = 0.21
# name, price in cents including 21 % BTW, variant title
PRODUCTS: tuple[tuple[str, int, str], ...] = (
    ("Zilveren ring met maansteen", 4995, "Maat 17"),
    ("Zilveren oorknoppen zirkonia", 2495, "Standaard"),
    ("Collier 14 karaat goud", 18900, "45 cm"),
    ("Armband labradoriet", 3495, "Standaard"),
    ("Zilveren hanger amethist", 3995, "Standaard"),
    ("Oorbellen rozenkwarts", 2995, "Standaard"),
    ("Ring granaat verguld", 5995, "Maat 18"),
    ("Armband lapis lazuli", 2995, "Standaard"),
    ("Zilveren schakelketting 45 cm", 3495, "45 cm"),
    ("Bedelarmband zilver", 4495, "Standaard"),
    ("Ring turkoois 925 zilver", 4295, "Maat 16"),
    ("Hanger bergkristal", 1995, "Standaard"),
    ("Oorhangers zoetwaterparel", 3495, "Standaard"),
    ("Enkelbandje zilver", 1995, "Standaard"),
    ("Sieradendoosje fluweel", 1495, "Bordeaux"),
    ("Zilverpoetsdoek", 495, "Standaard"),
    ("Cadeaubon", 2500, "EUR 25"),
    ("Sleutelhanger edelsteen", 995, "Standaard"),
    ("Ring toermalijn", 6995, "Maat 17"),
    ("Oorbellen aquamarijn", 5495, "Standaard"),
)


def money(cents: int) -> float:
    return round(cents / 100, 2)


def excl(cents: int) -> int:
    return round(cents / (1 + VAT))


class Ids:
    """An increasing id sequence with gaps (other shops share Lightspeed's id space)."""

    def __init__(self, rng: random.Random, start: int) -> None:
        self.rng, self.value = rng, start

    def __call__(self) -> int:
        self.value += self.rng.choice((1, 1, 2, 3, 7, 19, 41))
        return self.value


def address(kind: str, person: Person) -> JSON:
    out: JSON = {
        f"address{kind}Name": person.full,
        f"address{kind}Street": person.street,
        f"address{kind}Street2": "",
        f"address{kind}Number": person.number,
        f"address{kind}Extension": person.extension,
        f"address{kind}Zipcode": person.zipcode,
        f"address{kind}City": person.city,
        f"address{kind}Region": "",
        f"address{kind}Country": dict(COUNTRIES["nl"]),
    }
    if kind == "Shipping":
        out = {"addressShippingCompany": person.company or False, **out}
    return out


def person_fields(person: Person, email: str) -> JSON:
    return {
        "gender": person.gender or False,
        "birthDate": person.birth,
        "nationalId": "",
        "email": email,
        "firstname": person.first,
        "middlename": person.middle,
        "lastname": person.last,
        "phone": person.phone,
        "mobile": "",
    }


def company_fields(person: Person) -> JSON:
    return {
        "isCompany": bool(person.company),
        "companyName": person.company,
        "companyCoCNumber": "",
        "companyVatNumber": "",
    }
