"""ACGME duty-hour rules (Common Program Requirements VI.F, 6.20-6.28 in the 2025 edition) and
the program policies that sit beside them.

docs/rules.md is the one table of rule -> text -> reading -> ACGME or policy; this module
implements exactly those readings, with the numbers of ``AcgmeRules``. In short:

* History. The resident's items include ``Problem.history`` (days before 0 and from
  ``horizon.days`` on). Every window of ``window_days`` whole local days that overlaps the horizon
  is checked (days -(L-1) .. days-1 as first days); days without history count as zero hours.
  Duty periods, rest gaps and night-float runs are reported when they have a part inside the
  horizon, so shifts crossing the horizon's edges count in full.
* 80 hours/week averaged: duty minutes inside the window (shifts clipped at the window's
  midnights) plus recorded at-home call-back minutes <= weekly limit x window_days / 7 x 60. The
  person's ``weekly_hours_limit`` (the 88-hour rotation exception) replaces the weekly limit only
  on windows whose days all lie in ``weekly_hours_days``. Leave days: under LeaveReading.OMIT
  (default, stricter) the limit is weekly x (window_days - leave days) / 7 x 60.
* One day in seven free: free periods are the maximal gaps between busy blocks (duty periods
  and at-home call, which may not be placed on free days); each gap, clipped to the window,
  contributes floor(gap / 24 h) free periods, so a free period may span two calendar days.
* 24 + 4: a duty period may last 24 h plus its transition tail, at most 4 h of it.
* 14 h free after a period of >= 24 h (including its transition tail); 8 h off between any two
  periods otherwise is a "should" (MEDIUM), same-day periods included.
* In-house call every third night averaged: <= 9 days with an IN_HOUSE_CALL shift start in
  each window.
* Night float: at most ``max_consecutive_night_float`` consecutive days with a NIGHT_FLOAT
  shift. Program policy (rule ``policy.night_float_consecutive``), not ACGME.
* PGY-1 residents do not moonlight.
Violations of windowed rules are reported once per run of consecutive failing windows, naming
the worst window of the run (``span_start``/``span_end`` cover the whole run).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
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
from .model import AcgmeRules, LeaveReading, Person, Severity, ShiftCategory, Violation

WEEKLY_HOURS = "acgme.weekly_hours"
FREE_DAYS = "acgme.free_days"
CONTINUOUS_DUTY = "acgme.continuous_duty"
REST_AFTER_LONG = "acgme.rest_after_long_period"
MIN_REST = "acgme.min_rest"
CALL_FREQUENCY = "acgme.call_frequency"
NIGHT_FLOAT = "policy.night_float_consecutive"
PGY1_MOONLIGHTING = "acgme.pgy1_moonlighting"
HISTORY_INCOMPLETE = "acgme.history_incomplete"
POLICY_RULES = frozenset({NIGHT_FLOAT})

_FAR = 10**12  # minutes; stands for "no duty before / after"


def is_policy(rule: str) -> bool:
    """Program policy rather than ACGME text (docs/rules.md)."""
    return rule.startswith("policy.")


def window_starts(days: int, window_days: int) -> tuple[range, int, bool]:
    """Windows inside a horizon (the greedy's incremental view, which sees no history)."""
    if days >= window_days:
        return range(days - window_days + 1), window_days, True
    return range(1 if days > 0 else 0), days, False


@dataclass(frozen=True)
class Frame:
    """The checked windows of a horizon: first days ``first`` .. ``days - 1`` (every window that
    overlaps the horizon); ``midnights[i]`` is the midnight of day ``first + i``, through the
    end of the last window plus one boundary."""

    first: int
    length: int
    count: int
    midnights: list[int]

    def day(self, index: int) -> int:
        return self.first + index


def frame(timeline: Timeline, rules: AcgmeRules) -> Frame:
    days = timeline.problem.horizon.days
    length = rules.window_days
    first = -(length - 1)
    return Frame(first, length, days + length - 1, timeline.midnights(first, days + length))


def weekly_minutes_limit(rules: AcgmeRules, person: Person) -> float:
    """The limit of a window the person's exception covers fully (or the only limit when the
    exception has no day list); callers without per-window days get the stricter value."""
    weekly = person.limits.weekly_hours_limit or rules.max_weekly_hours
    if person.limits.weekly_hours_days is not None:
        weekly = min(weekly, rules.max_weekly_hours)
    return weekly * rules.window_days / 7 * 60


def window_minutes_limit(
    rules: AcgmeRules, person: Person, first_day: int, length: int, leave: int = 0
) -> float:
    """The duty-minute limit of the window starting on ``first_day`` holding ``leave`` leave days."""
    limits = person.limits
    weekly = rules.max_weekly_hours
    if limits.weekly_hours_limit is not None:
        covered = limits.weekly_hours_days
        if covered is None or all(d in covered for d in range(first_day, first_day + length)):
            weekly = limits.weekly_hours_limit
    counted = length - leave if rules.leave_reading == LeaveReading.OMIT else length
    return weekly * counted / 7 * 60


def window_limits(rules: AcgmeRules, person: Person, fr: Frame) -> list[float]:
    leave = person.limits.leave_days
    counts = [0] * fr.count
    if leave and rules.leave_reading == LeaveReading.OMIT:
        flags = [1 if fr.day(i) in leave else 0 for i in range(fr.count + fr.length - 1)]
        prefix = [0, *accumulate(flags)]
        counts = [prefix[w + fr.length] - prefix[w] for w in range(fr.count)]
    return [
        window_minutes_limit(rules, person, fr.day(w), fr.length, counts[w])
        for w in range(fr.count)
    ]


def check_resident(
    rules: AcgmeRules,
    timeline: Timeline,
    person: Person,
    items: Sequence[Timed],
    callbacks: Mapping[int, int] | None = None,
) -> list[Violation]:
    """Every ACGME (and policy) violation of one resident's sorted timed assignments, history
    included; ``callbacks`` maps day index -> recorded at-home call-back minutes."""
    fr = frame(timeline, rules)
    days = timeline.problem.horizon.days
    periods = duty_periods(items)
    inside = [p for p in periods if _touches(p, days)]
    found: list[Violation] = []
    found += _weekly_hours(rules, timeline, fr, person, periods, callbacks or {})
    found += _free_days(rules, timeline, fr, person, items)
    found += _continuous_duty(rules, timeline, person, inside)
    found += _rest(rules, timeline, person, periods, days)
    found += _call_frequency(rules, timeline, fr, person, items)
    found += _night_float(rules, timeline, person, items, days)
    found += _moonlighting(rules, person, [i for i in items if 0 <= i.day < days])
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
    fr: Frame,
    person: Person,
    rule: str,
    severity: Severity,
    values: Sequence[float],
    failing: Sequence[int],
    limits: Sequence[float],
    describe: str,
    worst: str = "max",
) -> list[Violation]:
    found = []
    mids, length = fr.midnights, fr.length
    for run in _runs(failing):
        pick = max if worst == "max" else min
        w = pick(run, key=lambda i: values[i] - limits[i])
        start, end = mids[w], mids[w + length]
        span = "" if len(run) == 1 else f" ({len(run)} overlapping windows fail)"
        found.append(
            Violation(
                rule=rule,
                severity=severity,
                message=(
                    f"{person.id}: {describe.format(value=values[w], limit=limits[w])} in the "
                    f"window {timeline.local(start)} - {timeline.local(end)}{span}"
                ),
                person=person.id,
                start=to_datetime(start),
                end=to_datetime(end),
                day=fr.day(w),
                measured=values[w],
                limit=limits[w],
                span_start=to_datetime(mids[run[0]]),
                span_end=to_datetime(mids[run[-1] + length]),
            )
        )
    return found


def _weekly_hours(
    rules: AcgmeRules,
    timeline: Timeline,
    fr: Frame,
    person: Person,
    periods: Sequence[DutyPeriod],
    callbacks: Mapping[int, int],
) -> list[Violation]:
    length = fr.length
    per_day = daily_duty_minutes(periods, fr.midnights)
    for day, minutes in callbacks.items():
        if 0 <= day - fr.first < len(per_day):
            per_day[day - fr.first] += minutes
    prefix = [0, *accumulate(per_day)]
    totals = [prefix[w + length] - prefix[w] for w in range(fr.count)]
    limits = window_limits(rules, person, fr)
    failing = [w for w in range(fr.count) if totals[w] > limits[w]]
    if not failing:
        return []
    # Reported as the weekly average over the rule's window.
    weeks = rules.window_days / 7
    weekly = [t / 60 / weeks for t in totals]
    return _window_violations(
        timeline,
        fr,
        person,
        WEEKLY_HOURS,
        Severity.HIGH,
        weekly,
        failing,
        [limit / 60 / weeks for limit in limits],
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
    rules: AcgmeRules, timeline: Timeline, fr: Frame, person: Person, items: Sequence[Timed]
) -> list[Violation]:
    need = rules.min_free_days_per_window
    if need <= 0:
        return []
    counts = free_period_counts(busy_blocks(items), fr.midnights, range(fr.count), fr.length)
    failing = [w for w in range(fr.count) if counts[w] < need]
    return _window_violations(
        timeline,
        fr,
        person,
        FREE_DAYS,
        Severity.HIGH,
        counts,
        failing,
        [need] * fr.count,
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
    rules: AcgmeRules,
    timeline: Timeline,
    person: Person,
    periods: Sequence[DutyPeriod],
    days: int,
) -> list[Violation]:
    """14 h after a long period; 8 h ("should") between any two periods, same day included."""
    found = []
    long_minutes = rules.long_period_hours * 60
    long_rest, short_rest = rules.rest_after_long_period_hours, rules.min_rest_hours
    for before, after in pairwise(periods):
        if not (_touches(before, days) or _touches(after, days)):
            continue  # both periods wholly in the history: not this horizon's to report
        gap = after.start - before.end
        if before.minutes >= long_minutes:
            if gap >= long_rest * 60:
                continue
            rule, severity, needed = REST_AFTER_LONG, Severity.CRITICAL, long_rest
            what = f"after a {before.minutes / 60:.2f} h period"
        else:
            if gap >= short_rest * 60:
                continue
            rule, severity, needed = MIN_REST, Severity.MEDIUM, short_rest
            what = "between duty periods"
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


def _touches(period: DutyPeriod, days: int) -> bool:
    return period.first_day < days and period.last_day >= 0


def _call_frequency(
    rules: AcgmeRules, timeline: Timeline, fr: Frame, person: Person, items: Sequence[Timed]
) -> list[Violation]:
    call_days = {i.day for i in items if i.category == ShiftCategory.IN_HOUSE_CALL}
    cap = rules.max_call_nights_per_window
    if len(call_days) <= cap:
        return []
    length = fr.length
    flags = [1 if fr.day(i) in call_days else 0 for i in range(fr.count + length - 1)]
    prefix = [0, *accumulate(flags)]
    counts = [prefix[w + length] - prefix[w] for w in range(fr.count)]
    failing = [w for w in range(fr.count) if counts[w] > cap]
    return _window_violations(
        timeline,
        fr,
        person,
        CALL_FREQUENCY,
        Severity.HIGH,
        counts,
        failing,
        [cap] * fr.count,
        "{value} in-house call nights, more than {limit}",
    )


def _night_float(
    rules: AcgmeRules, timeline: Timeline, person: Person, items: Sequence[Timed], days: int
) -> list[Violation]:
    """Program policy (not ACGME since 2011): at most the cap of consecutive night-float days."""
    limit = rules.max_consecutive_night_float
    if limit is None:
        return []
    nights = sorted({i.day for i in items if i.category == ShiftCategory.NIGHT_FLOAT})
    found = []
    for run in _runs(nights):
        if len(run) <= limit or run[-1] < 0 or run[0] >= days:
            continue
        start, end = timeline.midnight(run[0]), timeline.midnight(run[-1] + 1)
        found.append(
            Violation(
                rule=NIGHT_FLOAT,
                severity=Severity.HIGH,
                message=(
                    f"{person.id}: {len(run)} consecutive night-float nights from "
                    f"{timeline.local(start)[:10]}; at most {limit} (program policy)"
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
