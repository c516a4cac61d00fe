"""Running a solver inside a worker: progress sampling, heartbeats, cancellation and the end.

One home for the bookkeeping every kind of run shares (shift schedules and rotation plans):
``solve_with_monitor`` solves with live progress, ``finish`` stores how a run ended and
``metrics`` summarises a solution for the run page.

CP-SAT reports progress from its own threads while the worker's main thread is blocked in the
solve, so database writes happen on one monitor thread: the solver callbacks only leave the
latest sample in memory, and ``should_stop`` only reads a flag the monitor sets.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import close_old_connections, connection
from django.utils import timezone

from lib.errors import ApplicationError
from scheduling import notices
from scheduling.engine.model import Progress, Solution, SolveStatus
from scheduling.engine.rotation.model import PlanSolution
from scheduling.models import ScheduleRun, ScheduleRunProgress

SAMPLE_SECONDS = 0.5  # progress rows at least twice a second while the solver improves


@dataclass
class _Latest:
    progress: Progress | None = None
    written: Progress | None = None


class RunMonitor:
    """Writes progress rows and heartbeats for a run and watches for a cancel request."""

    def __init__(self, run: ScheduleRun) -> None:
        self.run_id = run.pk
        self._latest = _Latest()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.cancelled = threading.Event()
        self._thread = threading.Thread(
            target=self._loop, name=f"run-monitor-{run.pk}", daemon=True
        )

    def __enter__(self) -> RunMonitor:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    # Solver callbacks: memory only.
    def on_progress(self, progress: Progress) -> None:
        with self._lock:
            self._latest.progress = progress

    def latest(self) -> Progress | None:
        """The last progress the solver reported: how far it got."""
        with self._lock:
            return self._latest.progress

    def should_stop(self) -> bool:
        return self.cancelled.is_set()

    def flush(self) -> None:
        """Write the latest sample now (called once more after the solver returns)."""
        self._write_sample()

    def _loop(self) -> None:
        began = time.monotonic()
        try:
            while not self._stop.wait(SAMPLE_SECONDS):
                if not self._write_sample():
                    # No new solution: still move the clock (the page's progress bar) and beat.
                    ScheduleRun.objects.filter(pk=self.run_id).update(
                        elapsed_seconds=time.monotonic() - began, heartbeat_at=timezone.now()
                    )
                if ScheduleRun.objects.filter(pk=self.run_id, cancel_requested=True).exists():
                    self.cancelled.set()
        finally:
            connection.close()  # this thread's own connection

    def _write_sample(self) -> bool:
        with self._lock:
            sample = self._latest.progress
            if sample is None or sample is self._latest.written:
                return False
            self._latest.written = sample
        close_old_connections()
        ScheduleRunProgress.objects.create(
            run_id=self.run_id,
            elapsed_seconds=sample.elapsed,
            objective=sample.objective,
            bound=sample.bound,
            phase=sample.phase,
        )
        ScheduleRun.objects.filter(pk=self.run_id).update(
            objective=sample.objective,
            bound=sample.bound,
            elapsed_seconds=sample.elapsed,
            phase=sample.phase or "solving",
            heartbeat_at=timezone.now(),
        )
        return True


def solve_with_monitor(run: ScheduleRun, problem: Any, solve: Callable[..., Any]) -> Any:
    """Solve with live progress; None when the run was cancelled (it is then marked so).

    Works for shift schedules and rotation plans alike: both solvers share the interface.
    """
    params = run.parameters or {}
    ScheduleRun.objects.filter(pk=run.pk).update(phase="solving")
    with RunMonitor(run) as monitor:
        solution = solve(
            problem,
            time_limit=float(run.time_limit_seconds),
            seed=int(params.get("seed", 0)),
            workers=int(params.get("workers", 2)),
            on_progress=monitor.on_progress,
            should_stop=monitor.should_stop,
        )
        monitor.flush()
    if monitor.cancelled.is_set() or solution.status == SolveStatus.CANCELLED:
        finish(run, ScheduleRun.Status.CANCELLED, metrics={"wall_time": solution.wall_time})
        return None
    if solution.status in (SolveStatus.INFEASIBLE, SolveStatus.INVALID):
        causes = list(solution.conflicts) or ["no cause named"]
        raise ApplicationError(
            f"No schedule satisfies the rules ({solution.status}): " + "; ".join(causes),
            details={"conflicts": causes, "status": str(solution.status)},
        )
    if solution.status == SolveStatus.UNKNOWN and not solution.assignments:
        # Out of time without a schedule proves nothing: never word it as "infeasible".
        raise ApplicationError(
            not_found_in_time(run.time_limit_seconds, monitor.latest()),
            details={"conflicts": [], "status": str(solution.status)},
        )
    return solution


def not_found_in_time(limit: int, latest: Progress | None) -> str:
    reached = ""
    if latest is not None and latest.bound is not None:
        reached = (
            f" After {latest.elapsed:.0f} s the penalty was proved to be at least "
            f"{latest.bound:.0f}."
        )
    return (
        f"No schedule found in the {limit} s time limit: the search neither found a schedule "
        "nor proved that none exists, so the rules may well be satisfiable."
        + reached
        + " Start the run again with a longer time limit (a whole year needs minutes), or "
        "schedule a shorter period."
    )


def metrics(
    solution: Solution | PlanSolution, penalties: Mapping[str, float], rows: int
) -> dict[str, Any]:
    """How a solve went, stored on the run for its page (the same keys for schedules and plans)."""
    return {
        "status": str(solution.status),
        "algorithm": solution.algorithm,
        "wall_time": solution.wall_time,
        "time_to_first_feasible": solution.time_to_first_feasible,
        "penalties": penalties,
        "assignments": rows,
    }


def finish(run: ScheduleRun, status: str, **values: Any) -> None:
    fields = {"status": status, "finished_at": timezone.now(), "phase": "done", **values}
    ScheduleRun.objects.filter(pk=run.pk).update(**fields)
    for name, value in fields.items():
        setattr(run, name, value)
    if status != ScheduleRun.Status.CANCELLED:  # the coordinator who cancelled knows
        notices.run_finished(run, status, values.get("error", ""))
