"""The Shift Scheduling Benchmark text format (Curtois & Qu, schedulingbenchmarks.org/nrp).

Sections (``SECTION_*`` headers, ``#`` comments, blank lines ignored):
HORIZON (days; day 0 is a Monday), SHIFTS (``ID, minutes, forbidden next (a|b)``), STAFF
(``ID, MaxShifts (D=14|L=14), MaxTotalMinutes, MinTotalMinutes, MaxConsecutiveShifts,
MinConsecutiveShifts, MinConsecutiveDaysOff, MaxWeekends``), DAYS_OFF (``ID, day, day, ...``),
SHIFT_ON_REQUESTS / SHIFT_OFF_REQUESTS (``ID, day, shift, weight``) and COVER
(``day, shift, requirement, under weight, over weight``).

Every malformed line raises ``NrpFormatError`` naming the file, the line and the problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class NrpFormatError(ValueError):
    """A malformed instance or roster file: ``path:line: problem``."""

    def __init__(self, path: str | Path, line: int | None, problem: str) -> None:
        self.path, self.line, self.problem = str(path), line, problem
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class NrpShift:
    id: str
    minutes: int
    forbidden_next: tuple[str, ...] = ()


@dataclass(frozen=True)
class NrpStaff:
    id: str
    max_shifts: dict[str, int]
    max_total_minutes: int
    min_total_minutes: int
    max_consecutive: int
    min_consecutive: int
    min_days_off: int
    max_weekends: int


@dataclass(frozen=True)
class NrpRequest:
    staff: str
    day: int
    shift: str
    weight: int


@dataclass(frozen=True)
class NrpCover:
    day: int
    shift: str
    requirement: int
    under_weight: int
    over_weight: int


@dataclass(frozen=True)
class NrpInstance:
    name: str
    days: int
    shifts: tuple[NrpShift, ...]
    staff: tuple[NrpStaff, ...]
    days_off: dict[str, frozenset[int]] = field(default_factory=dict)
    on_requests: tuple[NrpRequest, ...] = ()
    off_requests: tuple[NrpRequest, ...] = ()
    cover: tuple[NrpCover, ...] = ()

    @property
    def shift_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.shifts)

    @property
    def staff_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.staff)


SECTIONS = (
    "SECTION_HORIZON",
    "SECTION_SHIFTS",
    "SECTION_STAFF",
    "SECTION_DAYS_OFF",
    "SECTION_SHIFT_ON_REQUESTS",
    "SECTION_SHIFT_OFF_REQUESTS",
    "SECTION_COVER",
)


class _Reader:
    """Parses one file; every error carries the current line number."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.line = 0

    def fail(self, problem: str) -> NrpFormatError:
        return NrpFormatError(self.path, self.line, problem)

    def integer(self, text: str, what: str, minimum: int = 0) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise self.fail(f"{what} must be an integer, got {text.strip()!r}") from None
        if value < minimum:
            raise self.fail(f"{what} must be at least {minimum}, got {value}")
        return value

    def fields(self, text: str, count: int, what: str) -> list[str]:
        parts = [p.strip() for p in text.split(",")]
        if len(parts) != count:
            raise self.fail(f"{what} needs {count} comma-separated fields, got {len(parts)}")
        return parts


def parse_instance(path: str | Path) -> NrpInstance:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise NrpFormatError(path, None, f"cannot read the instance: {exc}") from None
    r = _Reader(path)
    section: str | None = None
    days: int | None = None
    shifts: dict[str, NrpShift] = {}
    staff: dict[str, NrpStaff] = {}
    days_off: dict[str, frozenset[int]] = {}
    requests: dict[str, list[NrpRequest]] = {"ON": [], "OFF": []}
    cover: dict[tuple[int, str], NrpCover] = {}
    pending_refs: list[tuple[int, str, str]] = []  # (line, kind, id) checked after parsing
    seen: set[str] = set()

    def day(text: str) -> int:
        if days is None:
            raise r.fail("SECTION_HORIZON must come before day indexes")
        value = r.integer(text, "day index")
        if value >= days:
            raise r.fail(f"day index {value} is outside the horizon of {days} days")
        return value

    def known(kind: str, ident: str) -> None:
        table = shifts if kind == "shift" else staff
        if ident not in table:
            raise r.fail(f"unknown {kind} {ident!r}")

    for r.line, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("SECTION_"):
            if line not in SECTIONS:
                raise r.fail(f"unknown section {line!r}")
            if line in seen:
                raise r.fail(f"section {line} appears twice")
            seen.add(line)
            section = line
            continue
        if section is None:
            raise r.fail("data before the first SECTION_ header")
        if section == "SECTION_HORIZON":
            if days is not None:
                raise r.fail("the horizon holds a single number of days")
            days = r.integer(line, "number of days", minimum=1)
        elif section == "SECTION_SHIFTS":
            sid, minutes, nxt = r.fields(line, 3, "a shift")
            if not sid or sid in shifts:
                raise r.fail(f"empty or duplicate shift id {sid!r}")
            banned = tuple(s.strip() for s in nxt.split("|") if s.strip())
            pending_refs += [(r.line, "shift", s) for s in banned]
            shifts[sid] = NrpShift(sid, r.integer(minutes, "shift length", minimum=1), banned)
        elif section == "SECTION_STAFF":
            parts = r.fields(line, 8, "a staff member")
            sid = parts[0]
            if not sid or sid in staff:
                raise r.fail(f"empty or duplicate staff id {sid!r}")
            caps: dict[str, int] = {}
            for item in parts[1].split("|"):
                if not item.strip():
                    continue
                name, eq, value = item.partition("=")
                if not eq:
                    raise r.fail(f"max shifts entry {item!r} is not SHIFT=N")
                known("shift", name.strip())
                caps[name.strip()] = r.integer(value, f"max {name.strip()} shifts")
            numbers = [r.integer(p, n) for p, n in zip(parts[2:], _STAFF_NUMBERS, strict=True)]
            staff[sid] = NrpStaff(sid, caps, *numbers)
        elif section == "SECTION_DAYS_OFF":
            parts = [p.strip() for p in line.split(",")]
            known("staff", parts[0])
            if parts[0] in days_off:
                raise r.fail(f"days off of {parts[0]} listed twice")
            days_off[parts[0]] = frozenset(day(p) for p in parts[1:] if p)
        elif section in ("SECTION_SHIFT_ON_REQUESTS", "SECTION_SHIFT_OFF_REQUESTS"):
            sid, d, shift, weight = r.fields(line, 4, "a request")
            known("staff", sid)
            known("shift", shift)
            kind = "ON" if section == "SECTION_SHIFT_ON_REQUESTS" else "OFF"
            requests[kind].append(NrpRequest(sid, day(d), shift, r.integer(weight, "weight")))
        else:
            d, shift, need, under, over = r.fields(line, 5, "a cover line")
            known("shift", shift)
            key = (day(d), shift)
            if key in cover:
                raise r.fail(f"cover for day {key[0]} shift {shift} listed twice")
            cover[key] = NrpCover(
                key[0],
                shift,
                r.integer(need, "requirement"),
                r.integer(under, "under weight"),
                r.integer(over, "over weight"),
            )
    for line_no, kind, ident in pending_refs:
        r.line = line_no
        known(kind, ident)
    r.line = None  # type: ignore[assignment]
    if days is None:
        raise r.fail("no SECTION_HORIZON")
    if not shifts or not staff:
        raise r.fail("no shifts or no staff")
    return NrpInstance(
        name=path.stem,
        days=days,
        shifts=tuple(shifts.values()),
        staff=tuple(staff.values()),
        days_off=days_off,
        on_requests=tuple(requests["ON"]),
        off_requests=tuple(requests["OFF"]),
        cover=tuple(cover.values()),
    )


_STAFF_NUMBERS = (
    "MaxTotalMinutes",
    "MinTotalMinutes",
    "MaxConsecutiveShifts",
    "MinConsecutiveShifts",
    "MinConsecutiveDaysOff",
    "MaxWeekends",
)
