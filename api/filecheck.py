"""Checks an uploaded table passes before and while it is read.

- A workbook is a zip of XML files: its members' declared uncompressed sizes and compression
  ratios are checked before anything is decompressed (Python's zipfile never inflates a member
  past its declared size, so the declared size is a true bound), then each XML member's prolog is
  scanned and a DTD or entity declaration refused (no "billion laughs", no external entities),
  before openpyxl parses it (through defusedxml, which refuses entities a second time).
- Every text cell is checked for control characters, so none reaches the database (PostgreSQL
  refuses NUL in text) or a page: C0 controls other than tab, line feed and carriage return
  (tab is white space in a cell; CR and LF end lines in a multi-line CSV cell), DEL and C1.
- Rows are counted as they are read; one past the cap stops reading.
"""

from __future__ import annotations

import re
import zipfile
from typing import IO, Any
from xml.parsers import expat

from django.conf import settings
from openpyxl.utils import get_column_letter

from lib.errors import ApplicationError

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
RATIO_FLOOR = 1024 * 1024  # smaller members may compress as well as they like
CHUNK = 64 * 1024
MB = 1024 * 1024
MAX_CELL_ERRORS = 500


def refuse(reason: str, *, row: int = 0, column: str = "") -> ApplicationError:
    """A whole-file refusal, in the shape of the row errors an import reports."""
    return ApplicationError(
        f"The file was refused: {reason}",
        details={"errors": [{"row": row, "column": column, "reason": reason}]},
    )


def check_workbook(archive: zipfile.ZipFile) -> None:
    """Refuse a workbook that would expand past the caps, or whose XML declares a DTD."""
    members = archive.infolist()
    total = sum(info.file_size for info in members)
    limit = settings.IMPORT_MAX_EXPANDED_BYTES
    if total > limit:
        raise refuse(
            f"the workbook expands to {total / MB:.0f} MB, more than the {limit / MB:.0f} MB "
            "allowed; split it into smaller files."
        )
    ratio = settings.IMPORT_MAX_COMPRESSION_RATIO
    for info in members:
        if info.file_size > RATIO_FLOOR and info.file_size > ratio * max(info.compress_size, 1):
            raise refuse(
                f"{info.filename} is compressed more than {ratio} to 1, as no real workbook is "
                "(a zip bomb?)."
            )
    for info in members:
        if info.filename.endswith((".xml", ".rels", ".vml")):
            with archive.open(info) as member:
                _check_prolog(info.filename, member)


class _RootReached(Exception):
    pass


def _check_prolog(name: str, member: IO[bytes]) -> None:
    """Read an XML member up to its root element; a DOCTYPE or entity before it is refused."""
    parser = expat.ParserCreate()

    def doctype(*_: Any) -> None:
        raise refuse(f"{name} declares a DTD or entities, which workbooks never need.")

    def root(*_: Any) -> None:
        raise _RootReached

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    parser.StartElementHandler = root
    try:
        while chunk := member.read(CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _RootReached:
        return
    except expat.ExpatError as error:
        raise refuse(f"{name} is not well-formed XML ({error}).") from None


def check_cells(row: int, header: list[Any], cells: Any, errors: list[dict[str, Any]]) -> None:
    """Add an error naming each text cell of ``row`` that holds a control character (the first
    ``MAX_CELL_ERRORS`` of them)."""
    for index, value in enumerate(cells):
        if len(errors) >= MAX_CELL_ERRORS:
            return
        if isinstance(value, str) and (found := CONTROL.search(value)):
            column = header[index] if index < len(header) and isinstance(header[index], str) else ""
            cell = f"{get_column_letter(index + 1)}{row}"
            errors.append(
                {
                    "row": row,
                    "column": column.strip().lower() or get_column_letter(index + 1),
                    "reason": f"Cell {cell} holds a control character (U+{ord(found.group()):04X});"
                    " remove it.",
                }
            )


class RowCounter:
    """Counts rows as they are read and stops reading one past the cap; tells ``on_row``."""

    def __init__(self, on_row: Any = None, *, every: int = 500) -> None:
        self.limit = settings.IMPORT_MAX_ROWS
        self.count = 0
        self.on_row = on_row
        self.every = every
        self.fraction: Any = None  # set by the reader: how much of the file is read (0 to 1)

    def __call__(self, row: int) -> None:
        self.count += 1
        if self.count > self.limit:
            raise refuse(
                f"the file has more than {self.limit} rows, the most one import takes; "
                "split it into smaller files.",
                row=row,
            )
        if self.on_row is not None and self.count % self.every == 0:
            self.on_row(self.count, self.fraction() if self.fraction else None)
