"""The program's holiday calendar (issue 11, item 5): kept in the console, read through
``rotations.selectors.holidays_for``, and given to the engine by ``scheduling.problem``: on a
holiday, shift types that do not run on holidays (clinic, electives) get no demand."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

import pytest
from django.db import IntegrityError
from django.test import Client

from people.models import Program
from rotations.models import CoverageRequirement, Holiday, ShiftType
from rotations.selectors import holidays_for
from scheduling import services
from scheduling.models import Assignment, ScheduleRun
from scheduling.problem import build_problem
from scheduling.tests.builders import small_program
from testing import factories as f

pytestmark = pytest.mark.django_db

# A week after the pinned clock (2026-10-14), in block 6 (11 Nov - 8 Dec): Thanksgiving.
START = date(2026, 11, 23)
HOLIDAY = date(2026, 11, 26)


def test_a_coordinator_adds_a_holiday_in_the_console(
    coordinator_client: Client, program_a: Program
) -> None:
    form = {"program": program_a.pk, "date": "2026-12-25", "name": "Christmas Day"}
    response = coordinator_client.post("/admin/rotations/holiday/add/", form)
    assert response.status_code == 302, response.content[:2000]
    assert holidays_for(program_a, date(2026, 12, 1), date(2026, 12, 31)) == {
        date(2026, 12, 25): "Christmas Day"
    }
    again = coordinator_client.post("/admin/rotations/holiday/add/", {**form, "name": "Twice"})
    assert again.status_code == 200  # the form says the day is taken
    assert Holiday.objects.filter(program=program_a).count() == 1


def test_a_program_has_one_holiday_per_day(program_a: Program) -> None:
    Holiday.objects.create(program=program_a, date=date(2027, 1, 1), name="New Year's Day")
    with pytest.raises(IntegrityError):
        Holiday.objects.create(program=program_a, date=date(2027, 1, 1), name="Again")


def test_holidays_for_reads_one_programs_days_in_a_period(
    program_a: Program, program_b: Program
) -> None:
    for day, name in ((date(2026, 11, 26), "Thanksgiving"), (date(2026, 12, 25), "Christmas")):
        Holiday.objects.create(program=program_a, date=day, name=name)
    Holiday.objects.create(program=program_b, date=date(2026, 12, 24), name="Elsewhere")
    found = holidays_for(program_a, date(2026, 12, 1), date(2026, 12, 31))
    assert found == {date(2026, 12, 25): "Christmas"}
    assert list(holidays_for(program_a.pk, date(2026, 7, 1), date(2027, 6, 30))) == [
        date(2026, 11, 26),
        date(2026, 12, 25),
    ]


def _with_clinic(runs_on_holidays: bool) -> Any:
    small = small_program(around=START)
    clinic = f.ShiftTypeFactory.create(
        program=small.program,
        name="Clinic AM",
        abbreviation="CAM",
        category=ShiftType.Category.CLINIC_HALF_DAY,
        start_time=time(8),
        duration_minutes=4 * 60,
        runs_on_holidays=runs_on_holidays,
    )
    CoverageRequirement.objects.create(
        shift_type=clinic, rotation=small.rotation, minimum=1, target=1, maximum=1
    )
    Holiday.objects.create(program=small.program, date=HOLIDAY, name="A holiday")
    return small


def _demand_days(problem: Any, shift: str) -> set[int]:
    return {d.day for d in problem.demands if d.shift == shift}


def test_the_engine_gets_no_clinic_demand_on_a_holiday() -> None:
    small = _with_clinic(runs_on_holidays=False)
    built = build_problem(small.program, START, START + timedelta(days=6))
    holiday = (HOLIDAY - START).days
    assert built.problem.horizon.holidays == frozenset({holiday})
    assert holiday not in _demand_days(built.problem, "CAM")
    assert _demand_days(built.problem, "CAM") == set(range(7)) - {holiday}
    assert holiday in _demand_days(built.problem, "WD")  # the ward runs on holidays


def test_a_shift_type_that_runs_on_holidays_keeps_its_demand() -> None:
    small = _with_clinic(runs_on_holidays=True)
    built = build_problem(small.program, START, START + timedelta(days=6))
    assert _demand_days(built.problem, "CAM") == set(range(7))


@pytest.mark.django_db(transaction=True)  # the run keeps its own transactions
def test_a_generated_schedule_has_no_clinic_on_the_holiday() -> None:
    small = _with_clinic(runs_on_holidays=False)
    run = services.schedule_run_create(
        program=small.program,
        start_date=START,
        end_date=START + timedelta(days=6),
        actor=None,
        algorithm=ScheduleRun.Algorithm.GREEDY,
        time_limit_seconds=5,
        enqueue=False,
    )
    services.schedule_run_execute(run_id=run.pk)
    run.refresh_from_db()
    clinic = Assignment.objects.filter(run=run, shift_type__abbreviation="CAM")
    assert clinic.exists()
    assert not clinic.filter(date=HOLIDAY).exists()
    assert Assignment.objects.filter(run=run, shift_type=small.shift, date=HOLIDAY).exists()
