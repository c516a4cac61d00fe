"""Small programs for the program-rule and credential tests: build the problem the way a run
does, solve it with a real solver, validate it, and read the precheck's causes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from people.models import Person, Program, ProgramRule
from rotations.models import CoverageRequirement, ShiftType
from scheduling import problem as problems
from scheduling.engine.checks import check_problem
from scheduling.engine.model import Solution
from scheduling.engine.solvers import get_solver
from scheduling.engine.validator import Report, validate
from scheduling.tests.builders import END, START, SmallProgram
from testing import factories as f

FRIDAY = date(2026, 7, 3)  # START is Wednesday 1 July 2026
SATURDAY = FRIDAY + timedelta(days=1)


@dataclass
class Solved:
    built: problems.BuiltProblem
    solution: Solution
    report: Report

    def days_of(self, person: Person, shift: str) -> list[date]:
        code = str(person.code)
        return sorted(
            self.built.problem.horizon.date_of(a.day)
            for a in self.solution.assignments
            if a.person == code and a.shift == shift
        )


def solve(program: Program, start: date = START, end: date = END, solver: str = "cpsat") -> Solved:
    built = problems.build_problem(program, start, end)
    solution = get_solver(solver)(built.problem, time_limit=20.0, seed=0, workers=1)
    return Solved(built, solution, validate(built.problem, solution.assignments))


def precheck(program: Program, start: date = START, end: date = END) -> list[str]:
    return check_problem(problems.build_problem(program, start, end).problem)


def shift_with_coverage(
    world: SmallProgram,
    abbreviation: str,
    category: str,
    start: time,
    minutes: int,
    *,
    kind: str = CoverageRequirement.Kinds.RESIDENT,
    rotation: bool = True,
    **shift: Any,
) -> ShiftType:
    """A shift type needing exactly one person a day (the ward's residents by default)."""
    row = f.ShiftTypeFactory.create(
        program=world.program,
        name=abbreviation,
        abbreviation=abbreviation,
        category=category,
        start_time=start,
        duration_minutes=minutes,
        **shift,
    )
    CoverageRequirement.objects.create(
        shift_type=row,
        rotation=world.rotation if rotation else None,
        person_kind=kind,
        minimum=1,
        target=1,
        maximum=1,
    )
    return row


def home_call(world: SmallProgram) -> ShiftType:
    return shift_with_coverage(
        world,
        "HC",
        ShiftType.Category.AT_HOME_CALL,
        time(17),
        14 * 60,
        counts_toward_duty=False,
    )


def rule(program: Program, kind: str, value: int = 0, **fields: Any) -> ProgramRule:
    row = ProgramRule(program=program, kind=kind, value=value, **fields)
    row.full_clean()
    row.save()
    return row
