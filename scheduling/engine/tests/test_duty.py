"""Duty periods from real intervals: merging, midnight, DST, transition tails."""

from __future__ import annotations

from datetime import date

import pytest

from scheduling.engine.duty import (
    Timeline,
    busy_blocks,
    daily_duty_minutes,
    duty_periods,
    timed_items,
)

from .helpers import FALL_BACK, SPRING_FORWARD, make_problem


def periods_of(plan, start=date(2026, 4, 6), days=7):
    timeline = Timeline(make_problem(days=days, start=start))
    return duty_periods(timed_items(timeline, plan)), timeline


def test_it_crosses_midnight():
    (period,), _ = periods_of([(0, "night")])
    assert period.minutes == 12 * 60


@pytest.mark.parametrize(
    ("day", "hours"),
    [(-1, 11), (-2, 12), (0, 12)],  # the night into the DST day, the nights around it
)
def test_it_uses_real_time_on_the_spring_dst_night(day, hours):
    start = date(2026, 3, 1)
    offset = (SPRING_FORWARD - start).days
    (period,), _ = periods_of([(offset + day, "night")], start=start, days=14)
    assert period.minutes == hours * 60


def test_it_uses_real_time_on_the_fall_dst_night():
    start = date(2026, 10, 25)
    night_before = (FALL_BACK - start).days - 1
    (period,), _ = periods_of([(night_before, "night")], start=start, days=14)
    assert period.minutes == 13 * 60


@pytest.mark.parametrize(
    ("plan", "periods"),
    [
        ([(0, "day"), (0, "night")], 1),  # touching: 07:00-19:00 then 19:00-07:00
        ([(0, "day"), (0, "eve")], 1),  # overlapping
        ([(0, "day"), (1, "day")], 2),  # 12 h apart
        ([(0, "call"), (1, "post")], 1),
    ],
)
def test_it_merges_shifts_that_touch_or_overlap(plan, periods):
    found, _ = periods_of(plan)
    assert len(found) == periods


@pytest.mark.parametrize(
    ("plan", "transition_hours"),
    [
        ([(0, "call"), (1, "post")], 4),
        ([(0, "call")], 0),
        ([(0, "pre"), (0, "call")], 0),  # transition at the start is not a tail
        ([(0, "call"), (1, "post"), (1, "morning")], 0),  # care until 11:00 too
    ],
)
def test_it_measures_the_transition_tail(plan, transition_hours):
    (period,), _ = periods_of(plan)
    assert period.transition_minutes == transition_hours * 60


def test_it_leaves_non_duty_shifts_out_of_duty_periods():
    found, _ = periods_of([(0, "home")])
    assert found == []


def test_it_lets_at_home_call_break_free_time():
    _, timeline = periods_of([])
    blocks = busy_blocks(timed_items(timeline, [(0, "day"), (1, "home")]))
    assert len(blocks) == 2


def test_it_splits_duty_minutes_at_local_midnight():
    found, timeline = periods_of([(0, "night")])
    per_day = daily_duty_minutes(found, timeline.day_starts)
    assert per_day[:2] == [5 * 60, 7 * 60]


def test_it_has_a_23_hour_day_when_clocks_go_forward():
    start = date(2026, 3, 1)
    timeline = Timeline(make_problem(days=14, start=start))
    d = (SPRING_FORWARD - start).days
    assert timeline.day_starts[d + 1] - timeline.day_starts[d] == 23 * 60
