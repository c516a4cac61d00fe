"""The alternatives pages: ask, watch, compare two objectives at a time, look at one point's
difference from the published schedule and publish it; only coordinators of the program."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from analytics import services
from analytics.models import ParetoStudy
from analytics.tests.pareto_world import END, START, ParetoWorld, pareto_world, published, rows
from scheduling.models import Assignment, ScheduleRun, State

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(program_a: Any) -> ParetoWorld:
    return pareto_world(program_a)


@pytest.fixture
def study(world: ParetoWorld, coordinator_a: Any) -> ParetoStudy:
    created = services.pareto_study_create(
        program=world.program, start_date=START, end_date=END, actor=coordinator_a,
        time_limit_seconds=30, steps=(3, 2), enqueue=False,
    )  # fmt: skip
    return services.pareto_study_execute(study_id=created.pk)


def front_runs(study: ParetoStudy) -> list[str]:
    return [e["run"] for _, e in sorted(study.points.items()) if e["front"]]


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_it_asks_for_alternatives_of_a_block(
    world: ParetoWorld, coordinator_client: Client
) -> None:
    url = reverse("analytics:pareto")
    page = coordinator_client.get(url)
    assert page.status_code == 200 and b"Find alternatives" in page.content
    block = world.program.academic_years.get().blocks.get()
    response = coordinator_client.post(
        url, {"block": block.pk, "time_limit_seconds": 60, "include_past": "on"}
    )
    made = ParetoStudy.objects.get(program=world.program)
    assert response.status_code == 302
    assert response["Location"] == reverse("analytics:pareto-study", args=[made.code])
    assert (made.start_date, made.end_date, made.status) == (
        block.start_date, block.end_date, ParetoStudy.Status.QUEUED,
    )  # fmt: skip


def test_it_explains_a_refused_request(world: ParetoWorld, coordinator_client: Client) -> None:
    block = world.program.academic_years.get().blocks.get()
    response = coordinator_client.post(
        reverse("analytics:pareto"), {"block": block.pk, "time_limit_seconds": 60}
    )
    assert response.status_code == 200
    assert "before today" in response.content.decode()
    assert not ParetoStudy.objects.exists()


def test_it_plots_the_front_with_a_table(study: ParetoStudy, coordinator_client: Client) -> None:
    response = coordinator_client.get(reverse("analytics:pareto-study", args=[study.code]))
    html = response.content.decode()
    runs = front_runs(study)
    assert response.status_code == 200
    assert html.count("<circle") == len(runs)
    assert all(f'data-point="{run}"' in html for run in runs)
    assert "Changes from published (" in html and "Fairness spread (" in html  # default axes


def test_it_redraws_two_other_objectives_over_htmx(
    study: ParetoStudy, coordinator_client: Client
) -> None:
    response = coordinator_client.get(
        reverse("analytics:pareto-study", args=[study.code]),
        {"x": "requests", "y": "coverage"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TRIGGER="axes",
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "Requests not honoured (" in html and "Coverage shortfall (" in html
    assert "HX-Refresh" not in response


def test_it_shows_a_points_difference_and_publishes_it(
    world: ParetoWorld, study: ParetoStudy, coordinator_client: Client
) -> None:
    run = ScheduleRun.objects.get(code=front_runs(study)[0])
    draft = rows(Assignment.objects.filter(run=run, state=State.DRAFT))
    before = published(world)
    page = coordinator_client.get(reverse("analytics:pareto-point", args=[study.code, run.code]))
    html = page.content.decode()
    assert page.status_code == 200
    assert f"<strong>{len(draft - before)}</strong> assignments added" in html
    assert f"<strong>{len(before - draft)}</strong> removed" in html
    response = coordinator_client.post(
        reverse("analytics:pareto-apply", args=[study.code, run.code])
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("scheduling:run", args=[run.code])
    assert published(world) == draft


@pytest.mark.parametrize("who", ["resident_a", "faculty_a"])
def test_it_keeps_residents_and_faculty_out(
    who: str, study: ParetoStudy, request: pytest.FixtureRequest
) -> None:
    client = client_for(request.getfixturevalue(who))
    run = front_runs(study)[0]
    for url in (
        reverse("analytics:pareto"),
        reverse("analytics:pareto-study", args=[study.code]),
        reverse("analytics:pareto-point", args=[study.code, run]),
    ):
        assert client.get(url).status_code == 403
    assert client.post(reverse("analytics:pareto-apply", args=[study.code, run])).status_code == 403
    assert ScheduleRun.objects.get(code=run).published_at is None


def test_it_answers_404_to_another_programs_coordinator(
    study: ParetoStudy, coordinator_b: Any
) -> None:
    client = client_for(coordinator_b)
    run = front_runs(study)[0]
    assert client.get(reverse("analytics:pareto-study", args=[study.code])).status_code == 404
    point = reverse("analytics:pareto-point", args=[study.code, run])
    assert client.get(point).status_code == 404
    apply = reverse("analytics:pareto-apply", args=[study.code, run])
    assert client.post(apply).status_code == 404
    assert ScheduleRun.objects.get(code=run).published_at is None


def test_it_refuses_a_wrong_method(study: ParetoStudy, coordinator_client: Client) -> None:
    run = front_runs(study)[0]
    apply = reverse("analytics:pareto-apply", args=[study.code, run])
    assert coordinator_client.get(apply).status_code == 405
