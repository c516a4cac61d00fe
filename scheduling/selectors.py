"""Reads for the schedule pages: access helpers, the run chart and the people x days grid."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from people import access
from people.models import AcademicYear, Person, Program
from rotations.models import Block, ShiftType
from scheduling.models import (
    Assignment,
    RotationAssignment,
    ScheduleRun,
    ScheduleRunProgress,
    State,
)

CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 640, 180, 28


def managed_programs(user: Any) -> QuerySet[Program]:
    return access.managed_programs(user)


def get_program_for_manager(user: Any, code: Any) -> Program:
    """404 alike for a missing program and one the user does not coordinate."""
    program = managed_programs(user).filter(code=access.valid_code(code)).first()
    if program is None:
        raise Http404("No such program.")
    return program


def get_run_for_manager(user: Any, code: Any) -> ScheduleRun:
    runs = ScheduleRun.objects.select_related("program", "requested_by", "published_by")
    return access.get_for_user(user, runs, code, what="run")


def runs_for_manager(user: Any) -> QuerySet[ScheduleRun]:
    runs = ScheduleRun.objects.select_related("program", "requested_by")
    return access.scope_queryset(user, runs)


@dataclass(frozen=True)
class Chart:
    objective: str  # SVG polyline points
    bound: str
    x_label: str
    y_min: float | None
    y_max: float | None
    samples: int


def run_chart(run: ScheduleRun) -> Chart:
    """Objective and bound over time as SVG polylines (scaled here so templates only draw)."""
    samples = list(
        ScheduleRunProgress.objects.filter(run=run).values_list(
            "elapsed_seconds", "objective", "bound"
        )
    )
    values = [v for _, obj, bnd in samples for v in (obj, bnd) if v is not None]
    if not samples or not values:
        return Chart("", "", "", None, None, len(samples))
    t_max = max(run.time_limit_seconds, max(t for t, _, _ in samples), 1)
    low, high = min(values), max(values)
    span = (high - low) or 1.0

    def point(t: float, v: float) -> str:
        x = CHART_PAD + (CHART_WIDTH - 2 * CHART_PAD) * t / t_max
        y = CHART_HEIGHT - CHART_PAD - (CHART_HEIGHT - 2 * CHART_PAD) * (v - low) / span
        return f"{x:.1f},{y:.1f}"

    objective = " ".join(point(t, o) for t, o, _ in samples if o is not None)
    bound = " ".join(point(t, b) for t, _, b in samples if b is not None)
    return Chart(objective, bound, f"0–{t_max:.0f} s", low, high, len(samples))


def run_percent(run: ScheduleRun, now: datetime | None = None) -> int:
    """Share of the time limit used so far, by the wall clock since the worker claimed the run
    (so the bar moves while the problem is built, not only once the solver reports)."""
    if not run.is_active:
        return 100
    elapsed = run.elapsed_seconds
    if run.started_at is not None:
        elapsed = max(elapsed, ((now or timezone.now()) - run.started_at).total_seconds())
    return min(99, int(100 * elapsed / max(run.time_limit_seconds, 1)))


@dataclass
class GridRow:
    person: Person
    pgy: int | None
    rotation: str
    cells: list[tuple[date, list[Assignment]]] = field(default_factory=list)


@dataclass
class Grid:
    days: list[date]
    rows: list[GridRow]
    shift_types: list[ShiftType]


def schedule_grid(
    program: Program,
    start: date,
    days: int,
    *,
    run: ScheduleRun | None = None,
    rotation_id: int | None = None,
    pgy: int | None = None,
    kind: str | None = None,
) -> Grid:
    dates = [start + timedelta(days=i) for i in range(days)]
    end = dates[-1]
    year = AcademicYear.objects.filter(
        program=program, start_date__lte=start, end_date__gte=start
    ).first()
    people = list(Person.objects.filter(program=program, active=True).order_by("kind", "last_name"))
    rotation_of = _rotation_labels(program, start, end)
    if kind:
        people = [p for p in people if p.kind == kind]
    if pgy and year is not None:
        people = [p for p in people if p.pgy_in(year) == pgy]
    if rotation_id:
        members = _rotation_members(program, rotation_id, start, end)
        people = [p for p in people if p.pk in members]
    assignments = Assignment.objects.filter(
        person__in=people, date__range=(start, end)
    ).select_related("shift_type")
    assignments = (
        assignments.filter(run=run, state=State.DRAFT)
        if run
        else assignments.filter(state=State.PUBLISHED)
    )
    by_cell: dict[tuple[int, date], list[Assignment]] = defaultdict(list)
    for assignment in assignments.order_by("starts_at"):
        by_cell[(assignment.person_id, assignment.date)].append(assignment)
    rows = [
        GridRow(
            person=person,
            pgy=person.pgy_in(year) if year else None,
            rotation=rotation_of.get(person.pk, ""),
            cells=[(day, by_cell.get((person.pk, day), [])) for day in dates],
        )
        for person in people
    ]
    return Grid(
        days=dates,
        rows=rows,
        shift_types=list(ShiftType.objects.filter(program=program, active=True)),
    )


def _rotation_labels(program: Program, start: date, end: date) -> dict[int, str]:
    rows = RotationAssignment.objects.filter(
        block__academic_year__program=program,
        state=State.PUBLISHED,
        block__start_date__lte=end,
        block__end_date__gte=start,
    ).select_related("rotation")
    labels: dict[int, list[str]] = defaultdict(list)
    for row in rows.order_by("block__number", "half"):
        if row.rotation.abbreviation not in labels[row.person_id]:
            labels[row.person_id].append(row.rotation.abbreviation)
    return {person: " / ".join(names) for person, names in labels.items()}


def _rotation_members(program: Program, rotation_id: int, start: date, end: date) -> set[int]:
    return set(
        RotationAssignment.objects.filter(
            rotation_id=rotation_id,
            rotation__program=program,
            state=State.PUBLISHED,
            block__start_date__lte=end,
            block__end_date__gte=start,
        ).values_list("person_id", flat=True)
    )


def current_block_start(program: Program, today: date) -> date:
    block = (
        Block.objects.filter(
            academic_year__program=program, start_date__lte=today, end_date__gte=today
        ).first()
        or Block.objects.filter(academic_year__program=program).order_by("start_date").first()
    )
    return block.start_date if block else today
