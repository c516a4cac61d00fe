"""The CP-SAT encodings of "one day in seven free" against the validator: with every decision
fixed to a random schedule (history around it, DST days included), the model is feasible
exactly when the validator counts enough free periods in every window."""

from __future__ import annotations

from datetime import date, datetime
from random import Random

import pytest
from ortools.sat.python import cp_model

from scheduling.engine.acgme import FREE_DAYS, frame
from scheduling.engine.cpsat import acgme as cpsat_acgme
from scheduling.engine.cpsat.build import Builder
from scheduling.engine.model import AcgmeRules, Assignment, History, Problem
from scheduling.engine.validator import history_pairs

from .helpers import SHIFTS, check, make_problem

USED = tuple(s for s in SHIFTS if s.id in ("day", "night", "call", "home", "morning", "late"))
ENCODINGS = {"literals": cpsat_acgme._free_day_literals, "intervals": cpsat_acgme._free_days}


def random_case(seed: int) -> tuple[Problem, list[Assignment]]:
    rng = Random(seed)
    start = rng.choice([date(2026, 3, 1), date(2026, 10, 20), date(2026, 4, 6)])
    days = rng.choice([28, 35])
    history = []
    if rng.random() < 0.5:
        for day in rng.sample(range(-27, 0), rng.randint(5, 25)):
            history.append(Assignment("r2", day, "day"))
        for day in rng.sample(range(days, days + 27), rng.randint(5, 25)):
            history.append(Assignment("r2", day, "day"))
    problem = make_problem(
        days,
        start=start,
        shifts=USED,
        acgme=AcgmeRules(),
        history=History(tuple(sorted(history, key=str))),
    )
    taken: list[tuple[datetime, datetime, int, str]] = []
    for _ in range(rng.randint(days // 2, days + 6)):
        day, sid = rng.randrange(days), rng.choice(USED).id
        s, e = problem.interval(day, sid)
        if all(e <= t0 or s >= t1 for t0, t1, _, _ in taken):
            taken.append((s, e, day, sid))
    return problem, [Assignment("r2", day, sid) for _, _, day, sid in taken]


def feasible_when_fixed(problem: Problem, assignments: list[Assignment], encoding: str) -> bool:
    """Only the free-day rule in the model (as add_acgme lays it out), every decision fixed."""
    builder = Builder(problem)
    builder.build_variables()
    person = builder.problem.people[0]
    lit: dict = {k: v for k, v in builder.x.items()}
    for day, sid in history_pairs(builder.problem).get(person.id, []):
        lit[(person.id, day, sid)] = True
    keys = sorted(lit, key=lambda k: builder.timeline.interval(k[1], k[2]))
    fr = frame(builder.timeline, builder.problem.acgme)  # type: ignore[arg-type]
    ENCODINGS[encoding](builder, person, fr, keys, lit)
    chosen = {(a.person, a.day, a.shift) for a in assignments}
    for key, var in builder.x.items():
        builder.model.add(var == int(key in chosen))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    status = solver.Solve(builder.model)
    assert status in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.INFEASIBLE)
    return status != cp_model.INFEASIBLE


@pytest.mark.parametrize("encoding", ["literals", "intervals"])
def test_it_accepts_a_schedule_exactly_when_the_validator_counts_enough_free_periods(encoding):
    verdicts = []
    for seed in range(24):
        problem, assignments = random_case(seed)
        valid = FREE_DAYS not in check(problem, assignments)  # other rules may break: ignored  # type: ignore[arg-type]
        assert feasible_when_fixed(problem, assignments, encoding) == valid, seed
        verdicts.append(valid)
    assert any(verdicts) and not all(verdicts)  # the cases go both ways
