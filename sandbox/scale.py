"""Larger shops for benchmarks: `build_shop(kind, seed, today, scale=N)` makes a shop about N times
as large as the seeded one, in seconds (scale 70: about 96,000 orders and 21,000 customers).

The seeded (scale-1) shop stays exactly as it is. To it are added N-1 copies of everyone but the
subject and the traps (`shop.subject_email`, the e-mail addresses in `shop.traps`; the bulk
customer is copied: other bulk buyers), with all their records: the platform's (WooCommerce
customers, orders, notes, refunds, downloads, reviews; Lightspeed customers, orders, invoices,
shipments, returns, reviews, tickets, quotes, checkouts, newsletter and contact messages) and
what the processors hold of them, derived from those orders: Mollie payments, customers,
mandates, subscriptions, refunds and chargebacks, PayPal transactions and invoices, MyParcel
shipments (with their multi-collo secondaries and returns), The Feedback Company's invitations
and reviews.

A copy of a person is another person:
- fresh ids everywhere (the platform's ids are the originals' plus k times a power of ten above
  their range, and order numbers follow; processor tokens are drawn anew), and every link
  between the systems follows them: order <-> Mollie payment, customer and Orders-API ids (order
  meta, Lightspeed `paymentData`) <-> PayPal capture, refunds and order id <-> MyParcel
  `reference_identifier` and label <-> invitation `external_id` <-> review;
- a fresh e-mail address: the local part gets `.s<k>` (`piet.s3@...`), in the same case; the
  same change is made where an order note names an address;
- dates moved by one offset per person and copy, all their records together, so everything
  stays in order and `date_modified`/`updatedAt`/`modified` stay consistent with the data: up to
  a year either way, less for people whose first record is near the shop's opening or whose
  last record is less than 45 days old (today stays today, and what is recent stays recent),
  plus a few minutes to hours, so that no copy shares a second with its original. The shop's
  growth over the 8 years, and so what incremental filters see, keeps its shape;
- names, street addresses, phone numbers, baskets and amounts stay the original's.

Records stay compact: a copy shares with its original every sub-object that holds none of its
own ids, addresses or dates (line items, tax and shipping lines, shipping addresses, meta rows
such as VAT and order attribution, card and bank details, PayPal cart and shipping blocks, the
shop's sender address, Lightspeed order lines). The fakes never change those in place (they
replace an address or meta row they update), so a write to one record never shows in another.

Each system's records are copied by its own folder's `scale.py`, named by its `Fake.scale` (system
name -> module path). Every one has the same entry point, `scale(shop, plan) -> CopyOne`:
- it is called once, on the seeded shop, before any copy is made: it reads which of the system's
  records belong to whom (the `Plan`'s people, by e-mail address casefolded: `person_key`), tells
  the plan how early and late each person's records go (`Plan.see`, `Plan.later`) and which
  tokens are in use (`Plan.seen`), and keeps what it copies;
- it returns `copy_one(copy)`, which appends copy `copy.k` of those records to the system's store,
  using the `Copy` for the person's date offset (`copy.delta(key)`), e-mail addresses
  (`copy.mail`), fresh tokens (`copy.token`, `copy.fresh`) and the platform's copied order ids
  and numbers (`copy.order_ids`, `copy.numbers`).
The shop's platform (`shop.kind`) goes first: it fills in the plan's people and orders
(`Plan.order_person`, `Plan.order_by_number`) and each copy's order ids and numbers, which the
other systems' links follow (`Plan.order_owner`, `order_text`); the others come after it in
registry order (a store where the system does not play is empty: nothing to copy). Each copy
runs the copiers in that same order: they draw the copy's tokens from one rng, so the order is
part of what makes a scaled shop the same every time.

The build runs with the garbage collector paused and freezes the result (`gc.freeze()`): the
shop stays as long as the process serves it, and full collections over millions of records
would otherwise stall requests for seconds.
"""

from __future__ import annotations

import gc
import hashlib
import importlib
import random
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

from sandbox.data import Shop
from sandbox.plugin import fakes

JSON = dict[str, Any]
SPREAD = 365 * 86400.0  # the most a person's copy moves, in seconds
RECENT = timedelta(days=45)  # a person whose last order is newer moves back by minutes only
B62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
B36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
NEVER = datetime.max.replace(tzinfo=UTC)


def scale_shop(shop: Shop, scale: int, seed: int) -> None:
    """Add `scale - 1` copies of the people of `shop` and all their records (module docstring)."""
    if scale < 1:
        raise ValueError(f"scale must be at least 1, not {scale}")
    if scale == 1:
        return
    enabled = gc.isenabled()
    gc.disable()  # millions of new objects that all stay: collecting meanwhile only costs time
    try:
        plan = Plan(shop)
        copiers = [copier(system)(shop, plan) for system in copied_systems(shop)]
        for k in range(1, scale):
            copy = Copy(k, seed, plan)
            for copy_one in copiers:
                copy_one(copy)
    finally:
        if enabled:
            gc.enable()
    # The shop lives as long as the process serves it: keep the collector from walking it
    # again and again (a full collection over millions of records takes seconds).
    gc.freeze()


# -- the systems' copiers ------------------------------------------------------------------------


def copied_systems(shop: Shop) -> list[str]:
    """The systems whose copiers run, in order: the shop's platform, then every other system
    with a copier (`Fake.scale`) in registry order; only the shop's own platform is copied."""
    every = fakes()
    if not every[shop.kind].scale:
        raise ValueError(f"no copier for the shop platform {shop.kind!r}")
    others = [s for s, f in every.items() if f.scale and f.platform is None]
    return [shop.kind, *others]


def copier(system: str) -> Callable[[Shop, Plan], CopyOne]:
    """The `scale` entry point of `system`'s copier."""
    scale: Callable[[Shop, Plan], CopyOne] = importlib.import_module(fakes()[system].scale).scale
    return scale


# -- time --------------------------------------------------------------------------------------


def _transitions() -> tuple[list[datetime], list[timedelta]]:
    """Amsterdam's switches to and from summer time (EU rule: 01:00 UTC on the last Sunday of
    March and of October), as naive UTC times, with the offset that starts at each."""
    moments, offsets = [datetime.min], [timedelta(hours=1)]
    for year in range(1996, 2100):
        for month, hours in ((3, 2), (10, 1)):
            last = date(year, month, 31)
            sunday = last - timedelta(days=(last.weekday() + 1) % 7)
            moments.append(datetime.combine(sunday, time(1)))
            offsets.append(timedelta(hours=hours))
    return moments, offsets


_SWITCHES, _OFFSETS = _transitions()
_ZONES = {off: timezone(off) for off in set(_OFFSETS)}


def ams_offset(utc: datetime) -> timedelta:
    """Amsterdam's UTC offset at the naive UTC time `utc`."""
    return _OFFSETS[bisect_right(_SWITCHES, utc) - 1]


def shift_utc(value: str, delta: timedelta) -> str:
    """`2024-05-01T10:11:12+00:00` (Mollie, PayPal, Lightspeed) moved by `delta`."""
    return (datetime.fromisoformat(value) + delta).isoformat()


def shift_ams(value: str, delta: timedelta) -> str:
    """An ISO time with Amsterdam's offset (The Feedback Company) moved, in Amsterdam time."""
    moment = datetime.fromisoformat(value)
    utc = moment.replace(tzinfo=None) - (moment.utcoffset() or timedelta(0)) + delta
    off = ams_offset(utc)
    return (utc + off).replace(tzinfo=_ZONES[off]).isoformat()


def shift_local(value: str, delta: timedelta) -> str:
    """MyParcel's local (Amsterdam) `2024-05-01 10:11:12` moved by `delta`."""
    local = datetime.fromisoformat(value)
    utc = local - ams_offset(local - timedelta(hours=2)) + delta
    return (utc + ams_offset(utc)).isoformat(" ")


def shift_day(value: str, delta: timedelta) -> str:
    """A `2024-05-01` date moved by `delta`, rounded to whole days."""
    return (
        date.fromisoformat(value) + timedelta(days=round(delta / timedelta(days=1)))
    ).isoformat()


def woo_dates(out: JSON, prefix: str, delta: timedelta) -> None:
    """Move a WooCommerce `prefix`/`prefix_gmt` pair: GMT moves, site time follows it."""
    gmt = out.get(f"{prefix}_gmt")
    if not gmt:
        return
    moved = datetime.fromisoformat(gmt) + delta
    out[f"{prefix}_gmt"] = moved.isoformat()
    out[prefix] = (moved + ams_offset(moved)).isoformat()


def parse_any(value: str) -> datetime:
    """Any of the stores' date-times as an aware UTC time (naive ones are GMT)."""
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# -- people, their offsets, fresh ids ----------------------------------------------------------


@dataclass
class Person:
    """Whom a set of records belongs to: when their records start, and their last order."""

    first: datetime
    last: datetime | None = None


@dataclass
class Plan:
    """What every copy shares: the people (by e-mail, casefolded), who is not copied, the shop's
    time span, and the platform's orders by id and number (filled by the platform copier)."""

    shop: Shop
    people: dict[str, Person] = field(default_factory=dict)
    skip: set[str] = field(default_factory=set)
    opened: datetime = NEVER
    horizon: datetime = NEVER
    order_person: dict[Any, str] = field(default_factory=dict)  # order id -> person
    order_by_number: dict[str, Any] = field(default_factory=dict)  # order number -> order id
    seen: set[str] = field(default_factory=set)  # tokens in use

    def __post_init__(self) -> None:
        shop = self.shop
        self.skip = {shop.subject_email.casefold()}
        self.skip |= {v.casefold() for v in shop.traps.values() if "@" in v}
        self.skip.discard("")
        self.horizon = datetime.combine(shop.today, time(), UTC) - RECENT

    def see(self, key: str, when: datetime | None, order: bool = False) -> None:
        """Note a record of the person `key` at `when` (an order also moves their last one)."""
        if when is None:
            return
        self.opened = min(self.opened, when)
        person = self.people.setdefault(key, Person(when))
        person.first = min(person.first, when)
        if order:
            person.last = when if person.last is None else max(person.last, when)

    def later(self, key: str, when: datetime | None) -> None:
        """Note a later record of the person `key` (a processor's, e.g. a subscription's
        monthly payment), so that no copy of it moves past today."""
        person = self.people.get(key)
        if person is not None and when is not None:
            person.last = when if person.last is None else max(person.last, when)

    def copied(self, key: str) -> bool:
        """Whether the person `key` is copied (everyone but the subject and the traps)."""
        return key not in self.skip

    def order_owner(self, order_id: Any) -> str | None:
        """The person of the platform's order `order_id`, when they are copied."""
        key = self.order_person.get(order_id)
        return key if key is not None and self.copied(key) else None


def person_key(email: Any) -> str:
    """Whose record it is: the e-mail address, casefolded (how `Plan.people` is keyed)."""
    return str(email or "").casefold()


def order_text(c: Copy, text: str, number: str) -> str:
    """`Order 1042` (or `WC-1042`), a text ending in the original order number `number`, with
    the copy's order number."""
    return text[: -len(number)] + c.numbers[number] if text.endswith(number) else text


def stride(*ids: int) -> int:
    """A power of ten above the span of `ids`: `id + k * stride` never meets another copy's."""
    low, high = min(ids, default=0), max(ids, default=0)
    return 10 ** len(str(max(1, high - min(0, low) + 1)))


class Copy:
    """One copy (number `k`): its offsets, e-mail addresses and fresh tokens."""

    def __init__(self, k: int, seed: int, plan: Plan) -> None:
        self.k, self.seed, self.plan = k, seed, plan
        self.rng = random.Random(f"privacy-bridge scale {seed}/{k}")
        self.deltas: dict[str, timedelta] = {
            key: self._draw(self.rng, plan.people[key]) for key in sorted(plan.people)
        }
        self.mails: dict[str, str] = {}
        self.tokens: dict[str, str] = {}  # original token -> this copy's
        self.suffix = f".s{k}"
        self.order_ids: dict[Any, Any] = {}  # the platform's order ids: original -> copy's
        self.numbers: dict[str, str] = {}  # order numbers: original -> copy's

    def _draw(self, rng: random.Random, person: Person) -> timedelta:
        plan = self.plan
        back = (person.first - plan.opened).total_seconds()
        forward = (plan.horizon - (person.last or person.first)).total_seconds()
        most = max(0.0, min(SPREAD, back, forward))
        delta = rng.uniform(-most, most)
        jitter = rng.uniform(60, 6 * 3600)
        if delta - jitter >= -back:
            delta -= jitter
        elif delta + jitter <= forward:  # the shop's very first customer
            delta += jitter
        return timedelta(seconds=int(delta))

    def delta(self, key: str, when: datetime | None = None) -> timedelta:
        """The offset of the person `key` (one of their own for someone the plan does not know)."""
        found = self.deltas.get(key)
        if found is None:
            moment = when or self.plan.opened
            rng = random.Random(f"privacy-bridge scale {self.seed}/{self.k}/{key}")
            found = self.deltas[key] = self._draw(rng, Person(moment, moment))
        return found

    def mail(self, address: Any) -> Any:
        """The copy's e-mail address: `.s<k>` after the local part (same case)."""
        if not isinstance(address, str) or "@" not in address:
            return address
        found = self.mails.get(address)
        if found is None:
            local, _, domain = address.rpartition("@")
            found = self.mails[address] = f"{local}{self.suffix}@{domain}"
        return found

    def token(self, original: Any, maker: Callable[[], str] | None = None) -> Any:
        """The copy's id for a processor's `original` token (`tr_...`, a PayPal id, ...): made on
        first use, the same ever after, so every link to it follows."""
        if not isinstance(original, str) or not original:
            return original
        found = self.tokens.get(original)
        if found is None:
            if maker is None:
                prefix, sep, body = original.partition("_")
                if sep:  # Mollie: prefix_ + base-62 characters
                    head, alphabet, size = prefix + sep, B62, len(body)
                else:  # PayPal: digits and capitals
                    head, alphabet, size = "", B36, len(original)
                found = self.fresh(lambda: head + self.chars(alphabet, size))
            else:
                found = self.fresh(maker)
            self.tokens[original] = found
        return found

    def fresh(self, maker: Callable[[], str]) -> str:
        """`maker()` until it makes a token not in use anywhere in the shop."""
        seen = self.plan.seen
        while True:
            value = maker()
            if value not in seen:
                seen.add(value)
                return value

    def chars(self, alphabet: str, length: int) -> str:
        """`length` random characters of `alphabet` (62, 36 or 10 of them)."""
        return self.rng.randbytes(length).translate(_TABLES[alphabet]).decode()

    def digits(self, length: int) -> str:
        return self.chars("0123456789", length)


CopyOne = Callable[[Copy], None]  # appends one copy of a system's records (`Fake.scale`)


def _table(alphabet: str) -> bytes:
    """A `bytes.translate` table from any byte to a character of `alphabet` (near uniform)."""
    return bytes(ord(alphabet[b % len(alphabet)]) for b in range(256))


_TABLES = {a: _table(a) for a in (B62, B36, "0123456789")}


def avatar(email: str, size: int = 96) -> str:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return f"https://secure.gravatar.com/avatar/{digest}?s={size}&d=mm&r=g"


def renumber(number: str, k: int) -> str:
    """A copy's document number: `ORD10004` -> `ORD1010004` (k=1): the digits plus k million."""
    head = number.rstrip("0123456789")
    digits = number[len(head) :]
    return f"{head}{k * 10 ** max(6, len(digits)) + int(digits or 0)}"
