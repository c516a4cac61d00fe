"""Per-person limits (``PersonLimits``) and forbidden successions, all HIGH when broken.

A day is worked when the person has any assignment on it; a weekend is worked when its Saturday
or Sunday is. Minimum-consecutive rules skip runs touching the horizon's first or last day
(the published reading of the shift benchmark: the run may continue outside the horizon).
Total minutes use the shift types' nominal minutes (contract hours), not real time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from .model import Link, Person, Severity, ShiftType, Violation

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
) -> list[Violation]:
    """Every PersonLimits violation of one person's (day, shift) assignments.

    ``weekend_keys[d]`` names the weekend of day d (None on weekdays; see Timeline).
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
    found += _consecutive(person, worked, len(weekend_keys))
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
    return found


def _consecutive(person: Person, worked: list[int], horizon_days: int) -> list[Violation]:
    limits = person.limits
    found = []
    if limits.min_consecutive_work is not None or limits.max_consecutive_work is not None:
        for first, length, at_edge in day_runs(worked, horizon_days):
            low, high = limits.min_consecutive_work, limits.max_consecutive_work
            if high is not None and length > high:
                found.append(
                    _violation(
                        MAX_CONSECUTIVE_WORK,
                        person,
                        f"{length} consecutive working days from day {first}, at most {high}",
                        length,
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
