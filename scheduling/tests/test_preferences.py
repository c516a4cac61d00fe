"""People's preferences reach the engine through the one translator, a generated schedule
honours each kind on a small program, and the precheck names impossible combinations on both
sides before any solve."""

from __future__ import annotations

from collections import Counter
from datetime import date, time, timedelta
from typing import Any

import pytest

from lib.errors import ApplicationError
from people import services as people_services
from people.models import Person, PreferencePolicy, Request, StandingPreference
from people.models_preferences import BlockReason, Weekday
from rotations.models import CoverageRequirement, ShiftType
from scheduling import problem_preferences, services
from scheduling.engine.solvers import get_solver
from scheduling.models import ScheduleRun
from scheduling.problem import build_problem
from scheduling.rules_in_force import constraints_in_force
from scheduling.tests.builders import END, START, SmallProgram, small_program
from testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> SmallProgram:
    """Two PGY-2 residents, one ward day a day (1-7 July 2026); preferences apply at once."""
    built = small_program(residents=2)
    PreferencePolicy.objects.create(program=built.program, review=PreferencePolicy.Review.NONE)
    return built


def _solve(world: SmallProgram) -> dict[str, list[tuple[int, str]]]:
    """Generate the period with CP-SAT: person name -> sorted (day, shift) pairs."""
    built = build_problem(world.program, START, END)
    solution = get_solver("cpsat")(built.problem, time_limit=20, seed=0, workers=1)
    assert solution.assignments, solution.status
    out: dict[str, list[tuple[int, str]]] = {p.full_name: [] for p in built.people.values()}
    for a in solution.assignments:
        out[built.person_label(a.person)].append((a.day, a.shift))
    return {name: sorted(pairs) for name, pairs in out.items()}


def _block(person: Person, first: date, last: date, **extra: Any) -> Request:
    return people_services.request_create(
        person=person,
        kind=Request.Kind.BLOCKED,
        start_date=first,
        end_date=last,
        reason=extra.pop("reason", BlockReason.CONFERENCE),
        actor=None,
        **extra,
    )


def _days(pairs: list[tuple[int, str]]) -> set[int]:
    return {day for day, _ in pairs}


def test_it_keeps_hard_blocked_dates_free(world: SmallProgram) -> None:
    a, b = world.residents
    _block(a, START + timedelta(days=2), START + timedelta(days=4))
    _block(b, START, START + timedelta(days=1))
    _block(b, START + timedelta(days=5), END, reason=BlockReason.PERSONAL)
    schedule = _solve(world)
    assert _days(schedule[a.full_name]) == {0, 1, 5, 6}
    assert _days(schedule[b.full_name]) == {2, 3, 4}


def test_it_weighs_blocked_dates_when_the_program_says_so(world: SmallProgram) -> None:
    PreferencePolicy.objects.filter(program=world.program).update(
        blocked_dates=PreferencePolicy.Blocked.WEIGHTED
    )
    a, b = world.residents
    _block(a, START + timedelta(days=3), START + timedelta(days=3))
    _block(b, START + timedelta(days=3), START + timedelta(days=3))
    built = build_problem(world.program, START, END)
    # Both blocked on day 3: weighted, so no contradiction; someone still covers it.
    assert problem_preferences.precheck(world.program, built) == []
    schedule = _solve(world)
    assert 3 in _days(schedule[a.full_name]) | _days(schedule[b.full_name])
    assert built.problem.unavailable == ()


def test_it_lets_an_avoided_weekday_outweigh_a_milder_wish(world: SmallProgram) -> None:
    a, _ = world.residents
    people_services.request_create(  # wants the whole week (weight 2 a day)
        person=a, kind=Request.Kind.PREFER_ON, start_date=START, end_date=END, weight=2, actor=None
    )
    people_services.standing_preference_create(
        person=a,
        kind=StandingPreference.Kind.AVOID,
        weekday=Weekday.WEDNESDAY,  # 1 July 2026, day 0
        weight=10,
        actor=None,
    )
    days = _days(_solve(world)[a.full_name])
    assert 0 not in days
    assert {1, 2, 5, 6} <= days  # the wish still holds on the other weekdays


def test_it_gives_a_preferred_shift_type_to_the_person_who_prefers_it(
    world: SmallProgram,
) -> None:
    clinic = f.ShiftTypeFactory.create(
        program=world.program,
        name="Clinic",
        abbreviation="CL",
        category=ShiftType.Category.CLINIC_HALF_DAY,
        start_time=time(8),
        duration_minutes=4 * 60,
    )
    CoverageRequirement.objects.filter(shift_type=world.shift).update(maximum=1)
    CoverageRequirement.objects.create(shift_type=clinic, minimum=1, target=1, maximum=1)
    a, b = world.residents
    people_services.standing_preference_create(
        person=b, kind=StandingPreference.Kind.PREFER, shift_type=clinic, weight=5, actor=None
    )
    schedule = _solve(world)
    assert Counter(shift for _, shift in schedule[b.full_name]) == {"CL": 7}
    assert Counter(shift for _, shift in schedule[a.full_name]) == {"WD": 7}


def _attending(world: SmallProgram, faculty: int = 2) -> tuple[ShiftType, list[Person]]:
    shift = f.ShiftTypeFactory.create(
        program=world.program,
        name="Ward attending",
        abbreviation="ATT",
        category=ShiftType.Category.ATTENDING,
        duration_minutes=10 * 60,
    )
    CoverageRequirement.objects.create(
        shift_type=shift,
        person_kind=CoverageRequirement.Kinds.FACULTY,
        minimum=1,
        target=1,
        maximum=1,
    )
    people = [
        f.PersonFactory.create(program=world.program, kind=Person.Kind.FACULTY)
        for _ in range(faculty)
    ]
    return shift, people


def test_it_caps_attending_days_at_what_the_yearly_target_leaves(world: SmallProgram) -> None:
    shift, (fay, finn) = _attending(world)
    Person.objects.filter(pk=fay.pk).update(attending_weeks_target=1)  # 7 days a year
    for day in (date(2026, 8, 3), date(2026, 8, 4), date(2026, 8, 5)):  # 3 already published
        f.AssignmentFactory.create(person=fay, shift_type=shift, date=day)
    people_services.request_create(  # Fay would take the whole week
        person=fay,
        kind=Request.Kind.PREFER_ON,
        start_date=START,
        end_date=END,
        weight=5,
        actor=None,
    )
    schedule = _solve(world)
    assert len(schedule[fay.full_name]) == 4
    assert len(schedule[finn.full_name]) == 3


def test_it_names_a_blocked_date_that_leaves_a_demand_uncovered() -> None:
    world = small_program(residents=1)
    (rey,) = world.residents
    _block(rey, date(2026, 7, 4), date(2026, 7, 4))
    Request.objects.update(status=Request.Status.APPROVED)  # the default policy reviews it
    causes = problem_preferences.precheck(world.program, build_problem(world.program, START, END))
    assert causes == [
        f"Ward day (WD) on Sat 04 Jul 2026 needs 1 but only 0 of its 1 eligible people are "
        f"free: {rey.full_name} has blocked Sat 04 Jul 2026 (conference or meeting)."
    ]


def test_it_fails_the_run_before_any_solve_naming_both_sides() -> None:
    world = small_program(residents=1)
    (rey,) = world.residents
    _block(rey, START, END, reason=BlockReason.FAMILY)
    Request.objects.update(status=Request.Status.APPROVED)
    run = services.schedule_run_create(
        program=world.program, start_date=START, end_date=END, actor=None, enqueue=False
    )
    services.schedule_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ScheduleRun.Status.FAILED
    assert run.error.startswith("People's preferences make this period impossible")
    assert "Ward day (WD) on Wed 01 Jul 2026 needs 1" in run.error
    assert f"{rey.full_name} has blocked Wed 01 Jul–Tue 07 Jul 2026 (family)" in run.error
    assert run.progress.count() == 1  # only the "building" sample: no solver ran


def test_it_names_a_locked_shift_inside_a_blocked_week(world: SmallProgram) -> None:
    a, _ = world.residents
    f.AssignmentFactory.create(person=a, shift_type=world.shift, date=START, locked=True)
    _block(a, START, START + timedelta(days=6))
    causes = problem_preferences.precheck(world.program, build_problem(world.program, START, END))
    assert causes == [
        f"{a.full_name}'s locked Ward day (WD) shift on Wed 01 Jul 2026 falls in their "
        "blocked Wed 01 Jul–Tue 07 Jul 2026 (conference or meeting)."
    ]


def test_it_names_yearly_targets_that_leave_a_shift_type_uncoverable(
    world: SmallProgram,
) -> None:
    _, (fay, finn) = _attending(world)
    Person.objects.filter(pk__in=[fay.pk, finn.pk]).update(attending_weeks_target=0)
    causes = problem_preferences.precheck(world.program, build_problem(world.program, START, END))
    assert len(causes) == 1
    assert causes[0].startswith(
        "Ward attending (ATT) needs 7 shifts from 01 Jul to Tue 07 Jul 2026, but its eligible "
        "people may take at most 0:"
    )
    assert f"{fay.full_name}'s target of 0 attending weeks a year leaves 0" in causes[0]
    assert f"{finn.full_name}'s target of 0 attending weeks a year leaves 0" in causes[0]


def test_it_ignores_preferences_waiting_for_review() -> None:
    world = small_program(residents=1)
    (rey,) = world.residents
    _block(rey, START, END)  # the default policy: pending until a coordinator decides
    built = build_problem(world.program, START, END)
    assert built.problem.unavailable == ()
    assert problem_preferences.precheck(world.program, built) == []


def test_it_describes_the_preferences_in_force(world: SmallProgram) -> None:
    a, b = world.residents
    _block(a, START, START)
    people_services.standing_preference_create(
        person=b, kind=StandingPreference.Kind.AVOID, weekday=Weekday.FRIDAY, actor=None
    )
    lines = problem_preferences.describe(world.program, START, END)
    assert lines == [
        "Blocked dates: 1 range(s) from 1 people (hard: never scheduled on them).",
        "Avoided shift types and weekdays: 1 from 1 people, weighted 1–10 a shift.",
    ]
    # The run page's "constraints in force" lists them beside the program's rules.
    in_force = constraints_in_force(world.program, START, END)
    assert in_force[-2:] == lines and any(line.startswith("ACGME rule set") for line in in_force)


def test_it_refuses_a_blocked_date_without_a_reason(world: SmallProgram) -> None:
    with pytest.raises(ApplicationError, match="Say why"):
        people_services.request_create(
            person=world.residents[0],
            kind=Request.Kind.BLOCKED,
            start_date=START,
            end_date=START,
            actor=None,
        )
