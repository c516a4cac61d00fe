"""``num``: the analytics pages' number filter. It prints what ``floatformat`` prints for the
arguments the pages use (``"-1"``: one decimal unless the value is a whole number; ``1``,
``3``: that many decimals; halves rounded up), without ``floatformat``'s localisation machinery:
the fairness report of a 150-resident year formats ~7 000 numbers, and ``floatformat`` was two
thirds of that page's time."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def num(value: object, digits: object = -1) -> str:
    try:
        number = Decimal(repr(value) if isinstance(value, float) else str(value))
        places = int(str(digits))
    except (InvalidOperation, ValueError):
        return ""
    if not number.is_finite():
        return str(value)
    if places < 0 and number == number.to_integral_value():
        places = 0  # a whole number prints without decimals ("-1": 34, but 34.02 as 34.0)
    rounded = number.quantize(Decimal(1).scaleb(-abs(places)), rounding=ROUND_HALF_UP)
    if rounded.is_zero():
        rounded = abs(rounded)  # no "-0.0"
    return f"{rounded:f}"
