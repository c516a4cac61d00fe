"""In a real browser: the demo coordinator compares the alternatives found for the demo block,
switches the plotted objectives over htmx, opens one point's difference and publishes it.
``SAVE_SCREENSHOTS=docs/screenshots`` saves the pictures linked from the README."""

from __future__ import annotations

from typing import Any

import pytest

from analytics import services
from analytics.models import ParetoStudy
from console.demo import seed_demo
from scheduling.models import ScheduleRun
from scheduling.tests.test_pages_browser import login, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_compares_and_publishes_an_alternative(page: Any, live_server: Any) -> None:
    program, _, _ = seed_demo(schedule=True)
    block = ScheduleRun.objects.filter(
        program=program, kind=ScheduleRun.Kind.SCHEDULE, published_at__isnull=False
    ).latest("published_at")
    # In this process, one point after another: the shares of the limit assume one worker, and
    # the limit is generous so that a loaded machine still finds several points to picture.
    created = services.pareto_study_create(
        program=program, start_date=block.start_date, end_date=block.end_date, actor=None,
        time_limit_seconds=120, workers=1, enqueue=False,
    )  # fmt: skip
    study = services.pareto_study_execute(study_id=created.pk)
    assert study.status == ParetoStudy.Status.DONE
    shown = sum(1 for entry in study.points.values() if entry["front"])
    assert shown >= 1  # how many is the engine's business (test_pareto.py); this is the page
    base = live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, base, "coordinator")

    page.goto(f"{base}/analytics/pareto/{study.code}/")
    assert page.locator("svg.chart circle").count() == shown
    assert page.locator("table.pareto-points tbody tr").count() == shown
    shoot(page, "pareto")

    page.select_option("#axis-y", "requests")  # htmx redraws the plot and the table
    page.wait_for_selector("svg.chart[aria-label^='Requests not honoured']")

    page.locator("table.pareto-points tbody tr a").first.click()
    page.wait_for_selector("[data-diff]")
    shoot(page, "pareto-point")
    page.once("dialog", lambda dialog: dialog.accept())  # the publish confirmation
    page.click("text=Publish this alternative")
    page.wait_for_url(f"{base}/schedule/runs/**")
    assert "published" in page.inner_text("main").lower()
