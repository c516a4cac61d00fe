"""Reading and writing tables: .xlsx (openpyxl) and .csv, as sheets of named columns."""

from __future__ import annotations

import csv
import io
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from lib.errors import ApplicationError

XLSX = "xlsx"
CSV = "csv"
CONTENT_TYPES = {
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    CSV: "text/csv; charset=utf-8",
}
LEGEND_SHEET = "Legend"
# A spreadsheet runs a text cell that starts with one of these as a formula ("CSV injection":
# a note "=HYPERLINK(...)" would become a live link in the coordinator's copy).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Sheet:
    name: str
    header: list[Any]  # cell values as read: strings, or dates for grid columns
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)  # (1-based row number, cells)

    def columns(self) -> list[str]:
        return [text(value).lower() for value in self.header]


def neutralise(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula, made inert with a leading apostrophe
    (which ``text`` takes off again on import, so exports round-trip)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] == "'" and value[1:].startswith(FORMULA_STARTS):
        value = value[1:]
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def as_date(value: Any) -> date | None:
    """A date cell (Excel) or an ISO text (CSV); None when it is neither."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(text(value))
    except ValueError:
        return None


def file_format(name: str, content: bytes) -> str:
    if content[:2] == b"PK" or name.lower().endswith((".xlsx", ".xlsm")):
        return XLSX
    return CSV


def read_tables(name: str, content: bytes) -> list[Sheet]:
    """Every sheet of a workbook, or the one table of a CSV file. A broken file is one error."""
    if file_format(name, content) == XLSX:
        return _read_xlsx(content)
    return [_read_csv(content)]


def _read_xlsx(content: bytes) -> list[Sheet]:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise ApplicationError(
            "The file is not a readable Excel workbook.",
            details={"errors": [{"row": 0, "column": "", "reason": str(error) or "unreadable"}]},
        ) from None
    sheets = []
    for worksheet in book.worksheets:
        if worksheet.title == LEGEND_SHEET:
            continue
        rows = worksheet.iter_rows(values_only=True)
        header = list(next(rows, ()) or ())
        while header and header[-1] is None:
            header.pop()
        sheet = Sheet(name=worksheet.title, header=header)
        for number, values in enumerate(rows, start=2):
            cells = list(values)[: len(header)]
            if any(text(cell) for cell in cells):
                sheet.rows.append((number, cells + [None] * (len(header) - len(cells))))
        sheets.append(sheet)
    book.close()
    return sheets


def _read_csv(content: bytes) -> Sheet:
    try:
        decoded = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApplicationError(
            "The file is neither an Excel workbook nor UTF-8 CSV.",
            details={"errors": [{"row": 0, "column": "", "reason": "not UTF-8 text"}]},
        ) from None
    reader = csv.reader(io.StringIO(decoded))
    try:
        header = next(reader, [])
        sheet = Sheet(name="csv", header=[cell.strip() for cell in header])
        for number, cells in enumerate(reader, start=2):
            if any(cell.strip() for cell in cells):
                padded = [*cells[: len(header)], *[""] * (len(header) - len(cells))]
                sheet.rows.append((number, padded))
    except csv.Error as error:
        raise ApplicationError(
            "The CSV file is malformed.",
            details={"errors": [{"row": reader.line_num, "column": "", "reason": str(error)}]},
        ) from None
    return sheet


def write_csv(header: list[str], rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(text(cell)) for cell in row])
    return buffer.getvalue().encode("utf-8")


def write_xlsx(sheets: list[tuple[str, list[str], list[list[Any]]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, header, rows in sheets:
        worksheet = book.create_sheet(title=title[:31])
        worksheet.append(header)
        for row in rows:
            worksheet.append(
                [neutralise(str(cell) if isinstance(cell, uuid.UUID) else cell) for cell in row]
            )
    return save(book)


def save(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
