"""Every analytics report as a table for CSV and Excel, written by the one table writer
(``api.tables``: the same formula neutralisation as every other export)."""

from __future__ import annotations

from typing import Any

from analytics.selectors.fairness import LABELS, MEASURES, FairnessReport
from analytics.selectors.heatmaps import CoverageMap, DutyCalendar, WorkloadMap
from api.tables import CSV, write_csv, write_xlsx

Table = tuple[str, list[str], list[list[Any]]]


def fairness_tables(report: FairnessReport) -> list[Table]:
    header = ["person_code", "person", "group", *MEASURES, *(f"{m}_vs_peers" for m in MEASURES)]
    lines = [
        [line.code, line.name, line.group, *(round(line.values[m], 2) for m in MEASURES),
         *(round(line.deviation[m], 2) for m in MEASURES)]
        for line in report.lines
    ]  # fmt: skip
    spread_header = ["group", "people", "measure", "min", "max", "mean", "stdev", "gini", "jain"]
    spreads = [
        [group.label, group.size, LABELS[m], s.minimum, s.maximum, round(s.mean, 3),
         round(s.stdev, 3), round(s.gini, 4), round(s.jain, 4)]
        for group in report.groups
        for m, s in group.spreads.items()
    ]  # fmt: skip
    return [("Fairness", header, lines), ("Spread", spread_header, spreads)]


def workload_tables(data: WorkloadMap) -> list[Table]:
    header = ["person_code", "person", *(f"week of {w.isoformat()}" for w in data.weeks)]
    rows = [[code, name, *values] for code, name, values in data.rows]
    return [(f"Workload ({data.unit})", header, rows)]


def coverage_tables(data: CoverageMap) -> list[Table]:
    header = ["date", "shift", "required", "filled", "gap"]
    rows = [
        [day, shift, required, filled, max(required - filled, 0)]
        for shift, cells in data.rows
        for day, (required, filled) in zip(data.days, cells, strict=True)
    ]
    return [("Coverage", header, rows)]


def duty_tables(data: DutyCalendar) -> list[Table]:
    header = ["date", "duty_hours", "hours_in_28_days_to_date", "limit_28_days", "over_limit"]
    rows = [
        [day.day, day.hours, day.window_hours, data.window_limit,
         "yes" if day.over else "no"]
        for day in data.days
    ]  # fmt: skip
    return [(f"Duty hours {data.person_name}"[:31], header, rows)]


def write(tables: list[Table], fmt: str) -> bytes:
    """CSV holds one table (the first: the people); Excel holds every table as a sheet."""
    if fmt == CSV:
        _, header, rows = tables[0]
        return write_csv(header, rows)
    return write_xlsx(tables)
