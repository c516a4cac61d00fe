"""/api/v1/requests/ and /api/v1/absences/: written through the services of the requests and
preferences pages (people.services), so the API keeps their rules: dates inside an academic year,
no overlap, the program's review policy, a reason for blocked dates only, cancel instead of
delete, the caller in the audit log."""

from __future__ import annotations

from typing import Any

import pytest
from auditlog.models import LogEntry

from people.models import Absence, Person, PreferencePolicy, Program
from people.models import Request as Req
from rotations.models import ShiftType

pytestmark = pytest.mark.django_db

REQUESTS, ABSENCES = "/api/v1/requests/", "/api/v1/absences/"


def _mine(user: Any, **values: Any) -> dict[str, Any]:
    person = Person.objects.get(memberships__user=user)
    body = {"person": str(person.code), "kind": "prefer_off"}
    return body | {"start_date": "2026-11-02", "end_date": "2026-11-03"} | values


def _refusal(response: Any) -> dict[str, Any]:
    assert response.status_code == 400, response.content[:300]
    return dict(response.json()["details"])


# Requests --------------------------------------------------------------------------------------


def test_a_request_outside_the_programs_academic_years_is_refused_on_its_start_date(
    api: Any, world: Any, resident_a: Any
) -> None:
    body = _mine(resident_a, start_date="2027-08-02", end_date="2027-08-03")
    details = _refusal(api(resident_a).post(REQUESTS, body, format="json"))
    assert details == {"start_date": ["This date is outside the program's academic years."]}
    assert not Req.objects.filter(person__memberships__user=resident_a).exists()


def test_a_request_running_past_the_academic_year_is_refused_on_its_end_date(
    api: Any, world: Any, resident_a: Any
) -> None:
    body = _mine(resident_a, start_date="2027-06-29", end_date="2027-07-02")
    assert list(_refusal(api(resident_a).post(REQUESTS, body, format="json"))) == ["end_date"]


def test_a_request_overlapping_a_pending_one_is_refused(
    api: Any, world: Any, resident_a: Any
) -> None:
    client = api(resident_a)
    assert client.post(REQUESTS, _mine(resident_a), format="json").status_code == 201
    later = _mine(resident_a, start_date="2026-11-03", end_date="2026-11-05")
    details = _refusal(client.post(REQUESTS, later, format="json"))
    assert details == {"start_date": ["This overlaps your request of 02 Nov–03 Nov 2026."]}
    assert Req.objects.filter(person__memberships__user=resident_a).count() == 1


def test_where_the_program_reviews_every_preference_a_request_stays_pending(
    api: Any, world: Any, resident_a: Any
) -> None:
    assert PreferencePolicy.objects.get(program=world.a[Program]).review == "all"
    response = api(resident_a).post(REQUESTS, _mine(resident_a), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "pending"
    row = Req.objects.get(code=response.json()["code"])
    assert row.decided_at is None
    assert row.weight == 5  # left out: the pages' default, the service's


def test_where_the_program_reviews_blocked_dates_only_a_wish_applies_at_once(
    api: Any, world: Any, resident_a: Any
) -> None:
    PreferencePolicy.objects.filter(program=world.a[Program]).update(
        review=PreferencePolicy.Review.BLOCKED
    )
    client = api(resident_a)
    wish = client.post(REQUESTS, _mine(resident_a), format="json")
    assert wish.status_code == 201, wish.content
    assert wish.json()["status"] == "approved"
    assert Req.objects.get(code=wish.json()["code"]).decided_at is not None
    blocked = _mine(
        resident_a,
        kind="blocked",
        reason="conference",
        start_date="2026-12-07",
        end_date="2026-12-08",
    )
    made = client.post(REQUESTS, blocked, format="json")
    assert made.status_code == 201, made.content
    assert made.json()["status"] == "pending"


def test_the_reason_follows_the_kind(api: Any, world: Any, resident_a: Any) -> None:
    client = api(resident_a)
    unknown = _mine(resident_a, kind="blocked", reason="beach")
    assert list(_refusal(client.post(REQUESTS, unknown, format="json"))) == ["reason"]
    wish = _mine(resident_a, reason="family")
    details = _refusal(client.post(REQUESTS, wish, format="json"))
    assert details == {"reason": ["Only blocked dates carry a reason."]}


def test_a_shift_type_of_another_program_is_refused_on_that_field(
    api: Any, world: Any, superuser: Any
) -> None:
    body = {
        "person": str(world.a[Person].code),
        "kind": "prefer_off",
        "start_date": "2026-11-02",
        "end_date": "2026-11-03",
        "shift_type": str(world.b[ShiftType].code),
    }
    details = _refusal(api(superuser).post(REQUESTS, body, format="json"))
    assert details == {"shift_type": ["That shift type belongs to another program."]}


def test_a_request_names_its_caller_in_the_audit_log(api: Any, world: Any, resident_a: Any) -> None:
    response = api(resident_a).post(REQUESTS, _mine(resident_a), format="json")
    assert response.status_code == 201, response.content
    row = Req.objects.get(code=response.json()["code"])
    assert LogEntry.objects.get_for_object(row).get().actor == resident_a


def test_delete_cancels_the_request_which_stays_listed(
    api: Any, world: Any, resident_a: Any
) -> None:
    client = api(resident_a)
    code = client.post(REQUESTS, _mine(resident_a), format="json").json()["code"]
    assert client.delete(f"{REQUESTS}{code}/").status_code == 204
    row = Req.objects.get(code=code)
    assert row.status == Req.Status.CANCELLED
    assert LogEntry.objects.get_for_object(row).order_by("-pk").first().actor == resident_a
    again = client.delete(f"{REQUESTS}{code}/")
    assert again.json()["message"] == "Only a pending or approved request can be cancelled."
    assert again.status_code == 400
    # The dates are free again.
    assert client.post(REQUESTS, _mine(resident_a), format="json").status_code == 201


@pytest.mark.parametrize("path", [REQUESTS, ABSENCES])
def test_a_request_or_absence_is_not_patched(
    api: Any, world: Any, coordinator_a: Any, path: str
) -> None:
    row = world.a[Req] if path == REQUESTS else world.a[Absence]
    response = api(coordinator_a).patch(f"{path}{row.code}/", {"note": "x"}, format="json")
    assert response.status_code == 405


# Absences --------------------------------------------------------------------------------------


def _absence(world: Any, start: str, end: str) -> dict[str, Any]:
    person = world.a[Person]
    return {"person": str(person.code), "kind": "vacation", "start_date": start, "end_date": end}


def test_an_absence_outside_the_programs_academic_years_is_refused(
    api: Any, world: Any, coordinator_a: Any
) -> None:
    body = _absence(world, "2027-08-02", "2027-08-06")
    details = _refusal(api(coordinator_a).post(ABSENCES, body, format="json"))
    assert details == {"start_date": ["This date is outside the program's academic years."]}


def test_an_absence_overlapping_another_of_the_person_is_refused(
    api: Any, world: Any, coordinator_a: Any
) -> None:
    assert (world.a[Absence].start_date.isoformat(), world.a[Absence].status) == (
        "2026-12-01",
        Absence.Status.REQUESTED,
    )
    body = _absence(world, "2026-12-04", "2026-12-10")
    details = _refusal(api(coordinator_a).post(ABSENCES, body, format="json"))
    assert details == {"start_date": ["This overlaps your vacation of 01 Dec–05 Dec 2026."]}


def test_delete_cancels_the_absence_under_the_caller(
    api: Any, world: Any, coordinator_a: Any
) -> None:
    absence = world.a[Absence]
    assert api(coordinator_a).delete(f"{ABSENCES}{absence.code}/").status_code == 204
    absence.refresh_from_db()
    assert absence.status == Absence.Status.CANCELLED
    assert LogEntry.objects.get_for_object(absence).order_by("-pk").first().actor == coordinator_a
