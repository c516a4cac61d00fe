"""The analytics pages and exports through the doors that matter."""

from __future__ import annotations

import io
from typing import Any

from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from analytics.tests.conftest import Cast, random_schedule
from rotations.models import CoverageRequirement
from testing.factories import AssignmentFactory

FAIRNESS = reverse("analytics:fairness")


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_it_shows_a_coordinator_everyones_line(cast: Cast, coordinator_client: Client) -> None:
    random_schedule(cast, seed=5)
    page = coordinator_client.get(FAIRNESS).content.decode()
    for person in cast.people:
        assert person.full_name in page
    assert "Gini" in page and "PGY-1" in page and "All residents" in page


def test_it_shows_a_resident_only_their_own_identified_line(cast: Cast, resident_a: Any) -> None:
    random_schedule(cast, seed=6)
    response = _client(resident_a).get(FAIRNESS)
    page = response.content.decode()
    others = [p for p in cast.people if p.pk != cast.people[3].pk]
    assert response.status_code == 200 and "Your line against the 2 people" in page
    for other in others:
        assert other.full_name not in page and str(other.code) not in page
    assert "<svg" in page  # the peers' anonymous distribution
    assert reverse("analytics:export", args=["fairness"]) not in page


def test_it_answers_htmx_with_the_report_fragment(cast: Cast, coordinator_client: Client) -> None:
    block = cast.year.blocks.get(number=2)
    response = coordinator_client.get(
        FAIRNESS, {"year": str(cast.year.code), "block": "2"}, headers={"HX-Request": "true"}
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<section id="report"') and "<html" not in page
    assert f"{block.start_date:%d %b}" in page


def test_it_refuses_an_unknown_block(cast: Cast, coordinator_client: Client) -> None:
    assert coordinator_client.get(FAIRNESS, {"block": 99}).status_code == 404


def test_it_exports_the_report_as_csv_with_formulas_made_inert(
    cast: Cast, coordinator_client: Client
) -> None:
    person = cast.people[0]
    person.first_name = "=HYPERLINK(1)"
    person.save(update_fields=["first_name"])
    AssignmentFactory(person=person, shift_type=cast.shifts["call"], date=cast.year.start_date)
    url = reverse("analytics:export", args=["fairness"])
    response = coordinator_client.get(url, {"format": "csv"})
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/csv")
    assert text.splitlines()[0].startswith("person_code,person,group,hours,calls")
    assert "'=HYPERLINK(1)" in text
    line = next(row for row in text.splitlines() if str(person.code) in row)
    assert line.split(",")[4] == "1"  # calls


def test_it_exports_every_report_as_a_workbook(cast: Cast, coordinator_client: Client) -> None:
    random_schedule(cast, seed=7, days=20)
    for report, sheet in [
        ("fairness", "Spread"),
        ("workload", "Workload (hours)"),
        ("coverage", "Coverage"),
        ("duty", None),
    ]:
        url = reverse("analytics:export", args=[report])
        response = coordinator_client.get(url, {"format": "xlsx"})
        assert response.status_code == 200, report
        book = load_workbook(io.BytesIO(response.content))
        assert sheet is None or sheet in book.sheetnames


def test_it_keeps_exports_from_residents(cast: Cast, resident_a: Any) -> None:
    url = reverse("analytics:export", args=["fairness"])
    assert _client(resident_a).get(url, {"format": "csv"}).status_code == 403


def test_it_draws_the_workload_heatmap(cast: Cast, coordinator_client: Client) -> None:
    random_schedule(cast, seed=8, days=21)
    page = coordinator_client.get(reverse("analytics:workload")).content.decode()
    assert '<svg class="heatmap"' in page
    assert cast.people[0].full_name in page and "week of 29 Jun" in page  # calendar weeks


def test_it_marks_coverage_gaps_red(cast: Cast, coordinator_client: Client) -> None:
    CoverageRequirement.objects.create(shift_type=cast.shifts["call"], minimum=1, target=1)
    AssignmentFactory(
        person=cast.people[0], shift_type=cast.shifts["call"], date=cast.year.start_date
    )
    block = {"block": 1}
    page = coordinator_client.get(reverse("analytics:coverage"), block).content.decode()
    assert "Wed 01 Jul: 1 assigned, 1 required" in page
    assert "Thu 02 Jul: 0 assigned, 1 required (short 1)" in page
    assert 'data-gaps class="sev-high">27<' in page  # 28 days of the block, one covered


def test_it_shows_a_resident_their_own_duty_calendar_whatever_the_query(
    cast: Cast, resident_a: Any
) -> None:
    other = cast.people[0]
    AssignmentFactory(person=other, shift_type=cast.shifts["call"], date=cast.year.start_date)
    page = _client(resident_a).get(reverse("analytics:duty"), {"person": str(other.code)})
    text = page.content.decode()
    assert cast.people[3].full_name in text and other.full_name not in text


def test_it_marks_days_over_the_four_week_limit(cast: Cast, coordinator_client: Client) -> None:
    person = cast.people[0]
    for offset in range(14):  # 14 x 24 h = 336 h in 14 days: over 320 h from the 14th day
        day = cast.year.start_date.fromordinal(cast.year.start_date.toordinal() + offset)
        AssignmentFactory(person=person, shift_type=cast.shifts["call"], date=day)
    url = reverse("analytics:duty")
    text = coordinator_client.get(url, {"person": str(person.code), "block": "1"}).content.decode()
    assert "Tue 14 Jul: 24 h; 336 h in the 28 days to date (limit 320 h)" in text
    assert text.count('stroke="#c0392b"') == 15  # 14 Jul to 28 Jul


def test_it_keeps_program_heatmaps_from_residents(cast: Cast, resident_a: Any) -> None:
    client = _client(resident_a)
    assert client.get(reverse("analytics:workload")).status_code == 403
    assert client.get(reverse("analytics:coverage")).status_code == 403
