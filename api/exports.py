"""Exports in the shapes the imports read back: export -> import changes nothing.

The schedule workbook is the grid coordinators use: one sheet per block, people down the side,
days across, each cell the day's shift codes (``AM/PM``), filled with the first shift's colour.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from api.tables import CSV, LEGEND_SHEET, neutralise, save, write_csv, write_xlsx
from lib.errors import ApplicationError
from people.models import Absence, AcademicYear, Person, Program
from rotations.models import Block, ShiftType
from scheduling.models import Assignment, RotationAssignment, State

PEOPLE_HEADER = ["person_code", "kind", "first_name", "last_name", "email", "phone"]
PEOPLE_HEADER += ["training_start", "active"]
ABSENCE_HEADER = ["person_code", "person", "kind", "status", "start_date", "end_date", "note"]
PLAN_HEADER = ["person_code", "person", "block", "half", "rotation"]
SCHEDULE_HEADER = ["date", "person_code", "person", "shift"]


def _table(fmt: str, title: str, header: list[str], rows: list[list[Any]]) -> bytes:
    return write_csv(header, rows) if fmt == CSV else write_xlsx([(title, header, rows)])


def export_people(*, program: Program, fmt: str) -> bytes:
    rows = [
        [p.code, p.kind, p.first_name, p.last_name, p.email, p.phone, p.training_start,
         "yes" if p.active else "no"]
        for p in Person.objects.filter(program=program).order_by("last_name", "first_name", "pk")
    ]  # fmt: skip
    return _table(fmt, "People", PEOPLE_HEADER, rows)


def export_absences(*, program: Program, fmt: str, year: AcademicYear | None = None) -> bytes:
    absences = Absence.objects.filter(person__program=program).select_related("person")
    if year is not None:
        absences = absences.filter(start_date__gte=year.start_date, end_date__lte=year.end_date)
    rows = [
        [a.person.code, a.person.full_name, a.kind, a.status, a.start_date, a.end_date, a.note]
        for a in absences.order_by("start_date", "person__last_name", "pk")
    ]
    return _table(fmt, "Absences", ABSENCE_HEADER, rows)


def export_rotation_plan(*, program: Program, fmt: str, year: AcademicYear) -> bytes:
    rows = [
        [r.person.code, r.person.full_name, r.block.number, r.half, r.rotation.abbreviation]
        for r in RotationAssignment.objects.filter(block__academic_year=year, state=State.PUBLISHED)
        .select_related("person", "block", "rotation")
        .order_by("block__number", "person__last_name", "person__first_name", "half")
    ]
    return _table(fmt, "Rotation plan", PLAN_HEADER, rows)


def _published(program: Program, start: date, end: date) -> list[Assignment]:
    return list(
        Assignment.objects.filter(
            person__program=program, state=State.PUBLISHED, date__range=(start, end)
        )
        .select_related("person", "shift_type")
        .order_by("date", "starts_at", "shift_type__abbreviation")
    )


def export_schedule_csv(*, program: Program, year: AcademicYear) -> bytes:
    rows = [
        [a.date, a.person.code, a.person.full_name, a.shift_type.abbreviation]
        for a in _published(program, year.start_date, year.end_date)
    ]
    return write_csv(SCHEDULE_HEADER, rows)


def export_schedule_xlsx(*, program: Program, year: AcademicYear) -> bytes:
    blocks = list(Block.objects.filter(academic_year=year).order_by("number"))
    if not blocks:
        raise ApplicationError(f"{year} has no blocks to export.")
    assignments = _published(program, year.start_date, year.end_date)
    cells: dict[tuple[int, date], list[ShiftType]] = defaultdict(list)
    for assignment in assignments:
        cells[(assignment.person_id, assignment.date)].append(assignment.shift_type)
    people = list(
        Person.objects.filter(program=program, active=True).order_by("kind", "last_name", "pk")
    )
    listed = {person.pk for person in people}
    people += sorted(
        {a.person for a in assignments if a.person_id not in listed},
        key=lambda p: (p.kind, p.last_name, p.pk),
    )
    book = Workbook()
    book.remove(book.active)
    for block in blocks:
        _block_sheet(book, block, people, cells)
    _legend(book, ShiftType.objects.filter(program=program).order_by("start_time", "name"))
    return save(book)


def _block_sheet(
    book: Workbook,
    block: Block,
    people: list[Person],
    cells: dict[tuple[int, date], list[ShiftType]],
) -> None:
    sheet = book.create_sheet(title=f"Block {block.number}")
    days = [block.start_date + timedelta(days=i) for i in range(block.days)]
    sheet.append(["person_code", "person", *days])
    bold = Font(bold=True)
    for column, _ in enumerate(days, start=3):
        header = sheet.cell(row=1, column=column)
        header.number_format = "ddd d mmm"
        header.font = bold
        header.alignment = Alignment(text_rotation=90)
        sheet.column_dimensions[get_column_letter(column)].width = 6
    sheet.cell(row=1, column=1).font = bold
    sheet.cell(row=1, column=2).font = bold
    sheet.column_dimensions["A"].hidden = True  # codes are for the import, names for people
    sheet.column_dimensions["B"].width = 24
    sheet.freeze_panes = "C2"
    for row_number, person in enumerate(people, start=2):
        sheet.cell(row=row_number, column=1, value=str(person.code))
        sheet.cell(row=row_number, column=2, value=neutralise(person.full_name))
        for column, day in enumerate(days, start=3):
            shifts = sorted(cells.get((person.pk, day), []), key=lambda s: s.start_time)
            if not shifts:
                continue
            cell = sheet.cell(
                row=row_number,
                column=column,
                value=neutralise("/".join(s.abbreviation for s in shifts)),
            )
            cell.fill = _fill(shifts[0].color)
            cell.alignment = Alignment(horizontal="center")


def _fill(color: str) -> PatternFill:
    hex_color = color.lstrip("#").upper()
    if len(hex_color) != 6:
        hex_color = "DDDDDD"
    return PatternFill(start_color=hex_color, end_color=hex_color, fill_type="solid")


def _legend(book: Workbook, shifts: Any) -> None:
    sheet = book.create_sheet(title=LEGEND_SHEET)
    sheet.append(["code", "shift", "starts", "hours"])
    for row, shift in enumerate(shifts, start=2):
        sheet.append(
            [
                neutralise(shift.abbreviation),
                neutralise(shift.name),
                shift.start_time.strftime("%H:%M"),
                shift.duration_minutes / 60,
            ]
        )
        sheet.cell(row=row, column=1).fill = _fill(shift.color)
