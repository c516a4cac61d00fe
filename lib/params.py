"""One parser for dates and numbers that arrive in a query string or a form.

Every value is checked against the range the product supports (dates 1900–2200), so an extreme
value is a clear 400 rather than an overflow deep in a calendar computation.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import BadRequest

MIN_DATE, MAX_DATE = date(1900, 1, 1), date(2200, 12, 31)


def in_range(value: date) -> bool:
    return MIN_DATE <= value <= MAX_DATE


def query_date(value: str | None, default: date | None = None, *, name: str = "date") -> date:
    """A YYYY-MM-DD value (or ``default`` when it is missing); 400 when malformed or out of range."""
    if not value:
        if default is None:
            raise BadRequest(f"Give {name} as YYYY-MM-DD.")
        return default
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"{name} must be a date as YYYY-MM-DD.") from None
    if not in_range(parsed):
        raise BadRequest(f"{name} must lie between {MIN_DATE:%Y} and {MAX_DATE:%Y}.")
    return parsed


def query_month(value: str | None, default: date, *, name: str = "month") -> date:
    """A YYYY-MM value as the first of that month."""
    if not value:
        return default.replace(day=1)
    return query_date(f"{value}-01", name=name)


def query_int(value: str | None, low: int, high: int, *, name: str) -> int | None:
    """A whole number in [low, high], None when missing; 400 otherwise."""
    if not value:
        return None
    if not (value.isascii() and value.isdigit()):
        raise BadRequest(f"{name} must be a whole number.")
    number = int(value)
    if not low <= number <= high:
        raise BadRequest(f"{name} must lie between {low} and {high}.")
    return number


def is_site_path(url: str) -> bool:
    """A path inside this site ("/requests/"), not a scheme, another host ("//evil.example") or
    a backslash trick that browsers read as one."""
    return url.startswith("/") and not url.startswith("//") and "\\" not in url and ":" not in url
