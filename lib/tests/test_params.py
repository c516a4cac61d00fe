"""Query-string dates and numbers: one parser, one supported range, a 400 outside it."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import BadRequest

from lib.params import query_date, query_int, query_month

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, TODAY),
        ("", TODAY),
        ("2028-02-29", date(2028, 2, 29)),
        ("1900-01-01", date(1900, 1, 1)),
    ],
)
def test_it_reads_a_date_or_falls_back(value: str | None, expected: date) -> None:
    assert query_date(value, TODAY) == expected


@pytest.mark.parametrize(
    "value", ["9999-12-31", "0001-01-01", "1899-12-31", "2201-01-01", "2027-02-29", "soon"]
)
def test_it_refuses_a_date_outside_the_range_or_malformed(value: str) -> None:
    with pytest.raises(BadRequest):
        query_date(value, TODAY)


def test_it_reads_a_month_as_its_first_day() -> None:
    assert query_month("2027-03", TODAY) == date(2027, 3, 1)
    assert query_month(None, TODAY) == date(2026, 12, 1)
    with pytest.raises(BadRequest):
        query_month("9999-12", TODAY)


@pytest.mark.parametrize(("value", "expected"), [(None, None), ("3", 3), ("12", 12)])
def test_it_reads_a_bounded_number(value: str | None, expected: int | None) -> None:
    assert query_int(value, 1, 12, name="pgy") == expected


@pytest.mark.parametrize("value", ["²", "٣", "-1", "0", "13", "1e3", " 3"])
def test_it_refuses_other_numbers(value: str) -> None:
    with pytest.raises(BadRequest):
        query_int(value, 1, 12, name="pgy")
