"""The role matrix's routes for program rules and standing preferences (api/tests/matrix.py).

Program rules are the managers' alone, as in the console and on the run page. The world's
standing preference belongs to program A's faculty member who does not log in, and is pending:
only managers see it and decide it. A person states and cancels their own preferences only
(``submit`` is "own" for every role), so the coordinators, who have no person of their own,
may neither state one for the resident nor cancel the resident's.
"""

from __future__ import annotations

from typing import Any

from api.tests.matrix_base import (
    CREATE,
    DECIDE,
    MANAGE_LIST,
    MANAGE_ROW,
    OWN_ROW,
    READ_LIST,
    UPDATE,
    Route,
    a,
    code,
    statuses,
)
from people.models import Program, ProgramRule, StandingPreference


def _residents_own(w: Any) -> StandingPreference:
    return StandingPreference.objects.create(
        person=w.resident_person, kind=StandingPreference.Kind.AVOID, weekday=4
    )


RULE_ROUTES: list[Route] = [
    Route("GET", "/api/v1/program-rules/", MANAGE_LIST),
    Route(
        "POST",
        "/api/v1/program-rules/",
        CREATE,
        body=lambda w: {"program": code(a(w, Program)), "kind": "consecutive_days", "value": 6},
    ),
    Route("GET", "/api/v1/program-rules/{code}/", MANAGE_ROW, target=lambda w: a(w, ProgramRule)),
    Route(
        "PATCH",
        "/api/v1/program-rules/{code}/",
        UPDATE,
        target=lambda w: a(w, ProgramRule),
        body=lambda w: {"value": 6},
    ),
    Route(
        "POST",
        "/api/v1/program-rules/{code}/deactivate/",
        MANAGE_ROW,
        target=lambda w: a(w, ProgramRule),
    ),
]

PREFERENCE_ROUTES: list[Route] = [
    Route("GET", "/api/v1/preferences/", READ_LIST),
    Route(
        "POST",
        "/api/v1/preferences/",
        statuses("401 201 403 400 403 201"),  # the resident states one of their own
        body=lambda w: {"person": code(w.resident_person), "kind": "avoid", "weekday": 4},
    ),
    Route("GET", "/api/v1/preferences/{code}/", OWN_ROW, target=lambda w: a(w, StandingPreference)),
    Route(
        "POST",
        "/api/v1/preferences/{code}/cancel/",
        statuses("401 200 404 404 403 200"),  # the resident's own preference
        target=_residents_own,
    ),
    Route(
        "POST",
        "/api/v1/preferences/{code}/decide/",
        DECIDE,
        target=lambda w: a(w, StandingPreference),
        body=lambda w: {"approve": True, "note": "Noted"},
    ),
]
