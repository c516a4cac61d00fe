"""The sacrifice hierarchy: when a re-solve cannot cover every minimum, shed the least
protected demands first.

Each demand carries a category (patient safety, ACGME-required, continuity, core education,
research, administration, optional education) and the program orders the categories from most
protected to first shed. ``soften`` turns every hard minimum into a soft one whose shortfall costs
the weight of its category; weights are strongly separated: a category costs more than every
possible shortfall of all less protected categories together (lexicographic), as long as that
keeps the largest weight below ``MAX_WEIGHT`` (solvers sum integer costs in 64 bits); beyond it
the separation is capped and the hierarchy becomes a very strong preference. The least
protected category still costs ``BASE_WEIGHT`` per missing person, far above a moved assignment
(``Problem.change_weight``), a request or fairness.

In soft mode the demand's target is its minimum (the contingency question is whether minimums
hold) and going over it costs nothing. ``shortfalls`` names what a schedule left open.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .model import Assignment, Demand, Problem
from .validator import Admission

BASE_WEIGHT = 1_000
MAX_WEIGHT = 2**50


def category_weights(order: Sequence[str], present: Iterable[str], units: int) -> dict[str, int]:
    """Weight per category: ranks among the categories present, separated by ``units + 1``
    (every shortfall below together) unless that passes MAX_WEIGHT. Categories missing from
    ``order`` are the most protected."""
    present = set(present)
    ranked = [c for c in sorted(present - set(order))] + [c for c in order if c in present]
    if not ranked:
        return {}
    separation = max(2, units + 1)
    while separation > 2 and BASE_WEIGHT * separation ** (len(ranked) - 1) * max(units, 1) > (
        MAX_WEIGHT
    ):
        separation = max(2, separation // 2)
    top = len(ranked) - 1
    return {c: BASE_WEIGHT * separation ** (top - i) for i, c in enumerate(ranked)}


def soften(
    demands: Sequence[Demand], categories: Sequence[str], order: Sequence[str]
) -> tuple[Demand, ...]:
    """The demands with soft minimums weighted by category (see the module docstring)."""
    units = sum(d.minimum for d in demands)
    weights = category_weights(order, categories, units)
    return tuple(
        dataclasses.replace(d, minimum=0, target=d.minimum, under_weight=weights[c], over_weight=0)
        if d.minimum
        else dataclasses.replace(d, target=0, under_weight=0, over_weight=0)
        for d, c in zip(demands, categories, strict=True)
    )


@dataclass(frozen=True)
class Shortfall:
    """A demand whose minimum a schedule does not reach."""

    index: int  # in problem.demands
    day: int
    shift: str
    category: str
    missing: int


def shortfalls(
    problem: Problem,
    minimums: Sequence[int],
    categories: Sequence[str],
    assignments: Iterable[Assignment],
) -> list[Shortfall]:
    """Demands of ``problem`` (with their original ``minimums``) that ``assignments`` leave short."""
    cell_people: dict[tuple[int, str], list[str]] = {}
    for a in assignments:
        cell_people.setdefault((a.day, a.shift), []).append(a.person)
    admission = Admission(problem.people)
    out = []
    for index, demand in enumerate(problem.demands):
        admitted = admission.admitted(demand.eligibility)
        n = sum(1 for p in cell_people.get((demand.day, demand.shift), ()) if p in admitted)
        if n < minimums[index]:
            out.append(
                Shortfall(index, demand.day, demand.shift, categories[index], minimums[index] - n)
            )
    return out


def shed_categories(found: Sequence[Shortfall], order: Sequence[str]) -> list[str]:
    """The categories a schedule shed, least protected first."""
    shed = {s.category for s in found}
    return [c for c in reversed(order) if c in shed] + sorted(shed - set(order))
