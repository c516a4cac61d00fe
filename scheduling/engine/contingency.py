"""Contingency problems: the same problem with some people away for the whole horizon."""

from __future__ import annotations

import dataclasses

from .model import Problem, Unavailability


def without(problem: Problem, removed: set[str]) -> Problem:
    """``problem`` with ``removed`` unavailable every day and out of the baseline and the fixed
    assignments (a minimal-change re-solve then only counts moves of the people who stay)."""
    away = tuple(
        Unavailability(person=pid, day=day)
        for pid in sorted(removed)
        for day in range(problem.horizon.days)
    )
    return dataclasses.replace(
        problem,
        baseline=tuple(a for a in problem.baseline if a.person not in removed),
        fixed=tuple(a for a in problem.fixed if a.person not in removed),
        unavailable=problem.unavailable + away,
    )
