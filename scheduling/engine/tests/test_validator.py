"""Hard model constraints and person limits (model.py), one table per rule."""

from __future__ import annotations

import random

import pytest

from scheduling.engine import limits, validator
from scheduling.engine.model import (
    Assignment,
    Demand,
    Eligibility,
    Person,
    PersonKind,
    PersonLimits,
    Severity,
    ShiftCategory,
    SupervisionRule,
    Unavailability,
)

from .helpers import R1, R2, SHIFTS, check, make_problem, shift, work


def test_it_accepts_an_empty_schedule():
    report = validator.validate(make_problem(), [])
    assert report.is_valid
    assert report.violations == ()


@pytest.mark.parametrize(
    ("plan", "violated"),
    [
        ([(0, "day"), (0, "eve")], True),  # 18:00 starts before 19:00
        ([(0, "day"), (0, "night")], False),  # touching is fine
        ([(0, "night"), (1, "early")], True),  # 03:00 next day is inside the night
        ([(0, "day"), (0, "day")], True),  # the same shift twice
    ],
)
def test_it_forbids_overlapping_assignments(plan, violated):
    assert (validator.OVERLAP in check(make_problem(), work("r2", plan))) is violated


def test_it_reports_unknown_people_shifts_and_days():
    found = check(
        make_problem(days=7),
        [Assignment("nobody", 0, "day"), Assignment("r2", 0, "nope"), Assignment("r2", 7, "day")],
    )
    assert found == {validator.UNKNOWN}


@pytest.mark.parametrize(
    ("unavailable", "violated"),
    [
        (Unavailability("r2", 0), True),
        (Unavailability("r2", 0, "day"), True),
        (Unavailability("r2", 0, "night"), False),
        (Unavailability("r2", 1), False),
    ],
)
def test_it_forbids_work_when_unavailable(unavailable, violated):
    problem = make_problem(unavailable=(unavailable,))
    assert (validator.UNAVAILABLE in check(problem, work("r2", [(0, "day")]))) is violated


def test_it_requires_fixed_assignments():
    problem = make_problem(fixed=(Assignment("r2", 3, "day"),))
    assert validator.FIXED_MISSING in check(problem, [])
    assert validator.FIXED_MISSING not in check(problem, work("r2", [(3, "day")]))


SENIOR_DAY = Demand(0, "day", target=1, eligibility=Eligibility(pgy_min=2))


@pytest.mark.parametrize(
    ("person", "fixed", "violated"),
    [
        (R2, (), False),
        (R1, (), True),  # PGY-1 on a PGY-2+ shift
        (R1, (Assignment("r1", 0, "day"),), False),  # fixed overrides eligibility
    ],
)
def test_it_requires_eligibility(person, fixed, violated):
    problem = make_problem(people=[R1, R2], demands=(SENIOR_DAY,), fixed=fixed)
    assert (validator.INELIGIBLE in check(problem, work(person.id, [(0, "day")]))) is violated


def test_it_treats_a_shift_without_demand_as_ineligible():
    problem = make_problem(demands=())
    assert validator.INELIGIBLE in check(problem, work("r2", [(0, "day")]))


PEOPLE = [Person(f"p{i}", PersonKind.RESIDENT, pgy=2) for i in range(4)]


@pytest.mark.parametrize(
    ("assigned", "rule"),
    [(1, validator.COVERAGE_MINIMUM), (2, None), (3, None), (4, validator.COVERAGE_MAXIMUM)],
)
def test_it_enforces_coverage_minimum_and_maximum(assigned, rule):
    demand = Demand(0, "day", target=2, minimum=2, maximum=3)
    problem = make_problem(people=PEOPLE, demands=(demand,), acgme=None)
    found = check(problem, [Assignment(f"p{i}", 0, "day") for i in range(assigned)])
    assert found == ({rule} if rule else set())


def test_it_counts_only_eligible_people_toward_coverage():
    demand = Demand(0, "day", target=1, minimum=1, eligibility=Eligibility(pgy_min=2))
    problem = make_problem(people=[R1], demands=(demand,), fixed=(Assignment("r1", 0, "day"),))
    assert validator.COVERAGE_MINIMUM in check(problem, work("r1", [(0, "day")]))


CLINIC = shift("clinic", "08:00", 240, ShiftCategory.CLINIC_HALF_DAY)
PRECEPT = shift("precept", "08:00", 240)


def supervised(residents, faculty, ratios=None):
    people = [*residents, *(Person(f"f{i}", PersonKind.FACULTY) for i in range(faculty))]
    demands = (
        Demand(0, "clinic", target=0, supervisor_shift="precept"),
        Demand(0, "precept", target=0),
    )
    problem = make_problem(
        days=1,
        people=people,
        shifts=(CLINIC, PRECEPT),
        demands=demands,
        supervision=SupervisionRule(ratios or {1: 2, 2: 4}),
    )
    plan = [Assignment(r.id, 0, "clinic") for r in residents]
    plan += [Assignment(f"f{i}", 0, "precept") for i in range(faculty)]
    return check(problem, plan)


def residents(pgy1, pgy2):
    return [Person(f"a{i}", pgy=1) for i in range(pgy1)] + [
        Person(f"b{i}", pgy=3) for i in range(pgy2)
    ]


@pytest.mark.parametrize(
    ("pgy1", "pgy2", "faculty", "violated"),
    [
        (2, 0, 1, False),  # 1:2 for PGY-1
        (3, 0, 1, True),
        (3, 0, 2, False),
        (0, 4, 1, False),  # 1:4 for PGY-2+ (PGY-3 uses the PGY-2 ratio)
        (0, 5, 1, True),
        (1, 2, 1, False),  # 1/2 + 2/4 = 1 faculty
        (2, 1, 1, True),  # 2/2 + 1/4 > 1
        (1, 0, 0, True),
    ],
)
def test_it_enforces_the_supervision_ratio(pgy1, pgy2, faculty, violated):
    found = supervised(residents(pgy1, pgy2), faculty)
    assert (validator.SUPERVISION in found) is violated


def test_it_only_counts_faculty_as_supervisors():
    # A resident on the precepting shift does not supervise.
    problem = make_problem(
        days=1,
        people=[*residents(1, 0), R2],
        shifts=(CLINIC, PRECEPT),
        demands=(Demand(0, "clinic", 0, supervisor_shift="precept"), Demand(0, "precept", 0)),
    )
    plan = [Assignment("a0", 0, "clinic"), Assignment("r2", 0, "precept")]
    assert validator.SUPERVISION in check(problem, plan)


def limited(**kw):
    return make_problem(
        days=14, people=[Person("r2", PersonKind.RESIDENT, 2, limits=PersonLimits(**kw))]
    )


DAYS_0_TO_4 = [(d, "day") for d in range(5)]


@pytest.mark.parametrize(
    ("limit", "plan", "rule"),
    [
        ({"max_shifts": {"day": 5}}, DAYS_0_TO_4, None),
        ({"max_shifts": {"day": 4}}, DAYS_0_TO_4, limits.MAX_SHIFTS),
        ({"max_total_minutes": 3600}, DAYS_0_TO_4, None),  # 5 x 720 nominal minutes
        ({"max_total_minutes": 3599}, DAYS_0_TO_4, limits.MAX_TOTAL_MINUTES),
        ({"min_total_minutes": 3600}, DAYS_0_TO_4, None),
        ({"min_total_minutes": 3601}, DAYS_0_TO_4, limits.MIN_TOTAL_MINUTES),
        ({"min_total_minutes": 1}, [], limits.MIN_TOTAL_MINUTES),  # an empty roster counts too
        ({"max_consecutive_work": 5}, DAYS_0_TO_4, None),
        ({"max_consecutive_work": 4}, DAYS_0_TO_4, limits.MAX_CONSECUTIVE_WORK),
        (
            {"max_consecutive_work": 4},
            [(d, "day") for d in range(9, 14)],
            limits.MAX_CONSECUTIVE_WORK,
        ),
        ({"min_consecutive_work": 3}, [(5, "day"), (6, "day")], limits.MIN_CONSECUTIVE_WORK),
        ({"min_consecutive_work": 3}, [(5, "day"), (6, "day"), (7, "day")], None),
        ({"min_consecutive_work": 3}, [(0, "day")], None),  # touches the first day
        ({"min_consecutive_work": 3}, [(13, "day")], None),  # touches the last day
        ({"min_consecutive_off": 2}, [(0, "day"), (2, "day")], limits.MIN_CONSECUTIVE_OFF),
        ({"min_consecutive_off": 2}, [(0, "day"), (3, "day")], None),
        ({"min_consecutive_off": 2}, [(1, "day")], None),  # the single day off is day 0
        ({"max_shifts_per_day": 1}, [(0, "day"), (0, "night")], limits.MAX_SHIFTS_PER_DAY),
        ({"max_shifts_per_day": 2}, [(0, "day"), (0, "night")], None),
        # 2026-04-11/12 is one weekend, 2026-04-18 another (the horizon starts Monday 6 April).
        ({"max_weekends": 1}, [(5, "day"), (6, "day")], None),
        ({"max_weekends": 1}, [(5, "day"), (12, "day")], limits.MAX_WEEKENDS),
    ],
)
def test_it_enforces_person_limits(limit, plan, rule):
    found = check(limited(**limit), work("r2", plan)) - {"acgme.min_rest"}
    assert found == ({rule} if rule else set())


def test_it_reports_limits_as_high():
    report = validator.validate(limited(max_shifts={"day": 1}), work("r2", DAYS_0_TO_4))
    assert {v.severity for v in report.violations} == {Severity.HIGH}
    assert not report.is_valid


NO_NIGHT_THEN_DAY = (
    shift("night", "19:00", 720, forbidden_next={"day"}),
    shift("day", "07:00", 720),
    shift("late", "21:00", 600),
)


@pytest.mark.parametrize(
    ("plan", "violated"),
    [
        ([(0, "night"), (2, "day")], False),
        ([(0, "night"), (1, "late")], False),
        ([(0, "night"), (1, "day")], True),  # 07:00 after a night ending 07:00
        ([(1, "day"), (0, "night")], True),  # order of the list does not matter
        ([(0, "day"), (1, "night")], False),
    ],
)
def test_it_forbids_listed_successions(plan, violated):
    problem = make_problem(days=7, shifts=NO_NIGHT_THEN_DAY, acgme=None)
    assert (limits.FORBIDDEN_SUCCESSION in check(problem, work("r2", plan))) is violated


def test_it_separates_hard_violations_from_warnings():
    report = validator.validate(
        make_problem(), work("r2", [(0, "day"), (1, "early1"), (2, "moon")])
    )
    assert report.is_valid
    assert report.hard == ()
    report = validator.validate(make_problem(people=[R1]), work("r1", [(2, "moon")]))
    assert [v.rule for v in report.hard] == ["acgme.pgy1_moonlighting"]


def _hard_keys(violations):
    return {
        (v.rule, v.person, v.shift, v.day, v.start, v.end)
        for v in violations
        if v.severity in validator.HARD
    }


def _random_edit(seed):
    """A random schedule of 21 days and one assignment moved from its owner to another."""
    rng = random.Random(seed)
    people = [Person(f"r{i}", PersonKind.RESIDENT, pgy=1 + i % 3) for i in range(5)]
    people.append(Person("f1", PersonKind.FACULTY))
    shifts = tuple(s for s in SHIFTS if s.id in ("day", "night", "call", "clinic", "precept"))
    shifts += (shift("clinic", "08:00", 480), shift("precept", "08:00", 480))
    days = 21
    demands = tuple(
        Demand(d, "day", target=2, minimum=1, maximum=3)
        if s == "day"
        else Demand(d, s, target=0, supervisor_shift="precept" if s == "clinic" else None)
        for d in range(days)
        for s in ("day", "night", "call", "clinic", "precept")
    )
    problem = make_problem(
        days,
        people,
        shifts=shifts,
        demands=demands,
        supervision=SupervisionRule({1: 1, 2: 2, 3: 4}),
        unavailable=(Unavailability("r1", 3),),
    )
    current = {
        Assignment(p.id, d, rng.choice(("day", "night", "call", "clinic")))
        for p in people[:-1]
        for d in range(days)
        if rng.random() < 0.6
    } | {Assignment("f1", d, "precept") for d in range(days) if rng.random() < 0.5}
    old = rng.choice(sorted(current, key=lambda a: (a.person, a.day, a.shift)))
    taker = rng.choice([p.id for p in people if p.id != old.person])
    new = Assignment(taker, old.day, old.shift)
    return problem, current, old, new


@pytest.mark.parametrize("seed", range(40))
def test_it_finds_the_same_new_hard_violations_of_an_edit_scoped_to_its_people_and_cells(seed):
    # violations_of (swaps.checks) against the full validator: moving one assignment from one
    # person to another adds exactly the same hard violations either way (25 of these 40
    # random schedules gain some).
    problem, current, old, new = _random_edit(seed)
    after = (current - {old}) | {new}
    full = _hard_keys(validator.validate(problem, after).hard) - _hard_keys(
        validator.validate(problem, current).hard
    )
    people_, cells = {old.person, new.person}, {(old.day, old.shift)}
    scoped = _hard_keys(
        validator.violations_of(problem, after, people=people_, cells=cells)
    ) - _hard_keys(validator.violations_of(problem, current, people=people_, cells=cells))
    assert scoped == full


@pytest.mark.parametrize("seed", range(40))
def test_it_scopes_to_people_and_cells_as_the_union_of_each_alone(seed):
    # swaps.checks.Window caches a baseline per person and per set of cells and unites them.
    problem, current, old, new = _random_edit(seed)
    people_, cells = {old.person, new.person}, {(old.day, old.shift)}
    together = _hard_keys(validator.violations_of(problem, current, people=people_, cells=cells))
    apart = _hard_keys(validator.violations_of(problem, current, people=set(), cells=cells))
    for person in people_:
        apart |= _hard_keys(validator.violations_of(problem, current, people={person}, cells=set()))
    assert together == apart


@pytest.mark.parametrize("seed", range(40))
def test_it_refuses_an_assignment_alone_only_for_what_the_whole_check_refuses(seed):
    # assignment_violations: the cheap first look swaps.checks.Window.judge takes.
    problem, current, old, new = _random_edit(seed)
    alone = _hard_keys(validator.assignment_violations(problem, [new]))
    after = (current - {old}) | {new}
    full = _hard_keys(validator.validate(problem, after).hard) - _hard_keys(
        validator.validate(problem, current).hard
    )
    assert new in current or alone <= full  # a shift already worked is the overlap check's


def test_it_judges_an_assignment_alone_on_availability_eligibility_and_known_ids():
    problem = make_problem(
        7,
        (R1, R2),
        demands=(Demand(0, "day", target=1, eligibility=Eligibility(pgy_min=2)),),
        unavailable=(Unavailability("r2", 1),),
    )
    rules = {
        a: {v.rule for v in validator.assignment_violations(problem, [a])}
        for a in (
            Assignment("r1", 0, "day"),  # PGY-1 where PGY-2+ is asked
            Assignment("r2", 0, "day"),
            Assignment("r2", 1, "day"),  # away that day, and no demand asks for it
            Assignment("nobody", 0, "day"),
        )
    }
    assert rules == {
        Assignment("r1", 0, "day"): {validator.INELIGIBLE},
        Assignment("r2", 0, "day"): set(),
        Assignment("r2", 1, "day"): {validator.UNAVAILABLE, validator.INELIGIBLE},
        Assignment("nobody", 0, "day"): {validator.UNKNOWN},
    }
