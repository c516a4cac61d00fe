"""Constraint cases for blocked dates, standing preferences and the preference policy (used by
test_constraints.py's table): each a valid row and the same row with one bad value."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from people.models import PreferencePolicy, Request, StandingPreference
from testing import factories as f

DAY = date(2026, 7, 1)


def _blocked(**overrides: object) -> Callable[[], None]:
    def make() -> None:
        values: dict[str, object] = {"kind": "blocked", "reason": "conference"}
        values.update(overrides)
        Request.objects.create(
            person=f.PersonFactory.create(), start_date=DAY, end_date=DAY, **values
        )

    return make


def _standing(**overrides: object) -> Callable[[], None]:
    def make() -> None:
        values: dict[str, object] = {"kind": "avoid", "weekday": 4}
        values.update(overrides)
        StandingPreference.objects.create(person=f.PersonFactory.create(), **values)

    return make


def _target(**overrides: object) -> Callable[[], None]:
    return _standing(kind="target", weekday=None, **overrides)


def _policy(weight: int) -> Callable[[], None]:
    def make() -> None:
        PreferencePolicy.objects.create(program=f.ProgramFactory.create(), blocked_weight=weight)

    return make


PREFERENCE_CASES: dict[str, tuple[Callable[[], None], Callable[[], None]]] = {
    "request_reason_iff_blocked": (_blocked(), _blocked(reason="")),
    "standing_preference_weight_1_to_10": (_standing(weight=10), _standing(weight=11)),
    "standing_preference_weekday_0_to_6": (_standing(weekday=6), _standing(weekday=7)),
    "standing_preference_fields_match_kind": (
        _standing(),
        _standing(weekday=None),  # avoid what?
    ),
    "standing_preference_attending_weeks_in_year": (
        _target(attending_weeks=52),
        _target(attending_weeks=53),
    ),
    "standing_preference_clinic_sessions_in_year": (
        _target(clinic_sessions=728),
        _target(clinic_sessions=729),
    ),
    "preference_policy_blocked_weight_1_to_1000": (_policy(1000), _policy(0)),
}
