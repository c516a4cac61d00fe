"""Roster files: one line per staff member, ``<staffID>`` then one tab-separated cell per day
holding a shift ID or nothing."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..model import Assignment
from .instance import NrpFormatError, NrpInstance

Roster = dict[str, list[str | None]]  # staff id -> shift id (or None) per day


def roster_from_assignments(instance: NrpInstance, assignments: Iterable[Assignment]) -> Roster:
    roster: Roster = {sid: [None] * instance.days for sid in instance.staff_ids}
    for a in assignments:
        roster[a.person][a.day] = a.shift
    return roster


def assignments_from_roster(roster: Roster) -> list[Assignment]:
    return [
        Assignment(sid, day, shift)
        for sid, cells in roster.items()
        for day, shift in enumerate(cells)
        if shift is not None
    ]


def format_roster(instance: NrpInstance, roster: Roster) -> str:
    lines = []
    for sid in instance.staff_ids:
        cells = ["" if s is None else s for s in roster[sid]]
        lines.append("\t".join([sid, *cells]))
    return "\n".join(lines) + "\n"


def write_roster(path: str | Path, instance: NrpInstance, roster: Roster) -> None:
    Path(path).write_text(format_roster(instance, roster), encoding="utf-8")


def read_roster(path: str | Path, instance: NrpInstance) -> Roster:
    """Reads and checks a roster: every staff member once, known shift ids, at most one cell per
    day (trailing empty cells may be missing, as editors strip trailing tabs)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise NrpFormatError(path, None, f"cannot read the roster: {exc}") from None
    shifts = set(instance.shift_ids)
    staff = set(instance.staff_ids)
    roster: Roster = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        sid, *cells = raw.rstrip("\r\n").split("\t")
        sid = sid.strip()
        if sid not in staff:
            raise NrpFormatError(path, number, f"unknown staff id {sid!r}")
        if sid in roster:
            raise NrpFormatError(path, number, f"staff {sid} appears twice")
        while len(cells) > instance.days and cells[-1].strip() == "":
            cells.pop()
        if len(cells) > instance.days:
            raise NrpFormatError(
                path, number, f"{len(cells)} day cells, the horizon has {instance.days} days"
            )
        row: list[str | None] = [None] * instance.days
        for day, cell in enumerate(cells):
            cell = cell.strip()
            if not cell:
                continue
            if cell not in shifts:
                raise NrpFormatError(path, number, f"unknown shift id {cell!r} on day {day}")
            row[day] = cell
        roster[sid] = row
    missing = [s for s in instance.staff_ids if s not in roster]
    if missing:
        raise NrpFormatError(path, None, f"no line for staff {', '.join(missing)}")
    return roster
