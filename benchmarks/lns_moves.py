"""One CP-SAT solve with the roster LNS's per-kind summary logged (moves, improving moves, gain,
seconds): the moves-per-second figures of docs/benchmarks.md (issue 20).

    .venv/bin/python benchmarks/lns_moves.py <worktree> <case> <seconds> <seed> \\
        [lns.SUB_CUTS=True run.ON_STALL=lns ...]

``<worktree>`` is the checkout whose engine is imported (so a second worktree at an older
commit runs side by side with this one); ``<case>`` an instance name (Instance8) or a scenario
(M); the optional ``module.NAME=value`` pairs set ``cpsat.lns`` / ``cpsat.run`` constants.
Prints the LNS and exact-search log lines and one ``RESULT`` line (objective, bound, hard
violations, the validator's objective).
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import Any

NRP = Path(__file__).resolve().parents[2] / "shared/benchmarks/schedulingbenchmarks_nrp"


def main(argv: list[str]) -> int:
    root, name, seconds, seed = argv[0], argv[1], float(argv[2]), int(argv[3])
    sys.path.insert(0, root)
    logging.basicConfig(level=logging.INFO, format="%(relativeCreated)6.0f %(name)s %(message)s")
    from scheduling.engine import cpsat
    from scheduling.engine.cpsat import lns, run
    from scheduling.engine.validator import validate

    modules: dict[str, Any] = {"run": run, "lns": lns}
    for pair in argv[4:]:
        target, value = pair.split("=", 1)
        module, constant = target.split(".", 1)
        old = getattr(modules[module], constant)
        setattr(
            modules[module],
            constant,
            value == "True" if isinstance(old, bool) else type(old)(value),
        )
    if name.startswith("Instance"):
        from scheduling.engine.nrp import parse_instance, to_problem

        problem = to_problem(parse_instance(NRP / f"{name}.txt"))
    else:
        from scheduling.engine.scenarios import scenario

        problem = scenario(name, seed)
    began = time.perf_counter()
    solution = cpsat.solve(problem, time_limit=seconds, seed=seed, workers=2)
    report = validate(problem, solution.assignments)
    print("RESULT", name, seed, solution.objective, solution.bound, "hard", len(report.hard),
          "valid_obj", report.objective, "wall", round(time.perf_counter() - began, 1))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
