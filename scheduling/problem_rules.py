"""Program rules, credentials and role flags in the engine's terms; ``problem.build_problem``
(the one translator) calls these and nothing else reads the rows for a solve.

- **Credentials** (people/eligibility.py): a demand needs its coverage row's procedure and its
  shift type's required certification; ``Person.skills`` / ``supervised_skills`` are the names
  held fully / only supervised during the period, and a day on which a holder's credential or
  certification is not valid (before the grant, from the expiry date) is an ``Unavailability``
  for that shift with the reason in it.
- **Caps** (``ProgramRule`` kind cap): one ``ShiftCap`` per person and block (or academic year)
  meeting the period, the cap less what the published schedule already gives the person in that
  block or year outside the period. Weekend caps: one ``WeekendCap`` per person and block (or
  year) meeting the period, over the block's own days, so each block of a run spanning several
  gets its own remainder: the cap less the block's weekends the published schedule works outside
  the period, but for a weekend with a day in the period (one straddling its start or end),
  which the engine counts itself from ``Problem.history``.
- **Consecutive working days**: ``max_consecutive_work``, the smallest value that applies; the
  engine counts the published days worked right before and after the period (the history).
- **Minimum rest** stricter than ACGME: hard, ``Problem.min_rest_minutes`` for everyone: no two
  shifts of a person closer than that in real time, whatever the days between them and across
  the period's edges against the published history; and ACGME's 8 h "should" raised to the value
  for residents (a warning). A weighted rest rule is the "should" only.
- **Call pattern**: the engine's ``linked`` pairs: each week's Friday and Saturday call.
- **Adjunct faculty** take no call (``max_shifts`` 0 on call shift types) unless opted in.
- **Contradictions** the engine cannot see (``curriculum_contradictions``): a hard night cap
  below what the curriculum's night-float blocks need; plan and schedule runs name them before
  solving.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from people.eligibility import EligibilityIndex
from people.models import AcademicYear, Person, Program, ProgramRule
from rotations.models import Block, CoverageRequirement, CurriculumRequirement, Rotation, ShiftType
from scheduling.engine import model as m
from scheduling.models import Assignment, State

Rule = ProgramRule
CALL_CATEGORIES = frozenset({ShiftType.Category.IN_HOUSE_CALL, ShiftType.Category.AT_HOME_CALL})
MEASURE_CATEGORIES: dict[str, frozenset[str] | None] = {
    Rule.Measure.SHIFTS: None,  # every shift type
    Rule.Measure.CALLS: CALL_CATEGORIES,
    Rule.Measure.NIGHTS: frozenset({ShiftType.Category.NIGHT_FLOAT}),
}
FRIDAY, SATURDAY = 4, 5


def active_rules(program: Program) -> list[ProgramRule]:
    return list(ProgramRule.objects.filter(program=program, active=True).select_related("person"))


def applies(rule: ProgramRule, person: Person, pgy: int | None) -> bool:
    if rule.person_id is not None:
        return rule.person_id == person.pk
    if rule.pgy is not None and (person.kind != Person.Kind.RESIDENT or pgy != rule.pgy):
        return False
    return rule.applies_to in (Rule.Applies.EVERYONE, person.kind)


# ------------------------------------------------------------------------------ credentials
def demand_skills(row: CoverageRequirement) -> frozenset[str]:
    names = {row.procedure.name} if row.procedure else set()
    if row.shift_type.required_certification:
        names.add(row.shift_type.required_certification)
    return frozenset(names)


def credential_gaps(
    demands: Iterable[m.Demand],
    people: Sequence[Person],
    person_ids: dict[int, str],
    index: EligibilityIndex,
    skills: dict[int, tuple[frozenset[str], frozenset[str]]],
    start: date,
) -> Iterable[m.Unavailability]:
    """Days a holder's credential or certification is not valid, for the shifts needing it."""
    for demand in demands:
        needs = demand.eligibility.skills
        if not needs:
            continue
        day = start + timedelta(days=demand.day)
        for person in people:
            full, supervised = skills.get(person.pk, (frozenset(), frozenset()))
            if not needs <= full | supervised:
                continue  # never eligible: the demand's eligibility already says so
            missing = index.missing_on(person.pk, needs, day)
            if missing:
                yield m.Unavailability(
                    person=person_ids[person.pk],
                    day=demand.day,
                    shift=demand.shift,
                    reason=f"{', '.join(missing)} not valid on {day:%d %b %Y}",
                )


# ------------------------------------------------------------------------------ person limits
def _windows(
    rule: ProgramRule, year: AcademicYear, blocks: list[Block]
) -> list[tuple[str, date, date]]:
    if rule.period == Rule.Period.YEAR:
        return [(f"in {year}", year.start_date, year.end_date)]
    return [(f"in block {b.number}", b.start_date, b.end_date) for b in blocks]


def _published_outside(
    program: Program, year: AcademicYear, start: date, end: date
) -> dict[int, list[tuple[date, str, str]]]:
    """Per person: (date, shift abbreviation, category) of published rows of the year outside
    the period (what caps per block and year already spent)."""
    rows = (
        Assignment.objects.filter(
            person__program=program,
            state=State.PUBLISHED,
            date__range=(year.start_date, year.end_date),
        )
        .exclude(date__range=(start, end))
        .values_list("person_id", "date", "shift_type__abbreviation", "shift_type__category")
    )
    out: dict[int, list[tuple[date, str, str]]] = defaultdict(list)
    for person_id, day, abbreviation, category in rows:
        out[person_id].append((day, abbreviation, category))
    return out


def _weekend(day: date) -> date:
    return day - timedelta(days=day.weekday() - FRIDAY - 1)  # the weekend's Saturday


def _weekends_taken(used: Iterable[tuple[date, str, str]], first: date, last: date) -> int:
    """Weekends of a window the published schedule outside the period works, but for those
    with a day on the window's days ``first``..``last`` inside the period: the engine counts
    those itself, reading the history (``WeekendCap``)."""
    saturdays = {_weekend(d) for d, _, _ in used if d.weekday() >= SATURDAY}
    return sum(
        1
        for saturday in saturdays
        if not any(first <= d <= last for d in (saturday, saturday + timedelta(days=1)))
    )


def person_limits(
    program: Program,
    people: Sequence[Person],
    year: AcademicYear,
    start: date,
    end: date,
    shift_rows: Sequence[ShiftType],
    rules: Sequence[ProgramRule],
) -> dict[int, dict[str, Any]]:
    """Per person pk: the ``PersonLimits`` fields the rules and role flags set."""
    out: dict[int, dict[str, Any]] = defaultdict(dict)
    calls = {row.abbreviation for row in shift_rows if row.category in CALL_CATEGORIES}
    for person in people:
        if (
            person.kind == Person.Kind.FACULTY
            and person.is_adjunct
            and not person.adjunct_takes_call
        ):
            out[person.pk]["max_shifts"] = dict.fromkeys(sorted(calls), 0)
    caps = [r for r in rules if r.kind == Rule.Kind.CAP]
    consecutive = [r for r in rules if r.kind == Rule.Kind.CONSECUTIVE_DAYS]
    if not caps and not consecutive:
        return out
    blocks = list(
        Block.objects.filter(academic_year=year, start_date__lte=end, end_date__gte=start).order_by(
            "start_date"
        )
    )
    spent = _published_outside(program, year, start, end) if caps else {}
    for person in people:
        pgy = person.pgy_in(year)
        mine = [r for r in caps if applies(r, person, pgy)]
        limits = out[person.pk]
        shift_caps = []
        weekend_caps = []
        for rule in mine:
            for label, first, last in _windows(rule, year, blocks):
                used = [row for row in spent.get(person.pk, ()) if first <= row[0] <= last]
                name = (
                    f"{rule.get_measure_display().lower()} {label} "
                    f"(program rule: at most {rule.value} for {rule.who()})"
                )
                if rule.measure == Rule.Measure.WEEKENDS:
                    if rule.hard:  # (the rule is hard only: ProgramRule.clean)
                        taken = _weekends_taken(used, max(first, start), min(last, end))
                        weekend_caps.append(
                            m.WeekendCap(
                                name=name,
                                cap=max(0, rule.value - taken),
                                first=(first - start).days,
                                last=(last - start).days,
                            )
                        )
                    continue
                categories = MEASURE_CATEGORIES[rule.measure]
                shifts = frozenset(
                    row.abbreviation
                    for row in shift_rows
                    if categories is None or row.category in categories
                )
                taken = sum(1 for _, s, c in used if categories is None or c in categories)
                shift_caps.append(
                    m.ShiftCap(
                        name=name,
                        shifts=shifts,
                        cap=max(0, rule.value - taken),
                        first=(max(first, start) - start).days,
                        last=(min(last, end) - start).days,
                        hard=rule.hard,
                        weight=0 if rule.hard else rule.weight,
                    )
                )
        if shift_caps:
            limits["caps"] = tuple(shift_caps)
        if weekend_caps:
            limits["weekend_caps"] = tuple(weekend_caps)
        days = [r.value for r in consecutive if applies(r, person, pgy)]
        if days:
            limits["max_consecutive_work"] = min(days)
    return out


# ------------------------------------------------------------------------------ program-wide
def rest_rules(rules: Sequence[ProgramRule]) -> tuple[int | None, int | None]:
    """(hard minimum rest hours, "should" rest hours) the program's rest rules ask for."""
    hard = [r.value for r in rules if r.kind == Rule.Kind.MIN_REST and r.hard]
    should = [r.value for r in rules if r.kind == Rule.Kind.MIN_REST]
    return (max(hard) if hard else None, max(should) if should else None)


def call_links(
    rules: Sequence[ProgramRule], shift_rows: Sequence[ShiftType], start: date, days: int
) -> tuple[m.Link, ...]:
    """Each week's Friday and Saturday call, when the program's call-pattern rule is on."""
    if not any(r.kind == Rule.Kind.CALL_PATTERN for r in rules):
        return ()
    calls = frozenset(row.abbreviation for row in shift_rows if row.category in CALL_CATEGORIES)
    if not calls:
        return ()
    links = []
    for offset in range(days):
        if (start + timedelta(days=offset)).weekday() == FRIDAY:
            links.append(m.Link(first=offset, second=offset + 1, shifts=calls))
    return tuple(links)


# ------------------------------------------------------------------------------ contradictions
def curriculum_contradictions(program: Program, year: AcademicYear) -> list[str]:
    """Hard night caps the curriculum cannot meet, naming the rule and the requirement: a
    night-float block has night shifts, so a cap of 0 per block, or fewer nights a year than the
    curriculum's minimum night-float blocks, cannot hold."""
    caps = [
        rule
        for rule in active_rules(program)
        if rule.kind == Rule.Kind.CAP and rule.measure == Rule.Measure.NIGHTS and rule.hard
    ]
    if not caps:
        return []
    causes = []
    requirements = CurriculumRequirement.objects.filter(
        rotation__program=program,
        rotation__active=True,
        rotation__kind=Rotation.Kind.NIGHT_FLOAT,
        min_blocks__gt=0,
    ).select_related("rotation")
    for requirement in requirements:
        for rule in caps:
            if rule.person_id is not None or rule.applies_to == Rule.Applies.FACULTY:
                continue
            if rule.pgy is not None and rule.pgy != requirement.pgy:
                continue
            too_few = (
                rule.value == 0
                if rule.period == Rule.Period.BLOCK
                else (rule.value < requirement.min_blocks)
            )
            if too_few:
                causes.append(
                    f"the program rule “{rule.describe().removeprefix('Program rule: ')}” "
                    f"contradicts the curriculum: PGY-{requirement.pgy} residents need at least "
                    f"{requirement.min_blocks} block(s) of {requirement.rotation.name}, each with "
                    f"night shifts ({year})"
                )
    return causes
