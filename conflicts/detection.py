"""Find the conflicts of a program's published schedule over a period (nothing is saved).

One pass of the engine's validator (``scheduling.engine.validator.validate``, the same check runs,
edits and swaps use) over the published schedule of the period, with its 28-day history, gives
the rule breaches: an assignment during an approved absence, overlapping shifts, a demand below
its minimum, an ineligible assignment, every ACGME and program-policy duty-hour rule, the
supervision ratio (a double booking is the overlap rule: the database refuses the same shift
twice). Three more detectors, for what the validator has no rule for, read the rows directly:

- **credential**: a shift whose every applicable coverage requirement needs a procedure
  credential, or whose shift type needs a certification, worked by someone without a valid one
  on that date (people/eligibility.py, the rule the engine translator uses too);
- **near limit**: a resident whose duty hours over a 28-day window average more than
  ``NEAR_LIMIT_HOURS`` a week while still within the limit (a warning);
- **workload imbalance**: within each 28-day block of the academic year, a person of a kind whose
  duty hours exceed the mean of their peers by more than ``IMBALANCE_FACTOR`` (and 24 h);
- **inactive person**: someone made inactive who still holds published shifts from the program's
  today on: one finding per person naming every such shift, whatever the period detected (it is
  about the person, so a narrow pass neither splits it nor resolves it while a shift is left).
  The engine schedules only active people, so the validator alone would also see each of those
  shifts as a coverage gap: coverage detection counts them as held instead (``inactive_held``),
  so one problem raises one alert, and resolving it (moving each shift to someone active) keeps
  the day covered without going over its maximum. A gap the inactive holder does not explain
  (the day would be short even with them) is still a coverage alert.

Each finding carries a fingerprint that names the same conflict the same way every time, so the
caller keeps one alert per conflict.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Q, QuerySet

from conflicts.models import ConflictAlert
from lib.timezones import local_today
from people.eligibility import eligibility_index
from people.models import AcademicYear, Person, Program
from rotations.models import CoverageRequirement, ShiftType
from scheduling import problem as problems
from scheduling.engine import acgme
from scheduling.engine import validator as rules
from scheduling.engine.validator import validate
from scheduling.models import Assignment, State
from scheduling.selectors.scheduled import scheduled_days
from scheduling.services import violation_row

Kind = ConflictAlert.Kind
Severity = ConflictAlert.Severity

NEAR_LIMIT_HOURS = 76.0
WINDOW_DAYS = 28
IMBALANCE_FACTOR = 1.25
IMBALANCE_MIN_HOURS = 24.0

# Validator rules that are conflicts, by kind; every acgme.* / policy.* rule is a duty-hour one.
KIND_OF_RULE: dict[str, str] = {
    rules.UNAVAILABLE: Kind.ABSENCE,
    rules.OVERLAP: Kind.DOUBLE_BOOKING,
    rules.COVERAGE_MINIMUM: Kind.COVERAGE,
    rules.INELIGIBLE: Kind.ELIGIBILITY,
    rules.SUPERVISION: Kind.SUPERVISION,
    rules.SUPERVISED_ALONE: Kind.CREDENTIAL,
    rules.FIXED_MISSING: Kind.COVERAGE,
}
IGNORED_RULES = {acgme.HISTORY_INCOMPLETE}


@dataclass
class Finding:
    kind: str
    rule: str
    severity: str
    start_date: date
    end_date: date
    message: str
    fingerprint: str
    people: list[Person] = field(default_factory=list)
    assignment_id: int | None = None
    absence_id: int | None = None
    details: dict[str, Any] = field(default_factory=dict)


def year_slices(program: Program, start: date, end: date) -> list[tuple[date, date]]:
    """The period cut at academic-year boundaries (a problem is built within one year); days
    in no recorded academic year are left out."""
    years = AcademicYear.objects.filter(
        program=program, start_date__lte=end, end_date__gte=start
    ).order_by("start_date")
    return [(max(start, y.start_date), min(end, y.end_date)) for y in years]


def detect(program: Program, start: date, end: date) -> list[Finding]:
    """Every conflict of the published schedule that overlaps ``start``–``end``, and every
    inactive person still holding published shifts (whatever the period)."""
    found: dict[str, Finding] = {}
    for first, last in year_slices(program, start, end):
        credential = _credential_findings(program, first, last)
        for finding in [
            *credential,
            *_validator_findings(program, first, last, credential),
            *_hour_findings(program, first, last),
        ]:
            found.setdefault(finding.fingerprint, finding)
    for finding in inactive_findings(program):
        found.setdefault(finding.fingerprint, finding)
    return list(found.values())


def _validator_findings(
    program: Program, start: date, end: date, credential: list[Finding]
) -> list[Finding]:
    built = problems.build_problem(program, start, end)
    current = problems.published_engine_assignments(built, start, end)
    cells = {
        (person_id, day, abbreviation): pk
        for pk, person_id, day, abbreviation in Assignment.objects.filter(
            person__program=program, state=State.PUBLISHED, date__range=(start, end)
        ).values_list("pk", "person_id", "date", "shift_type__abbreviation")
    }
    flagged = {f.fingerprint.split("|", 1)[1] for f in credential}
    scheduled = scheduled_days(program, start, end)
    held = Counter(
        inactive_held(program)
        .filter(date__range=(start, end))
        .values_list("date", "shift_type__abbreviation")
    )
    out = []
    for violation in validate(built.problem, current).violations:
        kind = KIND_OF_RULE.get(violation.rule)
        if violation.rule == rules.COVERAGE_MINIMUM and violation.day is not None:
            on = built.problem.horizon.date_of(violation.day)
            if on not in scheduled:
                continue  # a day nobody has scheduled yet is not uncovered, only unplanned
            short = (violation.limit or 0.0) - (violation.measured or 0.0)
            if held[(on, violation.shift or "")] >= short:
                continue  # short only of inactive holders: the inactive alert names the shift
        if kind is None:
            if not violation.rule.startswith(("acgme.", "policy.")):
                continue
            kind = Kind.DUTY_HOURS
        if violation.rule in IGNORED_RULES:
            continue
        row = violation_row(violation, built)
        person = built.people.get(violation.person or "")
        day = date.fromisoformat(row["date"]) if row["date"] else None
        first = day or (date.fromisoformat(row["start"][:10]) if row["start"] else start)
        last = day or (date.fromisoformat(row["end"][:10]) if row["end"] else end)
        first, last = min(first, last), max(first, last)
        who = str(person.code) if person else ""
        fingerprint = "|".join(
            [violation.rule, who, row["shift"], row["date"], row["start"][:10], row["end"][:10]]
        )
        if (
            violation.rule in (rules.INELIGIBLE, rules.UNAVAILABLE)
            and f"{who}|{row['date']}|{row['shift']}" in flagged
        ):
            continue  # the credential detector names it more precisely
        assignment = cells.get((person.pk, day, row["shift"])) if person and day else None
        out.append(
            Finding(
                kind=kind,
                rule=violation.rule,
                severity=row["severity"],
                start_date=first,
                end_date=last,
                message=row["message"],
                fingerprint=fingerprint,
                people=[person] if person else [],
                assignment_id=assignment,
                absence_id=_absence_id(person, day) if kind == Kind.ABSENCE else None,
                details={
                    "shift": row["shift"],
                    "measured": row["measured"],
                    "limit": row["limit"],
                },
            )
        )
    return out


def _absence_id(person: Person | None, day: date | None) -> int | None:
    if person is None or day is None:
        return None
    absence = person.absences.filter(
        status="approved", start_date__lte=day, end_date__gte=day
    ).first()
    return absence.pk if absence else None


def _credential_findings(program: Program, start: date, end: date) -> list[Finding]:
    """Shifts needing a procedure credential or a certification, worked without a valid one on
    the day (people/eligibility.py decides validity)."""
    needs: dict[int, list[CoverageRequirement]] = defaultdict(list)
    for requirement in CoverageRequirement.objects.filter(
        shift_type__program=program
    ).select_related("procedure", "shift_type"):
        needs[requirement.shift_type_id].append(requirement)
    certified = {
        pk: name
        for pk, name in ShiftType.objects.filter(program=program)
        .exclude(required_certification="")
        .values_list("pk", "required_certification")
    }
    checked = [
        pk for pk, rows in needs.items() if any(r.procedure_id is not None for r in rows)
    ] + list(certified)
    rows = Assignment.objects.filter(
        person__program=program,
        state=State.PUBLISHED,
        date__range=(start, end),
        shift_type_id__in=checked,
    ).select_related("person", "shift_type")
    index = eligibility_index(program, start, end)
    out = []
    for row in rows:
        applying = [r for r in needs.get(row.shift_type_id, []) if r.applies_on(row.date.weekday())]
        missing: list[str] = []
        if applying and all(r.procedure is not None for r in applying):
            names = {r.procedure.name for r in applying if r.procedure is not None}
            # Any one of the applying requirements' procedures qualifies.
            if not any(index.level_on(row.person_id, name, row.date) for name in names):
                missing.append(" or ".join(sorted(names)))
        if row.shift_type_id in certified:
            missing += index.missing_on(row.person_id, [certified[row.shift_type_id]], row.date)
        if not missing:
            continue
        names_text = ", ".join(missing)
        out.append(
            Finding(
                kind=Kind.CREDENTIAL,
                rule="credential.missing",
                severity=Severity.CRITICAL,
                start_date=row.date,
                end_date=row.date,
                message=(
                    f"{row.person.full_name} works {row.shift_type.abbreviation} on "
                    f"{row.date:%a %d %b %Y} without a valid {names_text}"
                ),
                fingerprint=f"credential.missing|{row.person.code}|{row.date.isoformat()}|"
                f"{row.shift_type.abbreviation}",
                people=[row.person],
                assignment_id=row.pk,
                details={"shift": row.shift_type.abbreviation, "needs": names_text},
            )
        )
    return out


SHIFTS_NAMED = 6  # an inactive person's shifts named in the message; the details hold all


def inactive_held(program: Program) -> QuerySet[Assignment]:
    """Published shifts held by inactive people from the program's today on: the inactive
    detector names them, and coverage detection counts them as held (module docstring)."""
    return Assignment.objects.filter(
        person__program=program,
        person__active=False,
        state=State.PUBLISHED,
        date__gte=local_today(program),
    )


def inactive_findings(program: Program) -> list[Finding]:
    """Inactive people holding published shifts from the program's today on (module docstring);
    the first shift is the alert's target for the resolution strategies."""
    held: dict[int, list[Assignment]] = defaultdict(list)
    for row in (
        inactive_held(program)
        .select_related("person", "shift_type")
        .order_by("person_id", "starts_at", "pk")
    ):
        held[row.person_id].append(row)
    out = []
    for rows in held.values():
        person = rows[0].person
        named = ", ".join(
            f"{r.shift_type.abbreviation} {r.date:%a %d %b}" for r in rows[:SHIFTS_NAMED]
        )
        if len(rows) > SHIFTS_NAMED:
            named += f" and {len(rows) - SHIFTS_NAMED} more"
        count = f"{len(rows)} published shift{'s' if len(rows) > 1 else ''}"
        out.append(
            Finding(
                kind=Kind.INACTIVE,
                rule="person.inactive",
                severity=Severity.CRITICAL,
                start_date=rows[0].date,
                end_date=rows[-1].date,
                message=f"{person.full_name} is inactive but still holds {count}: {named}",
                fingerprint=f"person.inactive|{person.code}",
                people=[person],
                assignment_id=rows[0].pk,
                details={
                    "shift": rows[0].shift_type.abbreviation,
                    "shifts": [
                        {
                            "code": str(r.code),
                            "date": r.date.isoformat(),
                            "shift": r.shift_type.abbreviation,
                        }
                        for r in rows
                    ],
                },
            )
        )
    return out


def _duty_minutes(row: Any) -> int:
    counts = row["shift_type__counts_toward_duty"] or (
        row["shift_type__category"] == ShiftType.Category.MOONLIGHTING
    )
    if row["shift_type__category"] == ShiftType.Category.AT_HOME_CALL:
        return int(row["callback_minutes"] or 0)
    return int(row["shift_type__duration_minutes"]) if counts else 0


def blocks_over(program: Program, start: date, end: date) -> list[tuple[date, date]]:
    """The 28-day blocks of the academic year (counted from its first day) that meet the period."""
    year_start, year_end = problems.academic_year_bounds(program, start)
    first = year_start + timedelta(days=((start - year_start).days // WINDOW_DAYS) * WINDOW_DAYS)
    out = []
    while first <= end:
        out.append((first, min(first + timedelta(days=WINDOW_DAYS - 1), year_end)))
        first += timedelta(days=WINDOW_DAYS)
    return out


def _hour_findings(program: Program, start: date, end: date) -> list[Finding]:
    """Near-limit warnings and workload imbalance, per 28-day block of the year."""
    blocks = blocks_over(program, start, end)
    reach_from = blocks[0][0] - timedelta(days=WINDOW_DAYS - 1)
    people = {
        p.pk: p
        for p in Person.objects.filter(program=program, active=True).exclude(kind=Person.Kind.STAFF)
    }
    daily: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for row in Assignment.objects.filter(
        person_id__in=list(people),
        state=State.PUBLISHED,
        date__range=(reach_from, blocks[-1][1]),
    ).values(
        "person_id",
        "date",
        "callback_minutes",
        "shift_type__counts_toward_duty",
        "shift_type__category",
        "shift_type__duration_minutes",
    ):
        daily[row["person_id"]][row["date"]] += _duty_minutes(row)
    out: list[Finding] = []
    for first, last in blocks:
        out += _near_limit(people, daily, first, last)
        out += _imbalance(people, daily, first, last)
    return out


def _near_limit(
    people: dict[int, Person], daily: dict[int, dict[date, int]], first: date, last: date
) -> list[Finding]:
    out = []
    for pk, days in daily.items():
        person = people[pk]
        if person.kind != Person.Kind.RESIDENT:
            continue
        worst, worst_end = 0.0, first
        # Running 28-day sums, one day in and one day out at a time.
        window_end = first
        minutes = sum(days.get(first - timedelta(days=back), 0) for back in range(WINDOW_DAYS))
        while True:
            weekly = minutes / 60 / (WINDOW_DAYS / 7)
            if weekly > worst:
                worst, worst_end = weekly, window_end
            if window_end >= last:
                break
            window_end += timedelta(days=1)
            minutes += days.get(window_end, 0)
            minutes -= days.get(window_end - timedelta(days=WINDOW_DAYS), 0)
        if NEAR_LIMIT_HOURS < worst <= 80.0:
            window_start = worst_end - timedelta(days=WINDOW_DAYS - 1)
            out.append(
                Finding(
                    kind=Kind.NEAR_LIMIT,
                    rule="warning.near_weekly_limit",
                    severity=Severity.MEDIUM,
                    start_date=first,
                    end_date=last,
                    message=(
                        f"{person.full_name} averages {worst:.1f} h a week over the 4 weeks "
                        f"{window_start:%d %b}–{worst_end:%d %b %Y} (warning above "
                        f"{NEAR_LIMIT_HOURS:g} h, limit 80 h)"
                    ),
                    fingerprint=f"warning.near_weekly_limit|{person.code}|{first.isoformat()}",
                    people=[person],
                    details={"measured": round(worst, 1), "limit": 80.0},
                )
            )
    return out


def _imbalance(
    people: dict[int, Person], daily: dict[int, dict[date, int]], first: date, last: date
) -> list[Finding]:
    hours: dict[str, dict[int, float]] = defaultdict(dict)
    for pk, person in people.items():
        days = daily.get(pk, {})
        total = sum(m for d, m in days.items() if first <= d <= last) / 60
        hours[person.kind][pk] = total
    out = []
    for kind_hours in hours.values():
        if len(kind_hours) < 3:
            continue
        mean = sum(kind_hours.values()) / len(kind_hours)
        for pk, total in kind_hours.items():
            if mean <= 0 or total <= max(mean * IMBALANCE_FACTOR, mean + IMBALANCE_MIN_HOURS):
                continue
            person = people[pk]
            out.append(
                Finding(
                    kind=Kind.WORKLOAD,
                    rule="fairness.workload_imbalance",
                    severity=Severity.LOW,
                    start_date=first,
                    end_date=last,
                    message=(
                        f"{person.full_name} works {total:.0f} h from {first:%d %b} to "
                        f"{last:%d %b %Y}, against a mean of {mean:.0f} h for their peers"
                    ),
                    fingerprint=f"fairness.workload_imbalance|{person.code}|{first.isoformat()}",
                    people=[person],
                    details={"measured": round(total, 1), "limit": round(mean, 1)},
                )
            )
    return out


def open_statuses() -> Q:
    return Q(status__in=[ConflictAlert.Status.OPEN, ConflictAlert.Status.ACKNOWLEDGED])
