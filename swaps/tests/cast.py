"""A small published schedule for swap tests, on fixed dates (March 2027) with an explicit "now".

Program A: residents Rey (the conftest's resident_a) and Sam on the Inpatient rotation, Ned
(a resident not on the rotation, so ineligible for its shifts), faculty Fay. Ward days (WD, 12 h)
and in-house call (CALL, 24 h) are covered from the rotation's residents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from conftest import YEAR_END, YEAR_START, make_member
from people.models import AcademicYear, Membership, Person, Program
from rotations.models import Block, CoverageRequirement, Rotation, ShiftType
from scheduling.models import Assignment, RotationAssignment, State

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)  # Monday 1 March 2027, noon UTC
MONDAY = date(2027, 3, 8)


@dataclass
class SwapCast:
    program: Program
    rey: Person
    sam: Person
    ned: Person
    fay: Person
    rey_user: Any
    sam_user: Any
    ned_user: Any
    coordinator: Any
    wd: ShiftType
    call: ShiftType
    rows: dict[str, Assignment] = field(default_factory=dict)


def shift_row(program: Program, abbr: str, category: str, hours: int) -> ShiftType:
    return ShiftType.objects.create(
        program=program,
        name=abbr,
        abbreviation=abbr,
        category=category,
        start_time=time(7),
        duration_minutes=hours * 60,
    )


def assign(person: Person, shift_type: ShiftType, day: date, **extra: Any) -> Assignment:
    starts = datetime.combine(day, shift_type.start_time, tzinfo=ZoneInfo(person.program.timezone))
    return Assignment.objects.create(
        person=person,
        shift_type=shift_type,
        date=day,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=shift_type.duration_minutes),
        state=State.PUBLISHED,
        **extra,
    )


def resident(program: Program, first: str) -> Person:
    return Person.objects.create(
        program=program,
        kind=Person.Kind.RESIDENT,
        first_name=first,
        last_name="Resident",
        training_start=date(2025, 7, 1),
    )


def build_swap_cast(program: Program, resident_user: Any, coordinator: Any) -> SwapCast:
    year = AcademicYear.objects.create(
        program=program, name="2026–2027", start_date=YEAR_START, end_date=YEAR_END
    )
    block = Block.objects.create(
        academic_year=year, number=9, start_date=date(2027, 3, 1), end_date=date(2027, 3, 28)
    )
    rotation = Rotation.objects.create(
        program=program, name="Inpatient", abbreviation="IM", kind=Rotation.Kind.INPATIENT
    )
    cat = ShiftType.Category
    wd = shift_row(program, "WD", cat.DAY, 12)
    call = shift_row(program, "CALL", cat.IN_HOUSE_CALL, 24)
    for shift_type in (wd, call):
        CoverageRequirement.objects.create(
            shift_type=shift_type, rotation=rotation, minimum=0, target=1, maximum=1
        )
    rey = resident_user.memberships.get().person
    sam, ned = resident(program, "Sam"), resident(program, "Ned")
    fay = Person.objects.create(
        program=program, kind=Person.Kind.FACULTY, first_name="Fay", last_name="Faculty"
    )
    for person in (rey, sam):
        RotationAssignment.objects.create(person=person, block=block, rotation=rotation)
    cast = SwapCast(
        program=program,
        rey=rey,
        sam=sam,
        ned=ned,
        fay=fay,
        rey_user=resident_user,
        sam_user=make_member(program, "sam", Membership.Role.RESIDENT, sam),
        ned_user=make_member(program, "ned", Membership.Role.RESIDENT, ned),
        coordinator=coordinator,
        wd=wd,
        call=call,
    )
    day = timedelta(days=1)
    cast.rows = {
        "rey_mon": assign(rey, wd, MONDAY),
        "sam_tue": assign(sam, wd, MONDAY + day),
        "rey_wed": assign(rey, wd, MONDAY + 2 * day),
        "sam_thu": assign(sam, wd, MONDAY + 3 * day),
        "rey_fri_call": assign(rey, call, MONDAY + 4 * day),  # Fri 07:00 to Sat 07:00
        "sam_sat": assign(sam, wd, MONDAY + 5 * day),  # Sat 07:00: follows the call directly
        "rey_locked": assign(rey, wd, MONDAY + 7 * day, locked=True),
        "rey_past": assign(rey, wd, date(2027, 2, 26)),
        "rey_soon": assign(rey, wd, date(2027, 3, 2)),  # inside the 2-day lock window
    }
    return cast
