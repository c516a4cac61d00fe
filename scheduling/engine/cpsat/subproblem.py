"""One LNS move's model, edited in place (lns.py), and the move sizes' adaptation.

``Workspace`` holds one working copy of the full model for the whole search. A move fixes
every decision outside its neighbourhood through the variable's domain and frees the rest,
touching only the domains that differ from the previous move's; the hint (the incumbent's
value of every variable) is rewritten only when the incumbent changed. The model is copied
once, not once a move: on residency L (22,778 variables) ``lns.restricted`` spent 0.26 s per
move copying the model and rewriting every domain and the hint, about as long as the
subproblem's search.

``Sizes`` adapts how many people (``size``) or days (``days``) a move frees, in the manner of
variable neighbourhood search: a move solved to optimality (its neighbourhood holds nothing
better than what it found) grows its dimension, a move that ran out of time without improving
shrinks it, and a move that ran out of time but improved keeps it (that size is paying, even if
its subproblem cannot be closed in the time). Steps are a share of the current value (at least
one), so a 210-person program adapts as fast as a 30-person one. Used when ``lns.ADAPT`` is
"vns"; off by default (it did not pay in the side-by-side runs, docs/benchmarks.md).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from ortools.sat.python import cp_model

from .build import Key

# Share of the current value by which a dimension grows or shrinks (at least 1 each time).
GROW = 0.2
SHRINK = 0.2
# Kinds whose neighbourhood is counted in days (all staff over a window); the others in people.
DAY_KINDS = frozenset({"window", "days"})


class Workspace:
    """A working copy of ``base`` whose decisions are fixed or freed per move, in place."""

    def __init__(self, base: cp_model.CpModel, index: Mapping[Key, int]) -> None:
        self.model = base.clone()
        self.proto = self.model.Proto()
        self.proto.clear_solution_hint()
        self.index = dict(index)
        variables = self.proto.variables
        # Each decision's own domain (a fixed assignment may already pin it).
        self.original: dict[Key, tuple[int, ...]] = {
            key: tuple(variables[i].domain) for key, i in self.index.items()
        }
        self.state: dict[Key, tuple[int, ...]] = dict(self.original)
        self.hinted: object = None  # the incumbent whose values are in the hint

    def _set(self, key: Key, domain: tuple[int, ...]) -> None:
        if self.state[key] == domain:
            return
        target = self.proto.variables[self.index[key]].domain
        target.clear()
        target.extend(domain)
        self.state[key] = domain

    def prepare(
        self,
        values: Mapping[Key, int],
        free: set[Key],
        full: list[int] | None,
        version: object,
    ) -> cp_model.CpModel:
        """The model of one move: decisions outside ``free`` fixed to ``values``, the rest
        free, hinted with the incumbent ``version`` (``full``: every variable, when known)."""
        for key in self.index:
            if key in free:
                self._set(key, self.original[key])
            else:
                v = values[key]
                self._set(key, (v, v))
        if self.hinted != version or version is None:
            self.proto.clear_solution_hint()
            hint = self.proto.solution_hint  # after clearing: the old message is dropped
            if full is not None:
                hint.vars.extend(range(len(full)))
                hint.values.extend(full)
            else:
                keys = list(self.index)
                hint.vars.extend(self.index[k] for k in keys)
                hint.values.extend(values[k] for k in keys)
            self.hinted = version
        return self.model


class Sizes:
    """People (``size``) and days (``days``) freed per move, adapted to each move's outcome."""

    def __init__(self, people: int, days: int, size: int, span: int) -> None:
        self.max_size = max(1, people)
        self.max_days = max(1, days)
        self.size = max(1, min(size, self.max_size))
        self.days = max(1, min(span, self.max_days))

    @staticmethod
    def _step(value: int, share: float) -> int:
        return max(1, math.ceil(value * share))

    def update(self, kind: str, solved: bool, improved: bool) -> None:
        """``solved``: the subproblem was solved to optimality; ``improved``: it beat the
        incumbent."""
        if solved:
            change = 1
        elif improved:
            return
        else:
            change = -1
        if kind in DAY_KINDS:
            step = self._step(self.days, GROW if change > 0 else SHRINK)
            self.days = max(1, min(self.max_days, self.days + change * step))
        else:
            step = self._step(self.size, GROW if change > 0 else SHRINK)
            self.size = max(1, min(self.max_size, self.size + change * step))
