"""The relaxation in a child process, for a solver that runs beside it (cpsat/relaxation.py).

In a thread of the solver's own process the relaxation's Python (the pricing DP's numpy calls
on small arrays) and the LNS's share one interpreter lock: on Instance 5 under load the
relaxation's thread got 2.1 s of CPU in 10.7 s. A child process has its own.

Protocol: the parent writes one pickle, ``(problem, keyword arguments of relax)``, to the
child's stdin; the child writes pickles to its stdout: ``("roster", schedule, objective)`` for
each valid roster as soon as found (``relax``'s ``on_roster``), ``("bound", value)`` once
column generation ends (the IP may overrun the caller's patience), ``("reduced", Reduced)``
just after it (fixing.py: the reduced cost of every cell), ``("fixings", cells,
assignments)`` once if the cell dive's LP rises (``relax``'s ``on_fixings``), then
``("done", RelaxResult)``
without its assignments. HiGHS's banner and any other print go to stderr, never into the
stream. Run as ``python -m scheduling.engine.colgen.worker``.
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import sys
from typing import BinaryIO

from ..model import Assignment


def main() -> int:
    stream: BinaryIO = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever prints to stdout (HiGHS's banner) goes to stderr
    problem, options = pickle.load(sys.stdin.buffer)
    from . import relax
    from .fixing import Reduced
    from .run import Fixings

    def found(schedule: tuple[Assignment, ...], objective: float) -> None:
        pickle.dump(("roster", schedule, objective), stream)
        stream.flush()

    def bound(value: int) -> None:
        pickle.dump(("bound", value), stream)
        stream.flush()

    def reduced(value: Reduced) -> None:
        pickle.dump(("reduced", value), stream)
        stream.flush()

    def fixings(cells: Fixings) -> None:
        pickle.dump(("fixings", *cells), stream)
        stream.flush()

    result = relax(problem, on_roster=found, on_bound=bound, on_reduced=reduced,
                   on_fixings=fixings, **options)  # fmt: skip
    pickle.dump(("done", dataclasses.replace(result, assignments=None)), stream)
    stream.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
