"""Rotation plans built from the database: what the planner is told about absences."""

from __future__ import annotations

from datetime import timedelta

import pytest

from people.models import Absence
from scheduling import plan_problem
from scheduling.tests.builders import START, small_program
from testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "kind",
    [Absence.Kind.VACATION, Absence.Kind.PARENTAL, Absence.Kind.MILITARY, Absence.Kind.SICK],
)
def test_it_keeps_an_approved_absence_of_any_kind_as_leave_the_plan_must_respect(
    kind: str,
) -> None:
    # Issue 12: a resident on parental leave was planned onto wards for a whole block, which
    # left the ward's coverage minimum to three residents for 28 days: no schedule could keep
    # the 80-hour rule, and the year's schedule run ended "infeasible".
    world = small_program()
    absent = world.residents[0]
    f.AbsenceFactory.create(
        person=absent,
        kind=kind,
        start_date=START + timedelta(days=3),
        end_date=START + timedelta(days=40),
        status=Absence.Status.APPROVED,
    )
    year = world.block.academic_year
    built = plan_problem.build_plan(world.program, year)
    leave = [x for x in built.problem.leave if x.resident == str(absent.code)]
    assert [(x.block, x.approved) for x in leave] == [(world.block.number, True)]
