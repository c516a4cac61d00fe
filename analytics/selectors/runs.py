"""A run's fairness and coverage beside the published schedule of its period (the run page)."""

from __future__ import annotations

from dataclasses import dataclass

from analytics.measures import Spread, spread
from analytics.selectors.fairness import LABELS, fairness_report
from analytics.selectors.heatmaps import CoverageMap, coverage
from people.models import AcademicYear, Person
from scheduling.models import ScheduleRun

SUMMARY_MEASURES = ("hours", "calls", "weekend_calls", "nights", "points")


@dataclass(frozen=True)
class Side:
    spreads: dict[str, Spread]  # over every resident of the program
    coverage: CoverageMap


@dataclass(frozen=True)
class RunSummary:
    draft: Side | None  # None once the run is published or discarded (no draft rows left)
    published: Side

    @property
    def rows(self) -> list[tuple[str, Spread | None, Spread]]:
        return [
            (LABELS[m], self.draft.spreads[m] if self.draft else None, self.published.spreads[m])
            for m in SUMMARY_MEASURES
        ]


def _side(run: ScheduleRun, year: AcademicYear, *, draft: bool) -> Side:
    program, start, end = run.program, run.start_date, run.end_date
    source = run if draft else None
    report = fairness_report(program, year, start, end, run=source)
    residents = [line for line in report.lines if line.kind == Person.Kind.RESIDENT]
    spreads = {m: spread([line.values[m] for line in residents]) for m in SUMMARY_MEASURES}
    return Side(spreads, coverage(program, start, end, run=source))


def run_summary(run: ScheduleRun) -> RunSummary | None:
    """None for runs that are not shift schedules, or outside any academic year."""
    if run.kind != ScheduleRun.Kind.SCHEDULE:
        return None
    year = AcademicYear.objects.filter(
        program=run.program, start_date__lte=run.start_date, end_date__gte=run.start_date
    ).first()
    if year is None:
        return None
    draft = _side(run, year, draft=True) if run.is_draft else None
    return RunSummary(draft, _side(run, year, draft=False))
