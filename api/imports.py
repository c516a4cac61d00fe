"""Import people, absences, the rotation plan and the schedule from .xlsx or .csv.

``import_plan`` reads a file and says what it would do (rows to create, change, delete) and every
row-level error (row, column, reason), without writing. ``import_apply`` does the same and then,
only when there is no error at all, applies everything in one transaction under the actor, so each
row lands in the audit log and a broken file writes nothing. Both run in a worker, for an
ImportJob (``api.import_jobs``); ``api.tables`` reads the file within the caps.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any

from auditlog.context import set_actor
from django.core.exceptions import ValidationError
from django.db import transaction

from api.models import ImportRecord
from api.tables import Sheet, as_date, read_tables, text
from conflicts.triggers import schedule_detection_ahead
from lib.errors import ApplicationError
from people import request_checks
from people import services as people_services
from people.models import Absence, AcademicYear, Person, Program
from rotations.models import Block, Rotation, ShiftType
from scheduling import edit_services
from scheduling.models import Assignment, RotationAssignment, Source, State

Kind = ImportRecord.Kind
MAX_ERRORS = 500
TRUE, FALSE = {"yes", "true", "1", "y"}, {"no", "false", "0", "n"}


@dataclass
class Plan:
    kind: str
    creates: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    deletes: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    steps: list[Callable[[], object]] = field(default_factory=list)
    actor: Any = None  # who applies the plan; set by import_apply before the steps run
    override_reason: str = ""  # a coordinator's reason for schedule rows that break hard rules

    def error(self, row: int, column: str, reason: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"row": row, "column": column, "reason": reason})

    def summary(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "counts": {
                "create": len(self.creates),
                "update": len(self.updates),
                "delete": len(self.deletes),
                "unchanged": self.unchanged,
                "errors": len(self.errors),
            },
            "creates": self.creates,
            "updates": self.updates,
            "deletes": self.deletes,
            "errors": self.errors,
        }


@dataclass
class Context:
    program: Program
    year: AcademicYear | None
    people_by_code: dict[str, Person]
    people_by_name: dict[str, list[Person]]

    @classmethod
    def load(cls, program: Program, year: AcademicYear | None) -> Context:
        people = list(Person.objects.filter(program=program))
        by_name: dict[str, list[Person]] = defaultdict(list)
        for person in people:
            by_name[_name_key(person.full_name)].append(person)
        return cls(program, year, {str(p.code): p for p in people}, by_name)

    def person(self, plan: Plan, row: int, cells: dict[str, str]) -> Person | None:
        code, name = cells.get("person_code", ""), cells.get("person", "")
        if code:
            person = self.people_by_code.get(code.lower())
            if person is None:
                plan.error(row, "person_code", f"No person with code {code} in this program.")
            return person
        matches = self.people_by_name.get(_name_key(name), [])
        if not name:
            plan.error(row, "person", "Name the person (or give person_code).")
        elif not matches:
            plan.error(row, "person", f"No person named {name!r} in this program.")
        elif len(matches) > 1:
            plan.error(row, "person", f"{name!r} names several people; use person_code.")
        else:
            return matches[0]
        return None

    def check_date(self, plan: Plan, row: int, column: str, value: date) -> bool:
        year = self.year
        if year is not None and not year.start_date <= value <= year.end_date:
            plan.error(row, column, f"{value} is outside the academic year {year.name}.")
            return False
        return True


def _name_key(name: str) -> str:
    return " ".join(name.lower().split())


def _require(plan: Plan, sheet: Sheet, required: tuple[str, ...]) -> bool:
    missing = [name for name in required if name not in sheet.columns()]
    for name in missing:
        plan.error(1, name, f"Missing column {name!r} (sheet {sheet.name}).")
    return not missing


def _records(sheet: Sheet) -> list[tuple[int, dict[str, str]]]:
    columns = sheet.columns()
    return [
        (row, {c: text(v) for c, v in zip(columns, cells, strict=False)})
        for row, cells in sheet.rows
    ]


def _date(plan: Plan, ctx: Context, row: int, cells: dict[str, str], column: str) -> date | None:
    raw = cells.get(column, "")
    value = as_date(raw) if raw else None
    if value is None:
        plan.error(row, column, f"{raw!r} is not a date (YYYY-MM-DD)." if raw else "Required.")
        return None
    return value if ctx.check_date(plan, row, column, value) else None


def _clean(plan: Plan, row: int, instance: Any, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        for column, messages in error.message_dict.items():
            for message in messages:
                plan.error(row, "" if column == "__all__" else column, message)


# People -----------------------------------------------------------------------------------------


def _plan_people(plan: Plan, ctx: Context, sheets: list[Sheet]) -> None:
    seen: dict[str, int] = {}
    for sheet in sheets:
        if not _require(plan, sheet, ("kind", "first_name", "last_name")):
            continue
        for row, cells in _records(sheet):
            code = cells.get("person_code", "").lower()
            key = code or _name_key(f"{cells['first_name']} {cells['last_name']}")
            if key in seen:
                plan.error(
                    row, "person_code" if code else "last_name", f"Duplicate of row {seen[key]}."
                )
                continue
            seen[key] = row
            person = None
            if code:
                person = ctx.people_by_code.get(code)
                if person is None:
                    plan.error(row, "person_code", f"No person with code {code} in this program.")
                    continue
            else:
                matches = ctx.people_by_name.get(key, [])
                person = matches[0] if len(matches) == 1 else None
            values = _person_values(plan, row, cells)
            if values is None:
                continue
            _stage(plan, row, person, Person, {"program": ctx.program, **values}, _person_label)


def _person_values(plan: Plan, row: int, cells: dict[str, str]) -> dict[str, Any] | None:
    values: dict[str, Any] = {
        "kind": cells["kind"].lower(),
        "first_name": cells["first_name"],
        "last_name": cells["last_name"],
    }
    for name in ("email", "phone"):
        if name in cells:
            values[name] = cells[name]
    if cells.get("training_start"):
        start = as_date(cells["training_start"])
        if start is None:
            plan.error(row, "training_start", f"{cells['training_start']!r} is not a date.")
            return None
        values["training_start"] = start
    elif "training_start" in cells:
        values["training_start"] = None
    if cells.get("active"):
        flag = cells["active"].lower()
        if flag not in TRUE | FALSE:
            plan.error(row, "active", "Write yes or no.")
            return None
        values["active"] = flag in TRUE
    return values


def _person_label(person: Person) -> str:
    return person.full_name


def _stage(
    plan: Plan,
    row: int,
    existing: Any,
    model: type[Any],
    values: dict[str, Any],
    label: Callable[[Any], str],
) -> None:
    """Plan one row: create it, change the differing fields, or leave it be."""
    if existing is None:
        instance = model(**values)
        before = len(plan.errors)
        _clean(plan, row, instance)
        if len(plan.errors) == before:
            plan.creates.append({"row": row, "label": label(instance)})
            plan.steps.append(instance.save)
        return
    changed = {k: v for k, v in values.items() if getattr(existing, k) != v}
    if not changed:
        plan.unchanged += 1
        return
    for name, value in changed.items():
        setattr(existing, name, value)
    before = len(plan.errors)
    _clean(plan, row, existing)
    if len(plan.errors) == before:
        plan.updates.append({"row": row, "label": label(existing), "fields": sorted(changed)})
        fields = [*changed, "updated_at"]
        plan.steps.append(lambda: existing.save(update_fields=fields))


# Absences ---------------------------------------------------------------------------------------


def _plan_absences(plan: Plan, ctx: Context, sheets: list[Sheet]) -> None:
    existing = {
        (a.person_id, a.kind, a.start_date, a.end_date): a
        for a in Absence.objects.filter(person__program=ctx.program)
    }
    seen: dict[tuple[Any, ...], int] = {}
    for sheet in sheets:
        if not _require(plan, sheet, ("kind", "start_date", "end_date")):
            continue
        if not {"person", "person_code"} & set(sheet.columns()):
            plan.error(1, "person", "Missing column 'person' (or 'person_code').")
            continue
        for row, cells in _records(sheet):
            person = ctx.person(plan, row, cells)
            start = _date(plan, ctx, row, cells, "start_date")
            end = _date(plan, ctx, row, cells, "end_date")
            if person is None or start is None or end is None:
                continue
            kind = cells["kind"].lower()
            key = (person.pk, kind, start, end)
            if key in seen:
                plan.error(row, "start_date", f"Duplicate of row {seen[key]}.")
                continue
            seen[key] = row
            values: dict[str, Any] = {"person": person, "kind": kind}
            values |= {"start_date": start, "end_date": end}
            values["status"] = cells.get("status", "").lower() or Absence.Status.REQUESTED
            values["note"] = cells.get("note", "")
            _stage_absence(plan, row, existing.get(key), values)


def _stage_absence(plan: Plan, row: int, existing: Absence | None, values: dict[str, Any]) -> None:
    """Plan one absence the way people.services writes it: a new one asked for through
    ``absence_request_create`` (its year and overlap rule checked now, and again when applied),
    a status reached through ``absence_status_set`` (decide or cancel), under the importer."""
    before = len(plan.errors)
    _clean(plan, row, Absence(**values))  # the kind, the status, the dates' order
    if existing is None and len(plan.errors) == before:
        try:
            request_checks.absence_request_check(
                person=values["person"],
                start_date=values["start_date"],
                end_date=values["end_date"],
            )
        except ApplicationError as error:
            plan.error(row, error.details.get("field", ""), error.message)
    if len(plan.errors) > before:
        return
    status, note = values["status"], values["note"]
    if existing is None:
        plan.creates.append({"row": row, "label": str(Absence(**values))})
    elif existing.status == status and existing.note == note:
        plan.unchanged += 1
        return
    else:
        changed = [k for k in ("status", "note") if getattr(existing, k) != values[k]]
        plan.updates.append({"row": row, "label": str(existing), "fields": changed})
    plan.steps.append(partial(_write_absence, plan, row, existing, values))


def _write_absence(plan: Plan, row: int, existing: Absence | None, values: dict[str, Any]) -> None:
    try:
        absence = existing or people_services.absence_request_create(
            **{k: v for k, v in values.items() if k != "status"}, actor=plan.actor
        )
        if absence.note != values["note"]:
            absence.note = values["note"]
            absence.save(update_fields=["note", "updated_at"])
        people_services.absence_status_set(
            absence=absence, status=values["status"], actor=plan.actor
        )
    except ApplicationError as error:  # refused when written (an earlier row of the file)
        plan.error(row, error.details.get("field", ""), error.message)
        raise ApplicationError(
            f"Row {row}: {error.message} Nothing was imported.", details=plan.summary()
        ) from None


# Rotation plan ----------------------------------------------------------------------------------


def _plan_rotation_plan(plan: Plan, ctx: Context, sheets: list[Sheet]) -> None:
    if ctx.year is None:
        plan.error(0, "academic_year", "Name the academic year the plan is for.")
        return
    blocks = {str(b.number): b for b in Block.objects.filter(academic_year=ctx.year)}
    rotations = {r.abbreviation.lower(): r for r in Rotation.objects.filter(program=ctx.program)}
    existing = {
        (r.person_id, r.block_id, r.half): r
        for r in RotationAssignment.objects.filter(block__in=blocks.values(), state=State.PUBLISHED)
    }
    seen: dict[tuple[Any, ...], int] = {}
    for sheet in sheets:
        if not _require(plan, sheet, ("block", "rotation")):
            continue
        for row, cells in _records(sheet):
            person = ctx.person(plan, row, cells)
            block = blocks.get(cells["block"])
            if block is None:
                plan.error(row, "block", f"Block {cells['block']!r} is not in {ctx.year.name}.")
            rotation = rotations.get(cells["rotation"].lower())
            if rotation is None:
                plan.error(row, "rotation", f"No rotation abbreviated {cells['rotation']!r}.")
            half = cells.get("half", "").lower() or RotationAssignment.Half.FULL
            if half not in RotationAssignment.Half.values:
                plan.error(row, "half", "Write full, first or second.")
                continue
            if person is None or block is None or rotation is None:
                continue
            key = (person.pk, block.pk, half)
            if key in seen:
                plan.error(row, "block", f"Duplicate of row {seen[key]}.")
                continue
            seen[key] = row
            values = {"person": person, "block": block, "half": half, "rotation": rotation}
            values |= {"state": State.PUBLISHED, "source": Source.IMPORT}
            current = existing.get(key)
            if current is not None:
                values = {"rotation": rotation}
            _stage(plan, row, current, RotationAssignment, values, str)


# Schedule ---------------------------------------------------------------------------------------

SPLIT = re.compile(r"[/,;]")


def _plan_schedule(plan: Plan, ctx: Context, sheets: list[Sheet]) -> None:
    shifts = {s.abbreviation.lower(): s for s in ShiftType.objects.filter(program=ctx.program)}
    wanted: dict[tuple[int, date], set[int]] = {}
    origin: dict[tuple[int, date], int] = {}
    people: dict[int, Person] = {}
    for sheet in sheets:
        grid = [as_date(value) for value in sheet.header[2:]]
        if sheet.header and all(grid) and grid:
            _read_grid(plan, ctx, sheet, shifts, wanted, origin, people)
        elif _require(plan, sheet, ("date", "shift")):
            _read_long(plan, ctx, sheet, shifts, wanted, origin, people)
    if plan.errors or not wanted:
        return
    _diff_schedule(plan, ctx, wanted, people, shifts)


def _cell_shifts(
    plan: Plan, row: int, column: str, raw: str, shifts: dict[str, ShiftType]
) -> set[int] | None:
    found: set[int] = set()
    for code in filter(None, (part.strip().lower() for part in SPLIT.split(raw))):
        shift = shifts.get(code)
        if shift is None:
            plan.error(row, column, f"No shift type abbreviated {code!r}.")
            return None
        found.add(shift.pk)
    return found


def _read_grid(
    plan: Plan, ctx: Context, sheet: Sheet, shifts: Any, wanted: Any, origin: Any, people: Any
) -> None:
    days = [as_date(value) for value in sheet.header[2:]]
    if ctx.year is None:
        ctx.year = _year_for(plan, ctx.program, days[0])  # type: ignore[arg-type]
    for day in days:
        ctx.check_date(plan, 1, str(day), day)  # type: ignore[arg-type]
    for row, cells in sheet.rows:
        person = ctx.person(plan, row, {"person_code": text(cells[0]), "person": text(cells[1])})
        if person is None:
            continue
        people[person.pk] = person
        for day, raw in zip(days, cells[2:], strict=False):
            key = (person.pk, day)
            if key in origin:
                plan.error(row, str(day), f"{person} on {day} is also on row {origin[key]}.")
                continue
            origin[key] = row
            found = _cell_shifts(plan, row, str(day), text(raw), shifts)
            if found is not None:
                wanted[key] = found


def _read_long(
    plan: Plan, ctx: Context, sheet: Sheet, shifts: Any, wanted: Any, origin: Any, people: Any
) -> None:
    """One assignment per row. The file stands for the whole span of its dates for its people."""
    rows: list[tuple[int, Person, date, int]] = []
    seen: dict[tuple[int, date, int], int] = {}
    for row, cells in _records(sheet):
        day = as_date(cells["date"])
        if day is None:
            plan.error(row, "date", f"{cells['date']!r} is not a date (YYYY-MM-DD).")
            continue
        if ctx.year is None:
            ctx.year = _year_for(plan, ctx.program, day)
        person = ctx.person(plan, row, cells)
        found = _cell_shifts(plan, row, "shift", cells["shift"], shifts)
        if not ctx.check_date(plan, row, "date", day) or person is None or not found:
            continue
        shift_id = next(iter(found))
        if (person.pk, day, shift_id) in seen:
            plan.error(row, "shift", f"Duplicate of row {seen[(person.pk, day, shift_id)]}.")
            continue
        seen[(person.pk, day, shift_id)] = row
        rows.append((row, person, day, shift_id))
    if not rows:
        return
    first, last = min(r[2] for r in rows), max(r[2] for r in rows)
    for _, person, _, _ in rows:
        people[person.pk] = person
        for offset in range((last - first).days + 1):
            day = date.fromordinal(first.toordinal() + offset)
            wanted.setdefault((person.pk, day), set())
    for row, person, day, shift_id in rows:
        wanted[(person.pk, day)].add(shift_id)
        origin.setdefault((person.pk, day), row)


def _year_for(plan: Plan, program: Program, day: date) -> AcademicYear | None:
    year = AcademicYear.objects.filter(
        program=program, start_date__lte=day, end_date__gte=day
    ).first()
    if year is None:
        plan.error(1, "date", f"{day} is in no academic year of {program}.")
    return year


def _diff_schedule(
    plan: Plan,
    ctx: Context,
    wanted: dict[tuple[int, date], set[int]],
    people: dict[int, Person],
    shifts: dict[str, ShiftType],
) -> None:
    by_id = {shift.pk: shift for shift in shifts.values()}
    days = sorted({day for _, day in wanted})
    adds: list[tuple[Person, date, ShiftType]] = []
    removes: list[Assignment] = []
    current: dict[tuple[int, date], dict[int, Assignment]] = defaultdict(dict)
    for row in Assignment.objects.filter(
        person_id__in=people, state=State.PUBLISHED, date__range=(days[0], days[-1])
    ):
        current[(row.person_id, row.date)][row.shift_type_id] = row
    for key in sorted(wanted, key=lambda k: (k[1], k[0])):
        person, day = people[key[0]], key[1]
        have = current.get(key, {})
        for shift_id in sorted(wanted[key] - set(have)):
            shift = by_id[shift_id]
            plan.creates.append({"label": f"{person} {shift.abbreviation} {day}"})
            adds.append((person, day, shift))
        for shift_id, assignment in have.items():
            if shift_id in wanted[key]:
                plan.unchanged += 1
                continue
            label = f"{person} {by_id[shift_id].abbreviation} {day}"
            if assignment.locked:
                plan.error(0, str(day), f"{label} is locked; unlock it before importing.")
                continue
            plan.deletes.append({"label": label})
            removes.append(assignment)
    if adds or removes:
        plan.steps.append(partial(_edit, plan, adds, removes))


def _edit(
    plan: Plan, adds: list[tuple[Person, date, ShiftType]], removes: list[Assignment]
) -> object:
    # The same service, and so the same check, as a coordinator's edit on the grid: the whole
    # file's changes at once, so a shift replaced by another is checked as the final schedule.
    program = adds[0][0].program if adds else removes[0].person.program
    return edit_services.schedule_edit(
        program=program,
        actor=plan.actor,
        add=adds,
        remove=removes,
        override_reason=plan.override_reason,
        source=Source.IMPORT,
    )


PLANNERS: dict[str, Callable[[Plan, Context, list[Sheet]], None]] = {
    Kind.PEOPLE: _plan_people,
    Kind.ABSENCES: _plan_absences,
    Kind.ROTATION_PLAN: _plan_rotation_plan,
    Kind.SCHEDULE: _plan_schedule,
}


def import_plan(
    *,
    kind: str,
    program: Program,
    name: str,
    content: bytes,
    year: AcademicYear | None = None,
    on_row: Callable[[int, float | None], None] | None = None,
) -> Plan:
    plan = Plan(kind=kind)
    try:
        sheets = read_tables(name, content, on_row)
    except ApplicationError as error:
        plan.errors.extend(error.details.get("errors", []))
        return plan
    if not sheets or not any(sheet.header for sheet in sheets):
        plan.error(1, "", "The file has no header row.")
        return plan
    PLANNERS[kind](plan, Context.load(program, year), sheets)
    return plan


def import_apply(
    *,
    kind: str,
    program: Program,
    name: str,
    content: bytes,
    actor: Any,
    year: AcademicYear | None = None,
    override_reason: str = "",
    on_row: Callable[[int, float | None], None] | None = None,
) -> Plan:
    """All or nothing: any error refuses the whole file, listing every error."""
    with transaction.atomic(), set_actor(actor):
        # Plan inside the transaction, holding the program row, so nobody changes it between
        # the check and the writes.
        Program.objects.select_for_update().get(pk=program.pk)
        plan = import_plan(
            kind=kind, program=program, name=name, content=content, year=year, on_row=on_row
        )
        if plan.errors:
            raise ApplicationError(
                f"The file has {len(plan.errors)} error(s); nothing was imported.",
                details=plan.summary(),
            )
        plan.actor, plan.override_reason = actor, override_reason
        for step in plan.steps:
            step()
        if kind != ImportRecord.Kind.SCHEDULE and (plan.creates or plan.updates):
            # People made inactive, absences approved, a new rotation plan: the coming schedule
            # is checked again (a schedule import goes through the edit service, which does).
            schedule_detection_ahead(program.pk)
        ImportRecord.objects.create(
            program=program,
            kind=kind,
            actor=actor if getattr(actor, "pk", None) else None,
            filename=name[:255],
            counts=plan.summary()["counts"],
        )
    return plan
