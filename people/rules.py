"""Program rule overrides may only tighten ACGME (docs/rules.md): one table of bounds, used by
model validation (``Program.clean``) and mirrored by the database checks on ``Program``.

Pure Python (no queries), so the engine translator, forms and admin share one reading.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

# key -> (lowest allowed, highest allowed): the ACGME value is the weak end of the range.
NUMERIC_BOUNDS: dict[str, tuple[float, float]] = {
    "max_weekly_hours": (1, 80),
    "min_free_days_per_window": (4, 28),
    "max_continuous_hours": (1, 24),
    "transition_hours": (0, 4),
    "long_period_hours": (1, 24),
    "rest_after_long_period_hours": (14, 48),
    "min_rest_hours": (8, 24),
    "max_call_nights_per_window": (0, 9),
    # Program policy, not ACGME: any positive cap.
    "max_consecutive_night_float": (1, 28),
    "window_days": (28, 28),
}
FORBIDDEN_TRUE = ("pgy1_may_moonlight",)  # ACGME: PGY-1 residents may not moonlight


def override_errors(overrides: Any) -> list[str]:
    """Why ``overrides`` would loosen an ACGME rule (or is malformed); empty when it only tightens."""
    if not isinstance(overrides, dict):
        return ["Rule overrides must be an object of rule names and values."]
    errors = []
    for key, value in sorted(overrides.items()):
        if key in FORBIDDEN_TRUE:
            if value is not False:
                errors.append(f"{key}: ACGME does not allow this; only false may be stored.")
        elif key in NUMERIC_BOUNDS:
            lo, hi = NUMERIC_BOUNDS[key]
            if isinstance(value, bool) or not isinstance(value, int | float):
                errors.append(f"{key}: {value!r} is not a number.")
            elif not lo <= value <= hi:
                errors.append(
                    f"{key}: {value!r} is outside {lo:g}-{hi:g} (ACGME allows no looser)."
                )
        else:
            errors.append(f"{key}: not a rule that can be overridden.")
    return errors


def override_checks() -> list[Q]:
    """Per key: absent, or within its bounds (the database's copy of ``override_errors``)."""
    checks = []
    for key, (lo, hi) in NUMERIC_BOUNDS.items():
        checks.append(
            ~Q(rule_overrides__has_key=key)
            | Q(**{f"rule_overrides__{key}__gte": lo, f"rule_overrides__{key}__lte": hi})
        )
    for key in FORBIDDEN_TRUE:
        checks.append(~Q(rule_overrides__has_key=key) | Q(**{f"rule_overrides__{key}": False}))
    return checks


# Workload points: what each counted item is worth in the fairness report (analytics/). A
# program setting, so a program that finds weekend calls twice as heavy says so.
WORKLOAD_MEASURES = ("hours", "calls", "weekend_calls", "nights", "holidays")


def default_workload_weights() -> dict[str, float]:
    return {"hours": 0.1, "calls": 2, "weekend_calls": 3, "nights": 2, "holidays": 4}


def workload_errors(weights: object) -> list[str]:
    if not isinstance(weights, dict):
        return ['Give a weight per measure, e.g. {"calls": 2}.']
    errors = [
        f"{key!r} is not one of {', '.join(WORKLOAD_MEASURES)}."
        for key in weights
        if key not in WORKLOAD_MEASURES
    ]
    errors += [
        f"{key}: {value!r} is not a number of zero or more."
        for key, value in weights.items()
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0
    ]
    return errors


def supervision_errors(ratios: object, lowest: int, highest: int) -> list[str]:
    """Why a program's faculty:resident ratios are malformed; empty when they are fine."""
    if not isinstance(ratios, dict) or not ratios:
        return ["Give residents per faculty by PGY level."]
    for level, ratio in ratios.items():
        if not str(level).isdigit() or not lowest <= int(level) <= highest:
            return [f"{level!r} is not a PGY level {lowest}-{highest}."]
        if isinstance(ratio, bool) or not isinstance(ratio, int) or ratio < 1:
            return [f"PGY-{level}: {ratio!r} is not a positive whole number."]
    return []


def attending_weeks_target(person: Any, director_default: int | None) -> int | None:
    """A faculty member's attending weeks a year: their own target, else, for the program
    director, the program's default for the director (``Program.director_attending_weeks``)."""
    if person.attending_weeks_target is not None:
        return int(person.attending_weeks_target)
    return director_default if person.is_program_director else None
