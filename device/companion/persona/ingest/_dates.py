"""Dates in WhatsApp exports: d/m vs m/d (the phone's locale decides, the file does not say).

A date with a first part above 12 settles d/m, a second part above 12 settles m/d; when every
day of a chat is <= 12, the order under which the dates run forward wins.
"""

from __future__ import annotations

import re
from datetime import date

_DATE_SPLIT = re.compile(r"[./-]")


def date_parts(text: str) -> tuple[int, int, int]:
    first, second, third = (int(part) for part in _DATE_SPLIT.split(text))
    return first, second, third


def evidence(day: str) -> str | None:
    """"dmy" or "mdy" when a date settles the order (a day above 12), else None."""
    try:
        first, second, _third = date_parts(day)
    except ValueError:
        return None
    if first > 31:
        return None
    if first > 12 and second <= 12:
        return "dmy"
    if second > 12 and first <= 12:
        return "mdy"
    return None


def to_date(parts: tuple[int, int, int], order: str) -> date:
    first, second, third = parts
    if first > 31:  # 2020-12-31
        year, month, day = first, second, third
    elif order == "mdy":
        month, day, year = first, second, third
    else:
        day, month, year = first, second, third
    if year < 100:
        year += 2000
    return date(year, month, day)


def order_by_progression(dates: list[tuple[int, int, int]], saw_ampm: bool) -> str:
    """When every day is <= 12: the order under which dates run forward (ties: 12 h -> m/d)."""

    def backwards(order: str) -> int:
        count, previous = 0, None
        for parts in dates:
            try:
                current = to_date(parts, order)
            except ValueError:
                count += 10
                continue
            if previous is not None and current < previous:
                count += 1
            previous = current
        return count

    dmy, mdy = backwards("dmy"), backwards("mdy")
    if dmy != mdy:
        return "dmy" if dmy < mdy else "mdy"
    return "mdy" if saw_ampm else "dmy"
