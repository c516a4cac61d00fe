"""N-1 / N-2 over the demo program's published block: 2 workers against one, sequentially.

Seeds the demo (rotation plan and one published block, as `seed_demo` does) into a throwaway
database once, plans the study with `resilience.services.study_create` (no queue), then runs
every scenario through `study_run_scenario` (the body of the Celery task
`resilience.run_scenario`): once in this process, one after the other, and once spread over
``--workers`` processes (a process pool standing in for Celery workers; each opens its own
database connection). Prints wall times, their ratio, the outcomes and the load average.

Usage: .venv/bin/python benchmarks/resilience.py [--workers 2] [--time-limit 10] [--pairs]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scheduler_project.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("VAR_DIR", str(ROOT / "var" / "bench-resilience"))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from console.demo import seed_demo  # noqa: E402
from resilience import services  # noqa: E402
from resilience.models import ContingencyStudy  # noqa: E402
from scheduling.models import ScheduleRun  # noqa: E402


def _one(args: tuple[int, int]) -> float:
    connection.close()  # a fresh connection in the child process
    began = time.perf_counter()
    services.study_run_scenario(study_id=args[0], index=args[1])
    return time.perf_counter() - began


def run(study: ContingencyStudy, workers: int) -> float:
    began = time.perf_counter()
    jobs = [(study.pk, i) for i in range(study.total)]
    if workers == 1:
        for job in jobs:
            services.study_run_scenario(study_id=job[0], index=job[1])
    else:
        connection.close()
        with get_context("fork").Pool(workers) as pool:
            pool.map(_one, jobs, chunksize=1)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--time-limit", type=int, default=10)
    parser.add_argument("--pairs", action="store_true", help="N-2: the riskiest pairs only")
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
    figures = {}
    for workers in (args.workers, 1):
        study = services.study_create(
            program=program,
            start=block.start_date,
            end=block.end_date,
            pairs=args.pairs,
            time_limit=args.time_limit,
            enqueue=False,
        )
        if args.pairs:  # N-2 on its own: drop the singles
            study.scenarios = [s for s in study.scenarios if len(s) == 2]
            study.total = len(study.scenarios)
            study.save(update_fields=["scenarios", "total"])
        load = os.getloadavg()[0]
        wall = run(study, workers)
        study.refresh_from_db()
        outcomes = Counter(entry["outcome"] for entry in study.results.values())
        figures[workers] = wall
        print(
            f"{'N-2' if args.pairs else 'N-1'} {block.start_date}..{block.end_date} "
            f"scenarios={study.total} workers={workers} wall={wall:.1f}s "
            f"outcomes={dict(outcomes)} load_before={load:.2f} load_after={os.getloadavg()[0]:.2f}"
        )
    print(f"ratio sequential/parallel = {figures[1] / figures[args.workers]:.2f}")


if __name__ == "__main__":
    main()
