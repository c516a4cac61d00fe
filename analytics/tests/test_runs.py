"""The run page shows the run's fairness and coverage beside the published schedule."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from analytics.selectors.runs import run_summary
from analytics.tests.conftest import YEAR_START, Cast
from rotations.models import CoverageRequirement
from scheduling.models import ScheduleRun, State
from testing.factories import AssignmentFactory


def _draft_run(cast: Cast) -> ScheduleRun:
    run: ScheduleRun = cast.run
    run.status = ScheduleRun.Status.SUCCEEDED
    run.save(update_fields=["status"])
    CoverageRequirement.objects.create(shift_type=cast.shifts["call"], minimum=1, target=1)
    a, b = cast.people[0], cast.people[1]
    for offset, person in enumerate([a, a, a, b]):  # published: 3 calls against 1
        day = YEAR_START.replace(day=1 + offset)
        AssignmentFactory(person=person, shift_type=cast.shifts["call"], date=day)
    for offset, person in enumerate([a, b, a, b, a, b]):  # the draft: 3 against 3
        day = YEAR_START.replace(day=1 + offset)
        AssignmentFactory(
            person=person, shift_type=cast.shifts["call"], date=day, state=State.DRAFT, run=run
        )
    return run


def test_it_summarises_a_draft_beside_the_published_schedule(cast: Cast) -> None:
    summary = run_summary(_draft_run(cast))
    assert summary is not None and summary.draft is not None
    # residents: the two PGY-1, the PGY-2 and the cast's resident (4); faculty are left out
    assert summary.published.spreads["calls"].range == 3  # 3, 1, 0, 0
    assert summary.draft.spreads["calls"].range == 3  # 3, 3, 0, 0
    assert summary.draft.spreads["calls"].gini < summary.published.spreads["calls"].gini
    assert (summary.published.coverage.gaps, summary.draft.coverage.gaps) == (
        66,
        64,
    )  # 70 days of one call each


def test_it_shows_the_summary_on_the_run_page(cast: Cast, coordinator_client: Client) -> None:
    run = _draft_run(cast)
    page = coordinator_client.get(reverse("scheduling:run", args=[run.code])).content.decode()
    assert "this run beside the published schedule" in page
    assert '<td colspan="3" data-draft-coverage>6 / 70, 64 gaps</td>' in page
    assert '<td colspan="3" data-published-coverage>4 / 70, 66 gaps</td>' in page
