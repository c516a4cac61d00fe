"""Real time and duty periods: the base of every duty-hour rule.

All instants are whole minutes since the Unix epoch (UTC), so arithmetic is exact integer
arithmetic and a DST day simply has 23 or 25 hours of real time between its midnights.

A *duty period* is a maximal run of duty shifts (``ShiftType.counts_toward_duty``) whose real
intervals touch or overlap (ACGME CPR VI.F.3: back-to-back shifts are one continuous period).
Its *transition tail* is the real time after the end of its last non-TRANSITION shift: the
"up to four hours for transitions of care" of the 24 + 4 rule, when no new patient care starts.
Moonlighting always counts toward duty (CPR VI.F.5), whatever its shift type says.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import NamedTuple, TypeVar

from .model import Problem, ShiftCategory

MINUTES_PER_DAY = 24 * 60

K = TypeVar("K", bound=Hashable)
_TIMELINES: dict[int, tuple[Problem, Timeline]] = {}
_TIMELINE_CACHE_SIZE = 8


def to_minutes(instant: datetime) -> int:
    """Whole minutes since the epoch of an aware datetime."""
    return int(instant.timestamp()) // 60


def to_datetime(minutes: int) -> datetime:
    return datetime.fromtimestamp(minutes * 60, UTC)


class Timeline:
    """Real (UTC) minutes of each local midnight and of each (day, shift), computed once."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        horizon = problem.horizon
        tz = horizon.tz
        # One extra boundary so day ``days`` (the end of the horizon) has a start too, and one
        # more for shifts of the last day that end after midnight.
        self.day_starts: list[int] = [
            to_minutes(datetime.combine(horizon.date_of(d), time(0)).replace(tzinfo=tz))
            for d in range(horizon.days + 2)
        ]
        self._intervals: dict[tuple[int, str], tuple[int, int]] = {}
        self._timed: dict[tuple[int, str], Timed] = {}
        self._local: dict[int, str] = {}
        self._midnights: dict[int, int] = {}
        # ISO (year, week) of each Saturday and Sunday (both days of a weekend share it).
        self.weekend_keys: list[tuple[int, int] | None] = [
            horizon.date_of(d).isocalendar()[:2] if horizon.is_weekend(d) else None
            for d in range(horizon.days)
        ]

    def midnight(self, day: int) -> int:
        """Real minutes of the local midnight starting ``day`` (any index, history days too)."""
        if 0 <= day < len(self.day_starts):
            return self.day_starts[day]
        hit = self._midnights.get(day)
        if hit is None:
            horizon = self.problem.horizon
            local = datetime.combine(horizon.date_of(day), time(0)).replace(tzinfo=horizon.tz)
            hit = to_minutes(local)
            self._midnights[day] = hit
        return hit

    def midnights(self, first: int, last: int) -> list[int]:
        """Midnights of days ``first`` .. ``last`` inclusive."""
        return [self.midnight(d) for d in range(first, last + 1)]

    def interval(self, day: int, shift_id: str) -> tuple[int, int]:
        key = (day, shift_id)
        hit = self._intervals.get(key)
        if hit is None:
            start, end = self.problem.interval(day, shift_id)
            hit = (to_minutes(start), to_minutes(end))
            self._intervals[key] = hit
        return hit

    def timed(self, day: int, shift_id: str) -> Timed:
        """The Timed item of (day, shift): the same for everybody, so built once."""
        key = (day, shift_id)
        hit = self._timed.get(key)
        if hit is None:
            start, end = self.interval(day, shift_id)
            shift = self.problem.shift_by_id[shift_id]
            counts = shift.counts_toward_duty or shift.category == ShiftCategory.MOONLIGHTING
            hit = Timed(start, end, day, shift_id, shift.category, counts)
            self._timed[key] = hit
        return hit

    def day_of(self, minute: int) -> int:
        """Index of the local day containing ``minute`` (-1 before the horizon)."""
        return bisect_right(self.day_starts, minute) - 1

    def local(self, minutes: int) -> str:
        """Local wall-clock text of an instant, for messages (cached: people share instants)."""
        text = self._local.get(minutes)
        if text is None:
            tz = self.problem.horizon.tz
            text = to_datetime(minutes).astimezone(tz).strftime("%Y-%m-%d %H:%M")
            self._local[minutes] = text
        return text


def timeline_for(problem: Problem) -> Timeline:
    """A shared Timeline per Problem; the cache holds the problem so its id cannot be reused."""
    hit = _TIMELINES.get(id(problem))
    if hit is not None and hit[0] is problem:
        return hit[1]
    if len(_TIMELINES) >= _TIMELINE_CACHE_SIZE:
        _TIMELINES.pop(next(iter(_TIMELINES)))
    timeline = Timeline(problem)
    _TIMELINES[id(problem)] = (problem, timeline)
    return timeline


class Timed(NamedTuple):
    """One assignment of one person with its real interval (a tuple: built by the 100 000)."""

    start: int
    end: int
    day: int
    shift: str
    category: ShiftCategory
    counts: bool


@dataclass(slots=True)
class DutyPeriod:
    start: int
    end: int
    core_end: int  # end of the last minute of non-transition work
    first_day: int
    last_day: int

    @property
    def minutes(self) -> int:
        return self.end - self.start

    @property
    def transition_minutes(self) -> int:
        return self.end - self.core_end


def timed_items(timeline: Timeline, pairs: Iterable[tuple[int, str]]) -> list[Timed]:
    """The (day, shift) pairs of one person as Timed items sorted by start."""
    cache = timeline._timed
    items = [cache.get(pair) or timeline.timed(*pair) for pair in pairs]
    items.sort()
    return items


def duty_periods(items: Sequence[Timed]) -> list[DutyPeriod]:
    """Merge the duty items (sorted by start) into continuous duty periods."""
    # Plain locals rather than attribute updates: this loop runs once per assignment.
    periods: list[DutyPeriod] = []
    transition = ShiftCategory.TRANSITION
    start = end = core_end = first_day = last_day = -1
    for item_start, item_end, day, _, category, counts in items:
        if not counts:
            continue
        if start >= 0 and item_start <= end:
            # Touching or overlapping: the same continuous period.
            if item_end > end:
                end = item_end
            if day > last_day:
                last_day = day
            if category != transition and item_end > core_end:
                core_end = item_end
            continue
        if start >= 0:
            periods.append(DutyPeriod(start, end, core_end, first_day, last_day))
        start, end, first_day, last_day = item_start, item_end, day, day
        core_end = item_end if category != transition else item_start
    if start >= 0:
        periods.append(DutyPeriod(start, end, core_end, first_day, last_day))
    return periods


def busy_blocks(items: Sequence[Timed]) -> list[tuple[int, int]]:
    """Merged intervals that break a free period: duty, plus at-home call (ACGME VI.F.8:
    at-home call may not be assigned on the free days)."""
    blocks: list[tuple[int, int]] = []
    for item in items:
        if not (item.counts or item.category == ShiftCategory.AT_HOME_CALL):
            continue
        if blocks and item.start <= blocks[-1][1]:
            if item.end > blocks[-1][1]:
                blocks[-1] = (blocks[-1][0], item.end)
        else:
            blocks.append((item.start, item.end))
    return blocks


def daily_duty_minutes(periods: Sequence[DutyPeriod], day_starts: Sequence[int]) -> list[int]:
    """Duty minutes falling inside each local day of the horizon (clipped at midnights).

    Index ``d`` is the day ``d``; time before the horizon or after its end is dropped.
    """
    days = len(day_starts) - 2
    per_day = [0] * days
    horizon_start, horizon_end = day_starts[0], day_starts[days]
    day = 0
    for period in periods:
        start, end = period.start, period.end
        if start < horizon_start:
            start = horizon_start
        if end > horizon_end:
            end = horizon_end
        if start >= end:
            continue
        while day_starts[day + 1] <= start:
            day += 1  # periods are sorted: the day only moves forward
        while True:
            cut = day_starts[day + 1]
            if cut >= end:
                per_day[day] += end - start
                break  # the next period may start later this same day
            per_day[day] += cut - start
            start = cut
            day += 1
    return per_day


def interval_cliques(keys: Iterable[K], span: Callable[[K], tuple[int, int]]) -> list[list[K]]:
    """Sets of (distinct) ``keys`` whose spans (start, end) are all alive at one instant, covering every
    overlapping pair: intervals on a line, so the sets alive at each start point are cliques,
    and one "at most one" per clique forbids every overlap (the exact solvers' encoding of the
    overlap rule, and of the minimum rest on spans lengthened by it)."""
    ordered = sorted(keys, key=span)
    cliques: list[list[K]] = []
    active: list[K] = []
    for i, key in enumerate(ordered):
        start, _ = span(key)
        active = [a for a in active if span(a)[1] > start]
        active.append(key)
        nxt = ordered[i + 1] if i + 1 < len(ordered) else None
        min_end = min(span(a)[1] for a in active)
        if (nxt is None or span(nxt)[0] >= min_end) and len(active) > 1:
            cliques.append(list(active))
    return cliques
