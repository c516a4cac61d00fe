"""Command line: the roster-pattern relaxation of a residency scenario.

  python -m scheduling.engine.colgen S|M|L|Y [--seed K] [--time-limit S] [--ip-time-limit S]

Prints the bound, the price-and-branch objective (validator), CPU and wall seconds.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from ..scenarios import scenario
from . import relax


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scheduling.engine.colgen", description=__doc__)
    parser.add_argument("scenario")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--ip-time-limit", type=float, default=None)
    args = parser.parse_args(argv)
    problem = scenario(args.scenario, args.seed)
    cpu = time.process_time()
    result = relax(problem, time_limit=args.time_limit, ip_time_limit=args.ip_time_limit,
                   seed=args.seed)  # fmt: skip
    print(
        f"{problem.name}: bound {result.bound} (L {result.lagrangian}, LP {result.lp_value}, "
        f"{'converged' if result.converged else 'not converged'}) price and branch "
        f"{result.objective} (dropped {result.dropped}) iterations {result.iterations} columns "
        f"{result.columns} relaxed people {result.relaxed_people}/{len(problem.people)} "
        f"cpu {time.process_time() - cpu:.1f}s wall {result.wall:.1f}s"
        + (f" error {result.error}" if result.error else "")
        + (f" infeasible {result.infeasible_people}" if result.infeasible_people else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
