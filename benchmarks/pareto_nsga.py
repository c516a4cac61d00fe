"""Does pymoo's NSGA-II, seeded with the solver's schedules, add valid non-dominated schedules
that the epsilon-constraint method (scheduling/engine/pareto.py) misses?

    PYTHONPATH=/tmp/pymoo-site .venv/bin/python benchmarks/pareto_nsga.py --scenario S \
        --time-limit 60 --nsga-seconds 60 --workers 2

1. The epsilon-constraint front of the scenario (a greedy draft as the current schedule, as in
   benchmarks/pareto.py), ``--time-limit`` seconds on ``--workers`` processes.
2. NSGA-II (pymoo) over one bit per (person, day, shift) the MIP model keeps (its eligible,
   unpruned variables), its first population the front's schedules and bit-flipped copies of
   them, uniform crossover and bit-flip mutation, for ``--nsga-seconds`` seconds. Each
   candidate is judged by the engine's validator: the objectives are the front's (``vector``),
   the one constraint is the number of hard violations (feasible = valid schedule). Every
   valid schedule NSGA-II evaluates is kept (an archive), not only its last population.
3. Printed: how many valid NSGA-II schedules no epsilon point weakly dominates ("new"), how
   many of them are on the merged front, and the hypervolume of the epsilon front alone and of
   the merged front against one reference point (the worst of each objective over both, + 1).

pymoo is not a dependency of the app: install it beside the venv for this script only, e.g.
``pip install --target /tmp/pymoo-site pymoo`` (see docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from scheduling.engine import greedy, mip, pareto  # noqa: E402
from scheduling.engine.model import Assignment, Problem  # noqa: E402
from scheduling.engine.scenarios import scenario  # noqa: E402
from scheduling.engine.validator import validate  # noqa: E402


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="benchmarks/pareto_nsga.py", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("--scenario", default="S", choices=["S", "M", "L"])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--time-limit", type=float, default=60.0, help="epsilon-constraint seconds")
    p.add_argument("--nsga-seconds", type=float, default=60.0)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--steps", type=int, nargs="+", default=[6, 2])
    p.add_argument("--population", type=int, default=40)
    p.add_argument("--one-axis", action="store_true", help="the app's plan (engine plan_for)")
    return p


class Archive:
    """Every valid schedule evaluated, by objective vector (the first one seen of each)."""

    def __init__(self) -> None:
        self.valid: dict[tuple[float, ...], frozenset[int]] = {}
        self.evaluated = 0
        self.invalid = 0


def nsga(
    problem: Problem,
    names: tuple[str, ...],
    seeds: list[tuple[Assignment, ...]],
    *,
    seconds: float,
    population: int,
    seed: int,
) -> Archive:
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.core.problem import Problem as MooProblem
    from pymoo.operators.crossover.ux import UX
    from pymoo.operators.mutation.bitflip import BitflipMutation
    from pymoo.optimize import minimize
    from pymoo.termination.max_time import TimeBasedTermination

    keys = list(mip.Model(problem).x)
    index = {k: i for i, k in enumerate(keys)}
    archive = Archive()

    def decode(bits: Any) -> tuple[Assignment, ...]:
        return tuple(Assignment(*keys[i]) for i in np.flatnonzero(bits))

    class Schedules(MooProblem):
        def __init__(self) -> None:
            super().__init__(n_var=len(keys), n_obj=len(names), n_ieq_constr=1, xl=0, xu=1,
                             vtype=bool)  # fmt: skip

        def _evaluate(self, x: Any, out: dict[str, Any], *args: Any, **kwargs: Any) -> None:
            f, g = [], []
            for bits in x:
                report = validate(problem, decode(bits))
                vec = pareto.vector(report, names)
                archive.evaluated += 1
                if report.is_valid:
                    archive.valid.setdefault(vec, frozenset(np.flatnonzero(bits).tolist()))
                else:
                    archive.invalid += 1
                f.append(vec)
                g.append([len(report.hard)])
            out["F"], out["G"] = np.array(f, dtype=float), np.array(g, dtype=float)

    rng = np.random.default_rng(seed)
    rows = []
    for schedule in seeds:
        row = np.zeros(len(keys), dtype=bool)
        for a in schedule:
            if (a.person, a.day, a.shift) in index:
                row[index[(a.person, a.day, a.shift)]] = True
        rows.append(row)
    while len(rows) < population:  # bit-flipped copies of the seeds fill the population
        row = rows[len(rows) % len(seeds)].copy()
        flips = rng.integers(0, len(keys), size=3)
        row[flips] = ~row[flips]
        rows.append(row)
    algorithm = NSGA2(pop_size=population, sampling=np.array(rows), crossover=UX(),
                      mutation=BitflipMutation(prob=1.0, prob_var=2.0 / len(keys)),
                      eliminate_duplicates=True)  # fmt: skip
    minimize(Schedules(), algorithm, TimeBasedTermination(seconds), seed=seed, verbose=False)
    return archive


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    problem = scenario(args.scenario, args.seed)
    draft = greedy.solve(problem, time_limit=5.0, seed=1)
    problem = replace(problem, baseline=draft.assignments, change_weight=1)
    load_before = os.getloadavg()
    began = time.monotonic()
    eps = pareto.front(problem, time_limit=args.time_limit, seed=args.seed,
                       workers=args.workers, steps=args.steps, one_axis=args.one_axis)  # fmt: skip
    eps_wall = time.monotonic() - began
    names = eps.names
    print(f"scenario {problem.name}, load {load_before[0]:.2f} {load_before[1]:.2f}")
    for p in eps.points:
        print("  epsilon", p.objectives)
    print(f"epsilon-constraint: {len(eps.points)} points from {eps.evaluated} solves "
          f"in {eps_wall:.1f}s ({args.workers} workers)")  # fmt: skip
    seeds = [p.assignments for p in eps.points]
    began = time.monotonic()
    archive = nsga(problem, names, seeds, seconds=args.nsga_seconds,
                   population=args.population, seed=args.seed)  # fmt: skip
    nsga_wall = time.monotonic() - began
    eps_vectors = [p.objectives for p in eps.points]
    found = list(archive.valid)
    new = [v for v in found
           if not any(all(a <= b for a, b in zip(e, v, strict=True)) for e in eps_vectors)]  # fmt: skip
    union = [*eps_vectors, *new]
    merged = [union[i] for i in pareto.front_indices(union)]
    worst = [max(v[i] for v in union) + 1 for i in range(len(names))]
    hv_eps = pareto.hypervolume(eps_vectors, worst)
    hv_all = pareto.hypervolume(merged, worst)
    print(f"NSGA-II: {archive.evaluated} schedules evaluated in {nsga_wall:.1f}s, "
          f"{archive.invalid} invalid, {len(found)} distinct valid objective vectors")  # fmt: skip
    print(f"new (no epsilon point weakly dominates them): {len(new)}; on the merged front: "
          f"{sum(1 for v in merged if v in new)} of {len(merged)}")  # fmt: skip
    for v in new[:10]:
        print("  new", v)
    print(f"hypervolume against {tuple(worst)}: epsilon {hv_eps:g}, merged {hv_all:g}")
    print(f"load after {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
