"""Calendar arithmetic the way people count it: the same day so many months or years on, or the
last day of the month when that month is shorter (31 January plus one month is 28 or 29
February; 29 February minus 16 years is 28 February)."""

import calendar
import datetime


def months_after(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` calendar months later (earlier when negative)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def years_before(day: datetime.date, years: int) -> datetime.date:
    return months_after(day, -12 * years)


def long_date(day: datetime.date) -> str:
    """ "5 March 2026", as the template filter `date:"j F Y"` writes it, in a fraction of its
    time (for long lists)."""
    from django.utils.dates import MONTHS
    from django.utils.translation import get_language

    names = _MONTH_NAMES.get(get_language())
    if names is None:
        names = _MONTH_NAMES[get_language()] = {n: str(name) for n, name in MONTHS.items()}
    return f"{day.day} {names[day.month]} {day.year}"


#: Month names per language, translated once.
_MONTH_NAMES: dict[str | None, dict[int, str]] = {}
