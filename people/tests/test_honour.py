"""The rule of preferred and avoided shifts, and the honour figures counted from published
shifts (pure: no database)."""

from __future__ import annotations

from datetime import date

import pytest

from people.honour import AVOID, PREFER, Dated, Standing, avoid_cost, honour, prefer_miss

MON, TUE, FRI = 0, 1, 4
CLINIC, WARD, NIGHT = 1, 2, 3
MONDAY = date(2026, 7, 6)


@pytest.mark.parametrize(
    ("rules", "weekday", "shift", "cost"),
    [
        ([Standing(PREFER, CLINIC, None, 5)], TUE, CLINIC, 0),
        ([Standing(PREFER, CLINIC, None, 5)], TUE, WARD, 5),
        ([Standing(PREFER, None, MON, 4)], TUE, WARD, 4),
        ([Standing(PREFER, None, MON, 4)], MON, WARD, 0),
        # "Prefer clinic on Fridays" concerns Friday shifts only.
        ([Standing(PREFER, CLINIC, FRI, 6)], TUE, WARD, 0),
        ([Standing(PREFER, CLINIC, FRI, 6)], FRI, WARD, 6),
        # Two preferences: a shift matching either is not a miss; a miss costs the highest.
        ([Standing(PREFER, CLINIC, None, 3), Standing(PREFER, WARD, None, 7)], TUE, WARD, 0),
        ([Standing(PREFER, CLINIC, None, 3), Standing(PREFER, WARD, None, 7)], TUE, NIGHT, 7),
    ],
)
def test_it_charges_a_shift_that_no_concerned_preference_matches(
    rules: list[Standing], weekday: int, shift: int, cost: int
) -> None:
    assert prefer_miss(rules, weekday, shift) == cost


def test_it_charges_each_avoided_preference_a_shift_hits() -> None:
    rules = [Standing(AVOID, NIGHT, None, 5), Standing(AVOID, None, FRI, 2)]
    assert avoid_cost(rules, FRI, NIGHT) == 7
    assert avoid_cost(rules, TUE, NIGHT) == 5
    assert avoid_cost(rules, TUE, WARD) == 0


def test_it_counts_blocked_days_left_free() -> None:
    shifts = [(date(2026, 7, 7), WARD), (date(2026, 7, 9), WARD)]
    blocked = [Dated("blocked", date(2026, 7, 6), date(2026, 7, 8), None)]  # Mon-Wed
    figures = honour(shifts, [], blocked, date(2026, 7, 1), date(2026, 7, 31))
    assert (figures.blocked.met, figures.blocked.total, figures.blocked.percent) == (2, 3, 67)


def test_it_counts_only_days_inside_the_period() -> None:
    blocked = [Dated("blocked", date(2026, 6, 25), date(2026, 7, 2), None)]
    figures = honour([], [], blocked, date(2026, 7, 1), date(2026, 7, 31))
    assert figures.blocked.total == 2


def test_it_counts_dated_wishes_met() -> None:
    shifts = [(MONDAY, WARD)]
    wishes = [
        Dated("prefer_on", MONDAY, MONDAY, None),  # met
        Dated("prefer_on", date(2026, 7, 7), date(2026, 7, 7), WARD),  # not met
        Dated("prefer_off", date(2026, 7, 8), date(2026, 7, 8), None),  # met
    ]
    figures = honour(shifts, [], wishes, date(2026, 7, 1), date(2026, 7, 31))
    assert (figures.wishes.met, figures.wishes.total) == (2, 3)


def test_it_counts_shifts_where_preferred_and_not_avoided() -> None:
    shifts = [(MONDAY, CLINIC), (date(2026, 7, 7), WARD), (date(2026, 7, 10), NIGHT)]  # Fri
    rules = [Standing(PREFER, CLINIC, None, 5), Standing(AVOID, None, FRI, 5)]
    figures = honour(shifts, rules, [], date(2026, 7, 1), date(2026, 7, 31))
    assert (figures.preferred.met, figures.preferred.total) == (1, 3)
    assert (figures.avoided.met, figures.avoided.total) == (2, 3)
    assert (figures.overall.met, figures.overall.total) == (3, 6)


def test_it_has_no_figure_without_anything_to_count() -> None:
    figures = honour([(MONDAY, WARD)], [], [], date(2026, 7, 1), date(2026, 7, 31))
    assert figures.overall.percent is None and figures.rows() == []
