"""Per-person limits (``PersonLimits``), forbidden successions and the minimum rest, all HIGH
when broken; and the readings of them every solver shares (``lead_days``, ``weekend_room``,
``too_close``), so no solver keeps a second copy of a rule.

A day is worked when the person has any assignment on it; a weekend is worked when its Saturday
or Sunday is. Minimum-consecutive rules skip runs touching the horizon's first or last day
(the published reading of the shift benchmark: the run may continue outside the horizon); the
maximum counts the history's days worked across that edge. Total minutes use the shift types'
nominal minutes (contract hours), not real time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace
from typing import NamedTuple

from .duty import Timed, Timeline, interval_cliques
from .model import Horizon, Link, Person, Problem, Severity, ShiftType, Violation, WeekendCap

MAX_SHIFTS = "limit.max_shifts"
SHIFT_CAP = "limit.cap"
MIN_TOTAL_MINUTES = "limit.min_total_minutes"
MAX_TOTAL_MINUTES = "limit.max_total_minutes"
MIN_CONSECUTIVE_WORK = "limit.min_consecutive_work"
MAX_CONSECUTIVE_WORK = "limit.max_consecutive_work"
MIN_CONSECUTIVE_OFF = "limit.min_consecutive_off"
MAX_WEEKENDS = "limit.max_weekends"
MAX_SHIFTS_PER_DAY = "limit.max_shifts_per_day"
FORBIDDEN_SUCCESSION = "succession.forbidden"
CALL_PATTERN = "policy.call_pattern"
MIN_REST = "policy.min_rest"
SATURDAY = 5


# ------------------------------------------------------------------ shared readings
def lead_days(history: Collection[int], horizon_days: int) -> tuple[int, int]:
    """The history's days worked right before day 0 (-1, -2, ...) and right after the last day
    (``horizon_days``, ...): what a run of working days reaching that edge carries across it."""
    before = 0
    while -(before + 1) in history:
        before += 1
    after = 0
    while horizon_days + after in history:
        after += 1
    return before, after


def weekend_saturday(horizon: Horizon, day: int) -> int | None:
    """The day index of the Saturday of the weekend holding ``day`` (None on a weekday)."""
    weekday = horizon.date_of(day).weekday()
    return day - (weekday - SATURDAY) if weekday >= SATURDAY else None


class WeekendRoom(NamedTuple):
    room: int  # how many of ``weekends`` the schedule may work
    spent: int  # the cap's weekends the history already works
    weekends: list[tuple[int, ...]]  # the other weekends' days on the cap inside the horizon


def weekend_room(cap: WeekendCap, horizon: Horizon, history: Collection[int]) -> WeekendRoom:
    """The weekends ``cap`` leaves the schedule. A weekend the history already works on one of
    the cap's days outside the horizon (a block that began before the period, its weekend
    straddling the period's start) is spent: it uses up the room, never below none."""
    days = horizon.days
    inside: dict[int, list[int]] = {}
    for day in range(max(cap.first, 0), min(cap.last, days - 1) + 1):
        saturday = weekend_saturday(horizon, day)
        if saturday is not None:
            inside.setdefault(saturday, []).append(day)
    spent = 0
    weekends = []
    for saturday, ours in sorted(inside.items()):
        outside = (d for d in (saturday, saturday + 1) if cap.first <= d <= cap.last)
        if any(not 0 <= d < days and d in history for d in outside):
            spent += 1
        else:
            weekends.append(tuple(ours))
    return WeekendRoom(max(0, cap.cap - spent), spent, weekends)


def too_close(a: tuple[int, int], b: tuple[int, int], rest: int) -> bool:
    """Two real intervals (start, end in minutes) closer than ``rest`` minutes: overlapping,
    touching, or the later starting less than ``rest`` after the earlier ends, whatever the days
    between them. The same as the spans (start, end + rest) overlapping (``rest_span``)."""
    return a[0] < b[1] + rest and b[0] < a[1] + rest


def rest_span(interval: tuple[int, int], rest: int) -> tuple[int, int]:
    """The real time a shift keeps its person from starting another under the minimum rest."""
    return interval[0], interval[1] + rest


def rest_cliques(
    problem: Problem, timeline: Timeline, cells: Collection[tuple[int, str]]
) -> list[list[tuple[int, str]]]:
    """Cliques of the (distinct) ``cells`` whose rest spans overlap: one person works at most
    one cell of each, which is exactly the minimum rest among the horizon's shifts (and the
    overlap rule)."""
    rest = problem.min_rest_minutes or 0
    return interval_cliques(cells, lambda cell: rest_span(timeline.interval(*cell), rest))


def rest_after_history(
    problem: Problem, timeline: Timeline, person: str, cells: Iterable[tuple[int, str]]
) -> list[tuple[tuple[int, str], tuple[int, str]]]:
    """(cell, history cell) for each of ``person``'s horizon ``cells`` too close to one of their
    history assignments for the minimum rest: such a cell may not be worked."""
    rest = problem.min_rest_minutes
    history = problem.history_by_person.get(person, ())
    if not rest or not history:
        return []
    spans = sorted((timeline.interval(*h), h) for h in history)
    before = [(iv, h) for iv, h in spans if h[0] < 0]
    after = [(iv, h) for iv, h in spans if h[0] >= 0]
    reach = max((iv[1] for iv, _ in before), default=None)  # the last end before the horizon
    first = min((iv[0] for iv, _ in after), default=None)  # the first start after it
    found = []
    for cell in cells:
        iv = timeline.interval(*cell)
        near = []
        if reach is not None and iv[0] < reach + rest:
            near += before
        if first is not None and first < iv[1] + rest:
            near += after
        hit = next((h for h_iv, h in near if too_close(iv, h_iv, rest)), None)
        if hit is not None:
            found.append((cell, hit))
    return found


def _violation(
    rule: str, person: Person, message: str, measured: float, limit: float, **where: object
) -> Violation:
    return Violation(
        rule=rule,
        severity=Severity.HIGH,
        message=f"{person.id}: {message}",
        person=person.id,
        measured=measured,
        limit=limit,
        **where,  # type: ignore[arg-type]
    )


def day_runs(days: Sequence[int], horizon_days: int) -> list[tuple[int, int, bool]]:
    """Runs of consecutive days as (first, length, touches an edge of the horizon)."""
    runs = []
    first = previous = None
    for day in days:
        if previous is not None and day == previous + 1:
            previous = day
            continue
        if first is not None and previous is not None:
            runs.append((first, previous - first + 1, first == 0 or previous == horizon_days - 1))
        first = previous = day
    if first is not None and previous is not None:
        runs.append((first, previous - first + 1, first == 0 or previous == horizon_days - 1))
    return runs


def off_runs(worked: Sequence[int], horizon_days: int) -> list[tuple[int, int, bool]]:
    """Runs of days off, from the sorted worked days."""
    worked_set = set(worked)
    return day_runs([d for d in range(horizon_days) if d not in worked_set], horizon_days)


def check_limits(
    person: Person,
    pairs: Sequence[tuple[int, str]],
    shift_by_id: dict[str, ShiftType],
    weekend_keys: Sequence[tuple[int, int] | None],
    horizon: Horizon | None = None,
    history: Collection[int] = frozenset(),
) -> list[Violation]:
    """Every PersonLimits violation of one person's (day, shift) assignments.

    ``weekend_keys[d]`` names the weekend of day d (None on weekdays; see Timeline);
    ``history`` the days outside the horizon the person worked (``Problem.history_days``).
    """
    limits = person.limits
    found: list[Violation] = []
    per_type = Counter(shift for _, shift in pairs)
    for shift_id, cap in limits.max_shifts.items():
        if per_type[shift_id] > cap:
            found.append(
                _violation(
                    MAX_SHIFTS,
                    person,
                    f"{per_type[shift_id]} {shift_id} shifts, at most {cap}",
                    per_type[shift_id],
                    cap,
                    shift=shift_id,
                )
            )
    for group in limits.caps:
        n = sum(1 for day, shift in pairs if group.covers(day, shift))
        if n > group.cap:
            found.append(
                _violation(
                    SHIFT_CAP, person, f"{n} {group.name}, at most {group.cap}", n, group.cap
                )
            )
            if not group.hard:
                found[-1] = replace(found[-1], severity=Severity.MEDIUM)
    if limits.min_total_minutes is not None or limits.max_total_minutes is not None:
        total = sum(shift_by_id[s].minutes for _, s in pairs)
        if limits.max_total_minutes is not None and total > limits.max_total_minutes:
            found.append(
                _violation(
                    MAX_TOTAL_MINUTES,
                    person,
                    f"{total} minutes scheduled, at most {limits.max_total_minutes}",
                    total,
                    limits.max_total_minutes,
                )
            )
        if limits.min_total_minutes is not None and total < limits.min_total_minutes:
            found.append(
                _violation(
                    MIN_TOTAL_MINUTES,
                    person,
                    f"{total} minutes scheduled, at least {limits.min_total_minutes}",
                    total,
                    limits.min_total_minutes,
                )
            )
    per_day = Counter(day for day, _ in pairs)
    if limits.max_shifts_per_day is not None:
        for day, count in sorted(per_day.items()):
            if count > limits.max_shifts_per_day:
                found.append(
                    _violation(
                        MAX_SHIFTS_PER_DAY,
                        person,
                        f"{count} shifts on day {day}, at most {limits.max_shifts_per_day}",
                        count,
                        limits.max_shifts_per_day,
                        day=day,
                    )
                )
    worked = sorted(per_day)
    found += _consecutive(person, worked, len(weekend_keys), history)
    if limits.max_weekends is not None:
        weekends = {weekend_keys[day] for day in worked} - {None}
        if len(weekends) > limits.max_weekends:
            found.append(
                _violation(
                    MAX_WEEKENDS,
                    person,
                    f"{len(weekends)} weekends worked, at most {limits.max_weekends}",
                    len(weekends),
                    limits.max_weekends,
                )
            )
    if limits.weekend_caps:
        assert horizon is not None, "weekend caps need the horizon"
        found += _weekend_caps(person, set(worked), horizon, history)
    return found


def _weekend_caps(
    person: Person, worked: set[int], horizon: Horizon, history: Collection[int]
) -> list[Violation]:
    found = []
    for cap in person.limits.weekend_caps:
        room, spent, weekends = weekend_room(cap, horizon, history)
        n = sum(1 for days in weekends if worked.intersection(days))
        if n > room:
            before = f" ({spent} of them next to the period)" if spent else ""
            found.append(
                _violation(
                    MAX_WEEKENDS,
                    person,
                    f"{n + spent} {cap.name}{before}, at most {cap.cap}",
                    n + spent,
                    cap.cap,
                )
            )
    return found


def _consecutive(
    person: Person, worked: list[int], horizon_days: int, history: Collection[int] = ()
) -> list[Violation]:
    limits = person.limits
    found = []
    if limits.min_consecutive_work is not None or limits.max_consecutive_work is not None:
        before, after = lead_days(history, horizon_days) if history else (0, 0)
        for first, length, at_edge in day_runs(worked, horizon_days):
            low, high = limits.min_consecutive_work, limits.max_consecutive_work
            # The history's days worked across the period's edge belong to the run.
            carried = (before if first == 0 else 0) + (
                after if first + length == horizon_days else 0
            )
            if high is not None and length + carried > high:
                across = f" ({carried} of them outside the period)" if carried else ""
                found.append(
                    _violation(
                        MAX_CONSECUTIVE_WORK,
                        person,
                        f"{length + carried} consecutive working days from day "
                        f"{first - (before if first == 0 else 0)}{across}, at most {high}",
                        length + carried,
                        high,
                        day=first,
                    )
                )
            if low is not None and length < low and not at_edge:
                found.append(
                    _violation(
                        MIN_CONSECUTIVE_WORK,
                        person,
                        f"{length} consecutive working days from day {first}, at least {low}",
                        length,
                        low,
                        day=first,
                    )
                )
    low = limits.min_consecutive_off
    if low is not None:
        for first, length, at_edge in off_runs(worked, horizon_days):
            if length < low and not at_edge:
                found.append(
                    _violation(
                        MIN_CONSECUTIVE_OFF,
                        person,
                        f"{length} consecutive days off from day {first}, at least {low}",
                        length,
                        low,
                        day=first,
                    )
                )
    return found


def check_successions(
    person: Person, pairs: Sequence[tuple[int, str]], shift_by_id: dict[str, ShiftType]
) -> list[Violation]:
    """Shift types listed in ``forbidden_next`` of a shift worked the day before."""
    worked = set(pairs)
    found = []
    for day, shift in sorted(p for p in worked if shift_by_id[p[1]].forbidden_next):
        for banned in sorted(shift_by_id[shift].forbidden_next):
            if (day + 1, banned) in worked:
                found.append(
                    _violation(
                        FORBIDDEN_SUCCESSION,
                        person,
                        f"{banned} on day {day + 1} may not follow {shift} on day {day}",
                        1,
                        0,
                        day=day + 1,
                        shift=banned,
                    )
                )
    return found


def check_rest(
    person: Person, items: Sequence[Timed], horizon_days: int, rest: int
) -> list[Violation]:
    """Pairs of the person's assignments (``items`` sorted by start, history included) closer
    than the minimum rest (``too_close``; overlapping pairs are the overlap rule's), one
    violation per later assignment, when either of the two lies in the horizon."""
    if not items:
        return []
    longest = max(item.end - item.start for item in items)
    found = []
    for k, later in enumerate(items):
        j = k - 1
        while j >= 0 and items[j].start + longest + rest > later.start:
            earlier = items[j]
            j -= 1
            ours = (0 <= earlier.day < horizon_days, 0 <= later.day < horizon_days)
            if not any(ours) or (all(ours) and earlier.end > later.start):
                continue  # the history's own, or an overlap (the overlap rule's)
            gap = later.start - earlier.end
            if gap < rest:
                here = later if ours[1] else earlier
                when = f"starts {gap / 60:g} h after" if gap >= 0 else "overlaps"
                found.append(
                    _violation(
                        MIN_REST,
                        person,
                        f"{later.shift} on day {later.day} {when} {earlier.shift} on day "
                        f"{earlier.day}, at least {rest / 60:g} h apart "
                        "(program rule: minimum rest)",
                        gap / 60,
                        rest / 60,
                        day=here.day,
                        shift=here.shift,
                    )
                )
                break
    return found


def check_links(
    person: Person, pairs: Sequence[tuple[int, str]], links: Sequence[Link], days: int
) -> list[Violation]:
    """Linked days (model.Link) worked one without the other."""
    found = []
    for link in links:
        if not (0 <= link.first < days and 0 <= link.second < days):
            continue
        first = any(d == link.first and s in link.shifts for d, s in pairs)
        second = any(d == link.second and s in link.shifts for d, s in pairs)
        if first != second:
            worked, missing = (link.first, link.second) if first else (link.second, link.first)
            found.append(
                _violation(
                    CALL_PATTERN,
                    person,
                    f"works call on day {worked} but not on the linked day {missing}",
                    1,
                    0,
                    day=worked,
                )
            )
    return found
