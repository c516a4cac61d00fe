"""How fast a coordinator sees a run move, and how fast a cancel lands.

Measures, over a real Celery worker process on the embedded broker and database (or the ones
DATABASE_URL / REDIS_URL name), for the demo program:
  - queued -> running: from creating the run to the worker claiming it;
  - first progress: from creating the run to the first progress row (what the page shows);
  - cancel: from requesting cancel mid-solve to the run being cancelled with nothing written.
The runs schedule two four-week blocks with CP-SAT and a 30 s limit.

Usage: .venv/bin/python benchmarks/run_latency.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scheduler_project.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("VAR_DIR", str(ROOT / "var" / "bench"))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from console.demo import DEMO_PROGRAM, seed_demo  # noqa: E402
from people.models import Program  # noqa: E402
from scheduling import services  # noqa: E402
from scheduling.models import Assignment, ScheduleRun, ScheduleRunProgress  # noqa: E402


def _poll(predicate: Callable[[], bool], timeout: float = 60.0, step: float = 0.02) -> float:
    began = time.perf_counter()
    while time.perf_counter() - began < timeout:
        if predicate():
            return time.perf_counter() - began
        time.sleep(step)
    raise TimeoutError


def _has_status(pk: int, status: str) -> bool:
    return ScheduleRun.objects.filter(pk=pk, status=status).exists()


def _has_progress(pk: int) -> bool:
    return ScheduleRunProgress.objects.filter(run_id=pk).exists()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    seed_demo(schedule=True)
    program = Program.objects.get(name=DEMO_PROGRAM)
    # Two blocks (56 days): long enough that the solver is still working when cancel arrives.
    blocks = list(program.academic_years.get().blocks.order_by("number"))[6:8]
    start, end = blocks[0].start_date, blocks[-1].end_date
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "scheduler_project",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    try:
        time.sleep(5)  # let the worker connect before timing anything
        running, progress, cancel = [], [], []
        for _ in range(args.repeat):
            began = time.perf_counter()
            run = services.schedule_run_create(
                program=program,
                start_date=start,
                end_date=end,
                actor=None,
                algorithm="cpsat",
                time_limit_seconds=30,
            )
            _poll(partial(_has_status, run.pk, "running"))
            running.append(time.perf_counter() - began)
            _poll(partial(_has_progress, run.pk))
            progress.append(time.perf_counter() - began)
            time.sleep(1)
            asked = time.perf_counter()
            services.schedule_run_cancel(run=run, actor=None)
            _poll(partial(_has_status, run.pk, "cancelled"))
            cancel.append(time.perf_counter() - asked)
            assert not Assignment.objects.filter(run=run).exists()
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    for name, values in (
        ("queued -> running", running),
        ("first progress row", progress),
        ("cancel -> cancelled", cancel),
    ):
        print(
            f"{name:22} median {statistics.median(values):.2f} s  (runs: {', '.join(f'{v:.2f}' for v in values)})"
        )


if __name__ == "__main__":
    main()
