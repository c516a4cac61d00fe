"""Pareto front of alternative schedules for a residency scenario: points and hypervolume.

    .venv/bin/python benchmarks/pareto.py --scenario S --time-limit 60 --workers 2
    .venv/bin/python benchmarks/pareto.py --scenario S --current none   # no current schedule

``--current greedy`` (default) takes a greedy draft (seed ``--current-seed``) as the current,
published schedule, which adds the objective "changes from the current schedule"; ``none``
leaves the scenario as generated. Every point is re-checked here by the validator (the front
only keeps valid schedules; this script checks again, independently). JSON goes to
benchmarks/out/ (git-ignored); docs/benchmarks-hybrid.md records the runs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scheduling.engine import greedy, pareto  # noqa: E402
from scheduling.engine.scenarios import scenario  # noqa: E402
from scheduling.engine.validator import validate  # noqa: E402


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="benchmarks/pareto.py", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("--scenario", default="S", choices=["S", "M", "L", "Y"])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--time-limit", type=float, default=60.0)
    p.add_argument("--workers", type=int, default=2, help="processes solving points side by side")
    p.add_argument("--steps", type=int, nargs="+", default=[8, 3], help="levels per swept axis")
    p.add_argument("--current", choices=["greedy", "none"], default="greedy")
    p.add_argument("--current-seed", type=int, default=1)
    p.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    problem = scenario(args.scenario, args.seed)
    if args.current == "greedy":
        draft = greedy.solve(problem, time_limit=5.0, seed=args.current_seed)
        problem = replace(problem, baseline=draft.assignments, change_weight=1)
    load = os.getloadavg()
    began = time.monotonic()
    result = pareto.front(problem, time_limit=args.time_limit, seed=args.seed,
                          workers=args.workers, steps=args.steps)  # fmt: skip
    wall = time.monotonic() - began
    rechecked = [validate(problem, p.assignments) for p in result.points]
    vectors = [p.objectives for p in result.points]
    mutual = all(not pareto.dominates(a, b) for a in vectors for b in vectors)
    print(f"scenario {problem.name}, current schedule: {args.current}, load {load[0]:.2f}")
    print(f"objectives {result.names}; {result.evaluated} epsilon solves in {wall:.1f}s "
          f"(limit {args.time_limit:g}s, {args.workers} workers)")  # fmt: skip
    print(f"{'#':>2} {'objectives':<28} {'primary':<9} {'bounds':<34} {'status':<9} "
          f"{'valid':<5} {'hard':>4} {'total':>6}")  # fmt: skip
    for i, (p, report) in enumerate(zip(result.points, rechecked, strict=True)):
        vec = ", ".join(f"{v:g}" for v in p.objectives)
        bounds = ", ".join(f"{k}<={v:g}" for k, v in p.bounds.items()) or "(anchor)"
        print(f"{i:>2} ({vec}){'':<{max(0, 26 - len(vec))}} {p.primary:<9} {bounds:<34} "
              f"{p.status.value:<9} {report.is_valid!s:<5} {len(report.hard):>4} "
              f"{report.objective:>6g}")  # fmt: skip
    print(f"non-dominated valid schedules: {len(result.points)} (mutually non-dominated: {mutual}, "
          f"all valid by the validator: {all(r.is_valid for r in rechecked)}; "
          f"{result.rejected} dominated or invalid left out)")  # fmt: skip
    print(f"hypervolume {result.hypervolume:g} with reference point {result.reference} "
          f"({'; '.join(result.notes)})")  # fmt: skip
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    path = args.out / f"pareto-{stamp}.json"
    payload = {
        "args": {k: str(v) for k, v in vars(args).items()},
        "loadavg": load,
        "names": result.names,
        "reference": result.reference,
        "hypervolume": result.hypervolume,
        "evaluated": result.evaluated,
        "wall_time": wall,
        "points": [{"objectives": p.objectives, "primary": p.primary, "bounds": dict(p.bounds),
                    "status": p.status.value, "valid": r.is_valid, "hard": len(r.hard),
                    "objective": r.objective, "assignments": len(p.assignments)}
                   for p, r in zip(result.points, rechecked, strict=True)],
    }  # fmt: skip
    path.write_text(json.dumps(payload, indent=2))
    print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
