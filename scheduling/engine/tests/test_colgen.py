"""The roster-pattern relaxation on the generic Problem: the pricing DP against brute force
(every roster judged by the validator), the bound against CP-SAT's proven optima, and every
roster it returns against the validator."""

from __future__ import annotations

import dataclasses
import functools
import itertools
from collections.abc import Callable
from datetime import date

import numpy as np
import pytest

from scheduling.engine import cpsat
from scheduling.engine.colgen import relax, with_bound
from scheduling.engine.colgen.batch import batch_key, solve_batch
from scheduling.engine.colgen.person import PersonSpec, ProblemTables, person_spec
from scheduling.engine.colgen.pricing import Pricer
from scheduling.engine.model import (
    AcgmeRules,
    Assignment,
    Demand,
    Eligibility,
    FairnessGroup,
    Link,
    Person,
    PersonKind,
    PersonLimits,
    Problem,
    Request,
    RequestKind,
    ShiftCap,
    Solution,
    SolveStatus,
    Unavailability,
)
from scheduling.engine.tests.helpers import C, make_problem, shift
from scheduling.engine.validator import HARD, validate, violations_of

SATURDAY = date(2026, 4, 11)
MONDAY = date(2026, 4, 6)


def _half_days() -> Problem:
    """Two half-days that make a two-shift day, a midday shift overlapping both, demands on
    some days only, a cap on days 0-2, a fixed shift, unavailability of a day and of a shift,
    shift-less requests; 8 days from a Saturday, so two weekends."""
    shifts = (shift("am", "08:00", 240), shift("pm", "13:00", 240), shift("mid", "10:00", 240))
    cells = [(d, "am") for d in range(8)] + [(d, "pm") for d in (0, 1, 4, 7)]
    cells += [(d, "mid") for d in (2, 5)]
    person = Person(
        "f1",
        PersonKind.FACULTY,
        limits=PersonLimits(
            max_shifts_per_day=2,
            max_shifts={"pm": 2},
            caps=(ShiftCap("early ams", frozenset({"am"}), 1, first=0, last=2),),
            min_total_minutes=960,
            max_total_minutes=1680,
            min_consecutive_work=2,
            max_consecutive_work=3,
            min_consecutive_off=2,
            max_weekends=1,
        ),
    )
    return make_problem(
        8,
        [person],
        start=SATURDAY,
        shifts=shifts,
        acgme=None,
        demands=tuple(Demand(d, s, target=0) for d, s in cells),
        unavailable=(Unavailability("f1", 6), Unavailability("f1", 4, "am")),
        fixed=(Assignment("f1", 5, "am"),),
        requests=(
            Request("f1", 1, RequestKind.ON, 3),
            Request("f1", 5, RequestKind.OFF, 2),
        ),
    )


def _crossing() -> Problem:
    """A 21:00-07:00 shift that overlaps a 03:00 start the next day, a forbidden succession
    and two-shift days whose shifts touch."""
    shifts = (
        shift("late", "21:00", 600),
        shift("early", "03:00", 240),
        shift("day", "07:00", 720, forbidden_next=("late",)),
    )
    person = Person(
        "s1",
        PersonKind.STAFF,
        limits=PersonLimits(max_shifts_per_day=2, max_consecutive_work=3, max_shifts={"late": 2}),
    )
    return make_problem(5, [person], start=MONDAY, shifts=shifts, acgme=None)


def _resident() -> Problem:
    """A PGY-1 resident under ACGME rules with a four-day window: night float, 24 h call,
    half-day clinics, moonlighting (forbidden to PGY-1)."""
    shifts = (
        shift("night", "19:00", 720, C.NIGHT_FLOAT),
        shift("call", "07:00", 1440, C.IN_HOUSE_CALL, forbidden_next=("call", "night", "am")),
        shift("am", "08:00", 240),
        shift("pm", "13:00", 240),
        shift("moon", "18:00", 360, C.MOONLIGHTING),
    )
    rules = AcgmeRules(
        window_days=4,
        max_weekly_hours=80.0,  # 2742 minutes in the four days: three nights fit
        max_call_nights_per_window=1,
        max_consecutive_night_float=2,
        min_free_days_per_window=1,
    )
    person = Person("r1", PersonKind.RESIDENT, pgy=1, limits=PersonLimits(max_shifts_per_day=2))
    cells = [(d, s) for d in range(4) for s in ("night", "call", "am")]
    cells += [(0, "pm"), (2, "pm"), (1, "moon")]
    demands = tuple(Demand(d, s, target=0) for d, s in cells)
    return make_problem(4, [person], start=MONDAY, shifts=shifts, acgme=rules, demands=demands)


PROBLEMS = {"half-days": _half_days, "crossing": _crossing, "resident": _resident}


@functools.cache
def _enumerated(name: str) -> tuple[Problem, list[tuple[frozenset[str], ...]], list[bool]]:
    """Every roster of the one person (any set of at most two shifts a day) and whether the
    validator's per-person rules accept it."""
    problem = PROBLEMS[name]()
    pid = problem.people[0].id
    rosters, valid = [], []
    per_day = []  # the shifts some demand of the day asks for (no one else may work them)
    for d in range(problem.horizon.days):
        ids = sorted({x.shift for x in problem.demands if x.day == d})
        per_day.append([frozenset(c) for n in (0, 1, 2) for c in itertools.combinations(ids, n)])
    for roster in itertools.product(*per_day):
        work = [Assignment(pid, d, s) for d, cell in enumerate(roster) for s in sorted(cell)]
        fixed = {(a.day, a.shift) for a in problem.fixed}  # so a missing fixed shift counts
        found = violations_of(problem, work, people={pid}, cells=fixed)
        rosters.append(roster)
        valid.append(not any(v.severity in HARD for v in found))
    return problem, rosters, valid


def _cost(
    problem: Problem, roster: tuple[frozenset[str], ...], cell: np.ndarray, day: np.ndarray
) -> float:
    index = {s.id: i for i, s in enumerate(problem.shift_types)}
    return sum(cell[d, index[s]] for d, c in enumerate(roster) for s in c) + sum(
        day[d] for d, c in enumerate(roster) if c
    )


def _spec(problem: Problem) -> PersonSpec:
    return person_spec(ProblemTables(problem), 0)


def _as_sets(
    spec: PersonSpec, problem: Problem, roster: list[int | None]
) -> tuple[frozenset[str], ...]:
    ids = [s.id for s in problem.shift_types]
    return tuple(
        frozenset() if k is None else frozenset(ids[i] for i in spec.patterns[k]) for k in roster
    )


@pytest.mark.parametrize("name", ["half-days", "crossing"])
def test_it_prices_a_generic_person_exactly_like_brute_force(name: str) -> None:
    problem, rosters, valid = _enumerated(name)
    assert 1 < sum(valid) < len(valid)
    spec = _spec(problem)
    pricer = Pricer(spec)
    assert pricer.exact
    days, shifts = problem.horizon.days, len(problem.shift_types)
    rng = np.random.default_rng(5)
    for draw in range(10):
        cell = rng.integers(-20, 20, size=(days, shifts)).astype(float)
        day = rng.integers(-5, 5, size=days).astype(float)
        if draw == 0:
            cell[:2] -= 50  # a whole weekend (days 0-1) worth working: it counts once
        value, roster = pricer.solve(cell, day)
        best = min(_cost(problem, r, cell, day) for r, ok in zip(rosters, valid, strict=True) if ok)
        assert value == pytest.approx(best)
        found = _as_sets(spec, problem, roster)
        assert valid[rosters.index(found)]  # the DP's roster keeps every rule
        assert _cost(problem, found, cell, day) == pytest.approx(value)


def test_it_prices_a_resident_below_every_compliant_roster_keeping_the_rules_it_holds() -> None:
    problem, rosters, valid = _enumerated("resident")
    spec = _spec(problem)
    pricer = Pricer(spec)
    assert not pricer.exact  # one day in seven, rest and 24 + 4 are relaxed
    assert all("moon" not in [problem.shift_types[i].id for i in p] for p in spec.patterns)
    days, shifts = problem.horizon.days, len(problem.shift_types)
    rng = np.random.default_rng(9)
    # (The 80 hours are kept for the window of the horizon only: a night on the last day also
    # counts whole in the windows reaching past it, so that rule is not asserted here.)
    kept = {
        "policy.night_float_consecutive",
        "acgme.call_frequency",
        "acgme.pgy1_moonlighting",
        "succession.forbidden",
        "assignment.overlap",
    }
    equal = 0
    for _ in range(12):
        cell = rng.integers(-30, 10, size=(days, shifts)).astype(float)
        value, roster = pricer.solve(cell, np.zeros(days))
        best = min(
            _cost(problem, r, cell, np.zeros(days))
            for r, ok in zip(rosters, valid, strict=True)
            if ok
        )
        assert value <= best + 1e-9  # a relaxation: never above the compliant optimum
        equal += value == pytest.approx(best)
        found = _as_sets(spec, problem, roster)
        work = [Assignment("r1", d, s) for d, c in enumerate(found) for s in sorted(c)]
        assert not {v.rule for v in validate(problem, work).violations} & kept
    assert equal > 0


def _small_program() -> Problem:
    """Three residents and a faculty member for a week: ward days with a hard minimum, night
    float, call, a supervised clinic, fairness of call, requests, ACGME rules."""
    shifts = (
        shift("day", "07:00", 720),
        shift("night", "19:00", 720, C.NIGHT_FLOAT),
        shift("call", "07:00", 1440, C.IN_HOUSE_CALL, forbidden_next=("day", "call", "night")),
        shift("clinic", "08:00", 480),
        shift("precept", "08:00", 480, C.ATTENDING),
    )
    residents = [
        Person(f"r{i}", PersonKind.RESIDENT, pgy=pgy, limits=PersonLimits(max_consecutive_work=5))
        for i, pgy in enumerate((1, 2, 2))
    ]
    faculty = Person("f1", PersonKind.FACULTY, limits=PersonLimits(max_consecutive_work=4))
    res = Eligibility(kinds=frozenset({PersonKind.RESIDENT}))
    senior = Eligibility(kinds=frozenset({PersonKind.RESIDENT}), pgy_min=2)
    fac = Eligibility(kinds=frozenset({PersonKind.FACULTY}))
    demands = []
    for d in range(7):
        demands += [
            Demand(d, "day", target=1, minimum=1, eligibility=res),
            Demand(d, "night", target=1, under_weight=3, eligibility=senior),
            Demand(d, "call", target=1 if d % 2 == 0 else 0, under_weight=2, eligibility=senior),
            Demand(d, "clinic", target=1, under_weight=2, eligibility=res,
                   supervisor_shift="precept"),
            Demand(d, "precept", target=0, maximum=1, over_weight=0, eligibility=fac),
        ]  # fmt: skip
    return make_problem(
        7,
        [*residents, faculty],
        start=MONDAY,
        shifts=shifts,
        demands=tuple(demands),
        unavailable=(Unavailability("f1", 2), Unavailability("r1", 4)),
        requests=(
            Request("r1", 0, RequestKind.OFF, 2),
            Request("r2", 5, RequestKind.ON, 1, "night"),
            Request("f1", 6, RequestKind.OFF, 1),
        ),
        fairness=(FairnessGroup("call", frozenset({"r1", "r2"}), "call", 2),),
    )


def _tight_program() -> Problem:
    """One ward resident for five days against a demand of two: every day is short."""
    shifts = (shift("day", "07:00", 720),)
    person = Person("r1", PersonKind.RESIDENT, pgy=2, limits=PersonLimits(max_consecutive_work=3))
    demands = tuple(Demand(d, "day", target=2, under_weight=5) for d in range(5))
    return make_problem(5, [person], start=MONDAY, shifts=shifts, demands=demands)


@pytest.mark.parametrize("build", [_small_program, _tight_program])
def test_it_never_bounds_above_a_proven_optimum(build: Callable[[], Problem]) -> None:
    problem = build()
    solved = cpsat.solve(problem, time_limit=30, workers=1, seed=0)
    assert solved.status == SolveStatus.OPTIMAL and solved.objective is not None
    assert validate(problem, solved.assignments).objective == solved.objective
    result = relax(problem, time_limit=10, ip_time_limit=5)
    assert result.bound is not None and result.bound <= solved.objective
    if build is _tight_program:
        # Ten people-days asked, four worked at most (three in a row): 6 x 5, reached exactly.
        assert result.bound == solved.objective == 30
    if result.assignments is not None:
        report = validate(problem, result.assignments)
        assert report.is_valid and report.objective == result.objective
        assert result.objective >= solved.objective


def test_it_returns_only_valid_rosters_when_the_master_cannot_see_a_rule() -> None:
    """Linked call days are relaxed in the DP and not in the master: a roster breaking them is
    dropped, never returned."""
    linked = dataclasses.replace(_small_program(), linked=(Link(0, 1, frozenset({"call"})),))
    result = relax(linked, time_limit=5, ip_time_limit=3)
    assert result.bound is not None
    if result.assignments is not None:
        assert validate(linked, result.assignments).is_valid


def test_it_raises_a_solvers_bound_only_when_its_own_is_higher() -> None:
    problem = _tight_program()
    unknown = Solution((), SolveStatus.UNKNOWN, "greedy", bound=None)
    raised, result = with_bound(problem, unknown, time_limit=4)
    assert result.bound == 30 and raised.bound == 30
    kept, _ = with_bound(problem, dataclasses.replace(unknown, bound=31.0), time_limit=4)
    assert kept.bound == 31.0


def test_it_prices_people_sharing_a_structure_in_one_batch_like_one_by_one() -> None:
    base = _half_days()
    people = tuple(
        dataclasses.replace(base.people[0], id=pid) for pid in ("f1", "f2", "f3")
    )  # the same rules; different days and shifts unavailable below
    problem = dataclasses.replace(
        base,
        people=people,
        fixed=(),
        unavailable=(
            Unavailability("f1", 6),
            Unavailability("f2", 2),
            Unavailability("f2", 4, "am"),
            Unavailability("f3", 0, "pm"),
        ),
    )
    tables = ProblemTables(problem)
    specs = [person_spec(tables, i) for i in range(3)]
    assert len({batch_key(spec) for spec in specs}) == 1
    union = specs[0].allowed | specs[1].allowed | specs[2].allowed
    shared = [Pricer(spec, structure=union) for spec in specs]
    alone = [Pricer(spec) for spec in specs]
    assert shared[0].stacked
    days, shifts = problem.horizon.days, len(problem.shift_types)
    rng = np.random.default_rng(2)
    for _ in range(5):
        cells = [rng.normal(0, 10, size=(days, shifts)) for _ in specs]
        day = [rng.normal(0, 3, size=days) for _ in specs]
        together = solve_batch(shared, cells, day, 3)
        for p, found in enumerate(together):
            single = alone[p].solve_many(cells[p], 3, day[p])
            assert found[0][0] == pytest.approx(single[0][0])
            for value, roster in found:
                sets = _as_sets(specs[p], problem, roster)
                assert _cost(problem, sets, cells[p], day[p]) == pytest.approx(value)
                work = [Assignment(people[p].id, d, s) for d, c in enumerate(sets) for s in c]
                assert not violations_of(problem, work, people={people[p].id}, cells=())
