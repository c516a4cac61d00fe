"""Resilience gauges on /metrics, per program."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.test import Client

from resilience.models import ResilienceSnapshot


def test_metrics_show_each_programs_level(program_a: Any) -> None:
    ResilienceSnapshot.objects.create(
        program=program_a,
        start_date=date(2026, 10, 14),
        end_date=date(2026, 11, 10),
        utilization=0.83,
        defense_level="orange",
    )
    body = Client(REMOTE_ADDR="127.0.0.1").get("/metrics").content.decode()
    label = program_a.short_name or program_a.name
    assert f'resilience_utilization_ratio{{program="{label}"}} 0.83' in body
    assert f'resilience_defense_level{{program="{label}"}} 2.0' in body
    assert f'resilience_n1_pass{{program="{label}"}}' in body
