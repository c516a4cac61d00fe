"""The benchmark's own rules on a roster, written from SOURCE.md and independent of the solver
and of the generic model (the generic validator is the cross-check, not the source)."""

from __future__ import annotations

from dataclasses import dataclass

from .instance import NrpInstance
from .roster import Roster


@dataclass(frozen=True)
class Evaluation:
    objective: int
    hard: tuple[str, ...]  # one message per broken hard rule

    @property
    def feasible(self) -> bool:
        return not self.hard


def _runs(flags: list[bool]) -> list[tuple[int, int]]:
    """(first day, length) of each run of True."""
    runs, start = [], None
    for day, flag in enumerate([*flags, False]):
        if flag and start is None:
            start = day
        elif not flag and start is not None:
            runs.append((start, day - start))
            start = None
    return runs


def evaluate(instance: NrpInstance, roster: Roster) -> Evaluation:
    days = instance.days
    minutes = {s.id: s.minutes for s in instance.shifts}
    banned = {s.id: set(s.forbidden_next) for s in instance.shifts}
    hard: list[str] = []
    for st in instance.staff:
        row = roster[st.id]
        sid = st.id
        for day in sorted(instance.days_off.get(sid, ())):
            if row[day] is not None:
                hard.append(f"{sid} works {row[day]} on day {day}, a day off")
        for day in range(days - 1):
            a, b = row[day], row[day + 1]
            if a is not None and b is not None and b in banned[a]:
                hard.append(f"{sid}: {b} on day {day + 1} may not follow {a}")
        for shift, cap in st.max_shifts.items():
            n = sum(1 for s in row if s == shift)
            if n > cap:
                hard.append(f"{sid}: {n} {shift} shifts, at most {cap}")
        total = sum(minutes[s] for s in row if s is not None)
        if total > st.max_total_minutes:
            hard.append(f"{sid}: {total} minutes, at most {st.max_total_minutes}")
        if total < st.min_total_minutes:
            hard.append(f"{sid}: {total} minutes, at least {st.min_total_minutes}")
        worked = [s is not None for s in row]
        for first, length in _runs(worked):
            at_edge = first == 0 or first + length == days
            if length > st.max_consecutive:
                hard.append(
                    f"{sid}: {length} consecutive shifts from day {first}, "
                    f"at most {st.max_consecutive}"
                )
            if length < st.min_consecutive and not at_edge:
                hard.append(
                    f"{sid}: {length} consecutive shifts from day {first}, "
                    f"at least {st.min_consecutive}"
                )
        for first, length in _runs([not w for w in worked]):
            at_edge = first == 0 or first + length == days
            if length < st.min_days_off and not at_edge:
                hard.append(
                    f"{sid}: {length} consecutive days off from day {first}, "
                    f"at least {st.min_days_off}"
                )
        # Day 0 is a Monday: days 7k+5 and 7k+6 are one weekend.
        weekends = {day // 7 for day in range(days) if day % 7 >= 5 and worked[day]}
        if len(weekends) > st.max_weekends:
            hard.append(f"{sid}: {len(weekends)} weekends worked, at most {st.max_weekends}")
    objective = 0
    for r in instance.on_requests:
        if roster[r.staff][r.day] != r.shift:
            objective += r.weight
    for r in instance.off_requests:
        if roster[r.staff][r.day] == r.shift:
            objective += r.weight
    for c in instance.cover:
        n = sum(1 for sid in instance.staff_ids if roster[sid][c.day] == c.shift)
        objective += c.under_weight * max(0, c.requirement - n)
        objective += c.over_weight * max(0, n - c.requirement)
    return Evaluation(objective, tuple(hard))
