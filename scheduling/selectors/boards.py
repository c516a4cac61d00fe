"""Reads for the program-wide pages: the daily manifest, the call roster and the year timeline."""

from __future__ import annotations

import calendar as pycalendar
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from lib.timezones import local_midnight, local_today, zone
from people.models import Absence, AcademicYear, Person, Program
from people.rules import attending_weeks_target
from rotations.models import Block, Rotation, ShiftType
from scheduling.models import Assignment, RotationAssignment, State
from scheduling.selectors.shifts import CALL_CATEGORIES, Shift, as_shifts

# Local clock times that split the day on the manifest; a shift appears in every part it touches.
SLOTS = (
    ("morning", "Morning", 7, 12),
    ("afternoon", "Afternoon", 12, 17),
    ("night", "Night", 17, 31),
)
# A shift counts in a part of the day it fills for 3 hours or half the part (a 07-19 ward day is
# not "at night" for its last two hours).
SLOT_MIN_OVERLAP = timedelta(hours=3)
ATTENDING_MIN_MINUTES = 8 * 60  # whole-day attending shifts make an attending week, not half-days
# An attending week is a Monday-Sunday week in which the person attends (a whole-day attending
# shift) on at least this many days: scattered single days make no week.
ATTENDING_WEEK_MIN_DAYS = 4
ROSTER_CATEGORIES = (*CALL_CATEGORIES, ShiftType.Category.ATTENDING)


def rotations_on(
    program: Program, start: date, end: date, *, person: Person | None = None
) -> dict[tuple[int, date], Rotation]:
    """(person id, day) -> published rotation, honouring half blocks (one person's, if named)."""
    rows = RotationAssignment.objects.filter(
        block__academic_year__program=program,
        state=State.PUBLISHED,
        block__start_date__lte=end,
        block__end_date__gte=start,
    ).select_related("rotation", "block")
    if person is not None:
        rows = rows.filter(person=person)
    found: dict[tuple[int, date], Rotation] = {}
    for row in rows:
        block = row.block
        first = max(block.start_date, start)
        last = min(block.end_date, end)
        day = first
        while day <= last:
            half = (
                RotationAssignment.Half.FIRST
                if day < block.midpoint
                else RotationAssignment.Half.SECOND
            )
            if row.half in (RotationAssignment.Half.FULL, half):
                found[(row.person_id, day)] = row.rotation
            day += timedelta(days=1)
    return found


def rotation_label(rotation: Rotation) -> str:
    """How a day on a rotation reads when it has no timed shift: "Obstetrics · Riverside
    General, all day"."""
    where = f" · {rotation.location}" if rotation.location else ""
    return f"{rotation.name}{where}, all day"


@dataclass
class ManifestRow:
    label: str
    location: str
    color: str
    slots: dict[str, list[Shift]] = field(default_factory=dict)
    # People on the rotation that day with no timed shift: there all day.
    all_day: list[Person] = field(default_factory=list)

    @property
    def cells(self) -> list[list[Shift]]:
        return [self.slots.get(key, []) for key, *_ in SLOTS]

    @property
    def has_shifts(self) -> bool:
        return any(self.slots.values())


@dataclass
class Manifest:
    day: date
    previous: date
    next: date
    slots: list[str]
    rows: list[ManifestRow]
    on_call: list[Shift]
    attending: list[Shift]
    absent: list[Absence]
    count: int


def manifest(program: Program, day: date) -> Manifest:
    tz = zone(program)
    begins = datetime.combine(day, time(SLOTS[0][2]), tzinfo=tz)
    ends = datetime.combine(day + timedelta(days=1), time(SLOTS[0][2]), tzinfo=tz)
    rows = (
        Assignment.objects.filter(
            person__program=program,
            state=State.PUBLISHED,
            starts_at__lt=ends,
            ends_at__gt=begins,
        )
        .select_related("person", "shift_type")
        .order_by("starts_at", "person__last_name")
    )
    shifts = as_shifts(rows, tz)
    rotation_of = rotations_on(program, day, day)
    groups: dict[str, ManifestRow] = {}
    for shift in shifts:
        person = shift.assignment.person
        rotation = rotation_of.get((person.pk, day))
        if rotation is not None:
            key, row = (
                f"r{rotation.pk}",
                ManifestRow(rotation.name, rotation.location, rotation.color),
            )
        elif person.kind == Person.Kind.FACULTY:
            key, row = "~faculty", ManifestRow("Faculty", "", "#264653")
        else:
            key, row = "~other", ManifestRow("Other", "", "#8a94a6")
        row = groups.setdefault(key, row)
        for slot, _label, start_hour, end_hour in SLOTS:
            slot_start = local_midnight(day, tz) + timedelta(hours=start_hour)
            slot_end = local_midnight(day, tz) + timedelta(hours=end_hour)
            overlap = min(shift.ends, slot_end) - max(shift.starts, slot_start)
            if overlap >= min(SLOT_MIN_OVERLAP, (slot_end - slot_start) / 2):
                row.slots.setdefault(slot, []).append(shift)
    absent = list(
        Absence.objects.filter(
            person__program=program,
            status=Absence.Status.APPROVED,
            start_date__lte=day,
            end_date__gte=day,
        )
        .select_related("person")
        .order_by("person__last_name")
    )
    # Everyone else on a rotation that day is there all day, shift types or not.
    placed = {s.assignment.person_id for s in shifts} | {a.person_id for a in absent}
    waiting = {pid: rotation for (pid, _), rotation in rotation_of.items() if pid not in placed}
    for person in Person.objects.filter(pk__in=waiting, active=True).order_by(
        "last_name", "first_name"
    ):
        rotation = waiting[person.pk]
        row = groups.setdefault(
            f"r{rotation.pk}", ManifestRow(rotation.name, rotation.location, rotation.color)
        )
        row.all_day.append(person)
    ordered = sorted(groups.items(), key=lambda item: (item[0].startswith("~"), item[1].label))
    return Manifest(
        day=day,
        previous=day - timedelta(days=1),
        next=day + timedelta(days=1),
        slots=[label for _, label, *_ in SLOTS],
        rows=[row for _, row in ordered],
        on_call=[s for s in shifts if s.is_call and s.assignment.date == day],
        attending=[
            s
            for s in shifts
            if s.shift_type.category == ShiftType.Category.ATTENDING and s.assignment.date == day
        ],
        absent=absent,
        count=len({s.assignment.person_id for s in shifts})
        + sum(len(row.all_day) for row in groups.values()),
    )


@dataclass
class RosterDay:
    day: date
    in_month: bool
    services: list[tuple[ShiftType, list[Shift]]]


@dataclass
class Roster:
    month: date
    previous: date
    next: date
    weeks: list[list[RosterDay]]
    services: list[ShiftType]
    contacts: list[Person]
    today: date


def roster(
    program: Program, month: date, *, service: ShiftType | None = None, kind: str | None = None
) -> Roster:
    tz = zone(program)
    first = month.replace(day=1)
    last = first.replace(day=pycalendar.monthrange(first.year, first.month)[1])
    start = first - timedelta(days=first.weekday())
    end = last + timedelta(days=6 - last.weekday())
    services = list(
        ShiftType.objects.filter(
            program=program, active=True, category__in=ROSTER_CATEGORIES
        ).order_by("category", "start_time")
    )
    rows = Assignment.objects.filter(
        person__program=program,
        state=State.PUBLISHED,
        date__range=(start, end),
        shift_type__category__in=ROSTER_CATEGORIES,
    ).select_related("person", "shift_type")
    if service is not None:
        rows = rows.filter(shift_type=service)
    if kind:
        rows = rows.filter(person__kind=kind)
    by_day: dict[date, dict[int, list[Shift]]] = defaultdict(lambda: defaultdict(list))
    people: dict[int, Person] = {}
    for shift in as_shifts(rows.order_by("starts_at", "person__last_name"), tz):
        by_day[shift.assignment.date][shift.shift_type.pk].append(shift)
        people[shift.assignment.person_id] = shift.assignment.person
    shown = [service] if service else services
    days = [
        RosterDay(
            day=start + timedelta(days=i),
            in_month=first <= start + timedelta(days=i) <= last,
            services=[
                (st, by_day[start + timedelta(days=i)][st.pk])
                for st in shown
                if by_day[start + timedelta(days=i)].get(st.pk)
            ],
        )
        for i in range((end - start).days + 1)
    ]
    return Roster(
        month=first,
        previous=(first - timedelta(days=1)).replace(day=1),
        next=last + timedelta(days=1),
        weeks=[days[i : i + 7] for i in range(0, len(days), 7)],
        services=services,
        contacts=sorted(people.values(), key=lambda p: (p.last_name, p.first_name)),
        today=local_today(program),
    )


def attending_weeks(days: Iterable[date]) -> list[date]:
    """The Mondays of the weeks that count as attending weeks (``ATTENDING_WEEK_MIN_DAYS``)."""
    per_week = Counter(day - timedelta(days=day.weekday()) for day in set(days))
    return sorted(monday for monday, n in per_week.items() if n >= ATTENDING_WEEK_MIN_DAYS)


def weeks_in_year(mondays: Iterable[date], year: AcademicYear) -> list[date]:
    """A week belongs to the academic year holding its Thursday (most of its days), so a week
    across 1 July counts once."""
    return [m for m in mondays if year.start_date <= m + timedelta(days=3) <= year.end_date]


def attending_days(people: Iterable[Person], start: date, end: date) -> dict[int, list[date]]:
    """person id -> the days they attend (whole-day attending shifts, published) in a period."""
    rows = Assignment.objects.filter(
        person__in=people,
        state=State.PUBLISHED,
        date__range=(start, end),
        shift_type__category=ShiftType.Category.ATTENDING,
        shift_type__duration_minutes__gte=ATTENDING_MIN_MINUTES,
    ).values_list("person_id", "date")
    found: dict[int, list[date]] = defaultdict(list)
    for person_id, day in rows:
        found[person_id].append(day)
    return found


@dataclass
class Bar:
    start: int  # 1-based grid column (one column per day)
    span: int
    label: str
    title: str
    color: str


@dataclass
class TimelineRow:
    person: Person
    detail: str
    bars: list[Bar]
    summary: str
    count: int = 0
    target: int | None = None

    @property
    def status(self) -> str:
        if self.target is None:
            return ""
        return (
            "under" if self.count < self.target else "over" if self.count > self.target else "met"
        )


@dataclass
class Timeline:
    year: AcademicYear
    years: list[AcademicYear]
    days: int
    months: list[Bar]
    blocks: list[Bar]
    residents: list[TimelineRow]
    faculty: list[TimelineRow]
    today_column: int | None
    legend: list[Rotation]


def timeline(
    program: Program, year: AcademicYear, years: list[AcademicYear], kind: str | None
) -> Timeline:
    start, days = year.start_date, year.days

    def column(day: date) -> int:
        return (day - start).days + 1

    months, cursor = [], start
    while cursor <= year.end_date:
        last = min(
            cursor.replace(day=pycalendar.monthrange(cursor.year, cursor.month)[1]), year.end_date
        )
        months.append(
            Bar(column(cursor), (last - cursor).days + 1, f"{cursor:%b}", f"{cursor:%B %Y}", "")
        )
        cursor = last + timedelta(days=1)
    blocks = [
        Bar(column(b.start_date), b.days, f"B{b.number}", str(b), "")
        for b in Block.objects.filter(academic_year=year).order_by("number")
    ]
    people = list(
        Person.objects.filter(program=program, active=True).order_by("last_name", "first_name")
    )
    residents = [p for p in people if p.kind == Person.Kind.RESIDENT] if kind != "faculty" else []
    faculty = [p for p in people if p.kind == Person.Kind.FACULTY] if kind != "resident" else []
    return Timeline(
        year=year,
        years=years,
        days=days,
        months=months,
        blocks=blocks,
        residents=_resident_rows(year, residents, column),
        faculty=_faculty_rows(year, faculty, column, program.director_attending_weeks),
        today_column=column(local_today(program))
        if start <= local_today(program) <= year.end_date
        else None,
        legend=list(Rotation.objects.filter(program=program, active=True).order_by("name")),
    )


def _resident_rows(year: AcademicYear, residents: list[Person], column: Any) -> list[TimelineRow]:
    plan = RotationAssignment.objects.filter(
        block__academic_year=year, state=State.PUBLISHED, person__in=residents
    ).select_related("rotation", "block")
    bars: dict[int, list[Bar]] = defaultdict(list)
    tally: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in plan.order_by("block__number", "half"):
        rotation = row.rotation
        first, last = row.first_day, row.last_day
        span = (last - first).days + 1
        title = f"{rotation.name}: {first:%d %b} – {last:%d %b}"
        bars[row.person_id].append(
            Bar(column(first), span, rotation.abbreviation, title, rotation.color)
        )
        tally[row.person_id][rotation.abbreviation] += (
            1 if row.half == RotationAssignment.Half.FULL else 0.5
        )
    rows = []
    for person in residents:
        counts = tally.get(person.pk, {})
        summary = " · ".join(
            f"{abbr} {n:g}" for abbr, n in sorted(counts.items(), key=lambda kv: -kv[1])
        )
        pgy = person.pgy_in(year)
        rows.append(
            TimelineRow(
                person,
                f"PGY-{pgy}" if pgy else "",
                bars.get(person.pk, []),
                summary,
                int(sum(counts.values())),
            )
        )
    return sorted(rows, key=lambda r: (r.detail, r.person.last_name))


def _faculty_rows(
    year: AcademicYear, faculty: list[Person], column: Any, director_default: int | None
) -> list[TimelineRow]:
    days = attending_days(
        faculty, year.start_date - timedelta(days=3), year.end_date + timedelta(days=3)
    )
    rows = []
    for person in faculty:
        taken = weeks_in_year(attending_weeks(days.get(person.pk, [])), year)
        bars = []
        for monday in taken:
            first = max(monday, year.start_date)
            last = min(monday + timedelta(days=6), year.end_date)
            span = (last - first).days + 1
            bars.append(
                Bar(column(first), span, "", f"Attending week of {monday:%d %b}", "#1d3557")
            )
        target = attending_weeks_target(person, director_default)
        summary = f"{len(taken)} / {target} weeks" if target is not None else f"{len(taken)} weeks"
        detail = (
            "Program director"
            if person.is_program_director
            else "Adjunct"
            if person.is_adjunct
            else "Faculty"
        )
        rows.append(TimelineRow(person, detail, bars, summary, len(taken), target))
    return rows
