"""Numbers behind the heatmaps (the pictures are drawn by ``analytics.svg``; exports read the
same numbers):

- **workload**: people x weeks, duty hours or shifts per week of the period;
- **coverage**: shift type x days, people assigned against the coverage minimum (the sum of the
  minimums of the shift type's requirements that apply on that weekday);
- **duty calendar**: one person's duty hours per day, and the hours of the 28 days ending that
  day against the 4-week limit (80 h x 4 unless the program tightens it). A shift counts on the
  day it is dated; the validator's exact reading (shifts clipped at window midnights, leave
  omitted from the average) stays the validator's: this is a picture, not a check.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Case, Count, F, Func, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Coalesce

from analytics.selectors.fairness import duty_hours, schedule
from people.models import Person, Program
from rotations.models import CoverageRequirement, ShiftType
from scheduling.models import Assignment, ScheduleRun, State

HOURS, SHIFTS = "hours", "shifts"
WINDOW_DAYS = 28


@dataclass(frozen=True)
class WorkloadMap:
    unit: str
    weeks: list[date]
    rows: list[tuple[str, str, list[float]]]  # (person code, name, value per week)

    @property
    def high(self) -> float:
        return max((v for _, _, values in self.rows for v in values), default=0.0)


def duty_minutes() -> Case:
    """Duty minutes of one assignment as a database expression (the reading of
    ``fairness.duty_hours``): at-home call counts its call-back minutes, moonlighting always
    counts, other shifts when their type counts toward duty."""
    return Case(
        When(shift_type__category=ShiftType.Category.AT_HOME_CALL,
             then=Coalesce("callback_minutes", Value(0))),
        When(Q(shift_type__counts_toward_duty=True)
             | Q(shift_type__category=ShiftType.Category.MOONLIGHTING),
             then=F("shift_type__duration_minutes")),
        default=Value(0),
        output_field=IntegerField(),
    )  # fmt: skip


class WeekIndex(Func):
    """Whole weeks from ``origin`` (a Monday) to a date column, computed by the database: date
    arithmetic, which SQLite and PostgreSQL evaluate natively, unlike Django's week truncation
    (a Python function called row by row on SQLite). A 53-branch CASE of date ranges was tried
    too: as fast on SQLite, three times slower on PostgreSQL."""

    output_field = IntegerField()
    # PostgreSQL: date - date is a whole number of days; integer division floors (days >= 0).
    template = "((%(expressions)s::date) / 7)"
    arg_joiner = " - "

    def __init__(self, expression: str, origin: date) -> None:
        super().__init__(expression, Value(origin.isoformat()))

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="(CAST(julianday(%(expressions)s) AS INTEGER) / 7)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


def workload(program: Program, start: date, end: date, *, unit: str = HOURS) -> WorkloadMap:
    """Calendar weeks (Monday to Sunday) that touch the period, summed in the database: one row
    per person and week (a year of 150 residents is ~8 000 rows, not ~45 000 shifts)."""
    first = start - timedelta(days=start.weekday())
    weeks = [first + timedelta(days=7 * k) for k in range((end - first).days // 7 + 1)]
    value = Sum(duty_minutes()) if unit == HOURS else Count("id")
    totals: dict[int, list[float]] = defaultdict(lambda: [0.0] * len(weeks))
    for person_id, week, amount in (
        schedule(program, start, end)
        .annotate(week=WeekIndex("date", first))
        .values("person_id", "week")
        .annotate(amount=value)
        .order_by()
        .values_list("person_id", "week", "amount")
    ):
        totals[person_id][week] = amount / 60 if unit == HOURS else amount
    people = Person.objects.filter(program=program, active=True).order_by(
        "kind", "last_name", "first_name", "pk"
    )
    rows = [
        (str(p.code), p.full_name, [round(v, 1) for v in totals.get(p.pk, [0.0] * len(weeks))])
        for p in people
        if p.kind in (Person.Kind.RESIDENT, Person.Kind.FACULTY) or p.pk in totals
    ]
    return WorkloadMap(unit, weeks, rows)


@dataclass(frozen=True)
class CoverageMap:
    days: list[date]
    rows: list[tuple[str, list[tuple[int, int]]]]  # (shift type, (required, filled) per day)

    @property
    def gaps(self) -> int:
        return sum(max(r - f, 0) for _, cells in self.rows for r, f in cells)

    @property
    def required(self) -> int:
        return sum(r for _, cells in self.rows for r, _ in cells)

    @property
    def filled(self) -> int:
        return sum(min(r, f) for _, cells in self.rows for r, f in cells)


def coverage(
    program: Program, start: date, end: date, *, run: ScheduleRun | None = None
) -> CoverageMap:
    days = [start + timedelta(days=k) for k in range((end - start).days + 1)]
    index = {day: k for k, day in enumerate(days)}
    minimum: dict[int, list[int]] = defaultdict(lambda: [0] * 7)
    for shift_type_id, weekdays, low in CoverageRequirement.objects.filter(
        shift_type__program=program, shift_type__active=True
    ).values_list("shift_type_id", "weekdays", "minimum"):
        for weekday in range(7):
            if weekdays & (1 << weekday):
                minimum[shift_type_id][weekday] += low
    filled: dict[int, list[int]] = defaultdict(lambda: [0] * len(days))
    for shift_type_id, day, n in (
        schedule(program, start, end, run=run)
        .values("shift_type_id", "date")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("shift_type_id", "date", "n")
    ):
        filled[shift_type_id][index[day]] += n
    shift_types = ShiftType.objects.filter(program=program).order_by("start_time", "name")
    rows = [
        (
            f"{st.abbreviation} {st.name}",
            [(minimum[st.pk][day.weekday()], filled[st.pk][k]) for k, day in enumerate(days)],
        )
        for st in shift_types
        if st.pk in minimum or st.pk in filled
    ]
    return CoverageMap(days, rows)


@dataclass(frozen=True)
class DutyDay:
    day: date
    hours: float
    window_hours: float  # the 28 days ending this day
    over: bool


@dataclass(frozen=True)
class DutyCalendar:
    person_name: str
    weekly_limit: float
    days: list[DutyDay]

    @property
    def window_limit(self) -> float:
        return self.weekly_limit * WINDOW_DAYS / 7

    @property
    def high(self) -> float:
        return max((d.hours for d in self.days), default=0.0)


def weekly_limit(program: Program) -> float:
    return float((program.rule_overrides or {}).get("max_weekly_hours", 80))


def duty_calendar(program: Program, person: Person, start: date, end: date) -> DutyCalendar:
    first = start - timedelta(days=WINDOW_DAYS - 1)
    daily: dict[date, float] = defaultdict(float)
    for day, starts, ends, category, duty, callback in Assignment.objects.filter(
        person=person, state=State.PUBLISHED, date__range=(first, end)
    ).values_list(
        "date",
        "starts_at",
        "ends_at",
        "shift_type__category",
        "shift_type__counts_toward_duty",
        "callback_minutes",
    ):
        daily[day] += duty_hours(starts, ends, category, duty, callback)
    limit = weekly_limit(program)
    window_limit = limit * WINDOW_DAYS / 7
    days = []
    running = sum(daily[first + timedelta(days=k)] for k in range(WINDOW_DAYS - 1))
    day = start
    while day <= end:
        running += daily[day]
        days.append(DutyDay(day, round(daily[day], 2), round(running, 2), running > window_limit))
        running -= daily[day - timedelta(days=WINDOW_DAYS - 1)]
        day += timedelta(days=1)
    return DutyCalendar(person.full_name, limit, days)
