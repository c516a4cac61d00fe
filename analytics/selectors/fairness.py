"""The fairness report: per person hours, calls, weekend calls, night shifts, holidays and
workload points over a period, and how each measure spreads over peers (per PGY and per kind).

Counting (one reading, the one docs/rules.md uses for duty hours):
- **hours**: duty hours (the shift type's length) of shifts that count toward duty; a moonlighting
  shift always counts; an at-home call counts only its recorded call-back minutes.
- **calls**: in-house and at-home call shifts; **weekend calls** those dated Saturday or Sunday.
- **nights**: night-float shifts. **holidays**: any shift dated on a day of the program's holiday calendar (console: Holidays).
- **points**: the sum of each count times the program's workload weight for it.

A shift belongs to the day it is dated (``Assignment.date``), so a night crossing into the next
period counts once, in the period where it starts. Everyone active in the program is a line,
including those with nothing assigned (they are the fairness question's other side).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from analytics.measures import Spread, spread
from people.models import AcademicYear, Person, Program
from people.rules import WORKLOAD_MEASURES, default_workload_weights
from rotations.models import ShiftType
from rotations.selectors import holidays_for
from scheduling.models import Assignment, ScheduleRun, State

MEASURES = (*WORKLOAD_MEASURES, "points")
LABELS = {
    "hours": "Hours",
    "calls": "Calls",
    "weekend_calls": "Weekend calls",
    "nights": "Night shifts",
    "holidays": "Holidays",
    "points": "Workload points",
}
CALLS = (ShiftType.Category.IN_HOUSE_CALL, ShiftType.Category.AT_HOME_CALL)
FACULTY_GROUP = "Faculty"
ALL_RESIDENTS = "All residents"


@dataclass
class Line:
    person_id: int
    code: str
    name: str
    kind: str
    group: str  # peer group: "PGY-2", "Faculty", ...
    values: dict[str, float] = field(default_factory=lambda: dict.fromkeys(MEASURES, 0.0))
    deviation: dict[str, float] = field(default_factory=dict)  # value - peer group mean

    @property
    def cells(self) -> list[tuple[float, float]]:
        """(value, deviation from the peer mean) per measure, in ``MEASURES`` order."""
        return [(self.values[m], self.deviation.get(m, 0.0)) for m in MEASURES]


@dataclass(frozen=True)
class Group:
    label: str
    size: int
    spreads: dict[str, Spread]

    @property
    def rows(self) -> list[tuple[str, Spread]]:
        return [(LABELS[m], self.spreads[m]) for m in MEASURES]


@dataclass(frozen=True)
class FairnessReport:
    start: date
    end: date
    weights: dict[str, float]
    lines: list[Line]
    groups: list[Group]  # peer groups (PGY levels, faculty), then all residents

    def group(self, label: str) -> Group | None:
        return next((g for g in self.groups if g.label == label), None)

    def line_for(self, person_id: int) -> Line | None:
        return next((line for line in self.lines if line.person_id == person_id), None)


def weights_of(program: Program) -> dict[str, float]:
    return {**default_workload_weights(), **(program.workload_weights or {})}


def schedule(
    program: Program, start: date, end: date, *, run: ScheduleRun | None = None
) -> QuerySet[Assignment]:
    """The published schedule of the period, or a run's draft when ``run`` is given."""
    # The program's people as a subquery, not a join: the database reads the person ids once
    # instead of joining each of a year's ~45 000 rows to its person (40 % less on SQLite).
    people = Person.objects.filter(program=program).values("pk")
    rows = Assignment.objects.filter(person_id__in=people, date__range=(start, end))
    return rows.filter(run=run, state=State.DRAFT) if run else rows.filter(state=State.PUBLISHED)


def assignment_rows(
    program: Program, start: date, end: date, *, run: ScheduleRun | None = None
) -> Iterable[tuple[Any, ...]]:
    """(person id, date, starts, ends, category, counts toward duty, call-back minutes, shift
    type id) of ``schedule``."""
    return (
        schedule(program, start, end, run=run)
        .values_list(
            "person_id",
            "date",
            "starts_at",
            "ends_at",
            "shift_type__category",
            "shift_type__counts_toward_duty",
            "callback_minutes",
            "shift_type_id",
        )
        .iterator(chunk_size=5000)
    )


def duty_hours(
    starts: datetime, ends: datetime, category: str, counts: bool, callback: int | None
) -> float:
    if category == ShiftType.Category.AT_HOME_CALL:
        return (callback or 0) / 60
    if counts or category == ShiftType.Category.MOONLIGHTING:
        return (ends - starts).total_seconds() / 3600
    return 0.0


def _weekend_days(start: date, end: date) -> list[date]:
    # A list of dates rather than a week-day lookup: SQLite computes week days in Python, row
    # by row; a date list is compared natively (and PostgreSQL does either well).
    first_saturday = start + timedelta(days=(5 - start.weekday()) % 7)
    days = []
    while first_saturday <= end:
        days += [d for d in (first_saturday, first_saturday + timedelta(days=1)) if d <= end]
        first_saturday += timedelta(days=7)
    if start.weekday() == 6:
        days.insert(0, start)
    return days


def fairness_report(
    program: Program,
    year: AcademicYear,
    start: date,
    end: date,
    *,
    run: ScheduleRun | None = None,
) -> FairnessReport:
    weights = weights_of(program)
    holidays = set(holidays_for(program, start, end))  # the program's holiday calendar
    counts: dict[int, dict[str, float]] = defaultdict(lambda: dict.fromkeys(MEASURES, 0.0))
    # Counted in the database, one row per (person, shift type): a year of a 150-resident
    # program is ~45 000 assignments, too many to bring into Python one by one. The shift
    # types' category, length and duty flag are read once, not joined to every row.
    grouped = list(
        schedule(program, start, end, run=run)
        .values("person_id", "shift_type_id")
        .annotate(
            n=Count("id"),
            weekend=Count("id", filter=Q(date__in=_weekend_days(start, end))),
            holiday=Count("id", filter=Q(date__in=sorted(holidays))),
            callback=Sum("callback_minutes"),
        )
        .order_by()
    )
    shift_types = {
        pk: (category, duty, minutes)
        for pk, category, duty, minutes in ShiftType.objects.filter(
            pk__in={row["shift_type_id"] for row in grouped}
        ).values_list("pk", "category", "counts_toward_duty", "duration_minutes")
    }
    for row in grouped:
        tally = counts[row["person_id"]]
        category, duty, minutes = shift_types[row["shift_type_id"]]
        if category == ShiftType.Category.AT_HOME_CALL:
            tally["hours"] += (row["callback"] or 0) / 60
        elif duty or category == ShiftType.Category.MOONLIGHTING:
            tally["hours"] += row["n"] * minutes / 60
        if category in CALLS:
            tally["calls"] += row["n"]
            tally["weekend_calls"] += row["weekend"]
        if category == ShiftType.Category.NIGHT_FLOAT:
            tally["nights"] += row["n"]
        tally["holidays"] += row["holiday"]
    people = Person.objects.filter(
        Q(active=True) | Q(pk__in=list(counts)),
        program=program,
        kind__in=(Person.Kind.RESIDENT, Person.Kind.FACULTY),
    ).order_by("last_name", "first_name", "pk")
    lines = []
    for person in people:
        if person.kind == Person.Kind.FACULTY:
            group = FACULTY_GROUP
        else:
            pgy = person.pgy_in(year)
            group = f"PGY-{pgy}" if pgy else "Residents (no PGY)"
        line = Line(person.pk, str(person.code), person.full_name, person.kind, group)
        line.values.update(counts.get(person.pk, {}))
        line.values["points"] = sum(weights[m] * line.values[m] for m in WORKLOAD_MEASURES)
        lines.append(line)
    lines.sort(key=lambda line: (line.group == FACULTY_GROUP, line.group))
    return FairnessReport(start, end, weights, lines, _groups(lines))


def _groups(lines: list[Line]) -> list[Group]:
    members: dict[str, list[Line]] = defaultdict(list)
    for line in lines:
        members[line.group].append(line)
    groups = []
    for label, group_lines in members.items():
        spreads = {m: spread([line.values[m] for line in group_lines]) for m in MEASURES}
        for line in group_lines:
            line.deviation = {m: line.values[m] - spreads[m].mean for m in MEASURES}
        groups.append(Group(label, len(group_lines), spreads))
    residents = [line for line in lines if line.kind == Person.Kind.RESIDENT]
    if len(members) > 1 and residents:
        spreads = {m: spread([line.values[m] for line in residents]) for m in MEASURES}
        groups.append(Group(ALL_RESIDENTS, len(residents), spreads))
    return groups


@dataclass(frozen=True)
class OwnView:
    """What a resident or faculty member sees: their own line, and their peer group's
    distribution without names (sorted values per measure)."""

    line: Line | None
    group: Group | None
    peers: dict[str, list[float]]

    @property
    def rows(self) -> list[tuple[str, float, float, Spread, list[float]]]:
        """Per measure: label, own value, deviation, the group's spread, peers' sorted values."""
        if self.line is None or self.group is None:
            return []
        return [
            (LABELS[m], self.line.values[m], self.line.deviation[m], self.group.spreads[m],
             self.peers[m])
            for m in MEASURES
        ]  # fmt: skip


def own_view(report: FairnessReport, person_id: int | None) -> OwnView:
    line = report.line_for(person_id) if person_id is not None else None
    if line is None:
        return OwnView(None, None, {})
    group = report.group(line.group)
    peer_lines = [other for other in report.lines if other.group == line.group]
    peers = {m: sorted(other.values[m] for other in peer_lines) for m in MEASURES}
    return OwnView(line, group, peers)
