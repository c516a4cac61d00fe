"""A long horizon too large for one model is solved window by window (issue 20)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time

import pytest

from scheduling.engine import cpsat, long_horizon
from scheduling.engine.cpsat import windows, year
from scheduling.engine.model import (
    AcgmeRules,
    Assignment,
    Demand,
    FairnessGroup,
    Horizon,
    Person,
    PersonKind,
    PersonLimits,
    Problem,
    Progress,
    Request,
    RequestKind,
    ShiftType,
    SolveStatus,
    Unavailability,
    WeekendCap,
)
from scheduling.engine.validator import validate

MONDAY = date(2026, 4, 6)
DAYS = 3 * year.WINDOW_DAYS  # three windows


@pytest.fixture
def by_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small problems take the window path (the real thresholds are for a year of 210 people)."""
    monkeypatch.setattr(long_horizon, "MIN_DAYS", 2 * year.WINDOW_DAYS)
    monkeypatch.setattr(long_horizon, "MAX_VARIABLES", 0)


def ward_year(days: int = DAYS) -> Problem:
    """Three residents, two 12 h ward shifts a day (each works about 4 days in 7, so the 80 hours
    and free days bind across every seam), with yearly rules no window sees whole: at most 60 ward
    shifts each in the horizon (168 to share), at most 10 weekends each, at most 6 weekends in a
    cap spanning the first two windows; requests that conflict and a weekend fairness spread."""
    shifts = (ShiftType("ward", time(7), 720),)
    limits = PersonLimits(
        max_shifts={"ward": 60},
        max_weekends=10,
        weekend_caps=(WeekendCap("weekends in the first eight weeks", 6, 0, 55),),
        max_consecutive_work=5,
    )
    people = tuple(Person(f"R{i}", PersonKind.RESIDENT, pgy=2, limits=limits) for i in range(3))
    demands = tuple(Demand(d, "ward", 2, minimum=2, maximum=2) for d in range(days))
    # Every fifth day two of the three ask it off, and only one can have it: a cost every
    # window pays, whatever the rest of the schedule.
    requests = tuple(
        Request(pid, d, RequestKind.OFF, weight)
        for d in range(0, days, 5)
        for pid, weight in ((f"R{d % 3}", 2), (f"R{(d + 1) % 3}", 1))
    ) + tuple(Request(f"R{d % 3}", d, RequestKind.ON, 1) for d in range(2, days, 9))
    fairness = (FairnessGroup("weekends", frozenset(p.id for p in people), "weekend"),)
    return Problem(
        Horizon(MONDAY, days),
        shifts,
        people,
        demands,
        requests=requests,
        fairness=fairness,
        acgme=AcgmeRules(),
        name="ward-year",
    )


def test_it_never_builds_the_whole_model_of_a_long_large_horizon(
    by_windows: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[int] = []
    real = cpsat.run.build_model

    def spy(problem: Problem, **kwargs: object) -> object:
        built.append(problem.horizon.days)
        return real(problem, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cpsat.run, "build_model", spy)
    solution = cpsat.solve(ward_year(), time_limit=40, seed=0, workers=1)
    assert solution.assignments
    assert built and max(built) < DAYS


def test_it_builds_a_schedule_the_validator_accepts_across_seams_and_yearly_rules(
    by_windows: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No greedy start: the windows build the schedule one after the other.
    monkeypatch.setattr(year, "_greedy_start", lambda *args, **kwargs: None)
    problem = ward_year()
    solution = cpsat.solve(problem, time_limit=60, seed=0, workers=1)
    report = validate(problem, solution.assignments)
    assert report.is_valid, report.hard[:3]
    assert {a.day for a in solution.assignments} == set(range(DAYS))
    assert solution.objective == report.objective
    assert solution.status in (SolveStatus.FEASIBLE, SolveStatus.OPTIMAL)


def test_it_translates_yearly_rules_into_what_the_rest_of_the_schedule_leaves() -> None:
    problem = ward_year()
    # Days 5-6 and 40-41 are weekends; the window is the third four weeks.
    outside = [Assignment("R0", d, "ward") for d in (0, 1, 2, 5, 6, 40, 41)]
    sub = windows.sub_problem(problem, 56, 84, outside, complete=True)
    r0 = sub.person_by_id["R0"].limits
    assert r0.max_shifts == {"ward": 60 - 7}
    assert r0.max_weekends == 10 - 2
    # Both weekends are on the cap's days (0-55), none in the window: off the cap.
    assert r0.weekend_caps[0].cap == 6 - 2
    # A weekend straddling the window's edge stays the window's (its history day is read).
    edge = windows.sub_problem(problem, 55, 84, [Assignment("R0", 54, "ward")], complete=True)
    assert edge.person_by_id["R0"].limits.weekend_caps[0].cap == 6
    assert sub.history is not None
    assert {a.day for a in sub.history.assignments} == {40 - 56, 41 - 56}
    relaxed = windows.sub_problem(problem, 56, 84, outside, complete=True, relaxed=True)
    assert not relaxed.fairness and relaxed.history is None
    assert relaxed.person_by_id["R0"].limits.max_shifts == {}


def test_its_bound_never_exceeds_the_exact_optimum() -> None:
    problem = ward_year()
    assert not long_horizon.by_windows(problem)  # the one model, solved exactly
    optimum = cpsat.solve(problem, time_limit=120, seed=0, workers=2, hint=())
    assert optimum.status is SolveStatus.OPTIMAL
    assert optimum.objective is not None
    bound = year.relaxed_bound(problem, time_limit=60, seed=0, solve=cpsat.solve)
    assert bound is not None
    assert 0 < bound <= optimum.objective


def test_should_stop_ends_the_run_between_windows_with_the_best_schedule(by_windows: None) -> None:
    problem = ward_year()
    phases: list[str] = []

    def progress(p: Progress) -> None:
        phases.append(p.phase)

    def stop() -> bool:
        return any(p.startswith("window ") for p in phases)

    solution = cpsat.solve(
        problem, time_limit=120, seed=0, workers=1, on_progress=progress, should_stop=stop
    )
    assert solution.status is SolveStatus.CANCELLED
    assert validate(problem, solution.assignments).is_valid
    assert sum(p.startswith("window ") for p in phases) == 1  # stopped after one window
    assert any(p.startswith("bound window") for p in phases)  # progress per window


def test_the_hybrid_hands_a_long_large_horizon_to_the_window_path(by_windows: None) -> None:
    from scheduling.engine import hybrid

    plan = hybrid.choose(hybrid.features(ward_year()), time_limit=290)
    assert (plan.exact, plan.greedy) == ("cpsat", False)


def _two_attendings(days: int = DAYS) -> Problem:
    """One attending a day, two faculty with a ceiling of half the horizon's days each. B is
    away every odd day, so A must keep its whole ceiling for the odd days; B asks the even days
    of the first four weeks off (weight 1), which tempts the first windows to spend A there."""
    shifts = (ShiftType("att", time(7), 600),)
    limits = PersonLimits(max_shifts={"att": days // 2})
    people = tuple(Person(pid, PersonKind.FACULTY, limits=limits) for pid in ("A", "B"))
    demands = tuple(Demand(d, "att", 1, minimum=1, maximum=1) for d in range(days))
    away = tuple(Unavailability("B", d) for d in range(1, days, 2))
    requests = tuple(Request("B", d, RequestKind.OFF, 1) for d in range(0, 28, 2))
    return Problem(
        Horizon(MONDAY, days),
        shifts,
        people,
        demands,
        unavailable=away,
        requests=requests,
        name="two-attendings",
    )


def test_it_keeps_a_windows_share_of_a_yearly_ceiling_for_the_windows_still_to_build() -> None:
    problem = _two_attendings()
    # Building days 0-41 with days 42-83 still to build: A keeps to its share, 21 of 42, at a
    # cost beyond it; once the rest of the schedule is known (complete) there is no share.
    building = windows.sub_problem(problem, 0, 42, [], complete=False)
    (share,) = building.person_by_id["A"].limits.caps
    assert (share.shifts, share.cap, share.hard) == (frozenset({"att"}), 21, False)
    assert share.weight == windows.reserve_weight(problem) == 20  # ten times the under weight + 1
    outside = [Assignment("A", d, "att") for d in range(0, 28, 2)]
    later = windows.sub_problem(problem, 28, 70, outside, complete=False)
    # 42 - 14 left, 42 of the 56 days still to build in the window: ceil(28 x 42 / 56) = 21.
    assert later.person_by_id["A"].limits.caps[0].cap == 21
    # Rounded down: 42 x 25 / 84 = 12.5 gives 12 (rounded up, a dozen faculty's shares
    # summed to about six days a window more than the plan; the demo's year ran out in June).
    assert (
        windows.sub_problem(problem, 0, 25, [], complete=False).person_by_id["A"].limits.caps[0].cap
        == 12
    )
    assert (
        not windows.sub_problem(problem, 28, 70, outside, complete=True)
        .person_by_id["A"]
        .limits.caps
    )


def test_its_windows_leave_a_yearly_ceiling_enough_for_the_days_after_them(
    by_windows: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(year, "_greedy_start", lambda *args, **kwargs: None)
    problem = _two_attendings()
    solution = cpsat.solve(problem, time_limit=60, seed=0, workers=1)
    report = validate(problem, solution.assignments)
    # Without the share the first window gave A the even days B asked off, and A's ceiling
    # ran out before the odd days of the last window (no schedule, or one short of cover).
    assert report.is_valid, report.hard[:3]
    assert report.objective == 14  # B works the even days it asked off: nobody else can


def test_a_windows_leave_and_exception_days_are_counted_from_its_first_day() -> None:
    # The duty-hour limit of an ACGME window holding leave is prorated by the leave days, and a
    # weekly-hours exception holds on the days it covers; both are horizon days: a window of
    # days 28-55 sees leave on days 30-33 as its days 2-5.
    problem = _two_attendings()
    on_leave = replace(
        problem.people[0],
        limits=replace(
            problem.people[0].limits,
            leave_days=frozenset(range(30, 34)),
            weekly_hours_days=frozenset(range(28, 84)),
        ),
    )
    problem = replace(problem, people=(on_leave, *problem.people[1:]))
    for complete, relaxed in ((False, False), (True, False), (True, True)):
        sub = windows.sub_problem(problem, 28, 56, [], complete=complete, relaxed=relaxed)
        assert sub.person_by_id["A"].limits.leave_days == frozenset(range(2, 6))
        assert sub.person_by_id["A"].limits.weekly_hours_days == frozenset(range(56))
