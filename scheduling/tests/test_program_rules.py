"""Program rules (people.ProgramRule) on a small program: a generated schedule honours each
kind, and the precheck names an impossible combination before any solve."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError

from lib.errors import ApplicationError
from people.models import Absence, Person, ProgramRule
from people.rules import attending_weeks_target
from rotations.models import CoverageRequirement, CurriculumRequirement, ShiftType
from scheduling import edit_services, services
from scheduling import problem as problems
from scheduling.models import ScheduleRun
from scheduling.rules_in_force import DESCRIBERS, constraints_in_force, describer
from scheduling.tests.builders import END, START, SmallProgram, small_program
from scheduling.tests.rules_helpers import (
    FRIDAY,
    SATURDAY,
    home_call,
    precheck,
    rule,
    shift_with_coverage,
    solve,
)
from testing import factories as f

pytestmark = pytest.mark.django_db

Kind, Measure, Period = ProgramRule.Kind, ProgramRule.Measure, ProgramRule.Period
CALL_CAP = {"measure": Measure.CALLS, "period": Period.BLOCK, "applies_to": "resident"}


# ------------------------------------------------------------------ caps
def test_it_keeps_every_resident_within_the_call_cap() -> None:
    world = small_program()
    home_call(world)
    rule(world.program, Kind.CAP, 2, **CALL_CAP)
    solved = solve(world.program)
    assert solved.report.is_valid
    assert all(len(solved.days_of(r, "HC")) <= 2 for r in world.residents)


def test_it_counts_published_calls_of_the_year_against_a_yearly_cap() -> None:
    world = small_program()
    call = home_call(world)
    first = world.residents[0]
    for day in (date(2026, 7, 20), date(2026, 7, 22)):  # after the period, same year
        f.AssignmentFactory.create(person=first, shift_type=call, date=day)
    rule(world.program, Kind.CAP, 2, measure=Measure.CALLS, period=Period.YEAR, person=first)
    solved = solve(world.program)
    assert solved.report.is_valid and solved.days_of(first, "HC") == []


def test_it_names_a_call_cap_below_the_coverage_minimum() -> None:
    world = small_program()
    home_call(world)
    rule(world.program, Kind.CAP, 1, **CALL_CAP)
    [cause] = [c for c in precheck(world.program) if "program rule" in c]
    assert "at most 1 for residents" in cause  # the rule
    assert "coverage minimums need 7" in cause and "leaves 4" in cause  # the demand


def test_it_misses_a_weighted_call_cap_only_when_it_must_and_says_so() -> None:
    world = small_program()
    home_call(world)
    rule(world.program, Kind.CAP, 1, hard=False, weight=30, **CALL_CAP)
    assert not [c for c in precheck(world.program) if "program rule" in c]  # a target, no rule
    solved = solve(world.program)
    assert solved.report.is_valid
    assert solved.report.penalties["targets"] == 3 * 30  # 7 calls, 4 residents capped at 1
    assert solved.report.rules()["limit.cap"] >= 1  # each miss listed as a warning


def test_it_keeps_a_person_off_weekends_under_a_weekend_cap() -> None:
    world = small_program()
    first = world.residents[0]
    rule(world.program, Kind.CAP, 0, measure=Measure.WEEKENDS, period=Period.BLOCK, person=first)
    solved = solve(world.program)
    assert solved.report.is_valid
    assert not [d for d in solved.days_of(first, "WD") if d.weekday() >= 5]


# ------------------------------------------------------------------ consecutive days
def test_it_keeps_runs_of_working_days_within_the_limit() -> None:
    world = small_program()
    rule(world.program, Kind.CONSECUTIVE_DAYS, 2, applies_to="resident")
    solved = solve(world.program)
    assert solved.report.is_valid
    for resident in world.residents:
        days = solved.days_of(resident, "WD")
        assert not any(days[i + 2] - days[i] == timedelta(days=2) for i in range(len(days) - 2))


def test_it_names_a_consecutive_day_limit_one_resident_cannot_meet() -> None:
    world = small_program(residents=1)
    rule(world.program, Kind.CONSECUTIVE_DAYS, 2)
    assert any("cover at most 5 of the 7 days" in c for c in precheck(world.program))


# ------------------------------------------------------------------ rest
def _nights(world: SmallProgram) -> ShiftType:
    return shift_with_coverage(world, "NF", ShiftType.Category.NIGHT_FLOAT, time(19), 12 * 60)


def test_it_gives_the_minimum_rest_between_a_night_and_a_day() -> None:
    world = small_program()
    _nights(world)
    rule(world.program, Kind.MIN_REST, 12)
    solved = solve(world.program)
    assert solved.report.is_valid
    for resident in world.residents:
        nights = set(solved.days_of(resident, "NF"))
        assert not [d for d in solved.days_of(resident, "WD") if d - timedelta(days=1) in nights]
    assert solved.built.problem.acgme is not None
    assert solved.built.problem.acgme.min_rest_hours == 12


def test_it_names_locked_shifts_closer_than_the_rest_rule() -> None:
    world = small_program()
    nights = _nights(world)
    first = world.residents[0]
    f.AssignmentFactory.create(person=first, shift_type=nights, date=START, locked=True)
    f.AssignmentFactory.create(
        person=first, shift_type=world.shift, date=START + timedelta(days=1), locked=True
    )
    rule(world.program, Kind.MIN_REST, 12)
    assert any("too little rest" in c for c in precheck(world.program))


def test_it_refuses_a_rest_rule_no_stricter_than_acgme() -> None:
    world = small_program()
    with pytest.raises(ValidationError, match="more than ACGME"):
        rule(world.program, Kind.MIN_REST, 8)


# ------------------------------------------------------------------ call pattern
def test_it_gives_a_weeks_friday_and_saturday_call_to_one_person() -> None:
    world = small_program()
    home_call(world)
    rule(world.program, Kind.CALL_PATTERN)
    solved = solve(world.program)
    assert solved.report.is_valid
    [taker] = [r for r in world.residents if FRIDAY in solved.days_of(r, "HC")]
    assert SATURDAY in solved.days_of(taker, "HC")


def test_it_names_a_locked_friday_call_whose_saturday_is_away() -> None:
    world = small_program()
    call = home_call(world)
    first = world.residents[0]
    f.AssignmentFactory.create(person=first, shift_type=call, date=FRIDAY, locked=True)
    Absence.objects.create(
        person=first,
        kind=Absence.Kind.CONFERENCE,
        status=Absence.Status.APPROVED,
        start_date=SATURDAY,
        end_date=SATURDAY,
    )
    rule(world.program, Kind.CALL_PATTERN)
    assert any("call pattern" in c for c in precheck(world.program))


# ------------------------------------------------------------------ freeze horizon
TODAY = date(2026, 10, 14)  # the suite's pinned clock


def test_it_refuses_a_run_inside_the_freeze_without_a_reason() -> None:
    world = small_program(around=TODAY)
    rule(world.program, Kind.FREEZE, 14)
    with pytest.raises(ApplicationError, match="frozen until 27 Oct 2026"):
        services.schedule_run_create(
            program=world.program,
            start_date=TODAY + timedelta(days=3),
            end_date=TODAY + timedelta(days=9),
            actor=None,
            enqueue=False,
        )


def test_it_starts_a_run_inside_the_freeze_with_a_reason_and_keeps_it() -> None:
    world = small_program(around=TODAY)
    rule(world.program, Kind.FREEZE, 14)
    run = services.schedule_run_create(
        program=world.program,
        start_date=TODAY + timedelta(days=3),
        end_date=TODAY + timedelta(days=9),
        actor=None,
        enqueue=False,
        override_reason="Two residents out sick",
    )
    assert run.parameters["override_reason"] == "Two residents out sick"


def test_it_starts_a_run_after_the_freeze_without_a_reason() -> None:
    world = small_program(around=TODAY)
    rule(world.program, Kind.FREEZE, 14)
    start = TODAY + timedelta(days=14)
    run = services.schedule_run_create(
        program=world.program, start_date=start, end_date=start, actor=None, enqueue=False
    )
    assert "override_reason" not in run.parameters


def test_it_refuses_an_edit_inside_the_freeze_unless_a_reason_is_given() -> None:
    world = small_program(around=TODAY)
    rule(world.program, Kind.FREEZE, 7)
    person, day = world.residents[0], TODAY + timedelta(days=2)
    with pytest.raises(ApplicationError, match="needs a written override reason"):
        edit_services.assignment_add(person=person, day=day, shift_type=world.shift, actor=None)
    row = edit_services.assignment_add(
        person=person,
        day=day,
        shift_type=world.shift,
        actor=None,
        override_reason="Cover for a sick colleague",
    )
    assert row.override_reason == "Cover for a sick colleague"


# ------------------------------------------------------------------ rule set and flags
def test_it_solves_under_the_rule_set_the_program_chose() -> None:
    world = small_program()
    world.program.acgme_rules_version = "ACGME-CPR-2023"
    world.program.save(update_fields=["acgme_rules_version"])
    problem = problems.build_problem(world.program, START, END).problem
    assert problem.acgme is not None and problem.acgme.version == "ACGME-CPR-2023"


def test_it_refuses_a_rule_set_the_engine_does_not_ship() -> None:
    world = small_program()
    world.program.acgme_rules_version = "ACGME-1999"
    with pytest.raises(ValidationError, match="acgme_rules_version"):
        world.program.full_clean()


def _faculty_call(world: SmallProgram, *, adjunct_takes_call: bool) -> tuple[Person, Person]:
    program = world.program
    shift_with_coverage(
        world,
        "FC",
        ShiftType.Category.AT_HOME_CALL,
        time(17),
        14 * 60,
        kind=CoverageRequirement.Kinds.FACULTY,
        rotation=False,
        counts_toward_duty=False,
    )
    adjunct = f.PersonFactory.create(
        program=program,
        kind=Person.Kind.FACULTY,
        is_adjunct=True,
        adjunct_takes_call=adjunct_takes_call,
    )
    staff = f.PersonFactory.create(program=program, kind=Person.Kind.FACULTY)
    return adjunct, staff


def test_it_gives_adjunct_faculty_no_call_unless_they_opt_in() -> None:
    world = small_program()
    adjunct, staff = _faculty_call(world, adjunct_takes_call=False)
    solved = solve(world.program)
    assert solved.report.is_valid
    assert solved.days_of(adjunct, "FC") == [] and len(solved.days_of(staff, "FC")) == 7


def test_it_lets_an_opted_in_adjunct_take_call() -> None:
    world = small_program()
    adjunct, _ = _faculty_call(world, adjunct_takes_call=True)
    built = problems.build_problem(world.program, START, END)
    assert built.problem.person_by_id[str(adjunct.code)].limits.max_shifts == {}


def test_it_names_call_that_only_an_adjunct_could_take() -> None:
    world = small_program()
    _, staff = _faculty_call(world, adjunct_takes_call=False)
    staff.delete()
    assert any("FC@0 needs at least 1 but only 0" in c for c in precheck(world.program))


def test_it_gives_the_program_director_the_programs_attending_target() -> None:
    world = small_program()
    world.program.director_attending_weeks = 20
    world.program.save(update_fields=["director_attending_weeks"])
    director, colleague = (
        f.PersonFactory.create(program=world.program, kind=Person.Kind.FACULTY, **flags)
        for flags in ({"is_program_director": True}, {})
    )
    default = world.program.director_attending_weeks
    assert attending_weeks_target(director, default) == 20
    assert attending_weeks_target(colleague, default) is None
    director.attending_weeks_target = 12
    assert attending_weeks_target(director, default) == 12
    lines = constraints_in_force(world.program, START, END)
    assert "Program director's attending weeks a year: 20 unless their own target is set" in lines


# ------------------------------------------------------------------ constraints in force
def test_it_lists_every_rule_in_force_one_line_each() -> None:
    world = small_program()
    rule(world.program, Kind.CAP, 2, **CALL_CAP)
    rule(world.program, Kind.FREEZE, 14)
    lines = constraints_in_force(world.program, START, END)
    assert (
        "Program rule: at most 2 calls (in-house and at-home) per block for residents (hard)"
        in lines
    )
    assert any(
        line.startswith("Program rule: no generation or edit within 14 days") for line in lines
    )
    assert any(line.startswith("ACGME rule set ACGME-CPR-2025") for line in lines)


def test_it_lets_another_module_add_lines() -> None:
    world = small_program()

    @describer
    def wishes(program: object, start: date, end: date) -> list[str]:
        return ["Preference: blocked dates of 2 people"]

    try:
        assert constraints_in_force(world.program, START, END)[-1] == (
            "Preference: blocked dates of 2 people"
        )
    finally:
        DESCRIBERS.remove(wishes)


def test_it_audits_a_program_rule() -> None:
    world = small_program()
    row = rule(world.program, Kind.CONSECUTIVE_DAYS, 6)
    assert LogEntry.objects.get_for_object(row).count() == 1


def test_it_names_a_night_cap_the_curriculum_cannot_meet_before_solving() -> None:
    world = small_program()
    nights = f.RotationFactory.create(
        program=world.program, name="Night float", abbreviation="NFR", kind="night_float"
    )
    CurriculumRequirement.objects.create(rotation=nights, pgy=2, min_blocks=2)
    rule(world.program, Kind.CAP, 1, measure=Measure.NIGHTS, period=Period.YEAR, pgy=2)
    run = services.schedule_run_create(
        program=world.program, start_date=START, end_date=END, actor=None, enqueue=False
    )
    services.schedule_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ScheduleRun.Status.FAILED
    assert "at most 1 night-float shifts per academic year for PGY-2 residents" in run.error
    assert "PGY-2 residents need at least 2 block(s) of Night float" in run.error
