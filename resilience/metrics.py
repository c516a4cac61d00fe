"""Prometheus gauges per program on ``/metrics`` (docs/resilience.md lists them).

A collector registered once at start-up reads the newest snapshot, study and fallbacks of every
program at scrape time, so every process answers with the same figures (no per-process state):

* ``resilience_utilization_ratio{program}``: demanded over available hours (0 when unknown);
* ``resilience_defense_level{program}``: 0 green, 1 yellow, 2 orange, 3 red, 4 black, -1 unknown;
* ``resilience_n1_pass{program}``: 1 when no single absence leaves a minimum open in the latest
  N-1 study, 0 when one does, -1 before any study;
* ``resilience_n1_failures{program}``, ``resilience_n2_failures{program}``;
* ``resilience_open_critical_conflicts{program}``: open conflict alerts of critical severity;
* ``resilience_fallbacks_ready{program}``: fallback drafts ready to publish.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from prometheus_client.core import REGISTRY, GaugeMetricFamily

logger = logging.getLogger(__name__)
LEVELS = {"green": 0, "yellow": 1, "orange": 2, "red": 3, "black": 4, "unknown": -1}


FAMILIES = {
    "utilization_ratio": "Demanded over available duty hours, coming four weeks.",
    "defense_level": "0 green .. 4 black, -1 unknown (program data missing).",
    "n1_pass": "1: every single absence is coverable; 0: not; -1: no study yet.",
    "n1_failures": "Single absences that leave a minimum open.",
    "n2_failures": "Pairs of absences that leave a minimum open.",
    "open_critical_conflicts": "Open conflict alerts of critical severity.",
    "fallbacks_ready": "Fallback schedules ready to publish.",
}


class ResilienceCollector:
    def describe(self) -> Iterator[GaugeMetricFamily]:
        """The names only: registering must not touch the database."""
        for name, help_text in FAMILIES.items():
            yield GaugeMetricFamily(f"resilience_{name}", help_text, labels=["program"])

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            rows = list(_rows())
        except Exception:  # a scrape must never fail because the database is away
            logger.warning("resilience metrics unavailable (no database yet?)")
            rows = []
        for name, help_text in FAMILIES.items():
            family = GaugeMetricFamily(f"resilience_{name}", help_text, labels=["program"])
            for program, values in rows:
                family.add_metric([program], values[name])
            yield family


def _rows() -> Iterator[tuple[str, dict[str, float]]]:
    from conflicts.models import ConflictAlert
    from people.models import Program
    from resilience.models import ContingencyStudy, Fallback, ResilienceSnapshot

    for program in Program.objects.all():
        snapshot: Any = ResilienceSnapshot.objects.filter(program=program).first()
        study = ContingencyStudy.objects.filter(
            program=program, status=ContingencyStudy.Status.DONE
        ).first()
        n1 = n2 = 0
        for entry in (study.results if study else {}).values():
            if entry["outcome"] == "not_coverable":
                if len(entry["removed"]) == 1:
                    n1 += 1
                else:
                    n2 += 1
        ready = sum(
            1
            for f in Fallback.objects.filter(
                program=program, activated_at__isnull=True
            ).select_related("run")
            if f.run is not None and f.run.is_draft
        )
        yield (
            program.short_name or program.name,
            {
                "utilization_ratio": snapshot.utilization if snapshot else 0.0,
                "defense_level": LEVELS.get(snapshot.defense_level if snapshot else "unknown", -1),
                "n1_pass": -1 if study is None else float(n1 == 0),
                "n1_failures": n1,
                "n2_failures": n2,
                "open_critical_conflicts": _open_critical(ConflictAlert, program),
                "fallbacks_ready": ready,
            },
        )


def _open_critical(model: Any, program: Any) -> int:
    return int(
        model.objects.filter(program=program, severity=model.Severity.CRITICAL)
        .filter(status__in=[model.Status.OPEN, model.Status.ACKNOWLEDGED])
        .count()
    )


_registered = False


def register() -> None:
    global _registered
    if not _registered:
        REGISTRY.register(ResilienceCollector())
        _registered = True
