"""Running a solver inside a worker: progress sampling, heartbeats and cancellation.

CP-SAT reports progress from its own threads while the worker's main thread is blocked in the
solve, so database writes happen on one monitor thread: the solver callbacks only leave the
latest sample in memory, and ``should_stop`` only reads a flag the monitor sets.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from django.db import close_old_connections, connection
from django.utils import timezone

from scheduling.engine.model import Progress
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
