"""The heatmaps: weeks counted where the calendar puts them, and a large grid drawn compactly
(one path per colour, a hover title per row) with the same colours as a small one."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from analytics import svg
from analytics.selectors import heatmaps
from analytics.tests.conftest import YEAR_START, Cast, published, random_schedule
from rotations.models import CoverageRequirement


def test_it_counts_each_shift_in_its_calendar_week(cast: Cast) -> None:
    random_schedule(cast, seed=11, days=60)
    start, end = YEAR_START + timedelta(days=3), YEAR_START + timedelta(days=45)  # mid-week
    data = heatmaps.workload(cast.program, start, end, unit=heatmaps.SHIFTS)
    monday = start - timedelta(days=start.weekday())
    for code, _, counts in data.rows:
        direct = Counter(
            (day - monday).days // 7
            for day in published(cast)
            .filter(person__code=code, date__range=(start, end))
            .values_list("date", flat=True)
        )
        assert counts == [direct.get(k, 0) for k in range(len(data.weeks))], code


def test_it_draws_a_large_workload_map_as_one_path_per_colour(
    cast: Cast, coordinator_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    random_schedule(cast, seed=12, days=40)
    monkeypatch.setattr(svg, "CELL_TITLES_UP_TO", 10)
    page = coordinator_client.get(reverse("analytics:workload")).content.decode()
    start = page.index('<svg class="heatmap"')
    picture = page[start : page.index("</svg>", start)]
    fills = re.findall(r'<path fill="(#[0-9a-f]{6})"', picture)
    assert fills and len(fills) == len(set(fills))  # one path per colour
    assert "week of" not in picture.split("<title>", 1)[0]  # no per-cell titles
    person = cast.people[0]
    assert re.search(rf"<title>{person.full_name}: [\d.]+ hours in the period, most", picture)


def test_it_keeps_a_row_summary_of_coverage_gaps_on_a_large_map(
    cast: Cast, coordinator_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    CoverageRequirement.objects.create(shift_type=cast.shifts["call"], minimum=1, target=1)
    monkeypatch.setattr(svg, "CELL_TITLES_UP_TO", 10)
    page = coordinator_client.get(reverse("analytics:coverage"), {"block": 1}).content.decode()
    call = f"{cast.shifts['call'].abbreviation} {cast.shifts['call'].name}"
    assert f"<title>{call}: 0 of 28 required filled, 28 short</title>" in page
    assert f'<path fill="{svg.GAP_RED}"' in page and 'data-gaps class="sev-high">28<' in page


def test_it_shades_in_a_few_steps_from_empty_to_full() -> None:
    shades = {svg.shade(v, 100) for v in range(0, 201)}
    assert len(shades) == svg.SHADES + 1  # the empty colour and each step
    assert svg.shade(0, 100) == svg.EMPTY and svg.shade(100, 100) == svg.shade(150, 100)
