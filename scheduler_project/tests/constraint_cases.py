"""Constraint cases for the notification, conflict, holiday, backup, week-swap and Pareto models
(used by test_constraints.py's table)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from analytics.models import ParetoStudy
from conflicts.models import BackupDuty, ConflictAlert
from people.models import Notification
from people.models_delivery import Channel, Delivery, NotificationPreference
from rotations.models import Holiday
from swaps.models import SwapRequest
from testing import factories as f

DAY = date(2026, 7, 1)
AT = datetime(2026, 7, 1, 11, tzinfo=UTC)


def _swap(**overrides: object) -> None:
    assignment = f.AssignmentFactory.create()
    SwapRequest.objects.create(
        program=assignment.person.program,
        requester=assignment.person,
        assignment=assignment,
        **overrides,
    )


def _alert(**overrides: object) -> ConflictAlert:
    person = f.PersonFactory.create()
    values: dict[str, object] = {
        "program": person.program,
        "kind": ConflictAlert.Kind.ABSENCE,
        "severity": ConflictAlert.Severity.HIGH,
        "person": person,
        "start_date": DAY,
        "end_date": DAY,
        "message": "away over a shift",
    }
    return ConflictAlert.objects.create(**{**values, **overrides})


def _two_alerts(second_status: str) -> None:
    first = _alert(fingerprint="absence:1")
    _alert(
        program=first.program, person=first.person, fingerprint="absence:1", status=second_status
    )


def _holiday_pair(second_day: date) -> None:
    program = f.ProgramFactory.create()
    Holiday.objects.create(program=program, date=DAY, name="Independence Day")
    Holiday.objects.create(program=program, date=second_day, name="Again")


def _backup_pair(second_day: date) -> None:
    person = f.PersonFactory.create()
    BackupDuty.objects.create(person=person, date=DAY)
    BackupDuty.objects.create(person=person, date=second_day)


def _preference_pair(second_program: bool) -> None:
    person = f.PersonFactory.create()
    user = f.UserFactory.create()
    NotificationPreference.objects.create(user=user, program=person.program)
    program = f.ProgramFactory.create() if second_program else person.program
    NotificationPreference.objects.create(user=user, program=program)


def _delivery_pair(second_channel: str) -> None:
    person = f.PersonFactory.create()
    user = f.UserFactory.create()
    notice = Notification.objects.create(recipient=user, program=person.program, title="Hello")
    Delivery.objects.create(notification=notice, channel=Channel.EMAIL)
    Delivery.objects.create(notification=notice, channel=second_channel)


def _study(**overrides: object) -> None:
    values: dict[str, object] = {"start_date": DAY, "end_date": DAY + timedelta(days=27)}
    values.update(overrides)
    ParetoStudy.objects.create(program=f.ProgramFactory.create(), **values)


NEW_CASES: dict[str, tuple[Callable[[], object], Callable[[], object]]] = {
    "pareto_end_not_before_start": (
        lambda: _study(end_date=DAY),
        lambda: _study(end_date=DAY - timedelta(days=1)),
    ),
    "pareto_done_not_above_total": (
        lambda: _study(total=3, done=3),
        lambda: _study(total=3, done=4),
    ),
    "conflict_one_open_per_fingerprint": (
        lambda: _two_alerts("resolved"),
        lambda: _two_alerts("open"),
    ),
    "holiday_unique_per_program_day": (
        lambda: _holiday_pair(DAY + timedelta(days=1)),
        lambda: _holiday_pair(DAY),
    ),
    "backup_duty_once_per_day": (
        lambda: _backup_pair(DAY + timedelta(days=1)),
        lambda: _backup_pair(DAY),
    ),
    "one_preference_per_seat": (
        lambda: _preference_pair(True),
        lambda: _preference_pair(False),
    ),
    "one_delivery_per_channel": (
        lambda: _delivery_pair(Channel.WEBHOOK),
        lambda: _delivery_pair(Channel.EMAIL),
    ),
    "swap_week_names_its_monday": (
        lambda: _swap(kind="week", week_start=date(2026, 6, 29)),
        lambda: _swap(kind="week", week_start=None),
    ),
}
