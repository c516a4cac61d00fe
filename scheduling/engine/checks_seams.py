"""The precheck's causes for person limits that reach across the horizon's edges (issue 21):
fixed assignments that, with each other and with the history around the horizon, already break
a consecutive-day limit, the minimum rest or a weekend cap. Each uses the rule's one reading in
limits.py, so the precheck names exactly what every solver and the validator would refuse.
"""

from __future__ import annotations

from collections import defaultdict

from .duty import Timed, timed_items, timeline_for
from .limits import day_runs, too_close, weekend_room
from .model import Person, Problem


def seam_causes(problem: Problem) -> list[str]:
    fixed: dict[str, set[tuple[int, str]]] = defaultdict(set)
    for a in problem.fixed:
        fixed[a.person].add((a.day, a.shift))
    causes = []
    for person in problem.people:
        mine = fixed.get(person.id)
        if not mine:
            continue
        causes += _consecutive(problem, person, {day for day, _ in mine})
        causes += _weekends(problem, person, {day for day, _ in mine})
        if problem.min_rest_minutes:
            causes += _rest(problem, person, mine)
    return causes


def _consecutive(problem: Problem, person: Person, days: set[int]) -> list[str]:
    """Locked days that, with the history's days next to them, make a run over the limit."""
    limit = person.limits.max_consecutive_work
    if limit is None:
        return []
    horizon = problem.horizon.days
    history = problem.history_days(person.id)
    causes = []
    for first, length, _ in day_runs(sorted(days | history), horizon):
        last = first + length - 1
        if length <= limit or last < 0 or first >= horizon:
            continue  # within the limit, or the history's own
        locked = sorted(d for d in days if first <= d <= last)
        before, after = max(0, -first), max(0, last - horizon + 1)
        parts = []
        if before:
            parts.append(f"worked the {before} day(s) before {day_name(problem, 0)} (published)")
        if after:
            parts.append(f"works the {after} day(s) after {day_name(problem, horizon - 1)}")
        parts.append(
            f"is locked on {day_name(problem, locked[0])}"
            + (f" to {day_name(problem, locked[-1])}" if len(locked) > 1 else "")
        )
        causes.append(
            f"{person.id} {' and '.join(parts)}: {length} consecutive working days, at most "
            f"{limit} (consecutive working-day limit)"
        )
    return causes


def _weekends(problem: Problem, person: Person, days: set[int]) -> list[str]:
    """Locked weekends beyond what a weekend cap leaves, once the history's are counted."""
    causes = []
    history = problem.history_days(person.id)
    for cap in person.limits.weekend_caps:
        room, spent, weekends = weekend_room(cap, problem.horizon, history)
        locked = [ds for ds in weekends if days.intersection(ds)]
        if len(locked) > room:
            causes.append(
                f"{person.id} is locked on {len(locked)} weekend(s) from "
                f"{day_name(problem, min(locked[0]))}, but {cap.name} leaves room for {room}"
                + (f" ({spent} already worked next to the period, published)" if spent else "")
            )
    return causes


def _rest(problem: Problem, person: Person, cells: set[tuple[int, str]]) -> list[str]:
    """Locked shifts closer than the minimum rest to each other or to the history."""
    timeline = timeline_for(problem)
    rest = problem.min_rest_minutes or 0
    locked = timed_items(timeline, cells)
    history = timed_items(timeline, problem.history_by_person.get(person.id, ()))
    causes = []
    for i, item in enumerate(locked):
        others: list[tuple[Timed, bool]] = [(o, False) for o in locked[i + 1 :]]
        others += [(o, True) for o in history]
        for other, published in others:
            span, near = (item.start, item.end), (other.start, other.end)
            if not too_close(span, near, rest):
                continue
            if not published and item.start < other.end and other.start < item.end:
                continue  # two locked shifts overlapping: checks.py's own cause
            earlier, later = sorted((item, other))
            gap = later.start - earlier.end
            what = f"{gap / 60:g} h apart" if gap >= 0 else "overlapping"
            causes.append(
                f"{person.id} is locked on {item.shift} {day_name(problem, item.day)}, "
                f"{what} from {other.shift} {day_name(problem, other.day)}"
                + (" (published)" if published else "")
                + f": too little rest (program rule: at least {rest / 60:g} h)"
            )
    return causes


def day_name(problem: Problem, day: int) -> str:
    """A horizon day as the precheck names it ("Wed 1 July 2026")."""
    when = problem.horizon.date_of(day)
    return f"{when:%a} {when.day} {when:%B %Y}"
