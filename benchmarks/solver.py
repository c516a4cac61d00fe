"""Engine solver benchmark: CP-SAT on the residency scenarios and the Shift Scheduling Benchmark.

    .venv/bin/python benchmarks/solver.py --scenarios S M L --instances 1 2 3 \\
        --time-limit 60 --workers 2 --repeat 1

For every case: time to the first feasible schedule, the best objective reached at 10/30/60 s
(from the solver's progress reports), the final objective, bound and gap, the hard violations
the validator finds, and the peak memory of the process. Each run is a fresh subprocess, so the
peak memory (ru_maxrss) is the run's own; runs are sequential (the machine's cores are shared).
Residency scenarios also time the greedy solver. Benchmark instances are re-scored by the
benchmark's own evaluator and compared with best_known.csv.

Every case also gets the roster-pattern relaxation (``scheduling/engine/colgen/``: column
generation with a pricing DP per person on the generic Problem, the benchmark instances through
their mapping; ``--bound-time`` seconds after the CP-SAT run): its lower bound (valid at any
iteration), whether it converged, its CPU seconds, and the objective of the restricted master IP
over its columns ("p&b", price and branch; a roster the validator refuses is dropped). The
table's "bound" is the best of CP-SAT's bound and the roster-pattern bound, both reported beside
it, and the gap is taken to it. ``--pb-hint`` runs the relaxation *first*, inside the time limit,
and hints CP-SAT with the price-and-branch roster (CP-SAT gets the time left).

Results go to benchmarks/out/solver-<timestamp>.json (git-ignored); docs/benchmarks.md
records the figures.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
NRP = ROOT.parent / "shared/benchmarks/schedulingbenchmarks_nrp"
CHECKPOINTS = (10.0, 30.0, 60.0)
SCENARIO_SEED = 0  # the residency scenarios' generator seed


def _best_at(trace: list[tuple[float, float]], t: float) -> float | None:
    values = [obj for elapsed, obj in trace if elapsed <= t]
    return min(values) if values else None


def _relax(instance: Any, bound_time: float, seed: int) -> tuple[Any, dict[str, Any]]:
    """The roster-pattern relaxation of a benchmark instance: (result, row fields). Three
    quarters of the time for column generation, a quarter for the restricted master IP."""
    from scheduling.engine.nrp import evaluate, to_problem
    from scheduling.engine.nrp.colgen import relax
    from scheduling.engine.nrp.roster import assignments_from_roster
    from scheduling.engine.validator import validate

    cg = relax(instance, time_limit=0.75 * bound_time, ip_time_limit=0.25 * bound_time, seed=seed)
    fields: dict[str, Any] = {
        "cg_bound": cg.bound,
        "cg_converged": cg.converged,
        "cg_seconds": cg.wall,
        "cg_cpu": cg.cpu,
        "cg_iterations": cg.iterations,
        "cg_columns": cg.columns,
        "pb_objective": cg.objective,
        "cg_error": cg.error,
    }
    if cg.roster is not None:
        evaluation = evaluate(instance, cg.roster)
        report = validate(to_problem(instance), assignments_from_roster(cg.roster))
        fields.update(
            pb_hard=len(evaluation.hard) + len(report.hard),
            pb_agrees=evaluation.objective == cg.objective == report.objective,
        )
    return cg, fields


def _relax_problem(
    problem: Any, bound_time: float, seed: int, start: Any = None
) -> tuple[Any, dict[str, Any]]:
    """The roster-pattern relaxation of a generic Problem (the residency scenarios); ``start``
    (CP-SAT's schedule, when it ran first) seeds the master's columns and the IP."""
    from scheduling.engine.colgen import relax
    from scheduling.engine.validator import validate

    cg = relax(problem, time_limit=0.75 * bound_time, ip_time_limit=0.25 * bound_time, seed=seed,
               start=start)  # fmt: skip
    fields: dict[str, Any] = {
        "cg_bound": cg.bound,
        "cg_converged": cg.converged,
        "cg_seconds": cg.wall,
        "cg_cpu": cg.cpu,
        "cg_iterations": cg.iterations,
        "cg_columns": cg.columns,
        "cg_relaxed_people": cg.relaxed_people,
        "pb_objective": cg.objective,
        "pb_dropped": cg.dropped,
        "cg_error": cg.error,
        "cg_infeasible": list(cg.infeasible_people),
    }
    if cg.assignments is not None:
        report = validate(problem, cg.assignments)
        fields.update(pb_hard=len(report.hard), pb_agrees=report.objective == cg.objective)
    return cg, fields


def run_one(
    kind: str,
    name: str,
    time_limit: float,
    workers: int,
    seed: int,
    bound_time: float = 0.0,
    pb_hint: bool = False,
    keep_trace: bool = False,
    relax_time: float = 0.0,
) -> dict[str, Any]:
    """One solve in this process (called in a subprocess by the driver)."""
    from scheduling.engine import cpsat
    from scheduling.engine.model import Progress
    from scheduling.engine.validator import validate

    trace: list[tuple[float, float]] = []
    # (elapsed, objective, bound, phase) whenever the objective or the bound changes.
    steps: list[tuple[float, float | None, float | None, str]] = []

    def progress(p: Progress) -> None:
        if p.objective is not None:
            trace.append((p.elapsed, p.objective))
        if not steps or (steps[-1][1], steps[-1][2]) != (p.objective, p.bound):
            steps.append((round(p.elapsed, 3), p.objective, p.bound, p.phase))

    row: dict[str, Any] = {
        "kind": kind,
        "name": name,
        "time_limit": time_limit,
        "workers": workers,
        "seed": seed,
    }
    if kind == "scenario":
        from scheduling.engine import greedy
        from scheduling.engine.scenarios import scenario

        # The same program for every seed: the seeds vary the solver, not the instance, so
        # their medians and best bound are of one problem (before 2 December 2026 the seed
        # also generated the program).
        problem = scenario(name, SCENARIO_SEED)
        began = time.perf_counter()
        g = greedy.solve(
            problem, time_limit=time_limit, seed=seed, workers=1, on_progress=None, should_stop=None
        )
        row["greedy_seconds"] = time.perf_counter() - began
        row["greedy_objective"] = g.objective
        row["greedy_hard"] = len(validate(problem, g.assignments).hard)
    else:
        from scheduling.engine.nrp import parse_instance, to_problem

        instance = parse_instance(Path(name) if name.endswith(".txt") else NRP / f"{name}.txt")
        problem = to_problem(instance)
    began = time.perf_counter()
    hint, offset, cg = None, 0.0, None
    if pb_hint and bound_time > 0:
        if kind == "instance":
            from scheduling.engine.nrp.roster import assignments_from_roster

            cg, fields = _relax(instance, min(bound_time, 0.5 * time_limit), seed)
            if cg.roster is not None:
                hint = assignments_from_roster(cg.roster)
        else:
            cg, fields = _relax_problem(problem, min(bound_time, 0.5 * time_limit), seed)
            hint = None if cg.assignments is None else list(cg.assignments)
        row.update(fields)
        offset = time.perf_counter() - began
        if hint is not None and cg.objective is not None:
            trace.append((offset, float(cg.objective)))
            steps.append((round(offset, 3), float(cg.objective), None, "price and branch"))

    def shifted(p: Progress) -> None:
        progress(Progress(p.elapsed + offset, p.objective, p.bound, p.phase))

    cpu = time.process_time()
    solution = cpsat.solve(
        problem,
        time_limit=time_limit - offset,
        seed=seed,
        workers=workers,
        on_progress=shifted,
        hint=hint,
    )
    row["wall"] = time.perf_counter() - began
    row["cpu"] = time.process_time() - cpu  # CP-SAT's CPU seconds (every thread)
    report = validate(problem, solution.assignments)
    first = solution.time_to_first_feasible
    if hint is not None:  # the price-and-branch roster, ready when CP-SAT started
        first = offset
    elif first is not None:
        first += offset
    row.update(
        status=solution.status.value,
        objective=solution.objective,
        bound=solution.bound,
        first_feasible=first,
        hard=len(report.hard),
        validator_objective=report.objective,
        people=len(problem.people),
        days=problem.horizon.days,
    )
    for t in CHECKPOINTS:
        if t <= time_limit + 1e-9:
            row[f"at_{int(t)}s"] = _best_at(trace, t)
    if keep_trace:
        row["trace"] = steps
    if kind == "instance":
        from scheduling.engine.nrp import evaluate, roster_from_assignments

        row["benchmark_objective"] = evaluate(
            instance, roster_from_assignments(instance, solution.assignments)
        ).objective
    # Linux reports kilobytes.
    row["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if bound_time > 0 and cg is None:
        if kind == "instance":
            _, fields = _relax(instance, bound_time, seed)
        else:
            start = solution.assignments if report.is_valid else None
            _, fields = _relax_problem(problem, bound_time, seed, start)
        row.update(fields)
        row["peak_mb_with_cg"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if relax_time > 0:
        from scheduling.engine.cpsat.relaxed import relaxed_bound

        began = time.perf_counter()
        row["relaxed_bound"] = relaxed_bound(problem, time_limit=relax_time, seed=seed)
        row["relaxed_seconds"] = time.perf_counter() - began
    return row


def _subprocess(kind: str, name: str, args: argparse.Namespace, seed: int) -> dict[str, Any]:
    cmd = [
        sys.executable,
        __file__,
        "--one",
        kind,
        name,
        "--time-limit",
        str(args.time_limit),
        "--workers",
        str(args.workers),
        "--seed",
        str(seed),
        "--bound-time",
        str(args.bound_time if seed == args.seed or not args.bound_once else 0),
        *(["--pb-hint"] if args.pb_hint else []),
        *(["--trace"] if args.trace else []),
        "--relax-time",
        str(args.relax_time if seed == args.seed or not args.bound_once else 0),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"kind": kind, "name": name, "error": done.stderr.strip().splitlines()[-1:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _best_known() -> dict[str, float]:
    path = NRP / "best_known.csv"
    if not path.exists():
        return {}
    with open(path) as fh:
        return {r["instance"]: float(r["best_known_solution"]) for r in csv.DictReader(fh)}


def _median(rows: list[dict[str, Any]], key: str) -> Any:
    values = [r[key] for r in rows if r.get(key) is not None]
    return statistics.median(values) if values else None


def _summarise(rows: list[dict[str, Any]], known: dict[str, float]) -> dict[str, Any]:
    first = dict(rows[0])
    if "trace" in first:  # every run's progress, for plot_trace.py
        del first["trace"]
        first["traces"] = [r["trace"] for r in rows if "trace" in r]
    if len(rows) > 1:
        for key in (
            "objective",
            "first_feasible",
            "wall",
            "peak_mb",
            "greedy_seconds",
            "cg_seconds",
            "cg_cpu",
            "cpu",
            "pb_objective",
            *(f"at_{int(t)}s" for t in CHECKPOINTS),
        ):
            first[key] = _median(rows, key)
        # A bound any seed proved holds for the instance: the best of them, not a median.
        for key in ("bound", "cg_bound", "relaxed_bound"):
            values = [r[key] for r in rows if r.get(key) is not None]
            first[key] = max(values) if values else None
        objectives = [r["objective"] for r in rows if r.get("objective") is not None]
        if objectives:
            first["objective_min"], first["objective_max"] = min(objectives), max(objectives)
        first["runs"] = [
            {
                k: r.get(k)
                for k in ("seed", "objective", "bound", "relaxed_bound", "first_feasible", "status")
            }
            for r in rows
        ]
    first["repeats"] = len(rows)
    obj = first.get("objective")
    bounds = [
        b
        for b in (first.get("bound"), first.get("cg_bound"), first.get("relaxed_bound"))
        if b is not None
    ]
    bound = first["best_bound"] = max(bounds) if bounds else None
    if obj is not None and bound is not None and obj:
        first["gap_pct"] = 100 * (obj - bound) / abs(obj)
    if first["name"] in known and obj is not None:
        first["best_known"] = known[first["name"]]
        first["vs_best_known_pct"] = 100 * (obj - known[first["name"]]) / known[first["name"]]
    return first


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}" if value != int(value) or digits else f"{value:.0f}"
    return str(value)


def _range(row: dict[str, Any]) -> str:
    if row.get("objective_min") is None:
        return "-"
    return f"{_fmt(row['objective_min'], 0)}-{_fmt(row['objective_max'], 0)}"


def _table(summary: list[dict[str, Any]]) -> str:
    head = [
        "case",
        "status",
        "1st feas s",
        "@10s",
        "@30s",
        "@60s",
        "final",
        "min-max",
        "bound",
        "cp-sat bound",
        "cg bound",
        "relaxed bound",
        "cg cpu s",
        "p&b",
        "gap %",
        "best known",
        "vs best %",
        "hard",
        "peak MB",
        "greedy s",
    ]
    lines = [" | ".join(head), " | ".join("---" for _ in head)]
    for r in summary:
        lines.append(
            " | ".join(
                [
                    r["name"],
                    r.get("status", r.get("error", "?")),
                    _fmt(r.get("first_feasible"), 2),
                    _fmt(r.get("at_10s"), 0),
                    _fmt(r.get("at_30s"), 0),
                    _fmt(r.get("at_60s"), 0),
                    _fmt(r.get("objective"), 0),
                    _range(r),
                    _fmt(r.get("best_bound"), 0),
                    _fmt(r.get("bound"), 0),
                    _fmt(r.get("cg_bound"), 0) + ("" if r.get("cg_converged", True) else "*"),
                    _fmt(r.get("relaxed_bound"), 0),
                    _fmt(r.get("cg_cpu"), 1),
                    _fmt(r.get("pb_objective"), 0),
                    _fmt(r.get("gap_pct")),
                    _fmt(r.get("best_known"), 0),
                    _fmt(r.get("vs_best_known_pct")),
                    _fmt(r.get("hard")),
                    _fmt(r.get("peak_mb"), 0),
                    _fmt(r.get("greedy_seconds"), 2),
                ]
            )
        )
    return "\n".join(lines)


def _machine() -> dict[str, Any]:
    def sh(cmd: str) -> str:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()

    return {
        "nproc": os.cpu_count(),
        "cpu": sh("lscpu | grep 'Model name' | sed 's/.*: *//'"),
        "memory": sh("free -h | awk '/Mem:/ {print $2}'"),
        "load_before": os.getloadavg(),
        "python": platform.python_version(),
        "ortools": sh(f"{sys.executable} -c 'import ortools; print(ortools.__version__)'"),
    }


def main() -> int:
    if "--compare" in sys.argv[1:]:
        # greedy, CP-SAT, MIP and hybrid side by side; the other arguments are compare.py's.
        from compare import main as compare

        return compare([a for a in sys.argv[1:] if a != "--compare"])
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--compare", action="store_true",
                        help="run benchmarks/compare.py with the remaining arguments instead")  # fmt: skip
    parser.add_argument("--scenarios", nargs="*", default=["S", "M", "L"])
    parser.add_argument(
        "--instances",
        nargs="*",
        default=[str(i) for i in range(1, 13)],
        help="benchmark instances: numbers, names (Instance7) or instance files (benchmarks/nrp_synth.py)",
    )
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="runs per case, seeds --seed, --seed + 1, ... (medians)",
    )
    parser.add_argument(
        "--bound-time",
        type=float,
        default=30.0,
        help="seconds of roster-pattern relaxation per case (scenarios and benchmark instances), "
        "after the CP-SAT run (0: off; the table's 'cg bound', '*' when it did not converge, "
        "and 'p&b'; 'bound' is the best of it and CP-SAT's)",
    )
    parser.add_argument(
        "--bound-once",
        action="store_true",
        help="with --repeat, run the relaxations (--bound-time, --relax-time) after the first "
        "seed's run only (the instance's bound does not depend on the CP-SAT seed)",
    )
    parser.add_argument(
        "--pb-hint",
        action="store_true",
        help="run the relaxation first (at most half the time limit) and hint CP-SAT with the "
        "price-and-branch roster",
    )
    parser.add_argument(
        "--trace",
        action="store_true",
        help="keep every run's progress (elapsed, objective, bound, phase) in the JSON results, "
        "for benchmarks/plot_trace.py",
    )
    parser.add_argument(
        "--relax-time",
        type=float,
        default=0.0,
        help="seconds of CP-SAT (one worker) on the model without its ACGME rules after the run: "
        "a relaxation whose bound is valid ('relaxed bound'; 'bound' takes the best)",
    )
    parser.add_argument("--one", nargs=2, metavar=("KIND", "NAME"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        row = run_one(args.one[0], args.one[1], args.time_limit, args.workers, args.seed, args.bound_time,
                      args.pb_hint, args.trace, args.relax_time)  # fmt: skip
        print(json.dumps(row))
        return 0
    cases = [("scenario", s) for s in args.scenarios]
    # Numbers, names (Instance7) or paths of instance files (benchmarks/nrp_synth.py's).
    names = [
        n if n.startswith("Instance") or n.endswith(".txt") else f"Instance{n}"
        for n in args.instances
    ]
    if any(not n.endswith(".txt") for n in names) and not NRP.is_dir():
        print(f"skipping benchmark instances: {NRP} not found", file=sys.stderr)
        names = [n for n in names if n.endswith(".txt")]
    cases += [("instance", n) for n in names]
    known = _best_known()
    machine = _machine()
    summary = []
    for kind, name in cases:
        # One seed per repeat (seed, seed + 1, ...): the medians are over seeds, not over
        # reruns of one seed.
        rows = [_subprocess(kind, name, args, args.seed + k) for k in range(args.repeat)]
        rows = [r for r in rows if "error" not in r] or rows[:1]
        summary.append(_summarise(rows, known))
        print(
            f"{name}: {summary[-1].get('status')} {summary[-1].get('objective')}", file=sys.stderr
        )
    machine["load_after"] = os.getloadavg()
    out = ROOT / "benchmarks/out"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"solver-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(
        json.dumps({"machine": machine, "args": vars(args), "results": summary}, indent=2)
    )
    print(_table(summary))
    print(f"\nmachine: {machine}\nwritten: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
