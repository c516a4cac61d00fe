"""Per-person incremental state for the greedy construction.

Each check answers "may this person also take (day, shift)?" for every hard rule that can be
decided incrementally — overlaps, unavailability, person limits (with the history's days across
the horizon's edges), successions, the minimum rest and the ACGME rules — in time independent
of the horizon: a bisect into the person's sorted intervals, the duty periods rebuilt from a
few days around the new shift, and the 28-day windows that contain it. The rules are the validator's (same readings, same real time); the validator
remains the judge of the final schedule.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections import Counter
from dataclasses import dataclass, field

from . import acgme
from .duty import MINUTES_PER_DAY, Timed, Timeline, duty_periods, timed_items
from .limits import MIN_REST, lead_days, too_close, weekend_room
from .model import AcgmeRules, Person, PersonKind, Problem, ShiftCap, ShiftCategory

_NEAR = 4 * MINUTES_PER_DAY  # a valid period is at most 28 h: 4 days see its neighbours
_FAR = 10**12


@dataclass
class Context:
    """What every PersonState shares."""

    problem: Problem
    timeline: Timeline
    rules: AcgmeRules | None
    unavailable: set[tuple[str, int, str | None]]
    window_starts: range = range(0)
    window_length: int = 0
    full_windows: bool = False

    def __post_init__(self) -> None:
        if self.rules is not None:
            self.window_starts, self.window_length, self.full_windows = acgme.window_starts(
                self.problem.horizon.days, self.rules.window_days
            )
        self._seams: dict[str, Seam] = {}

    def seam(self, person: Person) -> Seam:
        """What the history around the horizon leaves ``person`` (computed once per person)."""
        hit = self._seams.get(person.id)
        if hit is None:
            problem = self.problem
            days = problem.history_days(person.id)
            rest = problem.min_rest_minutes or 0
            pairs = problem.history_by_person.get(person.id, ()) if rest else ()
            hit = Seam(
                lead=lead_days(days, problem.horizon.days) if days else (0, 0),
                weekend_caps=tuple(
                    (room, {d: i for i, ds in enumerate(weekends) for d in ds})
                    for room, _, weekends in (
                        weekend_room(cap, problem.horizon, days)
                        for cap in person.limits.weekend_caps
                    )
                ),
                rest=rest,
                history=tuple(timed_items(self.timeline, pairs)),
            )
            self._seams[person.id] = hit
        return hit


@dataclass(frozen=True)
class Seam:
    """A person's history around the horizon, as the rules across its edges read it."""

    lead: tuple[int, int]  # limits.lead_days
    weekend_caps: tuple[tuple[int, dict[int, int]], ...]  # (room, day -> weekend) per cap
    rest: int  # the minimum rest in minutes (0: none)
    history: tuple[Timed, ...]  # the history's items, when there is a minimum rest


@dataclass
class PersonState:
    person: Person
    ctx: Context
    items: list[Timed] = field(default_factory=list)  # sorted by start
    starts: list[int] = field(default_factory=list)  # items' starts, for bisect
    day_shifts: dict[int, list[str]] = field(default_factory=dict)
    per_type: Counter[str] = field(default_factory=Counter)
    nominal_minutes: int = 0
    weekends: Counter[tuple[int, int]] = field(default_factory=Counter)
    duty_per_day: list[int] = field(default_factory=list)
    duty_total: int = 0
    call_days: list[int] = field(default_factory=list)  # sorted
    night_days: set[int] = field(default_factory=set)
    block_starts: list[int] = field(default_factory=list)  # merged busy blocks
    block_ends: list[int] = field(default_factory=list)
    free: list[int] = field(default_factory=list)  # free 24 h periods per full window

    def __post_init__(self) -> None:
        ctx = self.ctx
        self.duty_per_day = [0] * ctx.problem.horizon.days
        self.acgme = ctx.rules if self.person.kind == PersonKind.RESIDENT else None
        if self.acgme is not None and ctx.full_windows:
            self.free = acgme.free_period_counts(
                [], ctx.timeline.day_starts, ctx.window_starts, ctx.window_length
            )
        self._pending: tuple[Timed, list[tuple[int, int]]] | None = None
        self.weekly_limit = (
            acgme.weekly_minutes_limit(self.acgme, self.person) if self.acgme else 0.0
        )
        self.seam = ctx.seam(self.person)

    # -- checks -----------------------------------------------------------------------------

    def blocker(self, day: int, shift_id: str) -> str | None:
        """The first rule that forbids adding (day, shift), or None when it may be added."""
        pid = self.person.id
        unavailable = self.ctx.unavailable
        if (pid, day, None) in unavailable or (pid, day, shift_id) in unavailable:
            return "assignment.unavailable"
        item = self.ctx.timeline.timed(day, shift_id)
        return (
            self._overlap(item)
            or (self._rest(item) if self.seam.rest else None)
            or self._limits(day, shift_id)
            or self._successions(day, shift_id)
            or (self._acgme(item) if self.acgme is not None else None)
        )

    def _overlap(self, item: Timed) -> str | None:
        i = bisect_left(self.starts, item.start)
        if i > 0 and self.items[i - 1].end > item.start:
            return "assignment.overlap"
        if i < len(self.items) and self.items[i].start < item.end:
            return "assignment.overlap"
        return None

    def _rest(self, item: Timed) -> str | None:
        """The minimum rest against the person's shifts and history (limits.too_close)."""
        rest = self.seam.rest
        span = (item.start, item.end)
        lo = bisect_left(self.starts, item.start - rest - _NEAR)
        for other in self.items[lo:]:
            if other.start >= item.end + rest:
                break
            if too_close(span, (other.start, other.end), rest):
                return MIN_REST
        for other in self.seam.history:
            if too_close(span, (other.start, other.end), rest):
                return MIN_REST
        return None

    def _limits(self, day: int, shift_id: str) -> str | None:
        limits = self.person.limits
        worked = self.day_shifts.get(day)
        if limits.max_shifts_per_day is not None and worked:
            if len(worked) + 1 > limits.max_shifts_per_day:
                return "limit.max_shifts_per_day"
        cap = limits.max_shifts.get(shift_id)
        if cap is not None and self.per_type[shift_id] + 1 > cap:
            return "limit.max_shifts"
        for group in limits.caps:
            if group.hard and group.covers(day, shift_id) and self._capped(group) + 1 > group.cap:
                return "limit.cap"
        shift = self.ctx.problem.shift_by_id[shift_id]
        if limits.max_total_minutes is not None:
            if self.nominal_minutes + shift.minutes > limits.max_total_minutes:
                return "limit.max_total_minutes"
        if limits.max_weekends is not None:
            key = self.ctx.timeline.weekend_keys[day]
            if key is not None and key not in self.weekends:
                if len(self.weekends) + 1 > limits.max_weekends:
                    return "limit.max_weekends"
        for room, weekend_of in self.seam.weekend_caps:
            weekend = weekend_of.get(day)
            if weekend is None:
                continue
            taken = {weekend_of[d] for d in self.day_shifts if d in weekend_of}
            if weekend not in taken and len(taken) + 1 > room:
                return "limit.max_weekends"
        if worked:
            return None  # the day is already worked: runs do not change
        return self._runs(day)

    def _capped(self, group: ShiftCap) -> int:
        return sum(1 for d, shifts in self.day_shifts.items() for s in shifts if group.covers(d, s))

    def _runs(self, day: int) -> str | None:
        limits = self.person.limits
        days = self.ctx.problem.horizon.days
        if limits.max_consecutive_work is not None:
            before = _run_length(self.day_shifts, day, -1)
            after = _run_length(self.day_shifts, day, +1)
            # The history's days worked across the period's edges (limits.lead_days).
            before += self.seam.lead[0] if day - before == 0 else 0
            after += self.seam.lead[1] if day + after == days - 1 else 0
            if before + 1 + after > limits.max_consecutive_work:
                return "limit.max_consecutive_work"
        low = limits.min_consecutive_off
        if low is not None:
            for step in (-1, +1):
                other = day + step
                gap = 0
                while 0 <= other < days and other not in self.day_shifts and gap < low:
                    other += step
                    gap += 1
                # An off-run between two worked days shorter than the minimum (runs touching
                # the horizon's edge are exempt: they may continue outside it).
                if 0 < gap < low and 0 <= other < days:
                    return "limit.min_consecutive_off"
        return None

    def _successions(self, day: int, shift_id: str) -> str | None:
        shifts = self.ctx.problem.shift_by_id
        for previous in self.day_shifts.get(day - 1, ()):
            if shift_id in shifts[previous].forbidden_next:
                return "succession.forbidden"
        following = self.day_shifts.get(day + 1)
        if following and shifts[shift_id].forbidden_next.intersection(following):
            return "succession.forbidden"
        return None

    def _acgme(self, item: Timed) -> str | None:
        rules = self.acgme
        assert rules is not None
        if item.category == ShiftCategory.MOONLIGHTING:
            if self.person.pgy == 1 and not rules.pgy1_may_moonlight:
                return acgme.PGY1_MOONLIGHTING
        cap = rules.max_consecutive_night_float
        if (
            cap is not None
            and item.category == ShiftCategory.NIGHT_FLOAT
            and item.day not in self.night_days
        ):
            run = (
                1 + _set_run(self.night_days, item.day, -1) + _set_run(self.night_days, item.day, 1)
            )
            if run > cap:
                return acgme.NIGHT_FLOAT
        if item.category == ShiftCategory.IN_HOUSE_CALL and self._call_too_often(item.day):
            return acgme.CALL_FREQUENCY
        if item.counts:
            reason = self._periods(item) or self._hours(item)
            if reason:
                return reason
        if item.counts or item.category == ShiftCategory.AT_HOME_CALL:
            return self._free_days(item)
        return None

    def _call_too_often(self, day: int) -> bool:
        rules = self.acgme
        assert rules is not None
        calls = self.call_days
        if day in calls or len(calls) + 1 <= rules.max_call_nights_per_window:
            return False
        ctx = self.ctx
        for w in _windows_containing(ctx, day, day):
            count = bisect_left(calls, w + ctx.window_length) - bisect_left(calls, w)
            if count + 1 > rules.max_call_nights_per_window:
                return True
        return False

    def _periods(self, item: Timed) -> str | None:
        """24 + 4 and the rest after long periods, on periods rebuilt around the new item."""
        rules = self.acgme
        assert rules is not None
        lo = bisect_left(self.starts, item.start - _NEAR)
        hi = bisect_right(self.starts, item.end + _NEAR)
        near = self.items[lo:hi]
        near.insert(bisect_left([i.start for i in near], item.start), item)
        periods = duty_periods(near)
        # The period holding the new item: the last one starting at or before it.
        k = bisect_right([p.start for p in periods], item.start) - 1
        period = periods[k]
        allowed = rules.max_continuous_hours * 60 + min(
            period.transition_minutes, rules.transition_hours * 60
        )
        if period.minutes > allowed:
            return acgme.CONTINUOUS_DUTY
        long_minutes = rules.long_period_hours * 60
        rest = rules.rest_after_long_period_hours * 60
        if k > 0:
            before = periods[k - 1]
            if before.minutes >= long_minutes and period.start - before.end < rest:
                return acgme.REST_AFTER_LONG
        if k + 1 < len(periods):
            after = periods[k + 1]
            if period.minutes >= long_minutes and after.start - period.end < rest:
                return acgme.REST_AFTER_LONG
        return None

    def _hours(self, item: Timed) -> str | None:
        pieces = _day_pieces(self.ctx.timeline, item)
        added = sum(m for _, m in pieces)
        if not pieces or self.duty_total + added <= self.weekly_limit:
            return None
        ctx = self.ctx
        extra = dict(pieces)
        per_day = self.duty_per_day
        length = ctx.window_length
        for w in _windows_containing(ctx, pieces[0][0], pieces[-1][0]):
            total = sum(per_day[w : w + length]) + sum(
                m for d, m in extra.items() if w <= d < w + length
            )
            if total > self.weekly_limit:
                return acgme.WEEKLY_HOURS
        return None

    def _free_days(self, item: Timed) -> str | None:
        if not self.free:
            return None
        rules = self.acgme
        assert rules is not None
        deltas = self._free_deltas(item)
        self._pending = (item, deltas)  # add() reuses them when this item is taken
        for w, delta in deltas:
            if delta < 0 and self.free[w] + delta < rules.min_free_days_per_window:
                return acgme.FREE_DAYS
        return None

    def _free_deltas(self, item: Timed) -> list[tuple[int, int]]:
        """How adding a busy item changes each window's free periods: it splits one gap."""
        j = bisect_right(self.block_starts, item.start)
        gap_start = self.block_ends[j - 1] if j > 0 else -_FAR
        gap_end = self.block_starts[j] if j < len(self.block_starts) else _FAR
        ctx = self.ctx
        day_starts = ctx.timeline.day_starts
        first, last = ctx.timeline.day_of(item.start), ctx.timeline.day_of(item.end - 1)
        deltas = []
        for w in _windows_containing(ctx, first, last):
            ws, we = day_starts[w], day_starts[w + ctx.window_length]
            delta = (
                _whole_days(gap_start, item.start, ws, we)
                + _whole_days(item.end, gap_end, ws, we)
                - _whole_days(gap_start, gap_end, ws, we)
            )
            if delta:
                deltas.append((w, delta))
        return deltas

    # -- updates ----------------------------------------------------------------------------

    def add(self, day: int, shift_id: str) -> None:
        """Record (day, shift); no check (fixed assignments are added as they are)."""
        item = self.ctx.timeline.timed(day, shift_id)
        shift = self.ctx.problem.shift_by_id[shift_id]
        busy = item.counts or item.category == ShiftCategory.AT_HOME_CALL
        if self.acgme is not None and self.free and busy:
            pending = self._pending
            deltas = pending[1] if pending and pending[0] is item else self._free_deltas(item)
            for w, delta in deltas:
                self.free[w] += delta
        self._pending = None
        if busy:
            self._add_block(item.start, item.end)
        i = bisect_right(self.starts, item.start)
        self.items.insert(i, item)
        self.starts.insert(i, item.start)
        self.day_shifts.setdefault(day, []).append(shift_id)
        self.per_type[shift_id] += 1
        self.nominal_minutes += shift.minutes
        key = self.ctx.timeline.weekend_keys[day]
        if key is not None:
            self.weekends[key] += 1
        if item.counts:
            for d, minutes in _day_pieces(self.ctx.timeline, item):
                self.duty_per_day[d] += minutes
                self.duty_total += minutes
        if item.category == ShiftCategory.IN_HOUSE_CALL and day not in self.call_days:
            insort(self.call_days, day)
        if item.category == ShiftCategory.NIGHT_FLOAT:
            self.night_days.add(day)

    def _add_block(self, start: int, end: int) -> None:
        j = bisect_right(self.block_starts, start)
        if j > 0 and self.block_ends[j - 1] >= start:
            j -= 1  # merge with the block before
            start = self.block_starts[j]
            end = max(end, self.block_ends[j])
            del self.block_starts[j], self.block_ends[j]
        while j < len(self.block_starts) and self.block_starts[j] <= end:
            end = max(end, self.block_ends[j])
            del self.block_starts[j], self.block_ends[j]
        self.block_starts.insert(j, start)
        self.block_ends.insert(j, end)


def _run_length(day_shifts: dict[int, list[str]], day: int, step: int) -> int:
    n = 0
    while day + step * (n + 1) in day_shifts:
        n += 1
    return n


def _set_run(days: set[int], day: int, step: int) -> int:
    n = 0
    while day + step * (n + 1) in days:
        n += 1
    return n


def _windows_containing(ctx: Context, first_day: int, last_day: int) -> range:
    """Checked windows that hold any of the days first_day..last_day."""
    starts = ctx.window_starts
    if not starts:
        return starts
    lo = max(starts.start, first_day - ctx.window_length + 1)
    hi = min(starts.stop - 1, last_day)
    return range(lo, hi + 1)


def _day_pieces(timeline: Timeline, item: Timed) -> list[tuple[int, int]]:
    """The item's minutes inside each horizon day (the validator's clipping)."""
    day_starts = timeline.day_starts
    days = len(day_starts) - 2
    start, end = max(item.start, day_starts[0]), min(item.end, day_starts[days])
    pieces = []
    day = bisect_right(day_starts, start) - 1
    while start < end:
        cut = min(end, day_starts[day + 1])
        pieces.append((day, cut - start))
        start = cut
        day += 1
    return pieces


def _whole_days(start: int, end: int, window_start: int, window_end: int) -> int:
    clipped = min(end, window_end) - max(start, window_start)
    return clipped // MINUTES_PER_DAY if clipped > 0 else 0
