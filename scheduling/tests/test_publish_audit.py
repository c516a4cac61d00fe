"""What a publish leaves in the audit log: the run's entry and every published shift it removed,
not one entry per draft row that merely repeated the published schedule."""

from datetime import date
from typing import Any

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from people.models import Person, Program
from scheduling import services
from scheduling.models import Assignment, ScheduleRun, State
from testing.factories import AssignmentFactory, ScheduleRunFactory, ShiftTypeFactory


def test_a_publish_audits_removals_and_the_run_not_repeated_drafts(
    program_a: Program, coordinator_a: Any, resident_a: Any
) -> None:
    person = Person.objects.get(memberships__user=resident_a)
    shift = ShiftTypeFactory.create(program=program_a, abbreviation="D")
    kept = AssignmentFactory.create(
        person=person, shift_type=shift, date=date(2026, 7, 1), state=State.PUBLISHED
    )
    gone = AssignmentFactory.create(
        person=person, shift_type=shift, date=date(2026, 7, 2), state=State.PUBLISHED
    )
    run = ScheduleRunFactory.create(program=program_a, status=ScheduleRun.Status.SUCCEEDED)
    for day in (date(2026, 7, 1), date(2026, 7, 3)):  # repeats 1 July, drops 2 July, adds 3 July
        AssignmentFactory(run=run, person=person, shift_type=shift, date=day, state=State.DRAFT)
    rows = ContentType.objects.get_for_model(Assignment)
    LogEntry.objects.all().delete()

    services.schedule_run_publish(run=run, actor=coordinator_a)

    deleted = LogEntry.objects.filter(content_type=rows, action=LogEntry.Action.DELETE)
    assert list(deleted.values_list("object_pk", flat=True)) == [str(gone.pk)]
    assert LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(ScheduleRun), object_pk=str(run.pk)
    ).exists()
    published = Assignment.objects.filter(person=person, state=State.PUBLISHED)
    assert sorted(published.values_list("date", flat=True)) == [date(2026, 7, 1), date(2026, 7, 3)]
    assert published.filter(pk=kept.pk).exists()  # the repeated shift kept its row (and UID)
