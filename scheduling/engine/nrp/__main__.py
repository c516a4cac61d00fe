"""Command line for the Shift Scheduling Benchmark.

  python -m scheduling.engine.nrp solve INSTANCE.txt [--time-limit S] [--workers N] [--seed K]
                                          [--out ROSTER.tsv]
  python -m scheduling.engine.nrp evaluate INSTANCE.txt ROSTER.tsv
  python -m scheduling.engine.nrp relax INSTANCE.txt [--time-limit S] [--ip-time-limit S]
                                          [--seed K] [--out ROSTER.tsv]

``relax`` is the roster-pattern relaxation (colgen.py): a lower bound by column generation and
a roster by price and branch.

Exit codes: 0 success, 1 the roster breaks hard rules (evaluate) or no roster was found (solve),
2 malformed input, 3 the benchmark evaluator and the generic validator disagree.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .instance import NrpFormatError
from .service import check_roster, solve_instance


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m scheduling.engine.nrp",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    solve = sub.add_parser("solve", help="solve an instance with the generic CP-SAT model")
    solve.add_argument("instance")
    solve.add_argument("--time-limit", type=float, default=60.0, help="seconds (default 60)")
    solve.add_argument("--workers", type=int, default=2, help="CP-SAT workers (default 2)")
    solve.add_argument("--seed", type=int, default=0)
    solve.add_argument("--out", help="roster file to write (default: standard output)")
    relax = sub.add_parser("relax", help="roster-pattern lower bound and price-and-branch roster")
    relax.add_argument("instance")
    relax.add_argument("--time-limit", type=float, default=30.0,
                       help="seconds of column generation (default 30)")  # fmt: skip
    relax.add_argument("--ip-time-limit", type=float, default=10.0,
                       help="seconds after that for price and branch (default 10)")  # fmt: skip
    relax.add_argument("--seed", type=int, default=0)
    relax.add_argument("--out", help="roster file to write (default: standard output)")
    evaluate = sub.add_parser("evaluate", help="check a roster and print its objective")
    evaluate.add_argument("instance")
    evaluate.add_argument("roster")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "solve":
            return _solve(args)
        if args.command == "relax":
            return _relax(args)
        return _evaluate(args)
    except NrpFormatError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _solve(args: argparse.Namespace) -> int:
    result = solve_instance(
        args.instance, time_limit=args.time_limit, workers=args.workers, seed=args.seed
    )
    sol = result.solution
    bound = "-" if sol.bound is None else f"{sol.bound:g}"
    objective = "-" if sol.objective is None else f"{sol.objective:g}"
    print(
        f"{result.instance.name}: status {sol.status.value} objective {objective} bound {bound} "
        f"first feasible {sol.time_to_first_feasible or 0:.2f}s wall {sol.wall_time:.2f}s",
        file=sys.stderr,
    )
    if sol.conflicts:
        print("conflicts: " + "; ".join(sol.conflicts), file=sys.stderr)
    if result.text is None:
        return 1
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write(result.text)
    else:
        sys.stdout.write(result.text)
    return 0


def _relax(args: argparse.Namespace) -> int:
    from .colgen import relax
    from .instance import parse_instance
    from .roster import format_roster

    instance = parse_instance(args.instance)
    result = relax(instance, time_limit=args.time_limit, ip_time_limit=args.ip_time_limit,
                   seed=args.seed)  # fmt: skip
    if result.infeasible_staff:
        print(f"no feasible roster for {', '.join(result.infeasible_staff)}", file=sys.stderr)
        return 1
    print(
        f"{instance.name}: bound {result.bound} ({'converged' if result.converged else 'not converged'}"
        f", LP {result.lp_value}) price and branch {result.objective} iterations "
        f"{result.iterations} columns {result.columns} wall {result.wall:.2f}s",
        file=sys.stderr,
    )
    if result.roster is None:
        return 1
    text = format_roster(instance, result.roster)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    check = check_roster(args.instance, args.roster)
    if check.evaluation.hard:
        print(f"{len(check.evaluation.hard)} hard violations:")
        for message in check.evaluation.hard:
            print(f"  {message}")
        return 1
    print(f"objective {check.evaluation.objective}")
    if check.validator_objective != check.evaluation.objective or check.validator_hard:
        print(
            f"warning: the generic validator says objective {check.validator_objective:g} with "
            f"{check.validator_hard} hard violations",
            file=sys.stderr,
        )
        return 3
    print(f"generic validator agrees: objective {check.validator_objective:g}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
