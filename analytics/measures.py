"""Spread measures over a list of non-negative numbers (pure Python, no database).

- **Gini coefficient**: the mean absolute difference over every ordered pair, divided by twice
  the mean: 0 when everyone carries the same load, approaching 1 when one person carries it all
  (``(n - 1) / n`` exactly, for n people).
- **Jain's fairness index**: ``(sum x)^2 / (n * sum x^2)``: 1 when everyone carries the same
  load, ``1 / n`` when one person carries it all.

A group where nobody carries anything is perfectly fair on both (Gini 0, Jain 1): nothing is
shared unequally.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def gini(values: Sequence[float]) -> float:
    n = len(values)
    total = sum(values)
    if n == 0 or total == 0:
        return 0.0
    # Sorted form of sum_i sum_j |x_i - x_j|: each x_(i) (0-based rank i) is larger than i
    # values and smaller than n - 1 - i, so it contributes (2i - n + 1) x_(i) per ordered pair.
    ordered = sorted(values)
    pair_sum = 2 * sum((2 * i - n + 1) * x for i, x in enumerate(ordered))
    return pair_sum / (2 * n * n * (total / n))


def jain(values: Sequence[float]) -> float:
    n = len(values)
    squares = sum(x * x for x in values)
    if n == 0 or squares == 0:
        return 1.0
    return sum(values) ** 2 / (n * squares)


@dataclass(frozen=True)
class Spread:
    """How one measure spreads over a group of people."""

    count: int
    minimum: float
    maximum: float
    mean: float
    stdev: float  # population standard deviation: the group is everyone, not a sample
    gini: float
    jain: float

    @property
    def range(self) -> float:
        return self.maximum - self.minimum


def spread(values: Sequence[float]) -> Spread:
    n = len(values)
    if n == 0:
        return Spread(0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0)
    mean = sum(values) / n
    variance = sum((x - mean) ** 2 for x in values) / n
    return Spread(
        count=n,
        minimum=float(min(values)),
        maximum=float(max(values)),
        mean=mean,
        stdev=math.sqrt(variance),
        gini=gini(values),
        jain=jain(values),
    )
