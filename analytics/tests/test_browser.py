"""In a real browser: the demo coordinator opens the fairness report, the heatmaps and a run's
chart; the demo resident sees their own line. ``SAVE_SCREENSHOTS=docs/screenshots`` saves the
pictures linked from the README."""

from __future__ import annotations

from typing import Any

import pytest

from console.demo import seed_demo
from scheduling.models import ScheduleRun
from scheduling.tests.test_pages_browser import login, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_shows_the_analytics_pages(page: Any, live_server: Any) -> None:
    program, _, _ = seed_demo(schedule=True)
    base = live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, base, "coordinator")

    page.goto(f"{base}/analytics/fairness/")
    assert page.locator("table.spread").count() >= 1
    assert page.locator("table.lines tbody tr").count() > 5
    shoot(page, "fairness")

    page.goto(f"{base}/analytics/heatmaps/coverage/?block=4")
    assert page.locator("svg.heatmap rect").count() > 20
    shoot(page, "heatmap-coverage")

    page.goto(f"{base}/analytics/heatmaps/workload/")
    assert page.locator("svg.heatmap").count() == 1
    shoot(page, "heatmap-workload")

    run = ScheduleRun.objects.filter(program=program, kind=ScheduleRun.Kind.SCHEDULE).latest("pk")
    page.goto(f"{base}/schedule/runs/{run.code}/")
    assert page.locator("svg.chart").count() == 1
    shoot(page, "run-chart")

    page.context.clear_cookies()
    login(page, base, "resident")
    page.goto(f"{base}/analytics/fairness/")
    assert page.locator("table.mine").count() == 1
    assert page.locator("table.lines").count() == 0
    shoot(page, "fairness-resident")
