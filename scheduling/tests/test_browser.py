"""In a real browser: the demo coordinator starts a generation and watches it finish."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.utils import timezone

from console.demo import DEMO_PASSWORD, generate_demo_schedule, seed_demo
from people.models import AcademicYear
from scheduling.freeze import frozen_before

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_it_shows_a_generation_progress_and_its_end(
    page: Any, live_server: Any, worker_queue: str
) -> None:
    program, _, _ = seed_demo(schedule=False)
    # The block's shift schedule runs to its time limit (its optimum is not proved in seconds),
    # long enough to watch; the year's rotation plan it needs is proved optimal in under a
    # second, too quick for a page that polls every second.
    generate_demo_schedule(program, blocks=False)
    # The first block outside the program's freeze horizon (the clock is pinned).
    frozen_until = frozen_before(program) or timezone.localdate()
    blocks = AcademicYear.objects.get(program=program).blocks.order_by("number")
    block = blocks.filter(start_date__gte=frozen_until).first()
    assert block is not None
    page.goto(f"{live_server.url}/admin/login/?next=/schedule/generate/")
    page.fill("#id_username", "coordinator")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url("**/schedule/generate/")

    page.select_option("#id_kind", "schedule")
    page.fill("#id_start_date", block.start_date.isoformat())
    page.fill("#id_end_date", block.end_date.isoformat())
    page.select_option("#id_algorithm", "cpsat")
    page.fill("#id_time_limit_seconds", "8")
    page.click("text=Start run")
    page.wait_for_url("**/schedule/runs/*/")

    seen: list[int] = []
    statuses: set[str] = set()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status = page.get_attribute("[data-status]", "data-status") or ""
        statuses.add(status)
        value = page.get_attribute("[role=progressbar]", "aria-valuenow")
        if value is not None:
            seen.append(int(value))
        if status in ("succeeded", "failed", "cancelled"):
            break
        page.wait_for_timeout(500)  # htmx polls the progress fragment every second
    assert "running" in statuses
    assert page.get_attribute("[data-status]", "data-status") == "succeeded"
    # The bar moved forward while the run was running, then filled when it ended.
    assert seen == sorted(seen) and seen[-1] == 100, seen
    assert len(set(seen[:-1])) > 1 or 0 < seen[0] < 100, seen
    page.wait_for_selector("text=Publish")
    # Succeeded: the validator found no hard violation (soft ones may be listed).
    assert page.locator("text=/Violations \\(\\d+\\)/").count() == 1
    assert page.locator("td.sev-critical, td.sev-high").count() == 0
