"""Shared rows of the resilience tests: a program with an academic year, a short period."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from scheduling.models import State
from testing.factories import AcademicYearFactory, AssignmentFactory, ProgramFactory

START = date(2026, 10, 19)
DAYS = 3
END = START + timedelta(days=DAYS - 1)


@pytest.fixture
def program(db: None) -> Any:
    program = ProgramFactory.create()
    AcademicYearFactory.create(program=program)
    return program


def publish(person: Any, shift: Any, days: int = DAYS) -> None:
    for offset in range(days):
        AssignmentFactory.create(
            person=person,
            shift_type=shift,
            date=START + timedelta(days=offset),
            state=State.PUBLISHED,
        )


def ready_fallback(program: Any) -> Any:
    """A fallback whose draft (an empty run) is ready to publish (with ``confirm``)."""
    from resilience.models import Fallback
    from scheduling.models import ScheduleRun

    run = ScheduleRun.objects.create(
        program=program, start_date=START, end_date=END, status=ScheduleRun.Status.SUCCEEDED
    )
    return Fallback.objects.create(
        program=program,
        scenario=Fallback.Scenario.HOLIDAY_SKELETON,
        start_date=START,
        end_date=END,
        run=run,
        baseline_signature="",
    )
