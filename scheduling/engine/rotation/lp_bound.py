"""The LP relaxation's optimum as a proven lower bound, computed by HiGHS in the background.

On rotation plans the LP relaxation of ``formulation`` is usually tight (often equal to the
optimum), but CP-SAT takes long to reach it: its own LP is built after presolve and, at default
linearisation, leaves some rows out. HiGHS's simplex gets the value directly. The CP-SAT
planner runs this alongside its search and stops as soon as a plan costs no more than the
bound rounded up (the objective is integral), which proves it optimal.

HiGHS releases the GIL while it solves, so the thread does not stall the search's callbacks.
Everything here is optional: without highspy, ``start`` returns None and nothing changes.
"""

from __future__ import annotations

import math
import threading
from typing import Any

from scheduling.engine.highs import size_pool
from scheduling.engine.rotation.formulation import Formulation

# The LP value is lowered by this (relative) slack before rounding up, so that solver
# tolerances can only weaken the bound, never overstate it.
TOLERANCE = 1e-5
# Interior point without crossover: the value is all we need, and it comes several times
# faster than from the simplex on these degenerate assignment LPs.
OPTIONS: dict[str, Any] = {"solver": "ipm", "run_crossover": "off"}


class LpBound:
    """A background LP solve; ``value`` is the rounded-up bound once known, else None."""

    def __init__(self, form: Formulation, time_limit: float) -> None:
        import highspy

        self._highspy = highspy
        self._stop = threading.Event()
        self._highs = highspy.Highs()
        self._highs.setOptionValue("output_flag", False)
        size_pool(1)
        self._highs.setOptionValue("threads", 1)
        for k, v in OPTIONS.items():
            self._highs.setOptionValue(k, v)
        self._highs.setOptionValue("time_limit", max(0.1, time_limit))
        self._highs.passModel(_relaxation(highspy, form))
        self._highs.setCallback(self._callback, None)
        self._highs.startCallback(highspy.cb.HighsCallbackType.kCallbackSimplexInterrupt)
        self._highs.startCallback(highspy.cb.HighsCallbackType.kCallbackIpmInterrupt)
        self.value: float | None = None
        self._thread = threading.Thread(target=self._solve, daemon=True)
        self._thread.start()

    def _callback(self, kind: Any, message: str, out: Any, data_in: Any, data: Any) -> None:
        if self._stop.is_set():
            data_in.user_interrupt = True

    def _solve(self) -> None:
        self._highs.run()
        if self._highs.getModelStatus() == self._highspy.HighsModelStatus.kOptimal:
            objective = self._highs.getInfo().objective_function_value
            self.value = float(math.ceil(objective - TOLERANCE * max(1.0, abs(objective))))

    def running(self) -> bool:
        return self._thread.is_alive()

    def wait(self, timeout: float) -> float | None:
        self._thread.join(max(0.0, timeout))
        return self.value

    def close(self) -> None:
        """Interrupt the LP (if still running) and wait for its thread."""
        self._stop.set()
        self._thread.join()


def start(form: Formulation, time_limit: float) -> LpBound | None:
    try:
        return LpBound(form, time_limit)
    except ImportError:
        return None


def _relaxation(highspy: Any, form: Formulation) -> Any:
    import numpy as np

    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    lp.num_col_ = len(form.lbs)
    lp.num_row_ = len(form.rows)
    costs = np.zeros(lp.num_col_)
    for var, coef in form.objective.items():
        costs[var] = coef
    lp.col_cost_ = costs
    lp.offset_ = float(form.constant)
    lp.col_lower_ = np.array(form.lbs, dtype=float)
    lp.col_upper_ = np.array(form.ubs, dtype=float)
    lp.row_lower_ = np.array([-inf if r.lb is None else r.lb for r in form.rows], dtype=float)
    lp.row_upper_ = np.array([inf if r.ub is None else r.ub for r in form.rows], dtype=float)
    starts, index, value = [0], [], []
    for row in form.rows:
        index += list(row.terms)
        value += list(row.terms.values())
        starts.append(len(index))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.array(value, dtype=float)
    lp.a_matrix_.num_col_ = lp.num_col_
    lp.a_matrix_.num_row_ = lp.num_row_
    return lp
