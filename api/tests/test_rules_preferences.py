"""/api/v1/program-rules/ and /api/v1/preferences/: status codes, field errors, and the services
and checks behind them (the same as the console's and the preferences pages')."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from auditlog.models import LogEntry

from people.models import (
    Notification,
    Person,
    PreferencePolicy,
    Program,
    ProgramRule,
    StandingPreference,
)
from scheduling.rules_in_force import constraints_in_force

pytestmark = pytest.mark.django_db

RULES = "/api/v1/program-rules/"
PREFERENCES = "/api/v1/preferences/"
OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))


def _codes(response: Any) -> set[str]:
    assert response.status_code == 200, response.content[:300]
    return {row["code"] for row in response.json()["results"]}


def _person(user: Any) -> Person:
    return Person.objects.get(memberships__user=user)


# Program rules ---------------------------------------------------------------------------------


def test_a_coordinator_creates_a_cap_that_the_run_page_lists_and_the_audit_log_names(
    api: Any, coordinator_a: Any, program_a: Program
) -> None:
    body = {
        "program": str(program_a.code),
        "kind": "cap",
        "measure": "calls",
        "period": "block",
        "value": 6,
        "applies_to": "resident",
    }
    response = api(coordinator_a).post(RULES, body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    line = "Program rule: at most 6 calls (in-house and at-home) per block for residents (hard)"
    assert data["description"] == line
    assert line in constraints_in_force(program_a, *OCTOBER)
    rule = ProgramRule.objects.get(code=data["code"])
    assert LogEntry.objects.get_for_object(rule).get().actor == coordinator_a


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            {"kind": "cap", "value": 6},
            "measure",
            "A cap names what it counts and over which period.",
        ),
        (
            {"kind": "consecutive_days", "value": 6, "hard": False},
            "hard",
            "The scheduler applies this rule as a hard rule only.",
        ),
        (
            {"kind": "cap", "measure": "weekends", "period": "block", "value": 2, "hard": False},
            "hard",
            "The scheduler applies this rule as a hard rule only.",
        ),
        ({"kind": "min_rest", "value": 8}, "value", "Give more than ACGME's 8 hours, at most 24."),
        (
            {"kind": "freeze", "value": 14, "pgy": 2},
            "applies_to",
            "This rule applies to the whole program.",
        ),
        (
            {"kind": "cap", "measure": "naps", "period": "block", "value": 6},
            "measure",
            "Value 'naps' is not a valid choice.",
        ),
    ],
)
def test_it_refuses_a_rule_the_model_refuses_naming_the_field(
    api: Any, coordinator_a: Any, program_a: Program, body: Any, field: str, message: str
) -> None:
    response = api(coordinator_a).post(
        RULES, {"program": str(program_a.code), **body}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "message": "The request has invalid fields.",
        "details": {field: [message]},
    }
    assert not ProgramRule.objects.filter(program=program_a).exists()


def test_a_rule_for_a_person_of_another_program_is_refused(
    api: Any, superuser: Any, world: Any
) -> None:
    body = {
        "program": str(world.a[Program].code),
        "kind": "consecutive_days",
        "value": 5,
        "person": str(world.b[Person].code),
    }
    response = api(superuser).post(RULES, body, format="json")
    assert response.status_code == 400
    assert response.json()["details"] == {"person": ["This person belongs to another program."]}


def test_a_change_goes_through_the_same_checks_and_a_refused_one_changes_nothing(
    api: Any, coordinator_a: Any, world: Any
) -> None:
    rule = world.a[ProgramRule]  # at most 8 calls per block, hard
    client = api(coordinator_a)
    url = f"{RULES}{rule.code}/"
    refused = client.patch(url, {"measure": ""}, format="json")
    assert refused.status_code == 400
    assert refused.json()["details"] == {
        "measure": ["A cap names what it counts and over which period."]
    }
    rule.refresh_from_db()
    assert rule.measure == ProgramRule.Measure.CALLS
    changed = client.patch(url, {"value": 6, "hard": False, "weight": 20}, format="json")
    assert changed.status_code == 200, changed.content
    assert changed.json()["description"].endswith("(weighted target, weight 20)")
    rule.refresh_from_db()
    assert (rule.value, rule.hard, rule.weight) == (6, False, 20)
    assert LogEntry.objects.get_for_object(rule).latest("timestamp").actor == coordinator_a


def test_deactivating_keeps_the_rule_and_takes_it_out_of_the_next_run(
    api: Any, coordinator_a: Any, world: Any
) -> None:
    rule, program = world.a[ProgramRule], world.a[Program]
    line = rule.describe()
    assert line in constraints_in_force(program, *OCTOBER)
    client = api(coordinator_a)
    url = f"{RULES}{rule.code}/"
    assert client.delete(url).status_code == 405  # rules are deactivated, never deleted
    response = client.post(f"{url}deactivate/")
    assert response.status_code == 200
    assert response.json()["active"] is False
    assert line not in constraints_in_force(program, *OCTOBER)
    assert _codes(client.get(RULES, {"active": "false"})) == {str(rule.code)}
    entry = LogEntry.objects.get_for_object(rule).latest("timestamp")
    assert entry.actor == coordinator_a and "active" in entry.changes_dict
    assert client.patch(url, {"active": True}, format="json").json()["active"] is True
    assert line in constraints_in_force(program, *OCTOBER)


def test_each_coordinator_lists_their_own_programs_rules(
    api: Any, coordinator_a: Any, coordinator_b: Any, world: Any
) -> None:
    assert _codes(api(coordinator_a).get(RULES)) == {str(world.a[ProgramRule].code)}
    assert _codes(api(coordinator_b).get(RULES)) == {str(world.b[ProgramRule].code)}


# Standing preferences --------------------------------------------------------------------------


def test_a_resident_states_a_preference_and_the_coordinator_approves_it(
    api: Any,
    resident_a: Any,
    coordinator_a: Any,
    world: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    person = _person(resident_a)
    body = {"person": str(person.code), "kind": "avoid", "weekday": 4, "weight": 7}
    made = api(resident_a).post(PREFERENCES, body, format="json")
    assert made.status_code == 201, made.content
    data = made.json()
    assert (data["status"], data["description"], data["weight"]) == (
        "pending",
        "Avoid working on Fridays",
        7,
    )
    row = StandingPreference.objects.get(code=data["code"])
    assert LogEntry.objects.get_for_object(row).get().actor == resident_a
    # The resident lists their own; the coordinator's queue holds the program's pending ones.
    assert _codes(api(resident_a).get(PREFERENCES)) == {data["code"]}
    queue = _codes(api(coordinator_a).get(PREFERENCES, {"status": "pending"}))
    assert queue == {data["code"], str(world.a[StandingPreference].code)}

    decide = f"{PREFERENCES}{row.code}/decide/"
    with django_capture_on_commit_callbacks(execute=True):
        decided = api(coordinator_a).post(decide, {"approve": True}, format="json")
    assert decided.status_code == 200
    assert decided.json()["status"] == "approved"
    row.refresh_from_db()
    assert row.decided_by == coordinator_a
    assert Notification.objects.get(recipient=resident_a).title == "Your preference was approved"
    again = api(coordinator_a).post(decide, {"approve": False}, format="json")
    assert again.status_code == 400
    assert again.json()["message"] == "This standing preference is already approved."


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"kind": "target", "attending_weeks": 8}, "kind", "Yearly targets are for faculty."),
        ({"kind": "prefer"}, "shift_type", "Name a shift type, a weekday, or both."),
        ({"kind": "avoid", "weekday": 9}, "weekday", "Choose a weekday."),
        ({"kind": "avoid", "weekday": 4, "weight": 11}, "weight", "The weight runs from 1 to 10."),
    ],
)
def test_it_refuses_what_the_preference_service_refuses_naming_the_field(
    api: Any, resident_a: Any, body: Any, field: str, message: str
) -> None:
    person = _person(resident_a)
    response = api(resident_a).post(
        PREFERENCES, {"person": str(person.code), **body}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "message": "The request has invalid fields.",
        "details": {field: [message]},
    }
    assert not StandingPreference.objects.filter(person=person).exists()


def test_nobody_states_a_preference_for_someone_else(
    api: Any, resident_a: Any, faculty_a: Any, coordinator_a: Any
) -> None:
    body = {"person": str(_person(resident_a).code), "kind": "avoid", "weekday": 4}
    for user in (faculty_a, coordinator_a):
        assert api(user).post(PREFERENCES, body, format="json").status_code == 403
    assert not StandingPreference.objects.exists()


def test_the_same_preference_again_is_refused_until_the_first_is_cancelled(
    api: Any, resident_a: Any
) -> None:
    client = api(resident_a)
    body = {"person": str(_person(resident_a).code), "kind": "avoid", "weekday": 4}
    first = client.post(PREFERENCES, body, format="json")
    assert first.status_code == 201
    again = client.post(PREFERENCES, body, format="json")
    assert again.status_code == 400
    assert again.json()["details"] == {
        "shift_type": ["You already have “Avoid working on Fridays” (pending); cancel it first."]
    }
    cancel = f"{PREFERENCES}{first.json()['code']}/cancel/"
    cancelled = client.post(cancel)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    twice = client.post(cancel)
    assert twice.status_code == 400
    assert twice.json()["message"] == "Only a pending or approved preference can be cancelled."
    assert client.post(PREFERENCES, body, format="json").status_code == 201


def test_where_the_program_reviews_nothing_a_target_applies_at_once_and_stays(
    api: Any, faculty_a: Any, coordinator_a: Any, program_a: Program
) -> None:
    PreferencePolicy.objects.create(program=program_a, review=PreferencePolicy.Review.NONE)
    person = _person(faculty_a)
    body = {"person": str(person.code), "kind": "target", "attending_weeks": 10}
    made = api(faculty_a).post(PREFERENCES, body, format="json")
    assert made.status_code == 201
    assert made.json()["status"] == "approved"
    person.refresh_from_db()
    assert person.attending_weeks_target == 10
    url = f"{PREFERENCES}{made.json()['code']}/"
    decided = api(coordinator_a).post(f"{url}decide/", {"approve": False}, format="json")
    assert decided.status_code == 400  # nothing waits for review
    kept = api(faculty_a).post(f"{url}cancel/")
    assert kept.status_code == 400
    assert kept.json()["message"].startswith("An approved target stays until a new one replaces it")
