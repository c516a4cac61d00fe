"""Invitations, end to end: a coordinator invites an address with a role up to their own; the
email carries a one-time link whose token is stored only hashed; the invitee chooses a password
and arrives signed in, with the role and person; expired, revoked, reused and superseded links
say why they no longer work."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD, make_member
from lib.errors import ApplicationError
from people import accounts
from people.models import Invitation, Membership, Person, Program
from people.services import hash_token

pytestmark = pytest.mark.django_db

START = date(2025, 7, 1)  # a training start: PGY-2 in the cast's year

NEW_PASSWORD = "Correct-horse-battery-9"
LINK = re.compile(r"https?://[^/\s]+/invite/([^/\s\"<]+)/")


@pytest.fixture
def newcomer(program_a: Program) -> Person:
    return Person.objects.create(
        program=program_a,
        kind=Person.Kind.RESIDENT,
        first_name="Nia",
        last_name="New",
        training_start=START,
    )


def invite(
    capture: Any, actor: Any, program: Program, email: str = "nia@example.org", **extra: Any
) -> tuple[Invitation, str]:
    """Invite through the service, send the email on commit, return the row and the link's token."""
    extra.setdefault("role", Membership.Role.RESIDENT)
    with capture(execute=True):
        invitation = accounts.invitation_create(program=program, email=email, actor=actor, **extra)
    return invitation, token_in(mail.outbox[-1])


def hours_left(invitation: Invitation) -> int:
    """Whole hours from now to the expiry (the suite's clock ticks while a test runs)."""
    return round((invitation.expires_at - timezone.now()) / timedelta(hours=1))


def token_in(message: Any) -> str:
    found = LINK.search(message.body)
    assert found, message.body
    return found.group(1)


def accept_page(client: Client, token: str, password: str = NEW_PASSWORD) -> Any:
    return client.post(f"/invite/{token}/", {"new_password1": password, "new_password2": password})


def test_it_mails_a_one_time_link_and_stores_only_its_hash(
    program_a: Program,
    coordinator_a: Any,
    newcomer: Person,
    django_capture_on_commit_callbacks: Any,
) -> None:
    invitation, token = invite(
        django_capture_on_commit_callbacks,
        coordinator_a,
        program_a,
        "Nia@Example.ORG",
        person=newcomer,
    )
    (message,) = mail.outbox
    assert isinstance(message, EmailMultiAlternatives)
    assert message.to == ["Nia@example.org"]
    html, kind = message.alternatives[0]
    assert kind == "text/html" and f"/invite/{token}/" in str(html)
    assert "resident" in message.body and "Nia New" in message.body
    invitation.refresh_from_db()
    assert invitation.token_hash == hash_token(token) and token not in str(vars(invitation))
    assert hours_left(invitation) == 72  # INVITATION_TTL_HOURS
    assert (invitation.sent_count, invitation.invited_by, invitation.state) == (
        1,
        coordinator_a,
        Invitation.State.PENDING,
    )
    entry = LogEntry.objects.get_for_object(invitation).get()
    assert entry.actor == coordinator_a


def test_it_creates_the_account_with_role_and_person_and_signs_in(
    program_a: Program,
    coordinator_a: Any,
    newcomer: Person,
    django_capture_on_commit_callbacks: Any,
) -> None:
    invitation, token = invite(
        django_capture_on_commit_callbacks, coordinator_a, program_a, person=newcomer
    )
    browser = Client()
    page = browser.get(f"/invite/{token}/")
    assert page.status_code == 200 and "Join Family Medicine" in page.content.decode()

    answer = accept_page(browser, token)

    assert answer.status_code == 302 and answer["Location"] == "/"
    user = get_user_model().objects.get(email="nia@example.org")
    assert user.check_password(NEW_PASSWORD) and user.get_full_name() == "Nia New"
    membership = Membership.objects.get(user=user)
    assert (membership.program, membership.role, membership.person) == (
        program_a,
        Membership.Role.RESIDENT,
        newcomer,
    )
    assert browser.get("/requests/").status_code == 200  # signed in, as the new person
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.ACCEPTED
    assert LogEntry.objects.get_for_object(membership).get().actor == user


def test_it_refuses_a_used_link(
    program_a: Program, coordinator_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _, token = invite(django_capture_on_commit_callbacks, coordinator_a, program_a)
    accounts.invitation_accept(token=token, password=NEW_PASSWORD)

    page = Client().get(f"/invite/{token}/")
    assert page.status_code == 410 and "used already" in page.content.decode()
    with pytest.raises(ApplicationError, match="used already"):
        accounts.invitation_accept(token=token, password="Another-pass-2026")
    assert get_user_model().objects.filter(email="nia@example.org").count() == 1


def test_it_refuses_an_expired_link(
    program_a: Program, coordinator_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    invitation, token = invite(django_capture_on_commit_callbacks, coordinator_a, program_a)
    with time_machine.travel(timezone.now() + timedelta(hours=73)):
        page = Client().get(f"/invite/{token}/")
        assert page.status_code == 410 and "expired on 17 Oct 2026" in page.content.decode()
        assert accept_page(Client(), token).status_code == 410
        with pytest.raises(ApplicationError, match="expired"):
            accounts.invitation_accept(token=token, password=NEW_PASSWORD)
        invitation.refresh_from_db()
        assert invitation.state == Invitation.State.EXPIRED
    assert not get_user_model().objects.filter(email="nia@example.org").exists()


def test_it_refuses_a_revoked_link(
    program_a: Program, coordinator_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    invitation, token = invite(django_capture_on_commit_callbacks, coordinator_a, program_a)
    accounts.invitation_revoke(invitation=invitation, actor=coordinator_a)

    assert "withdrawn" in Client().get(f"/invite/{token}/").content.decode()
    with pytest.raises(ApplicationError, match="withdrawn"):
        accounts.invitation_accept(token=token, password=NEW_PASSWORD)
    with pytest.raises(ApplicationError, match="cannot be sent again"):
        accounts.invitation_resend(invitation=invitation, actor=coordinator_a)


def test_a_resend_mails_a_new_link_and_kills_the_old_one(
    program_a: Program, coordinator_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    invitation, old = invite(django_capture_on_commit_callbacks, coordinator_a, program_a)
    with time_machine.travel(timezone.now() + timedelta(hours=80)):  # expired: re-send revives
        with django_capture_on_commit_callbacks(execute=True):
            accounts.invitation_resend(invitation=invitation, actor=coordinator_a)
        new = token_in(mail.outbox[-1])
        invitation.refresh_from_db()
        assert (len(mail.outbox), invitation.sent_count) == (2, 2)
        assert hours_left(invitation) == 72  # INVITATION_TTL_HOURS
        page = Client().get(f"/invite/{old}/")
        assert page.status_code == 404 and "not valid" in page.content.decode()
        assert accept_page(Client(), new).status_code == 302


def test_it_refuses_the_password_validators_refusals(
    program_a: Program, coordinator_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _, token = invite(django_capture_on_commit_callbacks, coordinator_a, program_a)
    page = accept_page(Client(), token, password="12345678")
    assert page.status_code == 200 and "entirely numeric" in page.content.decode()
    with pytest.raises(ApplicationError, match="too common"):
        accounts.invitation_accept(token=token, password="password")
    assert not get_user_model().objects.filter(email="nia@example.org").exists()


def test_a_coordinator_cannot_grant_a_role_above_their_own(
    program_a: Program, coordinator_a: Any, superuser: Any
) -> None:
    with pytest.raises(ApplicationError, match="above your own"):
        accounts.invitation_create(
            program=program_a,
            email="x@example.org",
            role=Membership.Role.ADMIN,
            actor=coordinator_a,
        )
    assert accounts.grantable_roles(coordinator_a, program_a.pk) == [
        ("coordinator", "Coordinator"),
        ("faculty", "Faculty"),
        ("resident", "Resident"),
    ]
    accounts.invitation_create(
        program=program_a,
        email="x@example.org",
        role=Membership.Role.COORDINATOR,
        actor=coordinator_a,
    )
    accounts.invitation_create(
        program=program_a, email="y@example.org", role=Membership.Role.ADMIN, actor=superuser
    )
    assert Invitation.objects.count() == 2


def test_a_coordinator_cannot_invite_to_another_program(
    program_a: Program, program_b: Program, coordinator_a: Any, resident_a: Any
) -> None:
    with pytest.raises(ApplicationError, match="not one you manage"):
        accounts.invitation_create(
            program=program_b,
            email="x@example.org",
            role=Membership.Role.RESIDENT,
            actor=coordinator_a,
        )
    other = Person.objects.create(
        program=program_b, kind=Person.Kind.RESIDENT, first_name="O", training_start=START
    )
    with pytest.raises(ApplicationError, match="another program"):
        accounts.invitation_create(
            program=program_a,
            email="x@example.org",
            role=Membership.Role.RESIDENT,
            person=other,
            actor=coordinator_a,
        )
    with pytest.raises(ApplicationError, match="not one you manage"):
        accounts.invitation_create(
            program=program_a,
            email="x@example.org",
            role=Membership.Role.RESIDENT,
            actor=resident_a,
        )
    assert not Invitation.objects.exists()


def test_it_refuses_an_address_in_use_or_already_invited(
    program_a: Program, coordinator_a: Any, resident_a: Any, faculty_a: Any
) -> None:
    with pytest.raises(ApplicationError, match="already has an account in Family Medicine"):
        accounts.invitation_create(
            program=program_a, email="RESIDENT_A@example.org", role="resident", actor=coordinator_a
        )
    accounts.invitation_create(
        program=program_a, email="x@example.org", role="resident", actor=coordinator_a
    )
    with pytest.raises(ApplicationError, match="open invitation"):
        accounts.invitation_create(
            program=program_a, email="X@example.org", role="faculty", actor=coordinator_a
        )
    fay = faculty_a.memberships.get().person
    with pytest.raises(ApplicationError, match="already linked to the account faculty_a"):
        accounts.invitation_create(
            program=program_a,
            email="z@example.org",
            role="faculty",
            person=fay,
            actor=coordinator_a,
        )
    with pytest.raises(ApplicationError, match="valid email"):
        accounts.invitation_create(
            program=program_a, email="not-an-address", role="resident", actor=coordinator_a
        )


def test_an_existing_account_joins_after_signing_in_and_keeps_its_password(
    program_a: Program,
    program_b: Program,
    coordinator_a: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    elsewhere = make_member(program_b, "olga", Membership.Role.FACULTY)
    _, token = invite(
        django_capture_on_commit_callbacks,
        coordinator_a,
        program_a,
        "olga@example.org",
        role=Membership.Role.FACULTY,
    )
    anonymous = Client()
    assert "exists already" in anonymous.get(f"/invite/{token}/").content.decode()
    assert accept_page(anonymous, token).status_code == 200  # no account taken over
    with pytest.raises(ApplicationError, match="exists already"):
        accounts.invitation_accept(token=token, password=NEW_PASSWORD)

    browser = Client()
    browser.force_login(elsewhere)
    assert browser.post(f"/invite/{token}/").status_code == 302

    elsewhere.refresh_from_db()
    assert elsewhere.check_password(PASSWORD)
    assert set(elsewhere.memberships.values_list("program__short_name", flat=True)) == {
        "Family Medicine",
        "Internal Med",
    }
