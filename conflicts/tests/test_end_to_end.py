"""A sick day approved over two published shifts: alerts in the same request, candidates for
each shift, and applying them leaves the week covered with no new hard violation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from conflicts.models import ConflictAlert
from conflicts.services import conflict_apply, conflict_candidates
from conflicts.tests.cast import MONDAY, SUNDAY, Cast
from people.models import Absence, Notification
from scheduling.services import schedule_validate

pytestmark = pytest.mark.django_db
HARD = ("critical", "high")


def test_a_sick_day_over_two_shifts_is_raised_offered_and_resolved(
    cast: Cast, eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    before = schedule_validate(program=cast.program, start=MONDAY, end=SUNDAY)
    assert [v for v in before if v["severity"] in HARD] == []
    sick = Absence.objects.create(
        person=cast.rey,
        kind=Absence.Kind.SICK,
        start_date=MONDAY,
        end_date=MONDAY + timedelta(days=3),  # over Rey's Monday and Thursday ward days
    )
    client = Client()
    client.force_login(cast.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/requests/review/absence/{sick.code}/",
            {"decision": "approve", "note": "", "confirmed": "on"},  # after seeing the overlaps
        )
    assert response.status_code == 302
    alerts = list(
        ConflictAlert.objects.filter(kind=ConflictAlert.Kind.ABSENCE, status="open").order_by(
            "start_date"
        )
    )
    assert [a.assignment for a in alerts] == [cast.rows["wd0"], cast.rows["wd3"]]
    assert Notification.objects.filter(
        recipient=cast.coordinator, event=Notification.Event.CONFLICT_RAISED
    ).exists()
    for alert in alerts:
        candidates = conflict_candidates(alert=alert)
        assert candidates and all(c["compliant"] for c in candidates)
    for alert in alerts:
        alert.refresh_from_db()
        top = conflict_candidates(alert=alert)[0]  # recomputed if the first apply moved things
        alert.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            conflict_apply(alert=alert, candidate_id=top["id"], actor=cast.coordinator)
    after = schedule_validate(program=cast.program, start=MONDAY, end=SUNDAY)
    assert [v for v in after if v["rule"] == "coverage.minimum"] == []
    assert [v for v in after if v["severity"] in HARD] == []
    assert not ConflictAlert.objects.filter(status="open", kind=ConflictAlert.Kind.ABSENCE).exists()
