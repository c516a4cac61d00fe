"""Program-rule limits across block seams (issue 21): the consecutive-day limit, the minimum rest
and the weekend caps per block read the history around the horizon; the validator and every
solver agree, and the precheck names what locked shifts and the history already break."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

from scheduling.engine.checks import check_problem
from scheduling.engine.cpsat.rolling import window_problem
from scheduling.engine.limits import (
    MAX_CONSECUTIVE_WORK,
    MAX_WEEKENDS,
    MIN_REST,
    lead_days,
    too_close,
    weekend_room,
)
from scheduling.engine.model import (
    Assignment,
    Demand,
    Eligibility,
    History,
    Horizon,
    Person,
    PersonKind,
    PersonLimits,
    Problem,
    Solution,
    WeekendCap,
)
from scheduling.engine.solvers import get_solver
from scheduling.engine.validator import Report, validate

from .helpers import SHIFTS, check, make_problem, shift, work

SOLVERS = ["greedy", "cpsat", "mip", "hybrid"]
EXACT = ("cpsat", "mip", "hybrid")
DAY = next(s for s in SHIFTS if s.id == "day")  # 07:00-19:00
NIGHT = next(s for s in SHIFTS if s.id == "night")  # 19:00-07:00
EARLY = next(s for s in SHIFTS if s.id == "early")  # 03:00-07:00
N8 = shift("n8", "20:00", 720)  # 20:00-08:00 the next day
ROSTER = (DAY, NIGHT, EARLY, N8)
HOURS = 60


def _solve(name: str, problem: Problem) -> tuple[Solution, Report]:
    solution = get_solver(name)(problem, time_limit=10.0, seed=0, workers=1)
    return solution, validate(problem, solution.assignments)


def _person(pid: str, **limits: Any) -> Person:
    return Person(pid, PersonKind.RESIDENT, pgy=2, limits=PersonLimits(**limits))


def _days(solution: Solution, pid: str, shift_id: str = "day") -> set[int]:
    return {a.day for a in solution.assignments if a.person == pid and a.shift == shift_id}


def _history(pid: str, plan: list[tuple[int, str]]) -> History:
    return History(tuple(work(pid, plan)))


def _wanted(days: int, target: int = 2, **eligibility: Any) -> tuple[Demand, ...]:
    """A day shift every day that wants ``target`` people (no minimum: nothing is forced)."""
    return tuple(
        Demand(d, "day", target=target, maximum=target, eligibility=Eligibility(**eligibility))
        for d in range(days)
    )


def _problem(days: int, people: list[Person], **extra: Any) -> Problem:
    demands = extra.pop("demands", None) or _wanted(days)
    return make_problem(days, people, shifts=ROSTER, acgme=None, demands=demands, **extra)


# ------------------------------------------------------------------ consecutive working days
BEFORE = _history("a", [(d, "day") for d in range(-5, 0)])  # the previous block's last 5 days


def test_it_reads_the_days_worked_on_both_sides_of_the_horizon() -> None:
    assert lead_days({-1, -2, -4, 7, 9}, 7) == (2, 1)
    assert lead_days(set(), 7) == (0, 0)


def test_it_counts_the_previous_blocks_days_in_a_run() -> None:
    problem = _problem(7, [_person("a", max_consecutive_work=6)], history=BEFORE)
    assert MAX_CONSECUTIVE_WORK not in check(problem, work("a", [(0, "day")]))
    report = validate(problem, work("a", [(0, "day"), (1, "day")]))
    [broken] = [v for v in report.violations if v.rule == MAX_CONSECUTIVE_WORK]
    assert broken.measured == 7 and "5 of them outside the period" in broken.message


def test_it_counts_the_next_blocks_days_in_a_run() -> None:
    after = _history("a", [(d, "day") for d in range(7, 10)])
    problem = _problem(7, [_person("a", max_consecutive_work=5)], history=after)
    assert MAX_CONSECUTIVE_WORK not in check(problem, work("a", [(5, "day"), (6, "day")]))
    plan = work("a", [(4, "day"), (5, "day"), (6, "day")])
    assert MAX_CONSECUTIVE_WORK in check(problem, plan)


def test_it_keeps_a_run_without_history_as_it_was() -> None:
    problem = _problem(7, [_person("a", max_consecutive_work=6)])
    assert MAX_CONSECUTIVE_WORK not in check(problem, work("a", [(d, "day") for d in range(6)]))


@pytest.mark.parametrize("solver", SOLVERS)
def test_it_lets_no_solver_extend_a_run_across_the_seam(solver: str) -> None:
    # "a" worked the previous block's last 5 days, limit 6: not both day 0 and day 1.
    people = [_person("a", max_consecutive_work=6), _person("b")]
    problem = _problem(3, people, history=BEFORE)
    solution, report = _solve(solver, problem)
    assert report.is_valid
    assert not {0, 1} <= _days(solution, "a")  # a seventh day in a row
    if solver in EXACT:
        assert solution.objective == report.objective == 1  # day 1 one person short


def test_it_names_a_locked_day_the_history_leaves_no_room_for() -> None:
    history = _history("a", [(d, "day") for d in range(-6, 0)])
    problem = _problem(
        3,
        [_person("a", max_consecutive_work=6), _person("b")],
        history=history,
        fixed=(Assignment("a", 0, "day"),),
    )
    assert any(
        "a worked the 6 day(s) before Mon 6 April 2026 (published)" in c
        and "7 consecutive working days, at most 6" in c
        for c in check_problem(problem)
    )


# ------------------------------------------------------------------ minimum rest
REST = 12 * HOURS


def test_it_reads_rest_on_real_intervals() -> None:
    assert too_close((0, 600), (600, 700), 60)  # touching: no rest at all
    assert too_close((0, 600), (659, 700), 60) and not too_close((0, 600), (660, 700), 60)
    assert too_close((659, 700), (0, 600), 60)  # either order


def test_it_checks_rest_against_the_night_before_the_period() -> None:
    problem = _problem(
        3, [_person("a")], history=_history("a", [(-1, "night")]), min_rest_minutes=REST
    )
    assert MIN_REST in check(problem, work("a", [(0, "day")]))  # 07:00, right after the night
    assert MIN_REST not in check(problem, work("a", [(1, "day")]))


def test_it_checks_rest_against_the_day_after_the_period() -> None:
    problem = _problem(
        3, [_person("a")], history=_history("a", [(3, "day")]), min_rest_minutes=REST
    )
    assert MIN_REST in check(problem, work("a", [(2, "night")]))
    assert MIN_REST not in check(problem, work("a", [(2, "day")]))  # 19:00 to 07:00: 12 h


def test_it_checks_rest_across_more_than_one_calendar_day() -> None:
    # A night ending 08:00 on day 1, a day shift at 07:00 on day 2: 23 h.
    problem = _problem(3, [_person("a")], min_rest_minutes=24 * HOURS)
    report = validate(problem, work("a", [(0, "n8"), (2, "day")]))
    [short] = [v for v in report.violations if v.rule == MIN_REST]
    assert short.day == 2 and short.measured == 23 and not report.is_valid


def test_it_checks_rest_between_two_shifts_of_one_day() -> None:
    problem = _problem(3, [_person("a")], min_rest_minutes=REST)
    assert MIN_REST in check(problem, work("a", [(0, "early"), (0, "day")]))


@pytest.mark.parametrize("solver", SOLVERS)
def test_it_keeps_every_solver_rested_after_the_previous_block(solver: str) -> None:
    # "a" ended the previous block with a night ending 08:00 on day -1: no day shift on day 0
    # (23 h later) under a 24 h rest; and no one works two day shifts in a row (12 h).
    people = [_person("a"), _person("b")]
    history = _history("a", [(-2, "n8")])
    problem = _problem(2, people, history=history, min_rest_minutes=24 * HOURS)
    solution, report = _solve(solver, problem)
    assert report.is_valid
    assert 0 not in _days(solution, "a")
    if solver in EXACT:
        assert solution.objective == report.objective == 2  # one short on each day


@pytest.mark.parametrize("solver", SOLVERS)
def test_it_keeps_every_solver_rested_two_days_after_a_night(solver: str) -> None:
    demands = (Demand(2, "day", target=1, eligibility=Eligibility(people=frozenset({"a"}))),)
    problem = _problem(
        3,
        [_person("a")],
        demands=demands,
        fixed=(Assignment("a", 0, "n8"),),
        min_rest_minutes=24 * HOURS,
    )
    solution, report = _solve(solver, problem)
    assert report.is_valid and 2 not in _days(solution, "a")
    if solver in EXACT:
        assert solution.objective == 1


def test_it_names_locked_shifts_too_close_to_the_history_or_each_other() -> None:
    problem = _problem(
        3,
        [_person("a")],
        history=_history("a", [(-1, "night")]),
        fixed=(Assignment("a", 0, "day"), Assignment("a", 1, "early")),
        min_rest_minutes=REST,
    )
    causes = [c for c in check_problem(problem) if "too little rest" in c]
    published = "a is locked on day Mon 6 April 2026, 0 h apart from night Sun 5 April 2026 "
    assert any(c.startswith(published + "(published)") for c in causes)
    assert any(
        "on day Mon 6 April 2026, 8 h apart from early Tue 7 April 2026:" in c for c in causes
    )


# ------------------------------------------------------------------ weekend caps per block
# Days 5-6 and 12-13 are weekends (6 April 2026 is a Monday); block 1 ends on day 6.
BLOCK_1 = WeekendCap("weekends in block 1", 0, first=-22, last=6)
BLOCK_2 = WeekendCap("weekends in block 2", 1, first=7, last=34)


def test_it_gives_each_block_its_own_weekend_cap() -> None:
    problem = _problem(14, [_person("a", weekend_caps=(BLOCK_1, BLOCK_2))])
    assert MAX_WEEKENDS not in check(problem, work("a", [(12, "day"), (13, "day")]))
    assert MAX_WEEKENDS in check(problem, work("a", [(5, "day")]))
    two = replace(BLOCK_2, last=20)
    wide = _problem(21, [_person("a", weekend_caps=(BLOCK_1, two))])
    assert MAX_WEEKENDS in check(wide, work("a", [(12, "day"), (19, "day")]))


def test_it_counts_a_weekend_straddling_the_period_start_once() -> None:
    # The period starts on Sunday 12 April; Saturday 11 April (day -1) was worked, same block.
    cap = WeekendCap("weekends in block 1", 1, first=-10, last=17)
    problem = replace(
        _problem(14, [_person("a", weekend_caps=(cap,))], history=_history("a", [(-1, "day")])),
        horizon=Horizon(date(2026, 4, 12), 14, "America/New_York"),
    )
    assert weekend_room(cap, problem.horizon, {-1}) == (0, 1, [(6, 7), (13,)])
    assert MAX_WEEKENDS not in check(problem, work("a", [(0, "day")]))  # the same weekend
    assert MAX_WEEKENDS in check(problem, work("a", [(6, "day")]))  # a second one


def test_it_reads_a_weekend_of_the_block_before_as_not_this_blocks() -> None:
    # The period starts on Sunday 12 April, the first day of block 2: Saturday is block 1's.
    cap = WeekendCap("weekends in block 2", 1, first=0, last=27)
    assert weekend_room(cap, Horizon(date(2026, 4, 12), 14), {-1}) == (1, 0, [(0,), (6, 7), (13,)])


@pytest.mark.parametrize("solver", SOLVERS)
def test_it_lets_every_solver_use_the_next_blocks_weekend(solver: str) -> None:
    # "a" may work no weekend of block 1 (its cap is spent) and one of block 2.
    people = [_person("a", weekend_caps=(BLOCK_1, BLOCK_2)), _person("b")]
    solution, report = _solve(solver, _problem(14, people))
    assert report.is_valid
    worked = _days(solution, "a")
    assert not worked & {5, 6}
    if solver in EXACT:
        assert worked >= {12, 13}
        assert solution.objective == report.objective == 2  # days 5 and 6 one short


def test_it_names_locked_weekends_a_cap_has_no_room_for() -> None:
    problem = _problem(
        14,
        [_person("a", weekend_caps=(BLOCK_1, BLOCK_2)), _person("b")],
        fixed=(Assignment("a", 6, "day"),),
    )
    assert any(
        "a is locked on 1 weekend(s) from Sat 11 April 2026, but weekends in block 1" in c
        and "leaves room for 0" in c
        for c in check_problem(problem)
    )


# ------------------------------------------------------------------ rolling windows
def test_it_renumbers_the_history_for_a_later_window() -> None:
    problem = _problem(60, [_person("a")], history=BEFORE)
    sub = window_problem(problem, 28, 56, 60, [])
    assert sub.history is not None
    assert {a.day for a in sub.history.assignments} == {d - 28 for d in range(-5, 0)}
    assert sub.history_days("a") == frozenset(range(-33, -28))
    assert problem.horizon.date_of(-1) == sub.horizon.date_of(-29) == date(2026, 4, 5)
    assert sub.horizon.start == problem.horizon.start + timedelta(days=28)
