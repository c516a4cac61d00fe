"""Shift solvers side by side: greedy, CP-SAT, MIP and hybrid on the same instances, one run.

    .venv/bin/python benchmarks/compare.py --time-limit 20 --workers 2
    .venv/bin/python benchmarks/compare.py --instances S Instance1 --algorithms mip hybrid

Instances are residency scenarios ("S", "M", "L", "Y") and Shift Scheduling Benchmark
instances ("Instance1".."Instance12" or "1".."12", read from ../shared/benchmarks/schedulingbenchmarks_nrp/
and mapped by scheduling.engine.nrp.to_problem). Every algorithm gets the same time limit,
seed and workers; runs are sequential (the machine's cores are shared). Every schedule is
re-checked by the validator, independently of the solver: the objective printed is the
validator's, and "hard" counts its critical and high violations. "ratio" is the objective over
the best valid objective of the instance (1.00 = best; a zero best uses objective + 1 over
best + 1). JSON goes to benchmarks/out/ (git-ignored); docs/benchmarks-hybrid.md records runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scheduling.engine.model import Problem, Progress  # noqa: E402
from scheduling.engine.scenarios import SIZES, scenario  # noqa: E402
from scheduling.engine.solvers import get_solver  # noqa: E402
from scheduling.engine.validator import validate  # noqa: E402

NRP_DIR = ROOT.parent / "shared" / "benchmarks" / "schedulingbenchmarks_nrp"
DEFAULT_INSTANCES = ("S", "M", "L", *(f"Instance{i}" for i in (1, 3, 5, 7, 10)))  # run 3's set
ALGORITHMS = ("greedy", "cpsat", "mip", "hybrid")


@dataclass(frozen=True)
class Run:
    instance: str
    algorithm: str  # the registry name
    chain: str  # Solution.algorithm (the hybrid names its chain)
    status: str
    objective: float | None  # the validator's, None without a schedule
    solver_objective: float | None
    bound: float | None
    hard: int  # the validator's hard violations (-1: no schedule)
    time_to_first_feasible: float | None
    wall_time: float
    load_before: float
    ratio: float | None = None


def load_problem(name: str, seed: int = 0) -> Problem:
    """A residency scenario by size letter, or a benchmark instance by file name."""
    if name in SIZES:
        return scenario(name, seed)
    from scheduling.engine.nrp import parse_instance, to_problem

    if name.isdigit():
        name = f"Instance{name}"  # benchmarks/solver.py's spelling ("7" for Instance7)
    path = NRP_DIR / (name if name.endswith(".txt") else f"{name}.txt")
    return to_problem(parse_instance(path))


def run_one(problem: Problem, instance: str, name: str, args: argparse.Namespace) -> Run:
    load = os.getloadavg()[0]
    first: list[float] = []

    def progress(p: Progress) -> None:
        if p.objective is not None and not first:
            first.append(p.elapsed)

    solve = get_solver(name)
    began = time.perf_counter()
    solution = solve(problem, time_limit=args.time_limit, seed=args.seed, workers=args.workers,
                     on_progress=progress)  # fmt: skip
    wall = time.perf_counter() - began
    report = validate(problem, solution.assignments)
    has = bool(solution.assignments) or solution.objective is not None
    return Run(
        instance=instance,
        algorithm=name,
        chain=solution.algorithm,
        status=str(solution.status),
        objective=report.objective if has else None,
        solver_objective=solution.objective,
        bound=solution.bound,
        hard=len(report.hard) if has else -1,
        time_to_first_feasible=solution.time_to_first_feasible,
        wall_time=wall,
        load_before=load,
    )


def with_ratios(runs: list[Run]) -> list[Run]:
    valid = [r.objective for r in runs if r.hard == 0 and r.objective is not None]
    if not valid:
        return runs
    best = min(valid)
    out = []
    for r in runs:
        ratio = None
        if r.hard == 0 and r.objective is not None:
            ratio = r.objective / best if best > 0 else (r.objective + 1) / (best + 1)
        out.append(Run(**{**asdict(r), "ratio": ratio}))
    return out


def fmt(value: float | None, pattern: str = "{:.2f}") -> str:
    return "-" if value is None else pattern.format(value)


HEADER = (
    f"{'instance':<10} {'algorithm':<8} {'chain':<26} {'status':<9} {'objective':>9} "
    f"{'bound':>7} {'hard':>4} {'first(s)':>8} {'wall(s)':>7} {'ratio':>6} {'load':>5}"
)


def line(r: Run) -> str:
    return (
        f"{r.instance:<10} {r.algorithm:<8} {r.chain[:26]:<26} {r.status:<9} "
        f"{fmt(r.objective, '{:g}'):>9} {fmt(r.bound, '{:g}'):>7} {r.hard:>4} "
        f"{fmt(r.time_to_first_feasible):>8} {fmt(r.wall_time):>7} {fmt(r.ratio):>6} "
        f"{r.load_before:>5.2f}"
    )


def machine() -> dict[str, Any]:
    model = ""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        model = next((ln.split(":", 1)[1].strip() for ln in out.splitlines()
                      if ln.startswith("Model name")), "")  # fmt: skip
    except OSError:
        pass
    import ortools
    import pulp

    return {
        "nproc": os.cpu_count(),
        "model_name": model,
        "python": platform.python_version(),
        "ortools": ortools.__version__,
        "pulp": pulp.__version__,
        "mip_backend": "HiGHS (highspy)" if pulp.HiGHS().available() else "CBC",
        "loadavg_start": os.getloadavg(),
    }


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="benchmarks/compare.py", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("--instances", nargs="+", default=list(DEFAULT_INSTANCES))
    p.add_argument("--algorithms", nargs="+", default=list(ALGORITHMS), choices=ALGORITHMS)
    p.add_argument("--time-limit", type=float, default=20.0, help="seconds per run (default 20)")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    info = machine()
    print(f"machine: {info}", flush=True)
    print(f"time limit {args.time_limit:g}s, workers {args.workers}, seed {args.seed}")
    print(HEADER, flush=True)
    runs: list[Run] = []
    for instance in args.instances:
        problem = load_problem(instance, args.seed)
        case = [run_one(problem, instance, name, args) for name in args.algorithms]
        case = with_ratios(case)
        for r in case:
            print(line(r), flush=True)
        runs += case
    info["loadavg_end"] = os.getloadavg()
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    path = args.out / f"compare-{stamp}.json"
    payload = {
        "args": {k: str(v) for k, v in vars(args).items()},
        "machine": info,
        "runs": [asdict(r) for r in runs],
    }
    path.write_text(json.dumps(payload, indent=2))
    print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
