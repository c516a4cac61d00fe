"""Reads for the resilience dashboard and API: level, history, vulnerabilities, fallbacks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from people.models import Program
from resilience import services
from resilience.models import ContingencyStudy, Fallback, ResilienceSnapshot
from scheduling.selectors.personal import gauge

CHART_WIDTH, CHART_HEIGHT, CHART_TOP = 560, 160, 1.2  # the y axis reaches 120 %
OUTCOME_ORDER = {"not_coverable": 0, "undetermined": 1, "covered_with_changes": 2, "covered": 3}


def latest_snapshot(program: Program, *, compute: bool = True) -> ResilienceSnapshot | None:
    """The newest snapshot; the first view of a program computes one (never an empty page)."""
    found = ResilienceSnapshot.objects.filter(program=program).order_by("-taken_at").first()
    if found is None and compute:
        start, end = services.coming_period()
        found = services.snapshot_take(program=program, start=start, end=end)
    return found


def history(program: Program, limit: int = 96) -> list[ResilienceSnapshot]:
    return list(ResilienceSnapshot.objects.filter(program=program).order_by("-taken_at")[:limit])


def latest_study(program: Program) -> ContingencyStudy | None:
    return ContingencyStudy.objects.filter(program=program).order_by("-created_at").first()


def vulnerabilities(study: ContingencyStudy | None) -> list[dict[str, Any]]:
    """Scenario outcomes, worst first: single points of failure and fatal pairs on top."""
    if study is None:
        return []
    rows = []
    for index, entry in study.results.items():
        removed = entry.get("removed", [])
        rows.append(
            {
                "index": int(index),
                "kind": "N-1" if len(removed) == 1 else "N-2",
                "names": entry.get("names", removed),
                "outcome": entry["outcome"],
                "moved_people": entry.get("moved_people", 0),
                "moved_shifts": entry.get("moved_shifts", 0),
                "shifts_lost": entry.get("shifts_lost", 0),
                "uncovered": entry.get("uncovered", []),
                "shed": entry.get("shed", []),
                "detail": entry.get("detail", ""),
            }
        )
    return sorted(rows, key=lambda r: (OUTCOME_ORDER.get(r["outcome"], 9), -r["moved_shifts"]))


def fallbacks(program: Program) -> list[Fallback]:
    return list(
        Fallback.objects.filter(program=program).select_related("run").order_by("-computed_at")[:8]
    )


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    percent: str
    level: str


def week_bars(snapshot: ResilienceSnapshot | None) -> list[Bar]:
    """The weekly utilisation chart, laid out for a server-rendered SVG."""
    weeks = (snapshot.details or {}).get("weeks", []) if snapshot else []
    if not weeks:
        return []
    slot = CHART_WIDTH / len(weeks)
    bars = []
    for i, week in enumerate(weeks):
        value = week.get("utilization")
        shown = min(value if value is not None else CHART_TOP, CHART_TOP)
        height = CHART_HEIGHT * shown / CHART_TOP
        bars.append(
            Bar(
                x=round(i * slot + slot * 0.15, 1),
                y=round(CHART_HEIGHT - height, 1),
                width=round(slot * 0.7, 1),
                height=round(height, 1),
                label=week["start"],
                percent="no capacity" if value is None else f"{value:.0%}",
                level=week.get("level", "unknown"),
            )
        )
    return bars


def threshold_lines(program: Program) -> list[dict[str, Any]]:
    settings = services.settings_for(program)
    return [
        {"name": name, "y": round(CHART_HEIGHT * (1 - value / CHART_TOP), 1), "value": value}
        for name, value in (
            ("yellow", settings.yellow_at),
            ("orange", settings.orange_at),
            ("red", settings.red_at),
            ("black", settings.black_at),
        )
    ]


def dashboard(program: Program) -> dict[str, Any]:
    snapshot = latest_snapshot(program)
    study = latest_study(program)
    rows = vulnerabilities(study)
    value = snapshot.utilization * 100 if snapshot and snapshot.defense_level != "unknown" else 0
    return {
        "snapshot": snapshot,
        "gauge": gauge(value, 100),
        "details": snapshot.details if snapshot else {},
        "bars": week_bars(snapshot),
        "thresholds": threshold_lines(program),
        "chart": {"width": CHART_WIDTH, "height": CHART_HEIGHT},
        "study": study,
        "vulnerabilities": rows,
        "single_points": [
            r for r in rows if r["kind"] == "N-1" and r["outcome"] == "not_coverable"
        ],
        "fatal_pairs": [r for r in rows if r["kind"] == "N-2" and r["outcome"] == "not_coverable"],
        "fallbacks": fallbacks(program),
        "history": history(program, 10),
    }
