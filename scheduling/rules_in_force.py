"""The run page's "constraints in force": one line per rule a run of the program applies.

One function, ``constraints_in_force``, asks every registered describer; a module that adds a
kind of rule to the translator (scheduling/problem.py, problem_rules.py) registers a describer
for it with ``@describer`` here, so the page lists what the engine is given and nothing else.
A describer takes ``(program, start, end)`` and returns lines; it must not raise for a program
without its kind of rule (it returns no lines).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from people.models import Person, Program, ProgramRule
from rotations.models import CoverageRequirement, ShiftType
from scheduling.engine import model as m

Describer = Callable[[Program, date, date], list[str]]
DESCRIBERS: list[Describer] = []


def describer(function: Describer) -> Describer:
    """Register ``function`` (a decorator); registering twice keeps one."""
    if function not in DESCRIBERS:
        DESCRIBERS.append(function)
    return function


def constraints_in_force(program: Program, start: date, end: date) -> list[str]:
    lines: list[str] = []
    for function in DESCRIBERS:
        lines += function(program, start, end)
    return lines


@describer
def acgme(program: Program, start: date, end: date) -> list[str]:
    rules = m.RULE_SETS.get(program.acgme_rules_version)
    lines = [f"ACGME rule set {program.acgme_rules_version} (residents)"]
    if rules is not None:
        lines.append(
            f"At most {rules.max_weekly_hours:g} h a week averaged over {rules.window_days} days, "
            f"{rules.min_free_days_per_window} free days per window, "
            f"{rules.max_continuous_hours:g} + {rules.transition_hours:g} h continuous duty, "
            f"{rules.rest_after_long_period_hours:g} h off after a long period"
        )
    for key, value in sorted((program.rule_overrides or {}).items()):
        lines.append(f"Stricter program value: {key.replace('_', ' ')} = {value}")
    lines.append(
        f"Program policy: at most {program.max_consecutive_night_float} consecutive night-float "
        "shifts"
    )
    ratios = ", ".join(f"PGY-{k} 1:{v}" for k, v in sorted(program.supervision_ratios.items()))
    lines.append(f"Supervision ratios (faculty:residents): {ratios}")
    return lines


@describer
def program_rules(program: Program, start: date, end: date) -> list[str]:
    rows = ProgramRule.objects.filter(program=program, active=True).select_related("person")
    return [rule.describe() for rule in rows]


@describer
def credentials(program: Program, start: date, end: date) -> list[str]:
    lines = []
    coverage = CoverageRequirement.objects.filter(
        shift_type__program=program, shift_type__active=True, procedure__isnull=False
    ).select_related("shift_type", "procedure")
    for row in coverage:
        assert row.procedure is not None
        lines.append(
            f"{row.shift_type.abbreviation} needs a valid {row.procedure.name} credential on the "
            "day; a supervised-level holder only beside an independent one"
        )
    certified = ShiftType.objects.filter(program=program, active=True).exclude(
        required_certification=""
    )
    for shift in certified:
        lines.append(
            f"{shift.abbreviation} needs a valid {shift.required_certification} certification: "
            "nobody is eligible from its expiry date"
        )
    return lines


@describer
def role_flags(program: Program, start: date, end: date) -> list[str]:
    people = Person.objects.filter(program=program, active=True, kind=Person.Kind.FACULTY)
    adjuncts = [str(p) for p in people if p.is_adjunct and not p.adjunct_takes_call]
    lines = []
    if adjuncts:
        lines.append(f"No call for adjunct faculty (not opted in): {', '.join(adjuncts)}")
    if program.director_attending_weeks is not None:
        lines.append(
            f"Program director's attending weeks a year: {program.director_attending_weeks} "
            "unless their own target is set"
        )
    return lines
