"""Each detector: a case that raises, one that does not, and one that auto-resolves when fixed."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from conflicts.models import ConflictAlert
from conflicts.services import conflicts_detect
from conflicts.tests.cast import MONDAY, SUNDAY, Cast
from people.models import Absence, Notification, Procedure, ProcedureCredential
from rotations.models import CoverageRequirement, ShiftType
from scheduling.models import ScheduleRun
from swaps.tests.cast import assign, resident, shift_row

pytestmark = pytest.mark.django_db
Kind = ConflictAlert.Kind


def run(cast: Cast, start: date = MONDAY, end: date = SUNDAY) -> dict[str, int]:
    return conflicts_detect(program=cast.program, start=start, end=end)


def open_alerts(cast: Cast, kind: str) -> list[ConflictAlert]:
    return list(ConflictAlert.objects.filter(program=cast.program, kind=kind, status="open"))


def assert_resolved(cast: Cast, kind: str) -> None:
    assert open_alerts(cast, kind) == []
    assert ConflictAlert.objects.filter(program=cast.program, kind=kind, status="resolved").exists()


def test_a_clean_week_raises_nothing(cast: Cast) -> None:
    assert run(cast)["raised"] == 0
    assert not ConflictAlert.objects.filter(program=cast.program).exists()


def test_an_assignment_during_an_approved_absence(cast: Cast) -> None:
    absence = Absence.objects.create(
        person=cast.rey, kind=Absence.Kind.SICK, start_date=MONDAY, end_date=MONDAY,
        status=Absence.Status.REQUESTED,
    )  # fmt: skip
    run(cast)
    assert open_alerts(cast, Kind.ABSENCE) == []  # only an approved absence counts
    absence.status = Absence.Status.APPROVED
    absence.save()
    run(cast)
    [alert] = open_alerts(cast, Kind.ABSENCE)
    assert (alert.person, alert.start_date, alert.severity) == (cast.rey, MONDAY, "critical")
    assert alert.assignment == cast.rows["wd0"] and alert.absence == absence
    assert alert.rule == "assignment.unavailable"
    run(cast)  # the same conflict stays one alert
    assert len(open_alerts(cast, Kind.ABSENCE)) == 1
    cast.rows["wd0"].person = cast.tia
    cast.rows["wd0"].save()
    run(cast)
    assert_resolved(cast, Kind.ABSENCE)


def test_a_double_booking(cast: Cast) -> None:
    extra = assign(cast.rey, cast.call, MONDAY)  # 07:00 call over the 07:00 ward day
    run(cast)
    [alert] = open_alerts(cast, Kind.DOUBLE_BOOKING)
    assert alert.person == cast.rey and alert.start_date == MONDAY
    extra.delete()
    run(cast)
    assert_resolved(cast, Kind.DOUBLE_BOOKING)


def test_uncovered_demand(cast: Cast) -> None:
    row = cast.rows["wd1"]
    row.delete()
    run(cast)
    [alert] = open_alerts(cast, Kind.COVERAGE)
    assert alert.start_date == MONDAY + timedelta(days=1) and alert.person is None
    assert alert.details["shift"] == "WD"
    assign(cast.sam, cast.wd, MONDAY + timedelta(days=1))
    run(cast)
    assert_resolved(cast, Kind.COVERAGE)


def test_days_nobody_has_scheduled_yet_are_not_uncovered(cast: Cast) -> None:
    # The week after the cast's is in the same block and needs a ward resident every day, but
    # no shift schedule has been published for it: unplanned, not uncovered.
    run(cast, MONDAY, SUNDAY + timedelta(days=7))
    assert open_alerts(cast, Kind.COVERAGE) == []
    # Once a schedule of that week is published, its holes are conflicts.
    ScheduleRun.objects.create(
        program=cast.program,
        start_date=SUNDAY + timedelta(days=1),
        end_date=SUNDAY + timedelta(days=7),
        status=ScheduleRun.Status.SUCCEEDED,
        published_at=timezone.now(),
    )
    run(cast, MONDAY, SUNDAY + timedelta(days=7))
    assert len(open_alerts(cast, Kind.COVERAGE)) == 7


def test_a_missing_or_expired_credential(cast: Cast) -> None:
    line = Procedure.objects.create(program=cast.program, name="Central line")
    proc = shift_row(cast.program, "PROC", ShiftType.Category.DAY, 4)
    proc.start_time = time(20)
    proc.save()
    CoverageRequirement.objects.create(shift_type=proc, minimum=0, target=1, procedure=line)
    held = ProcedureCredential.objects.create(
        person=cast.sam, procedure=line, granted_on=date(2026, 1, 1)
    )
    assign(cast.sam, proc, MONDAY)
    run(cast)
    assert open_alerts(cast, Kind.CREDENTIAL) == []
    held.expires_on = MONDAY  # expired on the day
    held.save()
    run(cast)
    [alert] = open_alerts(cast, Kind.CREDENTIAL)
    assert alert.person == cast.sam and "Central line" in alert.message
    held.expires_on = None
    held.save()
    run(cast)
    assert_resolved(cast, Kind.CREDENTIAL)


def test_an_acgme_hard_rule_breach(cast: Cast) -> None:
    call = assign(cast.sam, cast.call, MONDAY + timedelta(days=3))  # Thu 07:00 - Fri 07:00
    run(cast)  # Sam works Thu 07:00 to Fri 19:00 without a break
    alerts = open_alerts(cast, Kind.DUTY_HOURS)
    assert "acgme.continuous_duty" in {a.rule for a in alerts}  # 36 h straight
    assert all(a.person == cast.sam for a in alerts)
    call.delete()
    run(cast)
    assert_resolved(cast, Kind.DUTY_HOURS)


def test_a_near_limit_warning(cast: Cast) -> None:
    uma = resident(cast.program, "Uma")
    long = shift_row(cast.program, "LONG", ShiftType.Category.DAY, 13)
    CoverageRequirement.objects.create(shift_type=long, minimum=0, target=0, person_kind="any")
    first = date(2026, 10, 21)  # the year's 28-day block 21 Oct - 17 Nov
    for n in range(1, 28):
        if n % 7 != 6:
            assign(uma, long, first + timedelta(days=n))
    run(cast)
    assert open_alerts(cast, Kind.NEAR_LIMIT) == []  # 23 x 13 h: 74.75 h a week
    extra = assign(uma, long, first)
    run(cast)
    [alert] = open_alerts(cast, Kind.NEAR_LIMIT)  # 24 x 13 h: 78 h a week
    assert alert.person == uma and alert.details["measured"] == 78.0
    extra.delete()
    run(cast)
    assert_resolved(cast, Kind.NEAR_LIMIT)


def test_a_supervision_ratio_breach(cast: Cast) -> None:
    sup = shift_row(cast.program, "SUP", ShiftType.Category.DAY, 12)
    CoverageRequirement.objects.create(
        shift_type=sup, minimum=0, target=0, person_kind=CoverageRequirement.Kinds.FACULTY
    )
    CoverageRequirement.objects.filter(shift_type=cast.wd).update(
        needs_supervision=True, supervisor_shift_type=sup
    )
    for n in range(7):
        if n != 2:
            assign(cast.fay, sup, MONDAY + timedelta(days=n))
    run(cast)
    [alert] = open_alerts(cast, Kind.SUPERVISION)
    assert alert.start_date == MONDAY + timedelta(days=2)
    assign(cast.fay, sup, MONDAY + timedelta(days=2))
    run(cast)
    assert_resolved(cast, Kind.SUPERVISION)


def test_a_workload_imbalance(cast: Cast) -> None:
    run(cast)
    assert open_alerts(cast, Kind.WORKLOAD) == []  # 36, 36 and 24 h: even enough
    extra = [assign(cast.sam, cast.call, MONDAY - timedelta(days=n)) for n in (2, 4, 6)]
    run(cast)
    [alert] = open_alerts(cast, Kind.WORKLOAD)
    assert alert.person == cast.sam and alert.severity == "low"
    for row in extra:
        row.delete()
    run(cast)
    assert_resolved(cast, Kind.WORKLOAD)


def test_a_dismissed_conflict_is_not_raised_again(cast: Cast) -> None:
    from conflicts.services import conflict_dismiss

    cast.rows["wd1"].delete()
    run(cast)
    [alert] = open_alerts(cast, Kind.COVERAGE)
    conflict_dismiss(alert=alert, reason="Covered by a locum", actor=cast.coordinator)
    assert run(cast)["raised"] == 0


def test_a_pass_that_raises_several_alerts_tells_each_recipient_once(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    cast.rows["wd1"].delete()
    cast.rows["wd2"].delete()
    Absence.objects.create(
        person=cast.rey, kind=Absence.Kind.SICK, start_date=MONDAY, end_date=cast.day(3),
        status=Absence.Status.APPROVED,
    )  # fmt: skip  # over Rey's Monday and Thursday ward days
    with django_capture_on_commit_callbacks(execute=True):
        counts = run(cast)
    assert counts["raised"] == 4
    told = Notification.objects.filter(event=Notification.Event.CONFLICT_RAISED)
    [summary] = told.filter(recipient=cast.coordinator)
    assert summary.title == "4 new conflicts (4 critical)"
    assert summary.url == "/conflicts/" and summary.body.count("\n") == 3
    [mine] = told.filter(recipient__memberships__person=cast.rey)
    assert mine.title == "2 new conflicts (2 critical)"
    assert told.count() == 2  # Sam and Tia have nothing new
    with django_capture_on_commit_callbacks(execute=True):
        run(cast)
    assert told.count() == 2  # the same conflicts again: nothing new to tell


def test_a_single_new_alert_is_told_as_itself(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    cast.rows["wd1"].delete()
    with django_capture_on_commit_callbacks(execute=True):
        run(cast)
    [notice] = Notification.objects.filter(event=Notification.Event.CONFLICT_RAISED)
    alert = ConflictAlert.objects.get(program=cast.program, kind=Kind.COVERAGE)
    assert notice.recipient == cast.coordinator and notice.url == f"/conflicts/{alert.code}/"
    assert notice.body == alert.message


# Inactive people still holding shifts ------------------------------------------------------


def leave(person: Any) -> None:
    person.active = False
    person.save(update_fields=["active"])


def test_an_inactive_person_holding_shifts_raises_one_alert_naming_them(cast: Cast) -> None:
    leave(cast.sam)  # Sam works the ward on Tue, Fri and Sun
    run(cast)
    [alert] = open_alerts(cast, Kind.INACTIVE)
    assert (alert.person, alert.severity, alert.rule) == (cast.sam, "critical", "person.inactive")
    assert (alert.start_date, alert.end_date) == (cast.day(1), cast.day(6))
    assert alert.assignment == cast.rows["wd1"]  # the first: the resolutions' target
    assert alert.message == (
        "Sam Resident is inactive but still holds 3 published shifts: "
        "WD Tue 10 Nov, WD Fri 13 Nov, WD Sun 15 Nov"
    )
    assert [s["code"] for s in alert.details["shifts"]] == [
        str(cast.rows[name].code) for name in ("wd1", "wd4", "wd6")
    ]
    run(cast, MONDAY, MONDAY)  # a pass over a day without Sam's shifts changes nothing
    run(cast)
    assert open_alerts(cast, Kind.INACTIVE) == [alert]


def test_an_inactive_persons_shifts_raise_their_alert_and_no_coverage_gap_each(cast: Cast) -> None:
    leave(cast.sam)  # the validator no longer counts Sam on Tue, Fri and Sun
    run(cast)
    [alert] = ConflictAlert.objects.filter(program=cast.program, status="open")
    assert (alert.kind, alert.person) == (Kind.INACTIVE, cast.sam)


def test_a_gap_an_inactive_holder_does_not_explain_is_still_raised(cast: Cast) -> None:
    CoverageRequirement.objects.filter(shift_type=cast.wd).update(minimum=2, target=2)
    leave(cast.sam)
    run(cast)
    gaps = {a.start_date for a in open_alerts(cast, Kind.COVERAGE)}
    assert gaps == {cast.day(n) for n in range(7)}  # Sam's days too: one more is missing there
    assert len(open_alerts(cast, Kind.INACTIVE)) == 1


def test_an_inactive_persons_alert_follows_their_shifts_and_resolves_when_none_is_left(
    cast: Cast,
) -> None:
    leave(cast.sam)
    run(cast)
    for name, taker in (("wd1", cast.tia), ("wd4", cast.rey)):
        cast.rows[name].person = taker
        cast.rows[name].save()
    run(cast, cast.day(1), cast.day(4))  # the pass an edit of those days queues
    [alert] = open_alerts(cast, Kind.INACTIVE)
    assert (alert.assignment, alert.start_date) == (cast.rows["wd6"], cast.day(6))
    assert "holds 1 published shift: WD Sun 15 Nov" in alert.message
    cast.rows["wd6"].person = cast.tia
    cast.rows["wd6"].save()
    run(cast, cast.day(6), cast.day(6))
    assert_resolved(cast, Kind.INACTIVE)


def test_an_inactive_person_without_shifts_from_today_raises_nothing(cast: Cast) -> None:
    leave(cast.fay)  # no shift at all
    for name in ("wd1", "wd4", "wd6"):
        cast.rows[name].date = cast.rows[name].date.replace(year=2025)  # a year ago
        cast.rows[name].save()
    leave(cast.sam)
    run(cast)
    assert open_alerts(cast, Kind.INACTIVE) == []


def test_the_inactive_persons_alert_is_told_to_the_managers_not_to_them(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    leave(cast.rey)  # Rey (an account: resident_a) works Mon and Thu
    with django_capture_on_commit_callbacks(execute=True):
        run(cast)
    told = Notification.objects.filter(event=Notification.Event.CONFLICT_RAISED)
    [notice] = told  # one alert (Rey's shifts raise no coverage gap each), to the coordinator
    assert notice.recipient == cast.coordinator
    assert "Rey Resident is inactive but still holds 2 published shifts" in notice.body
