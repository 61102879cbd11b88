"""Deadlines of a request (GDPR art. 12(3)): one calendar month from receipt, at most two more.

Calendar month arithmetic, clamped to the end of the month: 31 January + 1 month is 28 February
(29 in a leap year), 30 April + 1 month is 30 May.

Requests the tool opens itself when a retention term ends (`retention apply`, channel
`retention`) follow another rule. Art. 12(3)'s month, and its extension, run from a person's
request, and here nobody asked: the duty is the shop's own, art. 17(1)(a) with the storage
limitation of art. 5(1)(e), to erase data no longer needed "without undue delay", which the law
does not count in days. The register gives them an internal target of `RETENTION_DAYS` from the
day they are opened, shorter than a customer's month because none of its work is left (no
identity to check, nothing to collect or deliver: one `erase --request ID --yes` does it), and
never extended (there is no customer to tell of an extension).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

MONTHS_TO_ANSWER = 1
MAX_EXTENSION_MONTHS = 2
RETENTION_DAYS = 14


def add_months(day: date, months: int) -> date:
    """`day` plus `months` calendar months, the day clamped to the last day of the target month."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


def due_date(received: date, extended_months: int = 0) -> date:
    """The last day to answer: receipt + one month (+ the extension), counted from receipt.

    Counting from receipt, not from the previous due date, keeps 31 January + 1 + 2 months on
    31 March rather than on 28 April.
    """
    return add_months(received, MONTHS_TO_ANSWER + extended_months)


def days_left(due: date, today: date) -> int:
    """Days until the due date: 0 on the day itself, negative once it has passed."""
    return (due - today).days


def first_month_end(received: date) -> date:
    """The last day on which an extension may still be told to the customer (art. 12(3))."""
    return due_date(received)


def retention_due(opened: date) -> date:
    """The internal target of an erasure the tool opened itself when a retention term ended."""
    return opened + timedelta(days=RETENTION_DAYS)
