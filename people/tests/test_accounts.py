"""Deactivating an account closes every door at once (session page, API, ICS), and a
coordinator reaches only their own program's accounts at or below their role."""

from typing import Any

import pytest
from django.test import Client

from api.tokens import login_token
from conftest import PASSWORD, make_member
from lib.errors import ApplicationError
from people import accounts, services
from people.models import Membership, Program


def test_deactivation_revokes_the_session_the_api_and_the_calendar(
    program_a: Program, resident_a: Any, coordinator_a: Any
) -> None:
    browser = Client()
    browser.force_login(resident_a)
    assert browser.get("/notifications/").status_code == 200
    refresh = login_token(resident_a)
    api = Client(headers={"Authorization": f"Bearer {refresh.access_token}"})
    assert api.get("/api/v1/me/").status_code == 200
    person = resident_a.memberships.get().person
    _, token = services.subscription_create(owner=person, actor=resident_a)
    assert Client().get(f"/feeds/{token}.ics").status_code == 200

    accounts.account_deactivate(user=resident_a, actor=coordinator_a)

    assert browser.get("/notifications/").status_code == 302  # back to the login page
    assert api.get("/api/v1/me/").status_code == 401
    answer = Client().post(
        "/api/v1/auth/token/refresh/", {"refresh": str(refresh)}, content_type="application/json"
    )
    assert answer.status_code == 401
    assert Client().get(f"/feeds/{token}.ics").status_code == 404
    login = Client().post("/accounts/login/", {"username": "resident_a", "password": PASSWORD})
    assert login.status_code == 200  # the form again, not a redirect into the site


def test_a_coordinator_cannot_reach_another_programs_or_a_higher_account(
    program_a: Program, program_b: Program, coordinator_a: Any, coordinator_b: Any, superuser: Any
) -> None:
    admin_a = make_member(program_a, "admin_a", Membership.Role.ADMIN)
    both = make_member(program_a, "both", Membership.Role.RESIDENT)
    Membership.objects.create(user=both, program=program_b, role=Membership.Role.RESIDENT)
    for user, message in (
        (coordinator_b, "program you do not manage"),
        (both, "program you do not manage"),
        (admin_a, "role above your own"),
        (superuser, "superuser"),
        (coordinator_a, "your own account"),
    ):
        with pytest.raises(ApplicationError, match=message):
            accounts.account_deactivate(user=user, actor=coordinator_a)
        user.refresh_from_db()
        assert user.is_active


def test_the_console_action_deactivates_and_reports_refusals(
    program_a: Program, coordinator_client: Client, resident_a: Any, coordinator_a: Any
) -> None:
    admin_a = make_member(program_a, "admin_a", Membership.Role.ADMIN)
    chosen = Membership.objects.filter(user__in=[resident_a, admin_a])
    answer = coordinator_client.post(
        "/admin/people/membership/",
        {"action": "deactivate_accounts", "_selected_action": [m.pk for m in chosen]},
        follow=True,
    )
    text = answer.content.decode()
    assert "role above your own" in text and "can no longer sign in" in text
    resident_a.refresh_from_db()
    admin_a.refresh_from_db()
    assert (resident_a.is_active, admin_a.is_active) == (False, True)
