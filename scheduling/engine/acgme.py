"""ACGME duty-hour rules (Common Program Requirements VI.F, 6.20-6.28 in the 2025 edition).

Readings (see DESIGN.md's table; the numbers come from ``AcgmeRules``):

* Windows. The averaged rules are checked on every rolling window of ``window_days`` whole
  local days that lies inside the horizon (days w .. w+27, from local midnight to local
  midnight, real time in between). Time outside the horizon is unknown, so partial windows at
  the edges are not checked. When the horizon is shorter than one window, the *upper-bound*
  rules (hours, call nights) are checked on the whole horizon with the full-window limit (any
  real window containing it has at least that much), and the free-day rule is not checked.
* 80 hours/week averaged: duty minutes inside the window (shifts clipped at the window's
  midnights) <= weekly limit x window_days / 7 x 60; the person's
  ``limits.weekly_hours_limit`` (the 88-hour rotation exception) replaces the weekly limit.
* One day in seven free: free periods are the maximal gaps between busy blocks (duty periods
  and at-home call, which may not be placed on free days); each gap, clipped to the window,
  contributes floor(gap / 24 h) free periods, so a free period may span two calendar days.
* 24 + 4: a duty period may last 24 h plus its transition tail, at most 4 h of it.
* 14 h free after a period of >= 24 h (including its transition tail). 8 h off between
  periods otherwise is a "should" (MEDIUM), checked between periods that start on different
  local days: two periods starting the same day are one split working day (AM and PM clinic
  around lunch), not "eight hours off between scheduled periods".
* In-house call every third night averaged: <= 9 days with an IN_HOUSE_CALL shift start in
  each window.
* Night float: at most ``max_consecutive_night_float`` consecutive days with a NIGHT_FLOAT shift.
* PGY-1 residents do not moonlight.
Violations of windowed rules are reported once per run of consecutive failing windows, naming
the worst window of the run.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import accumulate, pairwise

from .duty import (
    MINUTES_PER_DAY,
    DutyPeriod,
    Timed,
    Timeline,
    busy_blocks,
    daily_duty_minutes,
    duty_periods,
    to_datetime,
)
from .model import AcgmeRules, Person, Severity, ShiftCategory, Violation

WEEKLY_HOURS = "acgme.weekly_hours"
FREE_DAYS = "acgme.free_days"
CONTINUOUS_DUTY = "acgme.continuous_duty"
REST_AFTER_LONG = "acgme.rest_after_long_period"
MIN_REST = "acgme.min_rest"
CALL_FREQUENCY = "acgme.call_frequency"
NIGHT_FLOAT = "acgme.night_float_consecutive"
PGY1_MOONLIGHTING = "acgme.pgy1_moonlighting"

_FAR = 10**12  # minutes; stands for "no duty before / after"


def window_starts(days: int, window_days: int) -> tuple[range, int, bool]:
    """The checked windows: (first days, length in days, whether they are full windows)."""
    if days >= window_days:
        return range(days - window_days + 1), window_days, True
    return range(1 if days > 0 else 0), days, False


def weekly_minutes_limit(rules: AcgmeRules, person: Person) -> float:
    weekly = person.limits.weekly_hours_limit or rules.max_weekly_hours
    return weekly * rules.window_days / 7 * 60


def check_resident(
    rules: AcgmeRules, timeline: Timeline, person: Person, items: Sequence[Timed]
) -> list[Violation]:
    """Every ACGME violation of one resident's sorted timed assignments."""
    periods = duty_periods(items)
    found: list[Violation] = []
    found += _weekly_hours(rules, timeline, person, periods)
    found += _free_days(rules, timeline, person, items)
    found += _continuous_duty(rules, timeline, person, periods)
    found += _rest(rules, timeline, person, periods)
    found += _call_frequency(rules, timeline, person, items)
    found += _night_float(rules, timeline, person, items)
    found += _moonlighting(rules, person, items)
    return found


def _runs(flags: Sequence[int]) -> Iterator[list[int]]:
    """Runs of consecutive integers in a sorted sequence."""
    run: list[int] = []
    for value in flags:
        if run and value != run[-1] + 1:
            yield run
            run = []
        run.append(value)
    if run:
        yield run


def _window_violations(
    timeline: Timeline,
    person: Person,
    rule: str,
    severity: Severity,
    values: Sequence[float],
    failing: Sequence[int],
    length: int,
    limit: float,
    describe: str,
    worst: str = "max",
) -> list[Violation]:
    found = []
    day_starts = timeline.day_starts
    for run in _runs(failing):
        pick = max if worst == "max" else min
        w = pick(run, key=lambda i: values[i])
        start, end = day_starts[w], day_starts[w + length]
        span = "" if len(run) == 1 else f" ({len(run)} overlapping windows fail)"
        found.append(
            Violation(
                rule=rule,
                severity=severity,
                message=(
                    f"{person.id}: {describe.format(value=values[w], limit=limit)} in the window "
                    f"{timeline.local(start)} - {timeline.local(end)}{span}"
                ),
                person=person.id,
                start=to_datetime(start),
                end=to_datetime(end),
                day=w,
                measured=values[w],
                limit=limit,
            )
        )
    return found


def _weekly_hours(
    rules: AcgmeRules, timeline: Timeline, person: Person, periods: Sequence[DutyPeriod]
) -> list[Violation]:
    days = len(timeline.day_starts) - 2
    starts, length, _ = window_starts(days, rules.window_days)
    limit = weekly_minutes_limit(rules, person)
    prefix = [0, *accumulate(daily_duty_minutes(periods, timeline.day_starts))]
    totals = [prefix[w + length] - prefix[w] for w in starts]
    failing = [w for w in starts if totals[w] > limit]
    if not failing:
        return []
    # Reported as the weekly average over the rule's window (a short horizon still divides
    # by the full window: its limit is the full window's).
    weeks = rules.window_days / 7
    weekly = [t / 60 / weeks for t in totals]
    return _window_violations(
        timeline,
        person,
        WEEKLY_HOURS,
        Severity.HIGH,
        weekly,
        failing,
        length,
        limit / 60 / weeks,
        "{value:.2f} h/week of duty on average, more than {limit:g} h",
    )


def free_period_counts(
    blocks: Sequence[tuple[int, int]], day_starts: Sequence[int], starts: range, length: int
) -> list[int]:
    """Free 24 h periods in each window: floor(gap / 24 h) over the gaps between busy blocks,
    each gap clipped to the window (prefix sums over whole gaps keep this O(log n) a window)."""
    gap_starts = [-_FAR] + [end for _, end in blocks]
    gap_ends = [start for start, _ in blocks] + [_FAR]
    whole = [
        0,
        *accumulate((e - s) // MINUTES_PER_DAY for s, e in zip(gap_starts, gap_ends, strict=True)),
    ]
    counts = []
    day = MINUTES_PER_DAY
    gaps = len(gap_starts)
    first = last = 0
    for w in starts:
        ws, we = day_starts[w], day_starts[w + length]
        # Windows move forward, so both pointers only advance (no bisect per window).
        while first < gaps and gap_ends[first] <= ws:
            first += 1  # first gap ending after the window starts
        if last < first - 1:
            last = first - 1
        while last + 1 < gaps and gap_starts[last + 1] < we:
            last += 1  # last gap starting before the window ends
        count = 0
        if first <= last:
            end = gap_ends[first] if gap_ends[first] < we else we
            start = gap_starts[first] if gap_starts[first] > ws else ws
            count += (end - start) // day
        if first < last:
            end = gap_ends[last] if gap_ends[last] < we else we
            start = gap_starts[last] if gap_starts[last] > ws else ws
            count += (end - start) // day + whole[last] - whole[first + 1]
        counts.append(count)
    return counts


def _free_days(
    rules: AcgmeRules, timeline: Timeline, person: Person, items: Sequence[Timed]
) -> list[Violation]:
    days = len(timeline.day_starts) - 2
    starts, length, full = window_starts(days, rules.window_days)
    if not full:
        return []
    counts = free_period_counts(busy_blocks(items), timeline.day_starts, starts, length)
    failing = [w for w in starts if counts[w] < rules.min_free_days_per_window]
    return _window_violations(
        timeline,
        person,
        FREE_DAYS,
        Severity.HIGH,
        counts,
        failing,
        length,
        rules.min_free_days_per_window,
        "{value} free periods of 24 h, fewer than {limit}",
        worst="min",
    )


def _continuous_duty(
    rules: AcgmeRules, timeline: Timeline, person: Person, periods: Sequence[DutyPeriod]
) -> list[Violation]:
    found = []
    base = rules.max_continuous_hours * 60
    transition = rules.transition_hours * 60
    for period in periods:
        length = period.end - period.start
        if length <= base:
            continue
        allowed = base + min(period.end - period.core_end, transition)
        if length <= allowed:
            continue
        found.append(
            Violation(
                rule=CONTINUOUS_DUTY,
                severity=Severity.CRITICAL,
                message=(
                    f"{person.id}: continuous duty of {period.minutes / 60:.2f} h from "
                    f"{timeline.local(period.start)} to {timeline.local(period.end)} "
                    f"({period.transition_minutes / 60:.2f} h of it transition); at most "
                    f"{rules.max_continuous_hours:g} h plus {rules.transition_hours:g} h of "
                    f"transition"
                ),
                person=person.id,
                start=to_datetime(period.start),
                end=to_datetime(period.end),
                day=period.first_day,
                measured=period.minutes / 60,
                limit=allowed / 60,
            )
        )
    return found


def _rest(
    rules: AcgmeRules, timeline: Timeline, person: Person, periods: Sequence[DutyPeriod]
) -> list[Violation]:
    found = []
    long_minutes = rules.long_period_hours * 60
    long_rest, short_rest = rules.rest_after_long_period_hours, rules.min_rest_hours
    for before, after in pairwise(periods):
        gap = after.start - before.end
        if before.minutes >= long_minutes:
            if gap >= long_rest * 60:
                continue
            rule, severity, needed = REST_AFTER_LONG, Severity.CRITICAL, long_rest
            what = f"after a {before.minutes / 60:.2f} h period"
        elif after.first_day != before.first_day:
            if gap >= short_rest * 60:
                continue
            rule, severity, needed = MIN_REST, Severity.MEDIUM, short_rest
            what = "between duty periods"
        else:
            continue  # one split working day (AM and PM clinic around lunch): not "time off"
        found.append(
            Violation(
                rule=rule,
                severity=severity,
                message=(
                    f"{person.id}: {gap / 60:.2f} h off {what} (from "
                    f"{timeline.local(before.end)} to {timeline.local(after.start)}); "
                    f"{needed:g} h needed"
                ),
                person=person.id,
                start=to_datetime(before.end),
                end=to_datetime(after.start),
                day=after.first_day,
                measured=gap / 60,
                limit=needed,
            )
        )
    return found


def _call_frequency(
    rules: AcgmeRules, timeline: Timeline, person: Person, items: Sequence[Timed]
) -> list[Violation]:
    days = len(timeline.day_starts) - 2
    call_days = {i.day for i in items if i.category == ShiftCategory.IN_HOUSE_CALL}
    if len(call_days) <= rules.max_call_nights_per_window:
        return []
    starts, length, _ = window_starts(days, rules.window_days)
    prefix = [0, *accumulate(1 if d in call_days else 0 for d in range(days))]
    counts = [prefix[w + length] - prefix[w] for w in starts]
    failing = [w for w in starts if counts[w] > rules.max_call_nights_per_window]
    return _window_violations(
        timeline,
        person,
        CALL_FREQUENCY,
        Severity.HIGH,
        counts,
        failing,
        length,
        rules.max_call_nights_per_window,
        "{value} in-house call nights, more than {limit}",
    )


def _night_float(
    rules: AcgmeRules, timeline: Timeline, person: Person, items: Sequence[Timed]
) -> list[Violation]:
    nights = sorted({i.day for i in items if i.category == ShiftCategory.NIGHT_FLOAT})
    found = []
    limit = rules.max_consecutive_night_float
    for run in _runs(nights):
        if len(run) <= limit:
            continue
        start, end = timeline.day_starts[run[0]], timeline.day_starts[run[-1] + 1]
        found.append(
            Violation(
                rule=NIGHT_FLOAT,
                severity=Severity.CRITICAL,
                message=(
                    f"{person.id}: {len(run)} consecutive night-float nights from "
                    f"{timeline.local(start)[:10]}; at most {limit}"
                ),
                person=person.id,
                start=to_datetime(start),
                end=to_datetime(end),
                day=run[0],
                measured=len(run),
                limit=limit,
            )
        )
    return found


def _moonlighting(rules: AcgmeRules, person: Person, items: Sequence[Timed]) -> list[Violation]:
    if rules.pgy1_may_moonlight or person.pgy != 1:
        return []
    return [
        Violation(
            rule=PGY1_MOONLIGHTING,
            severity=Severity.CRITICAL,
            message=f"{person.id}: PGY-1 residents may not moonlight ({item.shift}, day {item.day})",
            person=person.id,
            start=to_datetime(item.start),
            end=to_datetime(item.end),
            day=item.day,
            shift=item.shift,
            measured=1,
            limit=0,
        )
        for item in items
        if item.category == ShiftCategory.MOONLIGHTING
    ]
