"""The sequential DP start (colgen/construct.py): valid schedules scored like the validator and
the benchmark evaluator, the last person's roster the best one given the others, and the
solver's use of it when the greedy start breaks a hard rule."""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

import numpy as np
import pytest

from scheduling.engine import greedy
from scheduling.engine.colgen import construct as sequential
from scheduling.engine.colgen.person import PersonSpec
from scheduling.engine.colgen.pricing import Pricer
from scheduling.engine.cpsat import run as cpsat_run
from scheduling.engine.model import (
    Assignment,
    Demand,
    Person,
    PersonKind,
    PersonLimits,
    Problem,
    Request,
    RequestKind,
    Solution,
    SolveStatus,
)
from scheduling.engine.nrp import evaluate, parse_instance, roster_from_assignments, to_problem
from scheduling.engine.scenarios import scenario
from scheduling.engine.tests.helpers import make_problem, shift
from scheduling.engine.validator import validate

SHARED = Path(__file__).resolve().parents[3].parent / "shared/benchmarks/schedulingbenchmarks_nrp"
needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(), reason=f"shared benchmark instances not found at {SHARED}"
)


@needs_shared
@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_it_builds_a_valid_benchmark_schedule_scored_like_the_evaluator(number: int) -> None:
    instance = parse_instance(SHARED / f"Instance{number}.txt")
    problem = to_problem(instance)
    built = sequential.construct(problem, time_limit=60)
    assert built is not None and built.valid
    report = validate(problem, built.assignments)
    assert report.is_valid and report.objective == built.objective
    evaluation = evaluate(instance, roster_from_assignments(instance, built.assignments))
    assert evaluation.feasible and evaluation.objective == built.objective
    # The improvement passes only ever replace a roster by a cheaper one.
    assert built.first_objective is not None and built.objective <= built.first_objective


def test_it_builds_a_valid_residency_schedule() -> None:
    problem = scenario("S", 0)
    built = sequential.construct(problem, time_limit=60)
    assert built is not None and built.valid
    assert validate(problem, built.assignments).is_valid


def _tiny() -> Problem:
    """Three people, five days, two shifts: requests, run limits, a minimum of work and a
    shift-type maximum, so the last roster has real choices."""
    shifts = (shift("e", "07:00", 480), shift("l", "15:00", 480, forbidden_next=("e",)))
    people = [
        Person(
            pid,
            PersonKind.STAFF,
            limits=PersonLimits(
                max_shifts_per_day=1,
                max_consecutive_work=3,
                min_total_minutes=1920 if pid == "c" else 960,
                max_shifts={"l": 2},
            ),
        )
        for pid in ("a", "b", "c")
    ]
    # Six units of cover asked, at least eight shifts worked: the last person's choice is
    # between excesses of different prices and their own requests.
    demands = tuple(
        Demand(d, s, target=t, under_weight=w, over_weight=1 + 4 * ((d + i) % 3))
        for d in range(5)
        for i, (s, t, w) in enumerate((("e", 1 - d % 2, 3), ("l", d % 2 + (d == 4), 2)))
    )
    requests = (
        Request("c", 0, RequestKind.OFF, 4),
        Request("c", 2, RequestKind.ON, 2, "l"),
        Request("c", 3, RequestKind.OFF, 1, "e"),
        Request("a", 1, RequestKind.ON, 3, "e"),
        Request("a", 3, RequestKind.ON, 4, "l"),
        Request("b", 4, RequestKind.OFF, 5),
        Request("b", 2, RequestKind.ON, 2, "e"),
    )
    return make_problem(5, people, shifts=shifts, acgme=None, demands=demands, requests=requests)


@pytest.mark.parametrize("last", ["a", "b", "c"])
def test_it_gives_the_last_person_the_roster_brute_force_finds_best_given_the_others(
    last: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sequential, "ORDER", "index")  # the people in the problem's order
    monkeypatch.setattr(sequential, "PASSES", 0)  # the construction pass only
    tiny = _tiny()
    people = sorted(tiny.people, key=lambda person: person.id == last)
    problem = dataclasses.replace(tiny, people=tuple(people))
    built = sequential.construct(problem, time_limit=60)
    assert built is not None and built.valid
    others = [a for a in built.assignments if a.person != last]
    best = None
    for row in itertools.product((None, "e", "l"), repeat=problem.horizon.days):
        mine = [Assignment(last, d, s) for d, s in enumerate(row) if s is not None]
        report = validate(problem, others + mine)
        if report.is_valid and (best is None or report.objective < best):
            best = report.objective
    assert best is not None and built.objective == best


def test_it_repairs_rosters_of_a_dp_that_drops_the_caps_and_weekends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def relaxed(spec: PersonSpec, structure: np.ndarray | None = None) -> Pricer:
        return Pricer(spec, relax_caps=True, relax_weekends=True, structure=structure)

    monkeypatch.setattr(sequential, "make_pricer", relaxed)
    problem = _tiny()
    built = sequential.construct(problem, time_limit=60)
    assert built is not None and built.valid  # no one works more than two late shifts
    assert validate(problem, built.assignments).is_valid


def test_the_solver_starts_from_it_when_the_greedy_start_breaks_a_hard_rule(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    problem = _tiny()
    broken = Solution((Assignment("a", 0, "l"), Assignment("a", 1, "e")), SolveStatus.UNKNOWN,
                      "greedy")  # fmt: skip
    monkeypatch.setattr(greedy, "solve", lambda *a, **k: broken)
    chosen = cpsat_run._hint_from(problem, None, time_limit=1, seed=0, should_stop=None,
                                  sequential_limit=30)  # fmt: skip
    assert validate(problem, chosen).is_valid
    monkeypatch.setattr(cpsat_run, "SEQUENTIAL_START", False)  # the switch: as before
    chosen = cpsat_run._hint_from(problem, None, time_limit=1, seed=0, should_stop=None,
                                  sequential_limit=30)  # fmt: skip
    assert list(chosen) == list(broken.assignments)
