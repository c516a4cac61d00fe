"""Program rules across block seams (issue 21): with a published schedule before the period, a
generated schedule keeps the consecutive-day limit, the minimum rest and each block's weekend cap
across the seam, and the precheck names locked shifts the history leaves no room for."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from people.models import Person, ProgramRule
from rotations.models import CoverageRequirement, ShiftType
from scheduling import services
from scheduling.models import Assignment, ScheduleRun, State
from scheduling.tests.builders import START, SmallProgram, small_program
from scheduling.tests.rules_helpers import precheck, rule, solve
from testing import factories as f

pytestmark = pytest.mark.django_db

Kind, Measure, Period = ProgramRule.Kind, ProgramRule.Measure, ProgramRule.Period
DAY = timedelta(days=1)


def _two_wanted_each_day(world: SmallProgram) -> None:
    """The ward wants both residents every day: the solver takes anyone the rules allow."""
    CoverageRequirement.objects.filter(shift_type=world.shift).update(target=2, maximum=2)


def _published(person: Person, shift: ShiftType, *days: date, locked: bool = False) -> None:
    for day in days:
        f.AssignmentFactory.create(person=person, shift_type=shift, date=day, locked=locked)


def _night(world: SmallProgram, abbreviation: str, start: time) -> ShiftType:
    """A 12-hour night shift type nobody needs in the period (the history's)."""
    return f.ShiftTypeFactory.create(
        program=world.program,
        name=abbreviation,
        abbreviation=abbreviation,
        category=ShiftType.Category.NIGHT_FLOAT,
        start_time=start,
        duration_minutes=12 * 60,
    )


# ------------------------------------------------------------------ consecutive working days
def _after_five_days(world: SmallProgram) -> Person:
    """The first resident worked the previous block's last five days (26-30 June)."""
    first = world.residents[0]
    _published(first, world.shift, *(START - DAY * n for n in range(1, 6)))
    rule(world.program, Kind.CONSECUTIVE_DAYS, 6, applies_to="resident")
    return first


def test_it_counts_the_previous_blocks_days_in_a_run_of_working_days() -> None:
    world = small_program(residents=2)
    _two_wanted_each_day(world)
    first = _after_five_days(world)
    solved = solve(world.program, START, START + DAY)
    assert solved.report.is_valid
    assert len(solved.days_of(first, "WD")) == 1  # a sixth day, not a seventh


@pytest.mark.django_db(transaction=True)  # the run's progress thread writes on its own
def test_it_generates_a_run_that_stops_at_the_limit_across_the_seam() -> None:
    world = small_program(residents=2)
    _two_wanted_each_day(world)
    first = _after_five_days(world)
    run = services.schedule_run_create(
        program=world.program,
        start_date=START,
        end_date=START + DAY * 2,
        actor=None,
        algorithm="cpsat",
        time_limit_seconds=10,
        parameters={"workers": 1},
        enqueue=False,
    )
    services.schedule_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ScheduleRun.Status.SUCCEEDED
    drafts = set(Assignment.objects.filter(run=run, person=first).values_list("date", flat=True))
    assert len(drafts) == 2 and not {START, START + DAY} <= drafts  # a day off after the sixth
    assert Assignment.objects.filter(run=run, state=State.DRAFT).count() == 5


def test_it_names_a_locked_day_the_previous_block_leaves_no_room_for() -> None:
    world = small_program(residents=2)
    first = _after_five_days(world)
    _published(first, world.shift, START, START + DAY, locked=True)
    assert any(
        "worked the 5 day(s) before Wed 1 July 2026 (published) and is locked on Wed 1 July 2026 "
        "to Thu 2 July 2026: 7 consecutive working days, at most 6" in cause
        for cause in precheck(world.program, START, START + DAY * 2)
    )


# ------------------------------------------------------------------ minimum rest
def test_it_rests_a_resident_after_the_previous_blocks_last_night() -> None:
    world = small_program(residents=2)
    _two_wanted_each_day(world)
    first = world.residents[0]
    _published(first, _night(world, "NF", time(19)), START - DAY)  # ends 07:00 on 1 July
    rule(world.program, Kind.MIN_REST, 12)
    solved = solve(world.program, START, START)
    assert solved.report.is_valid
    assert solved.days_of(first, "WD") == []


def test_it_rests_a_resident_over_more_than_one_calendar_day() -> None:
    # A night ending 08:00 on 30 June; the ward day starts 07:00 on 1 July: 23 h, not 24.
    world = small_program(residents=2)
    _two_wanted_each_day(world)
    first = world.residents[0]
    _published(first, _night(world, "N8", time(20)), START - DAY * 2)
    rule(world.program, Kind.MIN_REST, 24)
    solved = solve(world.program, START, START)
    assert solved.report.is_valid
    assert solved.days_of(first, "WD") == []


def test_it_names_locked_shifts_too_close_two_days_apart_and_after_the_history() -> None:
    world = small_program(residents=2)
    first = world.residents[0]
    nights = _night(world, "N8", time(20))
    _published(first, nights, START - DAY * 2)
    _published(first, world.shift, START, locked=True)
    _published(first, nights, START + DAY * 2, locked=True)
    _published(first, world.shift, START + DAY * 4, locked=True)
    rule(world.program, Kind.MIN_REST, 24)
    causes = [c for c in precheck(world.program) if "too little rest" in c]
    assert any(
        "WD Wed 1 July 2026, 23 h apart from N8 Mon 29 June 2026 (published)" in c for c in causes
    )
    assert any("N8 Fri 3 July 2026, 23 h apart from WD Sun 5 July 2026" in c for c in causes)


# ------------------------------------------------------------------ weekend caps per block
def _second_block(world: SmallProgram) -> None:
    block = f.BlockFactory.create(academic_year=world.block.academic_year, number=2)
    for person in world.residents:
        f.RotationAssignmentFactory.create(person=person, block=block, rotation=world.rotation)


RUN = (date(2026, 7, 20), date(2026, 8, 2))  # Monday of block 1's last week to block 2's Sunday
BLOCK_1_WEEKEND = [date(2026, 7, 25), date(2026, 7, 26)]
BLOCK_2_WEEKEND = [date(2026, 8, 1), date(2026, 8, 2)]


def _one_weekend_a_block(world: SmallProgram) -> Person:
    """The first resident may work one weekend a block and worked Saturday 4 July already."""
    first = world.residents[0]
    _published(first, world.shift, date(2026, 7, 4))
    rule(world.program, Kind.CAP, 1, measure=Measure.WEEKENDS, period=Period.BLOCK, person=first)
    return first


def test_it_gives_each_block_of_a_run_its_own_weekend_cap() -> None:
    world = small_program(residents=2)
    _second_block(world)
    _two_wanted_each_day(world)
    first = _one_weekend_a_block(world)
    solved = solve(world.program, *RUN)
    assert solved.report.is_valid
    worked = solved.days_of(first, "WD")
    assert not set(worked) & set(BLOCK_1_WEEKEND)  # block 1's weekend is spent
    assert set(worked) >= set(BLOCK_2_WEEKEND)  # block 2 still has one


def test_it_names_a_locked_weekend_a_spent_block_cap_has_no_room_for() -> None:
    world = small_program(residents=2)
    _second_block(world)
    first = _one_weekend_a_block(world)
    _published(first, world.shift, BLOCK_1_WEEKEND[0], locked=True)
    assert any(
        "is locked on 1 weekend(s) from Sat 25 July 2026, but weekends worked in block 1" in c
        and "leaves room for 0" in c
        for c in precheck(world.program, *RUN)
    )


def test_it_counts_a_weekend_straddling_the_period_start_once_under_a_yearly_cap() -> None:
    # The period starts on Sunday 5 July; the first resident worked Saturday 4 July.
    world = small_program(residents=2)
    _two_wanted_each_day(world)
    first = world.residents[0]
    _published(first, world.shift, date(2026, 7, 4))
    rule(world.program, Kind.CAP, 1, measure=Measure.WEEKENDS, period=Period.YEAR, person=first)
    solved = solve(world.program, date(2026, 7, 5), date(2026, 7, 11))
    assert solved.report.is_valid
    worked = solved.days_of(first, "WD")
    assert date(2026, 7, 5) in worked  # the weekend of 4 July, already counted once
    assert date(2026, 7, 11) not in worked  # a second weekend
