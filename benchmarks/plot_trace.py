"""Objective and bound against time, one PNG per case, from a ``benchmarks/solver.py --trace`` run.

    .venv/bin/python benchmarks/solver.py --scenarios L --instances 8 12 --time-limit 60 \\
        --workers 2 --bound-time 0 --trace
    .venv/bin/python benchmarks/plot_trace.py benchmarks/out/solver-<timestamp>.json \\
        --out docs/solver-{case}.png

``{case}`` in ``--out`` is replaced by the lower-cased case name (``instance8``, ``l``); every
run of a case (``--repeat``) is one line of the same colour family. The best known value (benchmark
instances) and the roster-pattern bound (when the run computed one) are drawn as horizontal lines.
matplotlib is a benchmark dependency only (requirements-bench.txt).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def _steps(trace: list[list[Any]], column: int, end: float) -> tuple[list[float], list[float]]:
    """A staircase of one column (1: objective, 2: bound) up to ``end`` seconds."""
    xs: list[float] = []
    ys: list[float] = []
    for row in trace:
        value = row[column]
        if value is None:
            continue
        if ys and value == ys[-1]:
            continue
        xs.append(float(row[0]))
        ys.append(float(value))
    if ys:
        xs.append(max(end, xs[-1]))
        ys.append(ys[-1])
    return xs, ys


def plot_case(result: dict[str, Any], out: Path, *, log_scale: bool = False) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    name = result["name"]
    end = float(result.get("time_limit") or 60.0)
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    traces = result.get("traces") or []
    finals: list[float] = []
    lows: list[float] = []
    for i, trace in enumerate(traces):
        seeds = [run.get("seed") for run in result.get("runs") or []]
        suffix = f" (seed {seeds[i]})" if len(traces) > 1 and i < len(seeds) else ""
        xs, ys = _steps(trace, 1, end)
        if xs:
            finals.append(ys[-1])
            ax.step(xs, ys, where="post", color="tab:blue", alpha=0.9 - 0.2 * i,
                    label=f"objective{suffix}")  # fmt: skip
        xs, ys = _steps(trace, 2, end)
        if xs:
            lows.append(ys[-1])
            ax.step(xs, ys, where="post", color="tab:orange", alpha=0.9 - 0.2 * i,
                    label=f"CP-SAT bound{suffix}")  # fmt: skip
    if result.get("best_known") is not None:
        ax.axhline(result["best_known"], color="tab:green", linestyle="--", label="best known")
    if result.get("cg_bound") is not None:
        ax.axhline(result["cg_bound"], color="tab:red", linestyle=":",
                   label="roster-pattern bound")  # fmt: skip
    if log_scale:
        ax.set_yscale("symlog")
    elif finals:
        # The first schedules are often many times the final one: keep the end readable.
        top = 2.5 * max(finals)
        low = min([0.0, *lows])
        ax.set_ylim(low, top)
    ax.set_xlim(0, end)
    ax.set_xlabel("seconds")
    ax.set_ylabel("objective (lower is better)")
    workers = result.get("workers")
    seeds = [run.get("seed") for run in result.get("runs") or []] or [result.get("seed")]
    label = "seed" if len(seeds) == 1 else "seeds"
    ax.set_title(f"{name}: {end:.0f} s, {workers} worker(s), {label} {', '.join(map(str, seeds))}")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper right", fontsize="small")
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("results", type=Path, help="a JSON file written by solver.py --trace")
    parser.add_argument("--out", default="docs/solver-{case}.png",
                        help="PNG path; {case} is the lower-cased case name")  # fmt: skip
    parser.add_argument("--cases", nargs="*", help="only these cases (e.g. Instance8 L)")
    parser.add_argument("--log", action="store_true", help="a symmetric-log objective axis")
    args = parser.parse_args(argv)
    results = json.loads(args.results.read_text())["results"]
    written = 0
    for result in results:
        if args.cases and result["name"] not in args.cases:
            continue
        if not result.get("traces"):
            print(f"{result['name']}: no trace (run solver.py with --trace)", file=sys.stderr)
            continue
        out = Path(args.out.replace("{case}", result["name"].lower()))
        out.parent.mkdir(parents=True, exist_ok=True)
        print(plot_case(result, out, log_scale=args.log))
        written += 1
    return 0 if written else 1


if __name__ == "__main__":
    sys.exit(main())
