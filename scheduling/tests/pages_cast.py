"""A small published schedule in program A for the page and feed tests.

It is built around "today" as the pinned clock says (``pinned_now`` in the root conftest.py), so a
test parametrised over calendar instants gets the same schedule around each of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from lib.timezones import local_today, zone
from people.models import Absence, AcademicYear, Person, Program
from rotations.models import Block, Rotation, ShiftType
from scheduling.models import Assignment, RotationAssignment, ScheduleRun, State


@dataclass
class Cast:
    program: Program
    year: AcademicYear
    block: Block
    rotation: Rotation
    day: ShiftType
    call: ShiftType
    night: ShiftType
    attending: ShiftType
    resident: Person
    faculty: Person
    today: date


def shift(
    program: Program, abbr: str, category: str, start: int, hours: int, colour: str
) -> ShiftType:
    return ShiftType.objects.create(
        program=program,
        name={
            "WD": "Ward day",
            "CALL": "In-house call",
            "NF": "Night float",
            "ATT": "Ward attending",
        }[abbr],
        abbreviation=abbr,
        category=category,
        start_time=time(start),
        duration_minutes=hours * 60,
        color=colour,
    )


def assign(
    person: Person,
    shift_type: ShiftType,
    day: date,
    *,
    state: str = State.PUBLISHED,
    run: Any = None,
) -> Assignment:
    tz = zone(person.program)
    # In UTC before adding the duration, as the services do: a 24-hour call over a DST change
    # still lasts 24 hours (23 or 25 on the wall clock).
    starts = datetime.combine(day, shift_type.start_time, tzinfo=tz).astimezone(UTC)
    return Assignment.objects.create(
        person=person,
        shift_type=shift_type,
        date=day,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=shift_type.duration_minutes),
        state=state,
        run=run,
    )


def build_cast(program: Program, resident: Person, faculty: Person) -> Cast:
    """A year around today, one block, wards for the resident and a week of mixed shifts."""
    today = local_today(program)
    year_start = date(today.year if today.month >= 7 else today.year - 1, 7, 1)
    year = AcademicYear.objects.create(
        program=program,
        name="This year",
        start_date=year_start,
        end_date=date(year_start.year + 1, 6, 30),
    )
    block_start = today - timedelta(days=(today - year_start).days % 28)
    block = Block.objects.create(
        academic_year=year,
        number=(today - year_start).days // 28 + 1,
        start_date=block_start,
        end_date=block_start + timedelta(days=27),
    )
    rotation = Rotation.objects.create(
        program=program,
        name="Inpatient Medicine",
        abbreviation="IM",
        kind=Rotation.Kind.INPATIENT,
        color="#3b6ea8",
        location="General Hospital",
    )
    RotationAssignment.objects.create(person=resident, block=block, rotation=rotation)
    cat = ShiftType.Category
    cast = Cast(
        program=program,
        year=year,
        block=block,
        rotation=rotation,
        day=shift(program, "WD", cat.DAY, 7, 12, "#3b6ea8"),
        call=shift(program, "CALL", cat.IN_HOUSE_CALL, 7, 24, "#b33a3a"),
        night=shift(program, "NF", cat.NIGHT_FLOAT, 19, 12, "#29335c"),
        attending=shift(program, "ATT", cat.ATTENDING, 7, 10, "#1d3557"),
        resident=resident,
        faculty=faculty,
        today=today,
    )
    for offset in (-3, -2, -1):
        assign(resident, cast.day, today + timedelta(days=offset))
    assign(resident, cast.call, today)
    assign(resident, cast.night, today + timedelta(days=2))
    assign(faculty, cast.attending, today)
    Absence.objects.create(
        person=faculty,
        kind=Absence.Kind.CONFERENCE,
        status=Absence.Status.APPROVED,
        start_date=today + timedelta(days=1),
        end_date=today + timedelta(days=1),
    )
    run = ScheduleRun.objects.create(program=program, start_date=today, end_date=today)
    assign(resident, cast.day, today + timedelta(days=1), state=State.DRAFT, run=run)  # never shown
    return cast


def person_of(user: Any) -> Person:
    return user.memberships.get().person
