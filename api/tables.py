"""Reading and writing tables: .xlsx (openpyxl) and .csv, as sheets of named columns."""

from __future__ import annotations

import csv
import io
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from xml.etree.ElementTree import ParseError
from xml.parsers import expat

from defusedxml import DefusedXmlException
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from api.filecheck import RowCounter, check_cells, check_workbook
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


def read_tables(name: str, content: bytes, on_row: Any = None) -> list[Sheet]:
    """Every sheet of a workbook, or the one table of a CSV file. A broken or unsafe file is one
    error; control characters are an error per cell. Rows are counted while reading (the
    ``IMPORT_MAX_ROWS`` cap), and ``on_row(rows, fraction)`` hears of progress now and then."""
    counter = RowCounter(on_row)
    errors: list[dict[str, Any]] = []
    if file_format(name, content) == XLSX:
        sheets = _read_xlsx(content, counter, errors)
    else:
        sheets = [_read_csv(content, counter, errors)]
    if on_row is not None:
        on_row(counter.count, 1.0)
    if errors:
        raise ApplicationError(
            "The file holds control characters; the cells are listed.",
            details={"errors": errors},
        )
    return sheets


def _unreadable(error: Exception) -> ApplicationError:
    return ApplicationError(
        "The file is not a readable Excel workbook.",
        details={"errors": [{"row": 0, "column": "", "reason": str(error) or "unreadable"}]},
    )


def _read_xlsx(content: bytes, counter: RowCounter, errors: list[dict[str, Any]]) -> list[Sheet]:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            check_workbook(archive)  # before openpyxl decompresses or parses anything
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise _unreadable(error) from None
    try:
        sheets = [
            _read_worksheet(worksheet, counter, errors)
            for worksheet in book.worksheets
            if worksheet.title != LEGEND_SHEET
        ]
    except (DefusedXmlException, ParseError, expat.ExpatError, KeyError, ValueError) as error:
        raise _unreadable(error) from None
    finally:
        book.close()
    return sheets


def _read_worksheet(worksheet: Any, counter: RowCounter, errors: list[dict[str, Any]]) -> Sheet:
    total = worksheet.max_row or 0
    rows = worksheet.iter_rows(values_only=True)
    header = list(next(rows, ()) or ())
    while header and header[-1] is None:
        header.pop()
    check_cells(1, header, header, errors)
    sheet = Sheet(name=worksheet.title, header=header)
    number = 1
    counter.fraction = lambda: min(number / total, 1.0) if total else 0.0
    for number, values in enumerate(rows, start=2):
        counter(number)
        cells = list(values)[: len(header)]
        check_cells(number, header, cells, errors)
        if any(text(cell) for cell in cells):
            sheet.rows.append((number, cells + [None] * (len(header) - len(cells))))
    return sheet


def _read_csv(content: bytes, counter: RowCounter, errors: list[dict[str, Any]]) -> Sheet:
    raw = io.BytesIO(content)
    reader = csv.reader(io.TextIOWrapper(raw, encoding="utf-8-sig", newline=""))
    counter.fraction = lambda: raw.tell() / max(len(content), 1)
    try:
        header = next(reader, [])
        check_cells(1, header, header, errors)
        sheet = Sheet(name="csv", header=[cell.strip() for cell in header])
        for number, cells in enumerate(reader, start=2):
            counter(number)
            check_cells(number, header, cells, errors)
            if any(cell.strip() for cell in cells):
                padded = [*cells[: len(header)], *[""] * (len(header) - len(cells))]
                sheet.rows.append((number, padded))
    except UnicodeDecodeError:
        raise ApplicationError(
            "The file is neither an Excel workbook nor UTF-8 CSV.",
            details={"errors": [{"row": 0, "column": "", "reason": "not UTF-8 text"}]},
        ) from None
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
