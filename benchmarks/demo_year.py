"""The demo program's whole academic year (1 July 2026 - 30 June 2027) in one schedule run.

Seeds the demo (rotation plan and one block, as `seed_demo` does) into a throwaway database
once, then starts one CP-SAT run over the academic year through `schedule_run_create` and runs
it in-process, as the coordinator's "Generate" does. Prints the run's status, wall time, first
schedule, objective, bound, hard violations (the validator's), the load average and the
process's peak memory (MB).

Usage: .venv/bin/python benchmarks/demo_year.py [--workers 1] [--time-limit 290]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scheduler_project.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("VAR_DIR", str(ROOT / "var" / "bench-year"))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from console.demo import seed_demo  # noqa: E402
from people.models import AcademicYear  # noqa: E402
from scheduling import services  # noqa: E402
from scheduling.engine.validator import HARD  # noqa: E402
from scheduling.models import ScheduleRun  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--time-limit", type=int, default=None, help="default: the app's")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    program, _, _ = seed_demo(schedule=True)
    year = AcademicYear.objects.get(program=program)
    # Earlier year runs of this script only (the rotation plan's run holds the plan's rows).
    ScheduleRun.objects.filter(
        program=program, kind=ScheduleRun.Kind.SCHEDULE, start_date=year.start_date
    ).exclude(status__in=ScheduleRun.ACTIVE_STATUSES).delete()
    run = services.schedule_run_create(
        program=program,
        start_date=year.start_date,
        end_date=year.end_date,
        actor=None,
        algorithm=ScheduleRun.DEFAULT_ALGORITHM,
        time_limit_seconds=args.time_limit,
        parameters={"workers": args.workers, "seed": args.seed},
        enqueue=False,
    )
    began = time.monotonic()
    services.schedule_run_execute(run_id=run.pk)
    wall = time.monotonic() - began
    run.refresh_from_db()
    hard = [v for v in run.violations if v["severity"] in {str(s) for s in HARD}]
    metrics = run.metrics or {}
    print(
        f"{year.start_date}..{year.end_date} limit={run.time_limit_seconds}s workers={args.workers} "
        f"status={run.status} wall={wall:.1f}s "
        f"first_schedule={metrics.get('time_to_first_feasible')} "
        f"objective={run.objective} bound={run.bound} hard_violations={len(hard)} "
        f"load={os.getloadavg()[0]:.2f} "
        # The process's peak resident memory (Linux reports kilobytes), as benchmarks/solver.py.
        f"peak_mb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} "
        f"algorithm={run.algorithm} bound={run.bound}"
    )
    if run.error:
        print(run.error)


if __name__ == "__main__":
    main()
