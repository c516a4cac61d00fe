"""Reads for the personal pages: the dashboard, the duty-hours gauge and my schedule (week,
month, list).

Everything a template shows is computed here (local times, gauge geometry), so templates only draw.
"""

from __future__ import annotations

import calendar as pycalendar
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from lib.timezones import local_midnight, local_today, zone
from people.models import (
    Absence,
    AcademicYear,
    CalendarSubscription,
    Notification,
    Person,
    Program,
    Request,
)
from people.rules import attending_weeks_target
from rotations.models import Rotation, ShiftType
from scheduling import problem as problems
from scheduling.selectors.boards import (
    ATTENDING_MIN_MINUTES,
    ATTENDING_WEEK_MIN_DAYS,
    attending_weeks,
    rotation_label,
    rotations_on,
    weeks_in_year,
)
from scheduling.selectors.shifts import CALL_CATEGORIES, Shift, as_shifts, published
from swaps.models import SwapRequest

WEEKLY_LIMIT_HOURS = 80
WINDOW_DAYS = 28
OPEN_SWAPS = (SwapRequest.Status.OPEN, SwapRequest.Status.OFFERED, SwapRequest.Status.ACCEPTED)


@dataclass(frozen=True)
class Gauge:
    """A half-circle gauge: the needle's arc end and where the limit sits, in SVG units."""

    value: float
    limit: float
    percent: int
    arc: str
    level: str


def gauge(value: float, limit: float = WEEKLY_LIMIT_HOURS) -> Gauge:
    # The dial spans 0 .. 1.25 x limit, so the 80-hour mark sits at 80% of the arc.
    top = limit * 1.25
    share = max(0.0, min(value / top, 1.0))
    angle = math.pi * (1 - share)
    x, y = 60 + 50 * math.cos(angle), 60 - 50 * math.sin(angle)
    arc = f"M10,60 A50,50 0 0 1 {x:.1f},{y:.1f}" if share > 0 else ""
    level = "bad" if value > limit else "warn" if value > limit * 0.9 else "ok"
    return Gauge(round(value, 1), limit, round(100 * value / limit), arc, level)


def _overlap_hours(shifts: list[Shift], start: datetime, end: datetime) -> float:
    """Duty hours inside [start, end) as the engine counts them: duty shifts clipped to the
    window, plus the recorded call-back time of at-home calls starting in it."""
    seconds = 0.0
    for shift in shifts:
        if start <= shift.starts < end:
            seconds += shift.callback_hours * 3600
        if not shift.counts_as_duty:
            continue
        # Timestamps, not datetime subtraction: these share one zone, so would subtract on the
        # wall clock and miscount a shift or a window over a DST change by an hour.
        overlap = min(shift.ends, end).timestamp() - max(shift.starts, start).timestamp()
        seconds += max(overlap, 0)
    return seconds / 3600


@dataclass
class DutySummary:
    week_hours: float
    window_hours: float
    average: Gauge
    days_off: int
    window_start: date
    window_end: date


def duty_summary(person: Person, program: Program, today: date, tz: ZoneInfo) -> DutySummary:
    """This week's hours, the rolling 4-week average against the limit the engine applies to this
    person (the program's rules, or a rotation exception) and days off in 28 days."""
    week_start = today - timedelta(days=today.weekday())
    window_start = today - timedelta(days=WINDOW_DAYS - 1)
    first, last = min(week_start, window_start), week_start + timedelta(days=7)
    rows = published(person).filter(
        starts_at__lt=local_midnight(last, tz), ends_at__gt=local_midnight(first, tz)
    )
    shifts = as_shifts(rows, tz)
    week = _overlap_hours(
        shifts, local_midnight(week_start, tz), local_midnight(week_start + timedelta(days=7), tz)
    )
    window = _overlap_hours(
        shifts, local_midnight(window_start, tz), local_midnight(today + timedelta(days=1), tz)
    )
    busy: set[date] = set()
    for shift in shifts:  # a day is off when nothing at all touches it (at-home call included)
        day = shift.starts.date()
        while local_midnight(day, tz) < shift.ends:
            busy.add(day)
            day += timedelta(days=1)
    days = [window_start + timedelta(days=i) for i in range(WINDOW_DAYS)]
    limit = problems.weekly_hours_limit(program, person, window_start, today)
    return DutySummary(
        week_hours=round(week, 1),
        window_hours=round(window, 1),
        average=gauge(window / 4, limit),
        days_off=sum(1 for d in days if d not in busy),
        window_start=window_start,
        window_end=today,
    )


@dataclass(frozen=True)
class RotationDay:
    """A day on a rotation, shown whether or not the rotation has timed shifts."""

    rotation: Rotation

    @property
    def label(self) -> str:
        return rotation_label(self.rotation)


def rotation_days(
    person: Person, program: Program, start: date, end: date
) -> dict[date, RotationDay]:
    """day -> the person's published rotation on it."""
    found = rotations_on(program, start, end, person=person)
    return {day: RotationDay(rotation) for (_, day), rotation in found.items()}


@dataclass(frozen=True)
class Measure:
    """A count this academic year against the person's target (None: no target set)."""

    count: int
    target: int | None
    scheduled: int  # the whole year's published count, past and ahead

    @property
    def status(self) -> str:
        if self.target is None:
            return ""
        return (
            "under"
            if self.scheduled < self.target
            else "over"
            if self.scheduled > self.target
            else "met"
        )


@dataclass(frozen=True)
class FacultyMeasures:
    """A faculty member's year: attending weeks (``boards.attending_weeks``: a Monday-Sunday
    week with whole-day attending on at least ``ATTENDING_WEEK_MIN_DAYS`` days), call
    shifts and clinic sessions (clinic half-days and precepting, attending shifts under 8 hours)
    so far and scheduled, and duty hours this week as the engine counts them (an at-home call adds
    only its recorded call-back time). No ACGME gauge: the 80-hour rules are residents'."""

    year: AcademicYear
    attending: Measure
    calls: Measure
    clinic: Measure
    week_hours: float
    min_days: int = ATTENDING_WEEK_MIN_DAYS


def faculty_measures(
    person: Person, program: Program, today: date, tz: ZoneInfo
) -> FacultyMeasures | None:
    year = AcademicYear.objects.filter(
        program=program, start_date__lte=today, end_date__gte=today
    ).first()
    if year is None:
        return None
    rows = published(person).filter(
        date__range=(year.start_date - timedelta(days=3), year.end_date + timedelta(days=3))
    )
    shifts = as_shifts(rows, tz)
    attending, calls, clinic = [], [], []
    for shift in shifts:
        category, day = shift.shift_type.category, shift.assignment.date
        if (
            category == ShiftType.Category.ATTENDING
            and shift.shift_type.duration_minutes >= ATTENDING_MIN_MINUTES
        ):
            attending.append(day)
        if not year.start_date <= day <= year.end_date:
            continue
        if category in CALL_CATEGORIES:
            calls.append(day)
        elif category == ShiftType.Category.CLINIC_HALF_DAY or (
            category == ShiftType.Category.ATTENDING
            and shift.shift_type.duration_minutes < ATTENDING_MIN_MINUTES
        ):
            clinic.append(day)
    weeks = weeks_in_year(attending_weeks(attending), year)
    week_start = today - timedelta(days=today.weekday())
    week = _overlap_hours(
        shifts, local_midnight(week_start, tz), local_midnight(week_start + timedelta(days=7), tz)
    )
    return FacultyMeasures(
        year=year,
        attending=Measure(
            sum(1 for m in weeks if m + timedelta(days=6) <= today),
            attending_weeks_target(person, program.director_attending_weeks),
            len(weeks),
        ),
        calls=Measure(sum(1 for d in calls if d <= today), None, len(calls)),
        clinic=Measure(
            sum(1 for d in clinic if d <= today), person.clinic_sessions_target, len(clinic)
        ),
        week_hours=round(week, 1),
    )


@dataclass
class Dashboard:
    today: date
    next_shifts: list[Shift]
    week: list[tuple[date, list[Shift], RotationDay | None]]
    duty: DutySummary | None
    absences: list[Absence]
    wishes: list[Request]
    swaps: list[SwapRequest]
    offers: list[SwapRequest]
    notifications: list[Notification]
    unread: int
    feeds: int
    pending_reviews: int = 0
    rotation: RotationDay | None = None  # today's
    faculty: FacultyMeasures | None = None  # for faculty, in place of the resident gauge


def dashboard(
    person: Person | None, program: Program, user: Any, *, manager: bool = False
) -> Dashboard:
    tz = zone(program)
    today = local_today(program)
    notes = Notification.objects.filter(recipient=user, program=program, read_at__isnull=True)
    board = Dashboard(
        today=today,
        next_shifts=[],
        week=[],
        duty=None,
        absences=[],
        wishes=[],
        swaps=[],
        offers=[],
        notifications=list(notes[:5]),
        unread=notes.count(),
        feeds=0,
    )
    if manager:
        board.pending_reviews = (
            Absence.objects.filter(person__program=program, status=Absence.Status.REQUESTED).count()
            + Request.objects.filter(person__program=program, status=Request.Status.PENDING).count()
        )
    if person is None:
        return board
    board.next_shifts = as_shifts(
        published(person).filter(ends_at__gt=timezone.now()).order_by("starts_at")[:5], tz
    )
    week_start = today - timedelta(days=today.weekday())
    board.week = week_days(person, program, week_start, 7, tz)
    board.rotation = next((r for day, _, r in board.week if day == today), None)
    if person.kind == Person.Kind.FACULTY:
        board.faculty = faculty_measures(person, program, today, tz)
    else:
        board.duty = duty_summary(person, program, today, tz)
    board.absences = list(
        Absence.objects.filter(person=person, status=Absence.Status.REQUESTED).order_by(
            "start_date"
        )
    )
    board.wishes = list(
        Request.objects.filter(person=person, status=Request.Status.PENDING)
        .select_related("shift_type")
        .order_by("start_date")
    )
    swaps = SwapRequest.objects.filter(status__in=OPEN_SWAPS).select_related(
        "assignment__shift_type", "requester"
    )
    board.swaps = list(swaps.filter(requester=person)[:5])
    board.offers = list(swaps.filter(counterpart=person)[:5])
    board.feeds = CalendarSubscription.objects.filter(owner=person, revoked_at__isnull=True).count()
    return board


def week_days(
    person: Person, program: Program, start: date, days: int, tz: ZoneInfo
) -> list[tuple[date, list[Shift], RotationDay | None]]:
    end = start + timedelta(days=days - 1)
    by_day: dict[date, list[Shift]] = defaultdict(list)
    for shift in as_shifts(published(person).filter(date__range=(start, end)), tz):
        by_day[shift.assignment.date].append(shift)
    rotations = rotation_days(person, program, start, end)
    return [
        (day, by_day.get(day, []), rotations.get(day))
        for day in (start + timedelta(days=i) for i in range(days))
    ]


VIEWS = ("week", "month", "list")
# (day, shifts, absences, rotation): the rotation shows as "all day" when the day has no shift.
DayCell = tuple[date, list[Shift], list[Absence], RotationDay | None]


@dataclass
class Period:
    """One page of my schedule: a week, a calendar month or a 4-week list."""

    view: str
    anchor: date
    start: date
    end: date
    title: str
    previous: date
    next: date
    today: date
    weeks: list[list[DayCell]] = field(default_factory=list)
    hours: float = 0.0
    count: int = 0

    @property
    def days(self) -> list[DayCell]:
        return [cell for week in self.weeks for cell in week]


def period_bounds(view: str, anchor: date) -> tuple[date, date, date, date, str]:
    """(start, end, previous anchor, next anchor, title) for a view around a date."""
    if view == "month":
        first = anchor.replace(day=1)
        days_in = pycalendar.monthrange(first.year, first.month)[1]
        last = first.replace(day=days_in)
        start = first - timedelta(days=first.weekday())
        end = last + timedelta(days=6 - last.weekday())
        previous = (first - timedelta(days=1)).replace(day=1)
        following = last + timedelta(days=1)
        return start, end, previous, following, f"{first:%B %Y}"
    if view == "list":
        start = anchor
        end = anchor + timedelta(days=27)
        return (
            start,
            end,
            anchor - timedelta(days=28),
            anchor + timedelta(days=28),
            (f"{start:%d %b} – {end:%d %b %Y}"),
        )
    start = anchor - timedelta(days=anchor.weekday())
    end = start + timedelta(days=6)
    return (
        start,
        end,
        start - timedelta(days=7),
        start + timedelta(days=7),
        (f"Week of {start:%d %b %Y}"),
    )


def my_period(person: Person, program: Program, view: str, anchor: date) -> Period:
    tz = zone(program)
    start, end, previous, following, title = period_bounds(view, anchor)
    rows = published(person).filter(date__range=(start, end))
    shifts = as_shifts(rows, tz)
    by_day: dict[date, list[Shift]] = defaultdict(list)
    for shift in shifts:
        by_day[shift.assignment.date].append(shift)
    absences = list(
        Absence.objects.filter(
            person=person,
            start_date__lte=end,
            end_date__gte=start,
            status__in=[Absence.Status.APPROVED, Absence.Status.REQUESTED],
        )
    )
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    rotations = rotation_days(person, program, start, end)
    cells: list[DayCell] = [
        (
            day,
            by_day.get(day, []),
            [a for a in absences if a.start_date <= day <= a.end_date],
            rotations.get(day),
        )
        for day in days
    ]
    if view == "list":
        weeks = [[cell for cell in cells if cell[1] or cell[2] or cell[3]]]
    else:
        weeks = [cells[i : i + 7] for i in range(0, len(cells), 7)]
    return Period(
        view=view,
        anchor=anchor,
        start=start,
        end=end,
        title=title,
        previous=previous,
        next=following,
        today=local_today(program),
        weeks=weeks,
        hours=round(sum(s.duty_hours for s in shifts), 1),
        count=len(shifts),
    )
