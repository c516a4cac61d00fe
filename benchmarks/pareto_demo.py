"""Pareto alternatives of the demo block, as the app computes them (target: at least 6 valid,
mutually non-dominated schedules within 60 s on 2 workers).

Seeds the demo (rotation plan and the published schedule of the current block, as `seed_demo`
does) into a throwaway database once, asks for alternatives of that block with
`analytics.services.pareto_study_create` and runs the study's tasks:

* by default over ``--workers`` processes standing in for Celery workers (the body of the tasks
  `analytics.pareto_start` and `analytics.pareto_point`: anchors side by side, then the grid
  they plan), each with its own database connection;
* with ``--celery``, through the real queue: start a worker first with the same environment,
  ``VAR_DIR=var/bench-pareto DEBUG=true SECRET_KEY=bench-only .venv/bin/celery -A
  scheduler_project worker -c 2``, and this script waits for the study to end.

Every point of the front is validated again here, on a freshly built problem. Prints the wall
time, the front, and the load average before and after.

Usage: .venv/bin/python benchmarks/pareto_demo.py [--workers 2] [--time-limit 60] [--celery]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scheduler_project.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("VAR_DIR", str(ROOT / "var" / "bench-pareto"))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from analytics import services  # noqa: E402
from analytics.models import ParetoStudy  # noqa: E402
from console.demo import seed_demo  # noqa: E402
from scheduling.engine import model as m  # noqa: E402
from scheduling.engine import pareto  # noqa: E402
from scheduling.engine.validator import validate  # noqa: E402
from scheduling.models import Assignment, ScheduleRun, State  # noqa: E402
from scheduling.problem import build_problem  # noqa: E402


def _point(args: tuple[int, int]) -> list[int]:
    connection.close()  # a fresh connection in the child process
    return services.pareto_point_solve(study_id=args[0], index=args[1])


def run_in_processes(study: ParetoStudy, workers: int) -> None:
    pending = services.pareto_study_start(study_id=study.pk)
    connection.close()
    with get_context("fork").Pool(workers) as pool:
        while pending:
            planned = pool.map(_point, [(study.pk, i) for i in pending], chunksize=1)
            pending = [index for batch in planned for index in batch]


def wait(study: ParetoStudy, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        study.refresh_from_db()
        if not study.is_active:
            return
        time.sleep(0.5)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--time-limit", type=int, default=services.DEFAULT_TIME_LIMIT)
    parser.add_argument("--steps", type=int, nargs="+", default=list(services.DEFAULT_STEPS))
    parser.add_argument("--celery", action="store_true", help="through a running worker")
    parser.add_argument("--all", action="store_true", help="list the solves off the front too")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    program, _, _ = seed_demo(schedule=True, time_limit=180)
    block = (
        ScheduleRun.objects.filter(
            program=program, kind=ScheduleRun.Kind.SCHEDULE, published_at__isnull=False
        )
        .order_by("-published_at")
        .first()
    )
    assert block is not None, "the demo has no published block"
    ScheduleRun.objects.filter(parameters__has_key="pareto").delete()
    ParetoStudy.objects.all().delete()
    study = services.pareto_study_create(
        program=program, start_date=block.start_date, end_date=block.end_date, actor=None,
        time_limit_seconds=args.time_limit, workers=args.workers, steps=tuple(args.steps),
        enqueue=args.celery,  # queued at once: no transaction is open here
    )  # fmt: skip
    load = os.getloadavg()
    began = time.monotonic()
    if args.celery:
        wait(study, timeout=args.time_limit * 3 + 120)
    else:
        run_in_processes(study, args.workers)
    wall = time.monotonic() - began
    study.refresh_from_db()
    built = build_problem(program, block.start_date, block.end_date)
    front = [(k, e) for k, e in sorted(study.points.items(), key=lambda p: int(p[0])) if e["front"]]
    hard = 0
    for _, entry in front:
        rows = Assignment.objects.filter(run__code=entry["run"], state=State.DRAFT).values_list(
            "person__code", "date", "shift_type__abbreviation"
        )
        schedule = tuple(m.Assignment(str(p), (d - block.start_date).days, s) for p, d, s in rows)
        hard += len(validate(built.problem, schedule).hard)
    vectors = [tuple(e["objectives"]) for _, e in front]
    mutual = not any(pareto.dominates(a, b) for a in vectors for b in vectors)
    print(f"demo block {block.start_date} – {block.end_date}; load before {load[0]:.2f} "
          f"{load[1]:.2f}, after {os.getloadavg()[0]:.2f}")  # fmt: skip
    print(f"{'celery' if args.celery else 'processes'}, {args.workers} workers, limit "
          f"{args.time_limit} s, steps {args.steps}: status {study.status}, {study.done} solves "
          f"in {wall:.1f} s (study's own clock {study.elapsed_seconds:.1f} s)")  # fmt: skip
    print(f"objectives {study.names}")
    for key, entry in front:
        print(f"  #{key:>2} {entry['kind']:<6} {tuple(entry['objectives'])!s:<28} "
              f"{entry['status']:<9} {entry['seconds']:>5.1f} s  {entry['bounds'] or ''}")  # fmt: skip
    if args.all:
        for key, entry in sorted(study.points.items(), key=lambda p: int(p[0])):
            if not entry["front"]:
                vector = tuple(entry["objectives"]) if entry["objectives"] else None
                print(f"  ({key:>2}) {entry['kind']:<6} {vector!s:<28} {entry['status']:<9} "
                      f"valid {entry['valid']!s:<5} hard {entry['hard']:>2} {entry['seconds']:>5.1f} s "
                      f"{entry['bounds'] or ''} {entry['detail']}")  # fmt: skip
    others = [e for e in study.points.values() if not e["front"]]
    print(f"front: {len(front)} valid non-dominated schedules (hard violations on re-check: "
          f"{hard}; mutually non-dominated: {mutual}); {len(others)} other solves "
          f"({sum(1 for e in others if e['objectives'] is None)} found nothing)")  # fmt: skip
    if study.error:
        print(f"note: {study.error}")


if __name__ == "__main__":
    main()
