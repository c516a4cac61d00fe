"""Utilisation and defence level on a hand-computed week."""

from __future__ import annotations

from datetime import date

import pytest

from people.models import Absence, Person
from resilience.models import ResilienceSettings
from resilience.utilization import utilization
from rotations.models import CoverageRequirement
from testing.factories import (
    AbsenceFactory,
    AcademicYearFactory,
    CoverageFactory,
    PersonFactory,
    ProgramFactory,
    ShiftTypeFactory,
)

MONDAY, SUNDAY = date(2026, 10, 12), date(2026, 10, 18)
WEEKDAYS = 31


@pytest.fixture
def program(db: None):
    program = ProgramFactory()
    AcademicYearFactory(program=program)
    return program


def week_of_pressure(program):
    """Two residents (80 h/week each), one away Monday to Wednesday; one faculty member (60 h).
    Residents: one 12 h day shift every day (84 h). Faculty: a 10 h attending shift on weekdays
    (50 h) and a 24 h at-home call (not duty hours)."""
    PersonFactory.create(program=program)
    away = PersonFactory.create(program=program)
    PersonFactory.create(program=program, kind=Person.Kind.FACULTY)
    AbsenceFactory(
        person=away, start_date=MONDAY, end_date=date(2026, 10, 14), status=Absence.Status.APPROVED
    )
    day = ShiftTypeFactory(program=program, abbreviation="DAY", duration_minutes=12 * 60)
    attending = ShiftTypeFactory(program=program, abbreviation="ATT", duration_minutes=10 * 60)
    home = ShiftTypeFactory(
        program=program, abbreviation="HOME", duration_minutes=24 * 60, counts_toward_duty=False
    )
    CoverageFactory(shift_type=day, minimum=1, target=1)
    CoverageFactory(
        shift_type=attending,
        minimum=1,
        target=1,
        weekdays=WEEKDAYS,
        person_kind=CoverageRequirement.Kinds.FACULTY,
    )
    CoverageFactory(shift_type=home, minimum=1, target=1, person_kind="faculty")


def test_hand_computed_week(program) -> None:
    week_of_pressure(program)
    found = utilization(program, MONDAY, SUNDAY)
    pools = {line.name: line for line in found.pools}
    # Residents: 80 + 80 * 4/7 = 125.71 h available against 7 * 12 = 84 h: 66.8 % (green).
    assert pools["Residents"].demanded == 84.0
    assert pools["Residents"].available == pytest.approx(125.71, abs=0.01)
    assert pools["Residents"].utilization == pytest.approx(0.6682, abs=0.0001)
    assert pools["Residents"].level == "green"
    # Faculty: 5 * 10 = 50 h against 60 h: 83.3 % (orange); residents never cover it.
    assert pools["Faculty"].demanded == 50.0
    assert pools["Faculty"].available == 60.0
    assert pools["Faculty"].level == "orange"
    # The program is as strained as its most strained pool.
    assert found.level == "orange"
    assert found.utilization == pytest.approx(0.8333, abs=0.0001)
    assert found.not_counted == ["HOME (does not count toward duty hours)"]
    assert len(found.weeks) == 1 and found.weeks[0]["level"] == "orange"
    services = {line.name.split(" (")[0]: line for line in found.services}
    day = program.shift_types.get(abbreviation="DAY").name
    assert services[day].demanded == 84.0 and services[day].level == "green"


def test_thresholds_are_program_settings(program) -> None:
    week_of_pressure(program)
    ResilienceSettings.objects.create(
        program=program, yellow_at=0.5, orange_at=0.6, red_at=0.65, black_at=0.8
    )
    found = utilization(program, MONDAY, SUNDAY)
    assert found.level == "black"
    assert {line.name: line.level for line in found.pools}["Residents"] == "red"


def test_no_program_data_says_what_is_missing_never_green(program) -> None:
    found = utilization(program, MONDAY, SUNDAY)
    assert found.level == "unknown"
    assert found.utilization is None
    assert "no coverage requirements: nothing says what must be covered" in found.missing
    assert "no active residents" in found.missing
