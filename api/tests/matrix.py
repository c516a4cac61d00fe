"""Every API route x role, with the status each role gets: the test and docs/api.md share it.

A route is (method, path pattern, body builder, target builder). Targets and bodies are built
against the shared ``world`` (program A's rows) so each case runs on a fresh database.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time
from typing import Any

from django.contrib.auth import get_user_model

from api.models import ImportJob
from api.tests.matrix_base import (
    CREATE,
    DECIDE,
    DELETE,
    MANAGE_LIST,
    MANAGE_ROW,
    OWN_ROW,
    READ_LIST,
    READ_ROW,
    ROLES,
    UPDATE,
    Route,
    a,
    code,
    statuses,
)
from api.tests.matrix_rules import PREFERENCE_ROUTES, RULE_ROUTES
from conflicts.models import ConflictAlert
from people.models import Absence, AcademicYear, CalendarSubscription, Membership, Person, Program
from resilience.models import Fallback
from rotations.models import Block, CoverageRequirement, CurriculumRequirement, Rotation, ShiftType
from scheduling.models import Assignment, RotationAssignment, ScheduleRun
from swaps.models import SwapRequest


def _crud(
    path: str,
    model: type[Any],
    create: Callable[[Any], dict[str, Any]],
    update: dict[str, Any],
    fresh: Callable[[Any], Any],
    *,
    read_list: dict[str, int] = READ_LIST,
    read_row: dict[str, int] = READ_ROW,
) -> list[Route]:
    row = f"/api/v1/{path}/{{code}}/"
    return [
        Route("GET", f"/api/v1/{path}/", read_list),
        Route("POST", f"/api/v1/{path}/", CREATE, body=create),
        Route("GET", row, read_row, target=lambda w: a(w, model)),
        Route("PATCH", row, UPDATE, target=lambda w: a(w, model), body=lambda w: update),
        Route("DELETE", row, DELETE, target=fresh),
    ]


def _user(username: str) -> Any:
    return get_user_model().objects.get_or_create(username=username)[0]


def _program(w: Any) -> str:
    return code(a(w, Program))


def _fallback(w: Any) -> Fallback:
    """A fallback whose draft (an empty run) is ready to publish."""
    program = a(w, Program)
    run = ScheduleRun.objects.create(
        program=program,
        start_date=date(2026, 7, 1),
        end_date=date(2026, 7, 2),
        status=ScheduleRun.Status.SUCCEEDED,
    )
    return Fallback.objects.create(
        program=program,
        scenario=Fallback.Scenario.HOLIDAY_SKELETON,
        start_date=run.start_date,
        end_date=run.end_date,
        run=run,
        baseline_signature="",
    )


def _rotation(w: Any, abbreviation: str = "TMP") -> Rotation:
    return Rotation.objects.create(
        program=a(w, Program), name=f"Temp {abbreviation}", abbreviation=abbreviation, kind="other"
    )


def _shift(w: Any, abbreviation: str = "TS") -> ShiftType:
    return ShiftType.objects.create(
        program=a(w, Program),
        name=f"Temp {abbreviation}",
        abbreviation=abbreviation,
        category="day",
        start_time=time(8),
        duration_minutes=240,
    )


def _person(w: Any) -> Person:
    return Person.objects.create(
        program=a(w, Program), kind="faculty", first_name="T", last_name="P"
    )


def _run(w: Any, status: str = "succeeded") -> ScheduleRun:
    return ScheduleRun.objects.create(
        program=a(w, Program),
        start_date=date(2026, 9, 1),
        end_date=date(2026, 9, 7),
        status=status,
    )


def _people_csv(w: Any) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = b"kind,first_name,last_name\nfaculty,Imported,Person\n"
    return {"program": _program(w), "file": SimpleUploadedFile("people.csv", content)}


ROUTES: list[Route] = [
    Route("GET", "/api/v1/programs/", READ_LIST),
    Route("GET", "/api/v1/programs/{code}/", READ_ROW, target=lambda w: a(w, Program)),
    *_crud(
        "people",
        Person,
        lambda w: {"program": _program(w), "kind": "faculty", "first_name": "N", "last_name": "P"},
        {"phone": "555-0100"},
        _person,
    ),
    *_crud(
        "memberships",
        Membership,
        lambda w: {"program": _program(w), "user": _user("nobody").username, "role": "coordinator"},
        {"role": "coordinator"},
        lambda w: Membership.objects.create(
            user=_user("member_tmp"), program=a(w, Program), role="faculty"
        ),
        read_list=MANAGE_LIST,
        read_row=MANAGE_ROW,
    ),
    # Absences and requests: no PATCH (written through the requests pages' services: create,
    # decide, cancel); DELETE cancels.
    *[
        route
        for route in _crud(
            "absences",
            Absence,
            lambda w: {
                "person": code(a(w, Person)),
                "kind": "conference",
                "start_date": "2027-01-04",
                "end_date": "2027-01-06",
            },
            {},
            lambda w: Absence.objects.create(
                person=a(w, Person),
                kind="sick",
                start_date=date(2027, 2, 1),
                end_date=date(2027, 2, 1),
            ),
            read_row=OWN_ROW,
        )
        if route.method != "PATCH"
    ],
    Route("GET", "/api/v1/requests/", READ_LIST),
    Route(
        "POST",
        "/api/v1/requests/",
        statuses("401 201 403 400 201 201"),  # the resident files one for themself
        body=lambda w: {
            "person": code(w.resident_person),
            "kind": "prefer_off",
            "start_date": "2026-10-01",
            "end_date": "2026-10-02",
        },
    ),
    Route("GET", "/api/v1/absences/{code}/overlaps/", DECIDE, target=lambda w: a(w, Absence)),
    Route(
        "POST",
        "/api/v1/absences/{code}/decide/",
        DECIDE,
        target=lambda w: a(w, Absence),
        body=lambda w: {"approve": True, "note": "Enjoy"},
    ),
    Route(
        "POST",
        "/api/v1/requests/{code}/decide/",
        DECIDE,
        target=lambda w: w.a_request,
        body=lambda w: {"approve": False},
    ),
    Route("GET", "/api/v1/requests/{code}/", OWN_ROW, target=lambda w: w.a_request),
    Route(
        "DELETE",
        "/api/v1/requests/{code}/",
        statuses("401 404 404 404 204 204"),
        target=lambda w: w.a_request,
    ),
    *PREFERENCE_ROUTES,
    *_crud(
        "rotations",
        Rotation,
        lambda w: {"program": _program(w), "name": "ICU", "abbreviation": "ICU", "kind": "icu"},
        {"location": "North"},
        _rotation,
    ),
    *_crud(
        "shift-types",
        ShiftType,
        lambda w: {
            "program": _program(w),
            "name": "Night",
            "abbreviation": "N",
            "category": "night_float",
            "start_time": "19:00",
            "duration_minutes": 720,
        },
        {"color": "#112233"},
        _shift,
    ),
    *_crud(
        "coverage",
        CoverageRequirement,
        lambda w: {"shift_type": code(a(w, ShiftType)), "minimum": 1, "target": 2},
        {"target": 3},
        lambda w: CoverageRequirement.objects.create(shift_type=_shift(w, "CV")),
    ),
    *_crud(
        "curriculum",
        CurriculumRequirement,
        lambda w: {"rotation": code(a(w, Rotation)), "pgy": 2, "min_blocks": 1, "max_blocks": 2},
        {"max_blocks": 3},
        lambda w: CurriculumRequirement.objects.create(rotation=a(w, Rotation), pgy=3),
    ),
    *RULE_ROUTES,
    *_crud(
        "academic-years",
        AcademicYear,
        lambda w: {
            "program": _program(w),
            "name": "2027–2028",
            "start_date": "2027-07-01",
            "end_date": "2028-06-30",
        },
        {"name": "AY 26/27"},
        lambda w: AcademicYear.objects.create(
            program=a(w, Program),
            name="Old",
            start_date=date(2020, 7, 1),
            end_date=date(2021, 6, 30),
        ),
    ),
    *_crud(
        "blocks",
        Block,
        lambda w: {
            "academic_year": code(a(w, AcademicYear)),
            "number": 2,
            "start_date": "2026-07-29",
            "end_date": "2026-08-25",
        },
        {"end_date": "2026-07-27"},
        lambda w: Block.objects.create(
            academic_year=a(w, AcademicYear),
            number=9,
            start_date=date(2027, 3, 1),
            end_date=date(2027, 3, 28),
        ),
    ),
    *_crud(
        "rotation-assignments",
        RotationAssignment,
        lambda w: {
            "person": code(a(w, Person)),
            "block": code(a(w, Block)),
            "rotation": code(a(w, Rotation)),
            "half": "second",
        },
        {"locked": True},
        lambda w: RotationAssignment.objects.create(
            person=a(w, Person), block=a(w, Block), rotation=a(w, Rotation), half="first"
        ),
    ),
    Route("GET", "/api/v1/assignments/", READ_LIST),
    Route(
        "POST",
        "/api/v1/assignments/",
        CREATE,
        body=lambda w: {
            "person": code(a(w, Person)),
            "shift_type": code(a(w, ShiftType)),
            "date": "2026-07-05",
        },
    ),
    Route("GET", "/api/v1/assignments/{code}/", READ_ROW, target=lambda w: a(w, Assignment)),
    Route(
        "DELETE",
        "/api/v1/assignments/{code}/",
        DELETE,
        target=lambda w: a(w, Assignment),
        # The world's one shift covers a minimum: removing it breaks a hard rule (issue 11).
        query=lambda w: {"override_reason": "Role matrix: the shift is no longer needed"},
    ),
    Route("GET", "/api/v1/runs/", MANAGE_LIST),
    Route(
        "POST",
        "/api/v1/runs/",
        statuses("401 403 403 400 202 202"),
        body=lambda w: {
            "program": _program(w),
            "start_date": "2026-08-01",
            "end_date": "2026-08-07",
            "algorithm": "greedy",
            "include_past": True,
        },
    ),
    Route("GET", "/api/v1/runs/{code}/", MANAGE_ROW, target=lambda w: a(w, ScheduleRun)),
    Route("POST", "/api/v1/runs/{code}/cancel/", MANAGE_ROW, target=lambda w: a(w, ScheduleRun)),
    Route("POST", "/api/v1/runs/{code}/publish/", MANAGE_ROW, target=_run),
    Route("POST", "/api/v1/runs/{code}/discard/", MANAGE_ROW, target=_run),
    Route("GET", "/api/v1/subscriptions/", READ_LIST),
    Route(
        "POST",
        "/api/v1/subscriptions/",
        statuses("401 201 201 400 400 400"),  # a feed needs a person record of your own
        body=lambda w: {"program": _program(w)},
    ),
    Route(
        "GET",
        "/api/v1/subscriptions/{code}/",
        statuses("401 404 404 404 404 200"),
        target=lambda w: a(w, CalendarSubscription),
    ),
    Route(
        "DELETE",
        "/api/v1/subscriptions/{code}/",
        statuses("401 404 404 404 404 204"),
        target=lambda w: a(w, CalendarSubscription),
    ),
    *[
        Route(
            "GET",
            f"/api/v1/resilience/{name}/",
            statuses("401 403 403 400 200 200"),
            query=lambda w: {"program": _program(w)},
        )
        for name in ("level", "history", "vulnerabilities", "fallbacks")
    ],
    Route(
        "POST",
        "/api/v1/resilience/fallbacks/activate/",
        statuses("401 403 403 400 200 200"),
        body=lambda w: {"program": _program(w), "fallback": code(_fallback(w)), "confirm": True},
    ),
    Route(
        "POST",
        "/api/v1/validation/",
        statuses("401 403 403 400 200 200"),
        body=lambda w: {
            "person": code(a(w, Person)),
            "shift_type": code(a(w, ShiftType)),
            "date": "2026-07-03",
            "change": "add",
        },
    ),
    Route(
        "POST",
        "/api/v1/imports/{kind}/preview/",
        statuses("401 403 403 400 202 202"),
        body=_people_csv,
        multipart=True,
    ),
    Route(
        "POST",
        "/api/v1/imports/{kind}/apply/",
        statuses("401 403 403 400 202 202"),
        body=_people_csv,
        multipart=True,
    ),
    Route("GET", "/api/v1/import-jobs/", MANAGE_LIST),
    Route("GET", "/api/v1/import-jobs/{code}/", MANAGE_ROW, target=lambda w: a(w, ImportJob)),
    Route(
        "POST",
        "/api/v1/import-jobs/{code}/apply/",
        statuses("401 403 403 404 202 202"),
        target=lambda w: a(w, ImportJob),  # previewed without errors
    ),
    Route(
        "GET",
        "/api/v1/exports/people/",
        statuses("401 403 403 400 200 200"),
        query=lambda w: {"program": _program(w), "file_format": "csv"},
    ),
    Route(
        "GET",
        "/api/v1/exports/absences/",
        statuses("401 403 403 400 200 200"),
        query=lambda w: {"program": _program(w), "file_format": "csv"},
    ),
    *[
        Route(
            "GET",
            f"/api/v1/exports/{kind}/",
            statuses("401 403 403 400 200 200"),
            query=lambda w: {
                "program": _program(w),
                "academic_year": code(a(w, AcademicYear)),
                "file_format": "csv",
            },
        )
        for kind in ("rotation-plan", "schedule")
    ],
    Route("GET", "/api/v1/me/", statuses("401 200 200 200 200 200")),
    Route("POST", "/api/v1/auth/logout/", statuses("401 400 400 400 400 400"), body=lambda w: {}),
    # Swaps: the world's offer belongs to program A's other resident, so the logged-in
    # resident may read and answer it but not withdraw it; services refuse what the rules
    # forbid (400: an offer nobody has taken cannot be approved, executed or undone).
    Route("GET", "/api/v1/swaps/", READ_LIST),
    Route("GET", "/api/v1/swaps/eligible/", READ_LIST),
    Route("GET", "/api/v1/swaps/{code}/", READ_ROW, target=lambda w: a(w, SwapRequest)),
    Route(
        "POST",
        "/api/v1/swaps/",
        # 400: a shift that is not the caller's (another program's reads as none); 404: the
        # coordinators and the superuser have no person of their own to offer for.
        statuses("401 400 400 400 404 404"),
        body=lambda w: {"assignment": code(a(w, Assignment))},
    ),
    Route(
        "POST",
        "/api/v1/swaps/{code}/respond/",
        statuses("401 400 400 404 404 404"),
        target=lambda w: a(w, SwapRequest),
        body=lambda w: {},
    ),
    Route("GET", "/api/v1/swaps/chains/", READ_LIST),
    Route(
        "POST",
        "/api/v1/swaps/{code}/accept_chain/",
        statuses("401 400 400 404 404 404"),  # 400: no chain is proposed on the world's offer
        target=lambda w: a(w, SwapRequest),
        body=lambda w: {},
    ),
    Route(
        "POST",
        "/api/v1/swaps/{code}/decline_chain/",
        statuses("401 400 400 404 404 404"),
        target=lambda w: a(w, SwapRequest),
        body=lambda w: {},
    ),
    Route(
        "POST",
        "/api/v1/swaps/{code}/withdraw/",
        statuses("401 404 404 404 200 200"),
        target=lambda w: a(w, SwapRequest),
    ),
    Route(
        "POST",
        "/api/v1/swaps/{code}/approve/",
        statuses("401 403 403 404 400 400"),
        target=lambda w: a(w, SwapRequest),
        body=lambda w: {"reason": "ok"},
    ),
    Route(
        "POST",
        "/api/v1/swaps/{code}/reject/",
        DECIDE,
        target=lambda w: a(w, SwapRequest),
        body=lambda w: {"reason": "Coverage"},
    ),
    Route(
        "POST",
        "/api/v1/swaps/{code}/execute/",
        statuses("401 403 403 404 400 400"),
        target=lambda w: a(w, SwapRequest),
    ),
    Route(
        "POST",
        "/api/v1/swaps/{code}/undo/",
        statuses("401 400 400 404 400 400"),
        target=lambda w: a(w, SwapRequest),
        body=lambda w: {"reason": "Mistake"},
    ),  # Conflicts: managers work the queue; residents and faculty read alerts about themselves
    # (the world's alert is about another resident). 400: no such candidate on offer.
    Route("GET", "/api/v1/conflicts/", READ_LIST),
    Route("GET", "/api/v1/conflicts/{code}/", OWN_ROW, target=lambda w: a(w, ConflictAlert)),
    Route(
        "POST",
        "/api/v1/conflicts/{code}/apply/",
        statuses("401 403 403 404 400 400"),
        target=lambda w: a(w, ConflictAlert),
        body=lambda w: {"candidate": "reassign-1"},
    ),
    Route(
        "POST",
        "/api/v1/conflicts/{code}/dismiss/",
        DECIDE,
        target=lambda w: a(w, ConflictAlert),
        body=lambda w: {"reason": "Covered by a locum"},
    ),
]

# Routes open to anyone by design; their behaviour is tested in test_auth and test_schema.
PUBLIC = {
    "POST /api/v1/auth/token/",
    "POST /api/v1/auth/token/refresh/",
    "GET /api/v1/schema/",
    "GET /api/v1/docs/",
    "GET /api/v1/redoc/",
}


def markdown_table() -> str:
    lines = [
        "| route | " + " | ".join(ROLES) + " |",
        "|---|" + "---|" * len(ROLES),
    ]
    for route in ROUTES:
        lines.append(
            f"| `{route.key}` | " + " | ".join(str(route.expected[r]) for r in ROLES) + " |"
        )
    return "\n".join(lines) + "\n"
