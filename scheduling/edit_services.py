"""Hand edits to the published schedule: one rule for every door (grid, console, API, import,
absence resolution).

Each edit runs the prospective check (the engine's validator over the 28-day windows around
the changed days, with and without the change) inside the same transaction as the write, holding
the program row so no other edit lands between the check and the save. A new hard violation
(critical or high) is refused unless a coordinator gives a written reason: the reason is kept on
the rows the edit touches (and so in their audit entries) and shown on the grid's cell. Softer
findings come back as warnings and do not block.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from auditlog.context import set_actor
from django.db import transaction

from lib.errors import ApplicationError
from people import services as people_services
from people.models import Person, Program
from rotations.models import ShiftType
from scheduling import freeze, notices, services
from scheduling import problem as problems
from scheduling.engine.validator import validate
from scheduling.models import Assignment, ScheduleRun, Source, State
from scheduling.selectors.shifts import absence_overlaps
from scheduling.services import HARD_SEVERITIES, violation_row

Slot = tuple[Person, date, ShiftType]
REASON_MAX = 500


@dataclass
class EditResult:
    """What an edit did: rows added, rows removed, and the findings it showed."""

    added: list[Assignment] = field(default_factory=list)
    removed: int = 0
    warnings: list[dict[str, Any]] = field(default_factory=list)
    overridden: list[dict[str, Any]] = field(default_factory=list)


def _violation_key(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["rule"], row["person"], row["shift"], row["date"], row["start"], row["end"])


def edit_check(
    *, program: Program, add: Sequence[Slot] = (), remove: Sequence[Slot] = ()
) -> list[dict[str, Any]]:
    """The violations an edit would add to the published schedule (the prospective check).
    Nothing is saved. The changed days are the period; the published schedule around them
    (across 1 July too) is their history, so every 28-day window through them is checked."""
    days = [day for _, day, _ in (*add, *remove)]
    if not days:
        return []
    start, end = min(days), max(days)
    built = problems.build_problem(program, start, end)
    current = problems.published_engine_assignments(built, start, end)
    added = {problems.engine_assignment(built, p, d, s, start) for p, d, s in add}
    removed = {problems.engine_assignment(built, p, d, s, start) for p, d, s in remove}
    changed = (current - removed) | added
    before = {
        _violation_key(violation_row(v, built)) for v in validate(built.problem, current).violations
    }
    after = [violation_row(v, built) for v in validate(built.problem, changed).violations]
    return [row for row in after if _violation_key(row) not in before]


def assignment_change_preview(
    *, person: Person, day: date, shift_type: ShiftType, add: bool
) -> list[dict[str, Any]]:
    """The grid's and the API's "check" button: the same check the save runs."""
    slot = [(person, day, shift_type)]
    return edit_check(program=person.program, add=slot if add else (), remove=() if add else slot)


def _slot(row: Assignment) -> Slot:
    return (row.person, row.date, row.shift_type)


def _refusal(hard: list[dict[str, Any]], warnings: list[dict[str, Any]]) -> ApplicationError:
    return ApplicationError(
        "This edit breaks hard rules: "
        + "; ".join(row["message"] for row in hard[:3])
        + (f" (and {len(hard) - 3} more)" if len(hard) > 3 else "")
        + ". Saving it needs a coordinator's written override reason.",
        details={"violations": hard, "warnings": warnings, "needs_override": True},
    )


def schedule_edit(
    *,
    program: Program,
    actor: Any,
    add: Sequence[Slot] = (),
    remove: Sequence[Assignment] = (),
    override_reason: str = "",
    source: str = Source.MANUAL,
    locked: bool = False,
    note: str = "",
) -> EditResult:
    """Add and remove published shifts in one checked, audited transaction (all or nothing)."""
    reason = override_reason.strip()[:REASON_MAX]
    for person, _, shift_type in add:
        if person.program_id != program.pk or shift_type.program_id != program.pk:
            raise ApplicationError("That shift type belongs to another program.")
    result = EditResult()
    with transaction.atomic(), set_actor(actor):
        # Edits of one program take turns on the program row, the lock runs and publishing take.
        Program.objects.select_for_update().get(pk=program.pk)
        rows = list(
            Assignment.objects.select_for_update()
            .filter(pk__in=[row.pk for row in remove], state=State.PUBLISHED)
            .select_related("person", "shift_type")
        )
        if len(rows) != len({row.pk for row in remove}):
            raise ApplicationError("That shift is not on the schedule any more.")
        going = {(r.person_id, r.date, r.shift_type_id) for r in rows}
        for person, day, shift_type in add:
            if (person.pk, day, shift_type.pk) not in going and Assignment.objects.filter(
                person=person, date=day, shift_type=shift_type, state=State.PUBLISHED
            ).exists():
                raise ApplicationError(
                    f"{person} already has {shift_type.abbreviation} on {day:%d %b %Y}."
                )
        days = [day for _, day, _ in add] + [row.date for row in rows]
        frozen = bool(days) and freeze.refuse_frozen(program, min(days), reason, "changing a shift")
        found = edit_check(program=program, add=add, remove=[_slot(r) for r in rows])
        hard = [row for row in found if row["severity"] in HARD_SEVERITIES]
        result.warnings = [row for row in found if row["severity"] not in HARD_SEVERITIES]
        if hard and not reason:
            raise _refusal(hard, result.warnings)
        result.overridden = hard
        kept_reason = reason if hard or frozen else ""
        for row in rows:
            if kept_reason:
                # Saved before the delete, so the row's audit trail says why it went.
                row.override_reason = kept_reason
                row.save(update_fields=["override_reason", "updated_at"])
            notices.assignment_changed(
                row.person, row.date, row.shift_type.abbreviation, added=False
            )
            row.delete()
        result.removed = len(rows)
        for person, day, shift_type in add:
            notices.assignment_changed(person, day, shift_type.abbreviation, added=True)
            begins, ends = problems.shift_interval(program.timezone, shift_type, day)
            result.added.append(
                Assignment.objects.create(
                    person=person,
                    shift_type=shift_type,
                    date=day,
                    starts_at=begins,
                    ends_at=ends,
                    state=State.PUBLISHED,
                    source=source,
                    locked=locked,
                    note=note,
                    override_reason=kept_reason,
                )
            )
        if days:
            services.schedule_changed(program.pk, min(days), max(days))
    return result


def assignment_add(
    *,
    person: Person,
    day: date,
    shift_type: ShiftType,
    actor: Any,
    locked: bool = False,
    source: str = Source.MANUAL,
    override_reason: str = "",
) -> Assignment:
    """Add one published shift (grid, API, import): ``schedule_edit`` with one slot."""
    if shift_type.program_id != person.program_id:
        raise ApplicationError("That shift type belongs to another program.")
    result = schedule_edit(
        program=person.program,
        actor=actor,
        add=[(person, day, shift_type)],
        override_reason=override_reason,
        source=source,
        locked=locked,
    )
    return result.added[0]


def assignment_remove(*, assignment: Assignment, actor: Any, override_reason: str = "") -> None:
    """Remove one published shift: ``schedule_edit`` with one removal (a draft row of an
    unpublished run is not the schedule and goes without a check)."""
    if assignment.state != State.PUBLISHED:
        with transaction.atomic(), set_actor(actor):
            Assignment.objects.filter(pk=assignment.pk).delete()
        return
    schedule_edit(
        program=assignment.person.program,
        actor=actor,
        remove=[assignment],
        override_reason=override_reason,
    )


def assignment_annotate(*, assignment: Assignment, locked: bool, note: str, actor: Any) -> None:
    """Change only the lock and the note of a row: no rule depends on them, nothing to check."""
    with transaction.atomic(), set_actor(actor):
        row = Assignment.objects.select_for_update().get(pk=assignment.pk)
        row.locked, row.note = locked, note
        row.save(update_fields=["locked", "note", "updated_at"])


@dataclass
class AbsenceResolution:
    """What approving an absence did to the schedule: shifts taken off, and the minimal-change
    re-solve of their days (a draft for the coordinator to review and publish), if one started."""

    absence: Any
    removed: list[str] = field(default_factory=list)
    run: ScheduleRun | None = None
    note: str = ""


def absence_approve_and_resolve(*, absence: Any, actor: Any, note: str = "") -> AbsenceResolution:
    """Approve the absence, take the absent person's overlapping published shifts off (a
    checked, audited edit whose reason is the absence), and queue a minimal-change re-solve of
    those days so others cover them where the rules allow: one transaction."""
    with transaction.atomic(), set_actor(actor):
        absence = people_services.absence_decide(
            absence=absence, approve=True, actor=actor, note=note
        )
        rows = absence_overlaps(absence)
        result = AbsenceResolution(absence=absence)
        if not rows:
            return result
        program = absence.person.program
        period = f"{absence.start_date:%d %b}–{absence.end_date:%d %b %Y}"
        result.removed = [f"{row.shift_type.abbreviation} {row.date:%a %d %b}" for row in rows]
        schedule_edit(
            program=program,
            actor=actor,
            remove=rows,
            override_reason=f"Absence approved ({absence.get_kind_display()}, {period})",
        )
        try:
            result.run = services.schedule_run_create(
                program=program,
                start_date=rows[0].date,
                end_date=rows[-1].date,
                actor=actor,
                parameters={"minimal_change": True, "absence": str(absence.code)},
                override_reason=f"Absence approved ({absence.get_kind_display()}, {period})",
            )
        except ApplicationError as error:
            # The shifts are off either way; the coordinator covers them by hand or re-solves.
            result.note = f"No re-solve was started: {error.message}"
    return result
