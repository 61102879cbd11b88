"""Deadlines of a request (GDPR art. 12(3)): one calendar month from receipt, at most two more.

Calendar month arithmetic, clamped to the end of the month: 31 January + 1 month is 28 February
(29 in a leap year), 30 April + 1 month is 30 May.
"""

from __future__ import annotations

import calendar
from datetime import date

MONTHS_TO_ANSWER = 1
MAX_EXTENSION_MONTHS = 2


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
