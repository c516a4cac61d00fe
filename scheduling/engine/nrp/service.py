"""Solve and check benchmark instances (the functions behind the command line)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..model import Progress, Solution
from .evaluate import Evaluation, evaluate
from .instance import NrpInstance, parse_instance
from .mapping import to_problem
from .roster import assignments_from_roster, format_roster, read_roster, roster_from_assignments


@dataclass(frozen=True)
class SolveResult:
    instance: NrpInstance
    solution: Solution
    text: str | None  # the roster file's text, None when no roster was found


@dataclass(frozen=True)
class RosterCheck:
    evaluation: Evaluation
    validator_objective: float
    validator_hard: int


def solve_instance(
    path: str | Path,
    *,
    time_limit: float,
    workers: int,
    seed: int,
    on_progress: Callable[[Progress], None] | None = None,
) -> SolveResult:
    from .. import cpsat

    instance = parse_instance(path)
    problem = to_problem(instance)
    solution = cpsat.solve(
        problem, time_limit=time_limit, seed=seed, workers=workers, on_progress=on_progress
    )
    text = None
    if solution.assignments or solution.objective is not None:
        text = format_roster(instance, roster_from_assignments(instance, solution.assignments))
    return SolveResult(instance, solution, text)


def check_roster(instance_path: str | Path, roster_path: str | Path) -> RosterCheck:
    from ..validator import validate

    instance = parse_instance(instance_path)
    roster = read_roster(roster_path, instance)
    evaluation = evaluate(instance, roster)
    report = validate(to_problem(instance), assignments_from_roster(roster))
    return RosterCheck(evaluation, report.objective, len(report.hard))
