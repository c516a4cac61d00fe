"""Reduced-cost fixing on the solve path: the roster relaxation (relaxation.py) sends the
reduced cost of every (person, day, shift) cell at its best duals (colgen/fixing.py, which says
why the fixings are valid); with the incumbent's objective as the upper bound, the cells no
schedule as good as the incumbent can use are fixed to 0 and the days it cannot have off must be
worked. The incumbent always survives its own fixings, so a bound of the reduced model is a
bound of the problem, and the fixings tighten as the incumbent improves.

Where: the exact search's model when it starts after the relaxation (``apply``), again on a
restart once the incumbent's improvements fix enough more (``gained``), and the LNS's moves
(``narrow``: a fixed cell is left out of a move's free decisions, so it keeps the incumbent's
0).

A Lagrangian cut from the same reduced costs (the fixings' argument summed over people) was
measured and removed: it gave CP-SAT the relaxation's bound at once but no better schedule
(docs/benchmarks.md, issue 20, "Re-fixing late and a Lagrangian cut").
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from .build import Builder, Key
from .lns import Incumbent

if TYPE_CHECKING:
    from ..colgen.fixing import Reduced

log = logging.getLogger(__name__)

ENABLED = True  # False: the relaxation's reduced costs are ignored
HINT = True  # the reduced model is hinted with the incumbent (every variable) when known
# The exact search restarts on the model fixed again once this share more of the decisions is
# fixed than in its model (the incumbent improved), with at least REFIX_LEFT seconds left.
# Off: not shown to pay in the loaded side-by-side runs (docs/benchmarks.md, issue 20).
REFIX = False
REFIX_GAIN = 0.05
REFIX_LEFT = 5.0


class Fixer:
    """The fixings of one solve, recomputed when the incumbent improves."""

    def __init__(self, builder: Builder, incumbent: Incumbent) -> None:
        self.builder = builder
        self.incumbent = incumbent
        self.lock = threading.Lock()
        self.reduced: Reduced | None = None
        self.upper: float | None = None  # the objective the fixings were computed for
        self.zeros: frozenset[Key] = frozenset()
        self.ones: tuple[tuple[str, int], ...] = ()
        self.applied = 0  # decisions fixed to 0 in the exact search's model

    def take(self, reduced: Reduced) -> None:
        """The relaxation's reduced costs (a second call replaces the first)."""
        with self.lock:
            self.reduced, self.upper = reduced, None
        self.refresh()

    def refresh(self) -> bool:
        """Recompute the fixings when the incumbent is better than the last upper bound;
        True when they changed."""
        objective = self.incumbent.get()[0]
        with self.lock:
            reduced = self.reduced
            if reduced is None or objective is None:
                return False
            if self.upper is not None and objective >= self.upper:
                return False
            zeros, ones = reduced.fixed_cells(objective)
            self.zeros = frozenset(k for k in zeros if k in self.builder.x)
            self.ones = tuple(ones)
            self.upper = objective
        log.info(
            "reduced-cost fixing at %.0f (L %.2f): %d of %d decisions fixed to 0 (%.1f %%), "
            "%d days must be worked",
            objective,
            reduced.lagrangian,
            len(self.zeros),
            len(self.builder.x),
            100 * len(self.zeros) / max(1, len(self.builder.x)),
            len(self.ones),
        )
        return True

    def share(self) -> float:
        """The share of the model's decisions fixed to 0."""
        return len(self.zeros) / max(1, len(self.builder.x))

    def gained(self) -> bool:
        """Whether enough more decisions are fixed now than in the exact search's model to
        restart it (``REFIX_GAIN``)."""
        if not REFIX:
            return False
        self.refresh()
        return len(self.zeros) - self.applied >= REFIX_GAIN * len(self.builder.x)

    def narrow(self, free: set[Key]) -> set[Key]:
        """An LNS move's free decisions without the fixed ones."""
        self.refresh()
        zeros = self.zeros
        return {k for k in free if k not in zeros} if zeros else free

    def apply(self, model: cp_model.CpModel) -> int:
        """Fix the builder's decisions in ``model`` (the builder's model or a copy with the same
        variables): domains to 0, and at least one shift on each day that must be worked.
        Returns the number of decisions fixed."""
        self.refresh()
        proto = model.Proto()
        fixed = 0
        self.applied = len(self.zeros)
        for key in self.zeros:
            domain = proto.variables[self.builder.x[key].Index()].domain
            if list(domain) == [0, 0]:
                continue
            if domain[0] > 0:  # a fixed assignment: the fixing would contradict it
                continue
            domain.clear()
            domain.extend((0, 0))
            fixed += 1
        for person, day in self.ones:
            shifts = self.builder.day_vars(person, day)
            if shifts:
                model.add(sum(shifts) >= 1)
        full = self.incumbent.full_solution()
        if HINT and full is not None and self.upper is not None:
            # The incumbent keeps every fixing (the module's docstring): the search starts there.
            proto.clear_solution_hint()
            proto.solution_hint.vars.extend(range(len(full)))
            proto.solution_hint.values.extend(full)
        return fixed
