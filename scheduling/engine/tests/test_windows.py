"""The fast window arithmetic (prefix sums, moving pointers) against a brute-force reading."""

from __future__ import annotations

from datetime import date
from random import Random

import pytest

from scheduling.engine.acgme import free_period_counts, window_starts
from scheduling.engine.duty import (
    MINUTES_PER_DAY,
    Timed,
    Timeline,
    busy_blocks,
    daily_duty_minutes,
    duty_periods,
)

from .helpers import SHIFTS, make_problem


def random_items(seed):
    rng = Random(seed)
    start = rng.choice([date(2026, 3, 1), date(2026, 10, 20), date(2026, 4, 6)])
    days = rng.choice([28, 35, 60])
    timeline = Timeline(make_problem(days=days, start=start))
    # Non-overlapping random shifts: keep a shift only if it does not overlap those taken.
    taken: list[Timed] = []
    for _ in range(days * 2):
        item = timeline.timed(rng.randrange(days), rng.choice(SHIFTS).id)
        if all(item.end <= t.start or item.start >= t.end for t in taken):
            taken.append(item)
    return timeline, sorted(taken)


def overlap(a, b, c, d):
    return max(0, min(b, d) - max(a, c))


@pytest.mark.parametrize("seed", range(15))
def test_it_sums_window_duty_like_brute_force(seed):
    timeline, items = random_items(seed)
    days = len(timeline.day_starts) - 2
    starts, length, _ = window_starts(days, 28)
    per_day = daily_duty_minutes(duty_periods(items), timeline.day_starts)
    for w in starts:
        ws, we = timeline.day_starts[w], timeline.day_starts[w + length]
        brute = sum(overlap(i.start, i.end, ws, we) for i in items if i.counts)
        assert sum(per_day[w : w + length]) == brute


@pytest.mark.parametrize("seed", range(15))
def test_it_counts_free_periods_like_brute_force(seed):
    timeline, items = random_items(seed)
    days = len(timeline.day_starts) - 2
    starts, length, _ = window_starts(days, 28)
    blocks = busy_blocks(items)
    fast = free_period_counts(blocks, timeline.day_starts, starts, length)
    for w in starts:
        ws, we = timeline.day_starts[w], timeline.day_starts[w + length]
        # Walk the busy blocks inside the window; whatever lies between them is free.
        inside = [(max(s, ws), min(e, we)) for s, e in blocks if e > ws and s < we]
        cursor, brute = ws, 0
        for s, e in inside:
            brute += max(0, s - cursor) // MINUTES_PER_DAY
            cursor = max(cursor, e)
        brute += max(0, we - cursor) // MINUTES_PER_DAY
        assert fast[w - starts.start] == brute, w
