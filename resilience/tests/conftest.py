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
