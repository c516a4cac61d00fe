"""The pages' ``num`` filter prints what Django's ``floatformat`` prints for the same value."""

from __future__ import annotations

import pytest
from django.template.defaultfilters import floatformat

from analytics.templatetags.analytics_numbers import num

VALUES = [0, 0.0, 1, 2.0, 2.05, 2.25, 2.35, -0.04, -1.25, 1234.56, 1e-9, 0.95, 99.95, 330.0357]


@pytest.mark.parametrize("digits", ["-1", 1, 3])
@pytest.mark.parametrize("value", VALUES)
def test_it_prints_what_floatformat_prints(value: float, digits: int | str) -> None:
    assert num(value, digits) == str(floatformat(value, digits))


def test_it_prints_nothing_for_what_is_not_a_number() -> None:
    assert num("n/a", 1) == ""
