"""Reads for solver runs: the runs a coordinator may see, a run's progress chart and percent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from people import access
from scheduling.models import ScheduleRun, ScheduleRunProgress

CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 640, 180, 28


def get_run_for_manager(user: Any, code: Any) -> ScheduleRun:
    runs = ScheduleRun.objects.select_related("program", "requested_by", "published_by")
    return access.get_for_user(user, runs, code, what="run")


def runs_for_manager(user: Any) -> QuerySet[ScheduleRun]:
    runs = ScheduleRun.objects.select_related("program", "requested_by")
    return access.scope_queryset(user, runs)


@dataclass(frozen=True)
class Chart:
    objective: str  # SVG polyline points
    bound: str
    x_label: str
    y_min: float | None
    y_max: float | None
    samples: int


def run_chart(run: ScheduleRun) -> Chart:
    """Objective and bound over time as SVG polylines (scaled here so templates only draw)."""
    samples = list(
        ScheduleRunProgress.objects.filter(run=run).values_list(
            "elapsed_seconds", "objective", "bound"
        )
    )
    values = [v for _, obj, bnd in samples for v in (obj, bnd) if v is not None]
    if not samples or not values:
        return Chart("", "", "", None, None, len(samples))
    t_max = max(run.time_limit_seconds, max(t for t, _, _ in samples), 1)
    low, high = min(values), max(values)
    span = (high - low) or 1.0

    def point(t: float, v: float) -> str:
        x = CHART_PAD + (CHART_WIDTH - 2 * CHART_PAD) * t / t_max
        y = CHART_HEIGHT - CHART_PAD - (CHART_HEIGHT - 2 * CHART_PAD) * (v - low) / span
        return f"{x:.1f},{y:.1f}"

    objective = " ".join(point(t, o) for t, o, _ in samples if o is not None)
    bound = " ".join(point(t, b) for t, _, b in samples if b is not None)
    return Chart(objective, bound, f"0–{t_max:.0f} s", low, high, len(samples))


def run_percent(run: ScheduleRun, now: datetime | None = None) -> int:
    """Share of the time limit used so far, by the wall clock since the worker claimed the run
    (so the bar moves while the problem is built, not only once the solver reports)."""
    if not run.is_active:
        return 100
    elapsed = run.elapsed_seconds
    if run.started_at is not None:
        elapsed = max(elapsed, ((now or timezone.now()) - run.started_at).total_seconds())
    return min(99, int(100 * elapsed / max(run.time_limit_seconds, 1)))
