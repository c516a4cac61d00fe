"""The console's account pages: a coordinator invites with roles up to their own, sees each
invitation's state, re-sends and revokes through the services; and links an existing account
of their program to a person, never one they cannot reach."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.test import Client
from django.utils import timezone

from conftest import make_member
from lib.errors import ApplicationError
from people import accounts
from people.models import Invitation, Membership, Person, Program

pytestmark = pytest.mark.django_db

START = date(2025, 7, 1)  # a training start: PGY-2 in the cast's year

INVITATIONS = "/admin/people/invitation/"
PEOPLE = "/admin/people/person/"


def _invitation(program: Program, email: str, **extra: Any) -> Invitation:
    extra.setdefault("expires_at", timezone.now() + timedelta(days=1))
    return Invitation.objects.create(
        program=program, email=email, role="resident", token_hash=email.ljust(64, "x"), **extra
    )


def test_the_add_form_offers_roles_up_to_the_coordinators_own(
    coordinator_client: Client,
) -> None:
    form = coordinator_client.get(f"{INVITATIONS}add/").context["adminform"].form
    assert [value for value, _ in form.fields["role"].choices] == [
        "coordinator",
        "faculty",
        "resident",
    ]


def test_a_coordinator_invites_from_the_console(
    program_a: Program,
    coordinator_client: Client,
    coordinator_a: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    person = Person.objects.create(program=program_a, kind=Person.Kind.FACULTY, first_name="Ida")
    with django_capture_on_commit_callbacks(execute=True):
        answer = coordinator_client.post(
            f"{INVITATIONS}add/",
            {
                "program": program_a.pk,
                "email": "ida@example.org",
                "role": "faculty",
                "person": person.pk,
            },
            follow=True,
        )
    assert "Invitation sent to ida@example.org" in answer.content.decode()
    invitation = Invitation.objects.get()
    assert (invitation.person, invitation.role, invitation.invited_by) == (
        person,
        "faculty",
        coordinator_a,
    )
    (message,) = mail.outbox
    assert message.to == ["ida@example.org"] and "/invite/" in message.body


def test_the_console_reports_a_refused_invitation(
    program_a: Program, coordinator_client: Client, resident_a: Any
) -> None:
    answer = coordinator_client.post(
        f"{INVITATIONS}add/",
        {"program": program_a.pk, "email": "resident_a@example.org", "role": "resident"},
        follow=True,
    )
    assert "already has an account in Family Medicine" in answer.content.decode()
    assert not Invitation.objects.exists()
    posted_admin = coordinator_client.post(
        f"{INVITATIONS}add/",
        {"program": program_a.pk, "email": "boss@example.org", "role": "admin"},
    )
    assert posted_admin.status_code == 200  # the form again: not a role on offer
    assert not Invitation.objects.exists()


def test_the_list_shows_and_filters_each_state(
    program_a: Program, coordinator_client: Client
) -> None:
    now = timezone.now()
    rows = {
        "Pending": _invitation(program_a, "p@example.org"),
        "Accepted": _invitation(program_a, "a@example.org", accepted_at=now),
        "Revoked": _invitation(program_a, "r@example.org", revoked_at=now),
        "Expired": _invitation(program_a, "e@example.org", expires_at=now - timedelta(hours=1)),
    }
    page = coordinator_client.get(INVITATIONS)
    shown = {row.email: row for row in page.context["cl"].result_list}
    assert len(shown) == 4
    for label, row in rows.items():
        assert shown[row.email].state.label == label
        only = coordinator_client.get(INVITATIONS, {"state": label.lower()})
        assert [r.email for r in only.context["cl"].result_list] == [row.email]
    assert "Expired" in page.content.decode()


def test_the_actions_resend_and_revoke_through_the_services(
    program_a: Program,
    coordinator_client: Client,
    coordinator_a: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    pending = _invitation(program_a, "p@example.org")
    accepted = _invitation(program_a, "a@example.org", accepted_at=timezone.now())
    old_hash = pending.token_hash
    with django_capture_on_commit_callbacks(execute=True):
        answer = coordinator_client.post(
            INVITATIONS,
            {"action": "resend", "_selected_action": [pending.pk, accepted.pk]},
            follow=True,
        )
    text = answer.content.decode()
    assert "1 invitation(s) sent again" in text and "was accepted" in text
    pending.refresh_from_db()
    assert pending.token_hash != old_hash and pending.sent_count == 1
    assert [m.to for m in mail.outbox] == [["p@example.org"]]

    coordinator_client.post(INVITATIONS, {"action": "revoke", "_selected_action": [pending.pk]})
    pending.refresh_from_db()
    assert pending.state == Invitation.State.REVOKED
    assert LogEntry.objects.get_for_object(pending).filter(actor=coordinator_a).count() == 2


def test_an_invitation_cannot_be_edited_or_deleted(
    program_a: Program, coordinator_client: Client
) -> None:
    row = _invitation(program_a, "p@example.org")
    coordinator_client.post(
        f"{INVITATIONS}{row.pk}/change/",
        {"program": program_a.pk, "email": "other@example.org", "role": "coordinator"},
    )
    assert coordinator_client.get(f"{INVITATIONS}{row.pk}/delete/").status_code == 403
    row.refresh_from_db()
    assert (row.email, row.role) == ("p@example.org", "resident")


# Linking an existing account to a person ----------------------------------------------------


def test_it_links_a_members_account_to_a_person(program_a: Program, coordinator_a: Any) -> None:
    user = make_member(program_a, "unlinked", Membership.Role.RESIDENT)
    person = Person.objects.create(
        program=program_a,
        kind=Person.Kind.RESIDENT,
        first_name="Uma",
        last_name="U",
        training_start=START,
    )

    membership = accounts.account_link_person(user=user, person=person, actor=coordinator_a)

    assert Membership.objects.get(user=user).person == person == membership.person
    entry = LogEntry.objects.get_for_object(membership).latest("timestamp")
    assert entry.actor == coordinator_a and "person" in entry.changes_dict


def test_linking_refuses_accounts_out_of_reach_and_taken_people(
    program_a: Program,
    program_b: Program,
    coordinator_a: Any,
    coordinator_b: Any,
    resident_a: Any,
    faculty_a: Any,
) -> None:
    person = Person.objects.create(
        program=program_a,
        kind=Person.Kind.RESIDENT,
        first_name="Uma",
        last_name="U",
        training_start=START,
    )
    both = make_member(program_a, "both", Membership.Role.RESIDENT)
    Membership.objects.create(user=both, program=program_b, role=Membership.Role.RESIDENT)
    admin_a = make_member(program_a, "admin_a", Membership.Role.ADMIN)
    outsider = make_member(program_b, "outsider", Membership.Role.RESIDENT)
    for user, message in (
        (both, "program you do not manage"),
        (outsider, "program you do not manage"),
        (admin_a, "role above your own"),
    ):
        with pytest.raises(ApplicationError, match=message):
            accounts.account_link_person(user=user, person=person, actor=coordinator_a)
    with pytest.raises(ApplicationError, match="not one you manage"):
        accounts.account_link_person(user=resident_a, person=person, actor=coordinator_b)
    with pytest.raises(ApplicationError, match="already linked to the account resident_a"):
        accounts.account_link_person(
            user=make_member(program_a, "free", Membership.Role.RESIDENT),
            person=resident_a.memberships.get().person,
            actor=coordinator_a,
        )
    fay = faculty_a.memberships.get().person
    fay_membership = Membership.objects.get(user=faculty_a)
    fay_membership.person = None
    fay_membership.save()
    with pytest.raises(ApplicationError, match="must link a resident, not faculty"):
        accounts.account_link_person(
            user=make_member(program_a, "res", Membership.Role.RESIDENT),
            person=fay,
            actor=coordinator_a,
        )
    assert not Membership.objects.filter(person=person).exists()


def test_the_person_console_links_an_account_by_email(
    program_a: Program, coordinator_client: Client
) -> None:
    user = make_member(program_a, "unlinked", Membership.Role.RESIDENT)
    person = Person.objects.create(
        program=program_a,
        kind=Person.Kind.RESIDENT,
        first_name="Uma",
        last_name="U",
        training_start=START,
    )
    form = coordinator_client.post(
        PEOPLE, {"action": "link_account", "_selected_action": [person.pk]}
    )
    assert form.status_code == 200 and b"data-link-account" in form.content
    answer = coordinator_client.post(
        PEOPLE,
        {
            "action": "link_account",
            "_selected_action": [person.pk],
            "email": "UNLINKED@example.org",
            "link": "1",
        },
        follow=True,
    )
    assert "Unlinked is now linked to Uma U" in answer.content.decode()
    assert Membership.objects.get(user=user).person == person


def test_the_person_console_finds_no_account_outside_the_program(
    program_a: Program, program_b: Program, coordinator_client: Client
) -> None:
    make_member(program_b, "outsider", Membership.Role.RESIDENT)
    person = Person.objects.create(
        program=program_a,
        kind=Person.Kind.RESIDENT,
        first_name="Uma",
        last_name="U",
        training_start=START,
    )
    form = coordinator_client.post(
        PEOPLE,
        {
            "action": "link_account",
            "_selected_action": [person.pk],
            "email": "outsider@example.org",
            "link": "1",
        },
    )
    assert "invite anyone else" in form.content.decode()
    assert not Membership.objects.filter(person=person).exists()


# Roles on the Membership page ----------------------------------------------------------------


def test_the_membership_page_grants_no_role_above_the_coordinators_own(
    program_a: Program, coordinator_client: Client, resident_a: Any
) -> None:
    form = coordinator_client.get("/admin/people/membership/add/").context["adminform"].form
    assert "admin" not in {value for value, _ in form.fields["role"].choices}
    seat = Membership.objects.get(user=resident_a)
    coordinator_client.post(
        f"/admin/people/membership/{seat.pk}/change/",
        {"user": resident_a.pk, "program": program_a.pk, "role": "admin"},
    )
    seat.refresh_from_db()
    assert seat.role == Membership.Role.RESIDENT


def test_the_membership_page_links_a_person_only_to_an_account_within_reach(
    program_a: Program, program_b: Program, coordinator_client: Client
) -> None:
    person = Person.objects.create(
        program=program_a,
        kind=Person.Kind.RESIDENT,
        first_name="Uma",
        last_name="U",
        training_start=START,
    )
    both = make_member(program_a, "both", Membership.Role.RESIDENT)  # also in program B
    Membership.objects.create(user=both, program=program_b, role=Membership.Role.RESIDENT)
    free = make_member(program_a, "free", Membership.Role.RESIDENT)
    for user, linked in ((both, None), (free, person)):
        seat = Membership.objects.get(user=user, program=program_a)
        answer = coordinator_client.post(
            f"/admin/people/membership/{seat.pk}/change/",
            {"user": user.pk, "program": program_a.pk, "role": "resident", "person": person.pk},
            follow=True,
        )
        refused = "That account belongs to a program you do not manage." in answer.content.decode()
        assert refused == (linked is None)
        seat.refresh_from_db()
        assert seat.person == linked


def test_a_coordinator_cannot_edit_or_remove_a_program_admins_seat(
    program_a: Program, coordinator_client: Client
) -> None:
    boss = make_member(program_a, "admin_a", Membership.Role.ADMIN)
    seat = Membership.objects.get(user=boss)
    url = f"/admin/people/membership/{seat.pk}/"
    answer = coordinator_client.post(
        f"{url}change/", {"user": boss.pk, "program": program_a.pk, "role": "resident"}
    )
    assert answer.status_code == 403
    assert coordinator_client.post(f"{url}delete/", {"post": "yes"}).status_code == 403
    seat.refresh_from_db()
    assert seat.role == Membership.Role.ADMIN


def test_check_grant_follows_the_role_in_that_program(
    program_a: Program, program_b: Program
) -> None:
    both = make_member(program_a, "both", Membership.Role.ADMIN)
    Membership.objects.create(user=both, program=program_b, role=Membership.Role.COORDINATOR)
    accounts.check_grant(both, program_a.pk, Membership.Role.ADMIN)
    with pytest.raises(ApplicationError, match="above your own"):
        accounts.check_grant(both, program_b.pk, Membership.Role.ADMIN)
