"""Annual rotation planner benchmark: CP-SAT and MIP side by side on 24/90/150 residents.

    .venv/bin/python benchmarks/rotation_plan.py --sizes 24 90 150 --time-limit 30 --runs 3

Runs are sequential (the machine's cores are shared). Every plan is re-checked by the plan
validator, independently of the solver. Results go to benchmarks/out/ as JSON (git-ignored);
docs/benchmarks-rotation.md records the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scheduling.engine.model import SolveStatus  # noqa: E402
from scheduling.engine.rotation import cpsat, mip  # noqa: E402
from scheduling.engine.rotation.model import PlanProblem, PlanSolution  # noqa: E402
from scheduling.engine.rotation.scenarios import plan_scenario  # noqa: E402
from scheduling.engine.rotation.validator import validate_plan  # noqa: E402

Solver = Callable[..., PlanSolution]
SOLVERS: dict[str, Solver] = {"cpsat": cpsat.solve_plan, "mip": mip.solve_plan}


@dataclass(frozen=True)
class Run:
    size: int
    solver: str
    algorithm: str
    run: int
    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    optimal: bool
    time_to_first_feasible: float | None
    time_to_optimal: float | None
    wall_time: float
    violations: int
    load_before: float
    load_after: float


def gap(objective: float | None, bound: float | None) -> float | None:
    if objective is None or bound is None:
        return None
    return (objective - bound) / max(1.0, abs(objective))


def one_run(problem: PlanProblem, size: int, name: str, run: int, args: argparse.Namespace) -> Run:
    load_before = os.getloadavg()[0]
    solution = SOLVERS[name](
        problem, time_limit=args.time_limit, seed=args.seed + run, workers=args.workers
    )
    report = validate_plan(problem, solution.assignments)
    optimal = solution.status is SolveStatus.OPTIMAL
    return Run(
        size=size,
        solver=name,
        algorithm=solution.algorithm,
        run=run,
        status=str(solution.status),
        objective=solution.objective,
        bound=solution.bound,
        gap=gap(solution.objective, solution.bound),
        optimal=optimal,
        time_to_first_feasible=solution.time_to_first_feasible,
        time_to_optimal=solution.wall_time if optimal else None,
        wall_time=solution.wall_time,
        violations=len(report.violations) if solution.assignments else -1,
        load_before=load_before,
        load_after=os.getloadavg()[0],
    )


def median(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def summarise(runs: list[Run]) -> dict[str, Any]:
    return {
        "size": runs[0].size,
        "solver": runs[0].solver,
        "algorithm": runs[0].algorithm,
        "runs": len(runs),
        "statuses": [r.status for r in runs],
        "optimal_runs": sum(r.optimal for r in runs),
        "runs_with_plan": sum(r.objective is not None for r in runs),
        "objective": median([r.objective for r in runs]),  # over runs that found a plan
        "bound": median([r.bound for r in runs]),
        "gap": median([r.gap for r in runs]),
        "time_to_first_feasible": median([r.time_to_first_feasible for r in runs]),
        "time_to_optimal": median([r.time_to_optimal for r in runs]),
        "wall_time": median([r.wall_time for r in runs]),
        "violations": max(r.violations for r in runs),
        "load": median([r.load_before for r in runs]),
    }


def fmt(value: float | None, pattern: str = "{:.1f}") -> str:
    return "-" if value is None else pattern.format(value)


def print_row(row: dict[str, Any]) -> None:
    print(
        f"{row['size']:>4} {row['algorithm']:<10} {row['optimal_runs']}/{row['runs']} optimal  "
        f"{row['runs_with_plan']}/{row['runs']} with a plan  "
        f"obj {fmt(row['objective'], '{:g}'):>6}  bound {fmt(row['bound'], '{:g}'):>6}  "
        f"gap {fmt(row['gap'] and 100 * row['gap'], '{:.1f}%'):>6}  "
        f"first {fmt(row['time_to_first_feasible'])}s  optimal at "
        f"{fmt(row['time_to_optimal'])}s  wall {fmt(row['wall_time'])}s  "
        f"violations {row['violations']}  load {fmt(row['load'], '{:.2f}')}",
        flush=True,
    )


def machine() -> dict[str, Any]:
    model = ""
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        model = next(
            (
                ln.split(":", 1)[1].strip()
                for ln in lscpu.splitlines()
                if ln.startswith("Model name")
            ),
            "",
        )
    except OSError:
        pass
    from importlib.metadata import version

    return {
        "nproc": os.cpu_count(),
        "model_name": model,
        "python": platform.python_version(),
        "ortools": version("ortools"),
        "pulp": version("pulp"),
        "highspy": version("highspy"),
        "mip_backend": "HiGHS (highspy)" if mip.highs_available() else "CBC",
        "loadavg_start": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[24, 90, 150])
    parser.add_argument("--solvers", nargs="+", default=list(SOLVERS), choices=list(SOLVERS))
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=1, help="runs per case; medians reported")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    args = parser.parse_args()

    info = machine()
    print(f"machine: {info}", flush=True)
    runs: list[Run] = []
    rows: list[dict[str, Any]] = []
    for size in args.sizes:
        problem = plan_scenario(size)
        for name in args.solvers:
            case = [one_run(problem, size, name, run, args) for run in range(args.runs)]
            runs += case
            rows.append(summarise(case))
            print_row(rows[-1])
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    path = args.out / f"rotation_plan-{stamp}.json"
    payload = {
        "args": {k: str(v) for k, v in vars(args).items()},
        "machine": info,
        "summary": rows,
        "runs": [asdict(r) for r in runs],
    }
    path.write_text(json.dumps(payload, indent=2))
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
