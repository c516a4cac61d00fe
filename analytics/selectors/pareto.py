"""Reads for Pareto studies: the studies a coordinator may see, a study's points as table rows,
its progress, and the front drawn two objectives at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from analytics.models import ParetoStudy
from lib.timezones import local_today
from people import access
from rotations.models import Block
from scheduling.models import ScheduleRun

LABELS = {
    "coverage": "Coverage shortfall",
    "fairness": "Fairness spread",
    "requests": "Requests not honoured",
    "changes": "Changes from published",
}


def current_block(program: Any) -> Block | None:
    """The block holding the program's today, else the next one: the form's first choice."""
    today = local_today(program)
    blocks = Block.objects.filter(academic_year__program=program, end_date__gte=today)
    return blocks.order_by("start_date").first()


def get_study_for_manager(user: Any, code: Any) -> ParetoStudy:
    studies = ParetoStudy.objects.select_related("program", "requested_by")
    return access.get_for_user(user, studies, code, what="study")


def studies_for(user: Any, program: Any) -> QuerySet[ParetoStudy]:
    studies = ParetoStudy.objects.filter(program=program).select_related("requested_by")
    return access.scope_queryset(user, studies)


@dataclass(frozen=True)
class PointRow:
    number: int  # 1-based, in the table's order
    index: int  # the solve's index in the study
    run: str  # the draft run's code
    values: tuple[float, ...]  # in the study's objective order
    kind: str
    primary: str
    bounds: dict[str, float]
    status: str
    seconds: float
    published: bool = False

    @property
    def how(self) -> str:
        if self.kind == "anchor":
            return f"best {LABELS.get(self.primary, self.primary).lower()}"
        limits = ", ".join(f"{name} ≤ {value:g}" for name, value in self.bounds.items())
        return f"least {self.primary} with {limits}"


def front_rows(study: ParetoStudy) -> list[PointRow]:
    """The front's points (valid, mutually non-dominated), best first in the objectives'
    order; while the study runs, every valid point found so far (the front is decided at the
    end)."""
    entries = [
        (int(key), entry)
        for key, entry in study.points.items()
        if entry.get("valid") and (entry.get("front") or study.is_active)
    ]
    entries.sort(key=lambda pair: (tuple(pair[1]["objectives"]), pair[0]))
    runs = {entry["run"] for _, entry in entries if entry.get("run")}
    published = set(
        str(code)
        for code in ScheduleRun.objects.filter(
            code__in=runs, published_at__isnull=False
        ).values_list("code", flat=True)
    )
    return [
        PointRow(
            number=n,
            index=index,
            run=entry["run"],
            values=tuple(entry["objectives"]),
            kind=entry["kind"],
            primary=entry["primary"],
            bounds=entry["bounds"],
            status=entry["status"],
            seconds=entry["seconds"],
            published=entry["run"] in published,
        )
        for n, (index, entry) in enumerate(entries, start=1)
    ]


def axes(study: ParetoStudy, x: str | None, y: str | None) -> tuple[str, str]:
    """The two objectives drawn: those asked for when the study has them, else the swept
    objective across and the first one the grid minimises up."""
    names = list(study.names)
    if len(names) < 2:
        return (names[0], names[0]) if names else ("coverage", "fairness")
    default_x = study.sweep[0] if study.sweep and study.sweep[0] in names else names[0]
    default_y = next((n for n in (*study.primaries, *names) if n != default_x), names[1])
    across = x if x in names and x is not None else default_x
    up = y if y in names and y is not None and y != across else default_y
    if up == across:
        up = next(n for n in names if n != across)
    return across, up


def percent(study: ParetoStudy, now: datetime | None = None) -> int:
    """Solves recorded of those planned, or the share of the time limit used, whichever is
    further along (the grid is planned only once the anchors are in)."""
    if not study.is_active:
        return 100
    by_count = study.done / study.total if study.total else 0.0
    by_time = 0.0
    if study.started_at is not None:
        elapsed = ((now or timezone.now()) - study.started_at).total_seconds()
        by_time = elapsed / max(study.time_limit_seconds, 1)
    return min(99, int(100 * max(by_count, by_time)))


def counts(study: ParetoStudy) -> dict[str, int]:
    entries = list(study.points.values())
    return {
        "solves": len(entries),
        "valid": sum(1 for e in entries if e.get("valid")),
        "front": sum(1 for e in entries if e.get("front")),
        "none": sum(1 for e in entries if e.get("objectives") is None),
        "invalid": sum(1 for e in entries if e.get("objectives") is not None and not e["valid"]),
    }


def point_row(study: ParetoStudy, run_code: Any) -> PointRow | None:
    return next((row for row in front_rows(study) if row.run == str(run_code)), None)
