"""Account lifecycle for coordinators: invitations, linking an account to a person, and
deactivation, which closes every door at once.

A coordinator reaches only the accounts of their own programs, never one that also belongs to a
program they do not manage, a superuser, or a role above their own; and grants no role above
their own.

An invitation is a one-time link mailed to an address: whoever opens it sets a password and
gets an account with the invited role (and person) in the program. Only the token's hash is
stored (``people.services.hash_token``); a re-send mints a new token, so the old link dies. An
address that already has an account joins with that account, after signing in with it: an
invitation never sets the password of an account that exists.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from typing import Any

from auditlog.context import set_actor
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from api.tokens import user_tokens_revoke
from conflicts.triggers import schedule_detection_ahead
from lib.errors import ApplicationError
from lib.timezones import zone
from people.access import is_admin, managed_program_ids
from people.models import CalendarSubscription, Invitation, Membership, Person, Program
from people.services import hash_token

logger = logging.getLogger(__name__)
INVITATION_TOKEN_BYTES = 32

# Higher grants more; a coordinator may act on (and grant) roles up to their own only.
ROLE_RANK: dict[str, int] = {
    Membership.Role.RESIDENT: 0,
    Membership.Role.FACULTY: 0,
    Membership.Role.COORDINATOR: 1,
    Membership.Role.ADMIN: 2,
}


def actor_rank(actor: Any, program_id: int) -> int:
    if is_admin(actor):
        return max(ROLE_RANK.values()) + 1
    role = Membership.objects.filter(user=actor, program_id=program_id).values_list(
        "role", flat=True
    )
    return ROLE_RANK.get(role.first() or "", -1)


def check_grant(actor: Any, program_id: int, role: str) -> None:
    """Refuse a role above the actor's own in that program (invitations, the console's
    Membership form)."""
    if ROLE_RANK[role] > actor_rank(actor, program_id):
        raise ApplicationError(
            f"You cannot grant the role {Membership.Role(role).label}: it is above your own.",
            details={"field": "role"},
        )


def within_rank(actor: Any, membership: Membership) -> bool:
    """May ``actor`` change this seat at all (a coordinator cannot touch a program admin's)?"""
    return ROLE_RANK[membership.role] <= actor_rank(actor, membership.program_id)


def check_reach(actor: Any, user: Any, *, self_allowed: bool = False) -> None:
    """Refuse unless ``actor`` manages every program ``user`` belongs to, at a rank at or above
    the user's role there."""
    if user.pk == actor.pk and not self_allowed:
        raise ApplicationError("You cannot deactivate your own account.")
    if user.is_superuser and not actor.is_superuser:
        raise ApplicationError("Only a superuser can change a superuser's account.")
    memberships = list(Membership.objects.filter(user=user))
    if not is_admin(actor):
        mine = managed_program_ids(actor)
        if not memberships or any(m.program_id not in mine for m in memberships):
            raise ApplicationError("That account belongs to a program you do not manage.")
        for membership in memberships:
            if ROLE_RANK[membership.role] > actor_rank(actor, membership.program_id):
                raise ApplicationError("That account holds a role above your own.")


def sessions_end(user: Any) -> int:
    """Delete every browser session of the user (database sessions)."""
    ended = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk)
    ]
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


def account_deactivate(*, user: Any, actor: Any) -> Any:
    """The account stops working everywhere now: it can no longer log in, its browser sessions
    end, its API tokens are refused, and its calendar links stop answering."""
    check_reach(actor, user)
    with transaction.atomic(), set_actor(actor):
        user = get_user_model().objects.select_for_update().get(pk=user.pk)
        user.is_active = False
        user.save(update_fields=["is_active"])
        person_ids = Membership.objects.filter(user=user, person__isnull=False).values("person_id")
        for subscription in CalendarSubscription.objects.filter(
            owner_id__in=person_ids, revoked_at__isnull=True
        ):
            subscription.revoked_at = timezone.now()
            subscription.save(update_fields=["revoked_at", "updated_at"])
        user_tokens_revoke(user=user)
        sessions_end(user)
        # The people behind the account: their programs' coming schedule is checked again.
        for program_id in set(
            Membership.objects.filter(user=user, person__isnull=False).values_list(
                "person__program_id", flat=True
            )
        ):
            schedule_detection_ahead(program_id)
    return user


# Linking an account to a person ----------------------------------------------------------


def _check_manages(actor: Any, program_id: int) -> None:
    if not is_admin(actor) and program_id not in managed_program_ids(actor):
        raise ApplicationError("That program is not one you manage.")


def _check_seat(membership: Membership) -> None:
    """The membership's own rules (the person's program, a role that fits the person's kind)."""
    try:
        membership.clean()
    except ValidationError as error:
        raise ApplicationError(" ".join(error.messages), details={"field": "person"}) from None


def _check_person_free(person: Person, *, keep: Membership | None = None) -> None:
    taken = Membership.objects.filter(person=person).select_related("user").first()
    if taken is not None and taken != keep:
        raise ApplicationError(
            f"{person.full_name} is already linked to the account {taken.user}.",
            details={"field": "person"},
        )


def check_link(actor: Any, user: Any, person: Person) -> None:
    """May ``actor`` link ``user``'s account to ``person``? Only in a program the actor manages,
    and only an account the actor reaches (every program it belongs to managed by the actor, no
    role there above the actor's). ``account_link_person`` and the console's Membership form
    both ask it."""
    _check_manages(actor, person.program_id)
    check_reach(actor, user, self_allowed=True)


def account_link_person(*, user: Any, person: Person, actor: Any) -> Membership:
    """Link ``user``'s account in the person's program to ``person`` (their schedule, requests
    and calendar become theirs). The account must already hold a role in that program."""
    check_link(actor, user, person)
    with transaction.atomic(), set_actor(actor):
        membership = (
            Membership.objects.select_for_update()
            .filter(user=user, program_id=person.program_id)
            .first()
        )
        if membership is None:
            raise ApplicationError(
                f"{user} has no role in {person.program}: invite them to it instead.",
                details={"field": "account"},
            )
        _check_person_free(person, keep=membership)
        membership.person = person
        _check_seat(membership)
        membership.save(update_fields=["person", "updated_at"])
    return membership


# Invitations -------------------------------------------------------------------------------


def grantable_roles(actor: Any, program_id: int | None = None) -> list[tuple[str, str]]:
    """The roles ``actor`` may grant: in one program, or in the best of their programs."""
    if program_id is not None:
        rank = actor_rank(actor, program_id)
    elif is_admin(actor):
        rank = max(ROLE_RANK.values())
    else:
        rank = max((actor_rank(actor, pid) for pid in managed_program_ids(actor)), default=-1)
    return [(role.value, role.label) for role in Membership.Role if ROLE_RANK[role] <= rank]


def _new_invitation_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(INVITATION_TOKEN_BYTES)
    return token, hash_token(token)


def _expiry() -> Any:
    return timezone.now() + timedelta(hours=settings.INVITATION_TTL_HOURS)


def invitation_link(token: str) -> str:
    return f"{settings.SITE_URL}{reverse('people:invitation-accept', args=[token])}"


def invitation_email_send(invitation_id: int, token: str) -> None:
    """Mail the link (after commit: a rolled-back invitation sends nothing)."""
    invitation = Invitation.objects.select_related("program", "invited_by", "person").get(
        pk=invitation_id
    )
    program = invitation.program
    context = {
        "invitation": invitation,
        "program": program,
        "role": Membership.Role(invitation.role).label,
        "inviter": invitation.invited_by,
        "link": invitation_link(token),
        "expires": timezone.localtime(invitation.expires_at, zone(program)),
    }
    message = EmailMultiAlternatives(
        subject=f"[{program.short_name or program}] You are invited to Residency Scheduler",
        body=render_to_string("emails/invitation.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(render_to_string("emails/invitation.html", context), "text/html")
    try:
        message.send()
    except Exception:  # the invitation stands; the coordinator can re-send it
        logger.exception("The invitation email to %s could not be sent.", invitation.email)


def _queue_email(invitation: Invitation, token: str) -> None:
    transaction.on_commit(lambda: invitation_email_send(invitation.pk, token))


def invitation_create(
    *,
    program: Program,
    email: str,
    role: str,
    person: Person | None = None,
    actor: Any,
) -> Invitation:
    """Invite ``email`` to ``program`` with ``role`` (and, optionally, as ``person``); mails a
    one-time link that expires after ``INVITATION_TTL_HOURS``."""
    email = BaseUserManager.normalize_email((email or "").strip())
    try:
        validate_email(email)
    except ValidationError:
        raise ApplicationError("Enter a valid email address.", details={"field": "email"}) from None
    if role not in Membership.Role.values:
        raise ApplicationError("Choose a role.", details={"field": "role"})
    _check_manages(actor, program.pk)
    check_grant(actor, program.pk, role)
    if person is not None:
        _check_person_free(person)
        _check_seat(Membership(program=program, role=role, person=person))
    with transaction.atomic(), set_actor(actor):
        Program.objects.select_for_update().filter(pk=program.pk).first()  # one invite at a time
        if Membership.objects.filter(
            program=program, user__email__iexact=email, user__is_active=True
        ).exists():
            raise ApplicationError(
                f"{email} already has an account in {program}.", details={"field": "email"}
            )
        if (
            Invitation.objects.filter(program=program, email__iexact=email)
            .filter(accepted_at__isnull=True, revoked_at__isnull=True)
            .filter(expires_at__gt=timezone.now())
            .exists()
        ):
            raise ApplicationError(
                f"{email} has an open invitation to {program} already: re-send it instead.",
                details={"field": "email"},
            )
        token, digest = _new_invitation_token()
        invitation = Invitation.objects.create(
            program=program,
            email=email,
            role=role,
            person=person,
            token_hash=digest,
            expires_at=_expiry(),
            invited_by=actor,
            sent_count=1,
        )
        _queue_email(invitation, token)
    return invitation


def _locked(invitation: Invitation) -> Invitation:
    return Invitation.objects.select_for_update().get(pk=invitation.pk)


def invitation_resend(*, invitation: Invitation, actor: Any) -> Invitation:
    """Mail a new link with a new expiry; the old link stops working at once."""
    _check_manages(actor, invitation.program_id)
    with transaction.atomic(), set_actor(actor):
        invitation = _locked(invitation)
        if invitation.state in (Invitation.State.ACCEPTED, Invitation.State.REVOKED):
            raise ApplicationError(
                f"The invitation to {invitation.email} was {invitation.state.label.lower()}; "
                "it cannot be sent again."
            )
        token, invitation.token_hash = _new_invitation_token()
        invitation.expires_at = _expiry()
        invitation.sent_count += 1
        invitation.save(update_fields=["token_hash", "expires_at", "sent_count", "updated_at"])
        _queue_email(invitation, token)
    return invitation


def invitation_revoke(*, invitation: Invitation, actor: Any) -> Invitation:
    """The link stops working; an accepted invitation stays (deactivate the account instead)."""
    _check_manages(actor, invitation.program_id)
    with transaction.atomic(), set_actor(actor):
        invitation = _locked(invitation)
        if invitation.state == Invitation.State.ACCEPTED:
            raise ApplicationError(
                f"{invitation.email} accepted the invitation already; deactivate the account "
                "instead."
            )
        if invitation.state != Invitation.State.REVOKED:
            invitation.revoked_at = timezone.now()
            invitation.save(update_fields=["revoked_at", "updated_at"])
    return invitation


def invitation_for_token(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("program", "person")
        .filter(token_hash=hash_token(token))
        .first()
    )


def invitation_check(invitation: Invitation | None) -> Invitation:
    """The invitation, if its link still works; otherwise why not, in words for the invitee."""
    if invitation is None:
        raise ApplicationError(
            "This invitation link is not valid. Check that you opened the whole link from the "
            "latest email, or ask your coordinator to send a new one."
        )
    state = invitation.state
    if state == Invitation.State.ACCEPTED:
        raise ApplicationError(
            "This invitation was used already. Sign in with the account it created."
        )
    if state == Invitation.State.REVOKED:
        raise ApplicationError(
            "This invitation was withdrawn. Ask your coordinator if you still need an account."
        )
    if state == Invitation.State.EXPIRED:
        expired = timezone.localtime(invitation.expires_at, zone(invitation.program))
        raise ApplicationError(
            f"This invitation expired on {expired:%d %b %Y at %H:%M}. "
            "Ask your coordinator to send a new one."
        )
    return invitation


def existing_account(email: str) -> Any:
    return get_user_model().objects.filter(email__iexact=email).order_by("pk").first()


def invitation_account_draft(invitation: Invitation) -> Any:
    """The account an invitation would create, unsaved (password validators compare with it)."""
    person = invitation.person
    return get_user_model()(
        username=invitation.email.lower(),
        email=invitation.email,
        first_name=person.first_name if person else "",
        last_name=person.last_name if person else "",
    )


def _new_account(invitation: Invitation, password: str | None) -> Any:
    User = get_user_model()
    account = invitation_account_draft(invitation)
    if not password:
        raise ApplicationError("Choose a password.", details={"field": "new_password1"})
    try:
        password_validation.validate_password(password, account)
    except ValidationError as error:
        raise ApplicationError(
            " ".join(error.messages), details={"field": "new_password2"}
        ) from None
    suffix = 1
    while User.objects.filter(username__iexact=account.username).exists():
        suffix += 1
        account.username = f"{invitation.email.lower()}-{suffix}"
    account.set_password(password)
    account.save()
    return account


def invitation_accept(*, token: str, password: str | None = None, user: Any = None) -> Any:
    """Use the link once: create the account with ``password`` (or, when the address has an
    account already, add the program to ``user``, who must be signed in as it), give it the
    invited role and person, and close the invitation, all in one transaction. Returns the
    account."""
    with transaction.atomic():
        found = invitation_for_token(token)
        if found is not None:
            found = _locked(found)
        invitation = invitation_check(found)
        program = invitation.program
        existing = existing_account(invitation.email)
        if existing is not None:
            if user is None or user.pk != existing.pk:
                raise ApplicationError(
                    f"An account with the address {invitation.email} exists already. Sign in "
                    f"with it, then open this link again to join {program}.",
                    details={"code": "sign_in"},
                )
            if not existing.is_active:
                raise ApplicationError("This account is deactivated; ask your coordinator.")
            account = existing
        else:
            account = _new_account(invitation, password)
        if Membership.objects.filter(user=account, program=program).exists():
            raise ApplicationError(f"Your account has a role in {program} already.")
        with set_actor(account):
            membership = Membership(
                user=account, program=program, role=invitation.role, person=invitation.person
            )
            if invitation.person is not None:
                _check_person_free(invitation.person)
                _check_seat(membership)
            membership.save()
            invitation.accepted_at = timezone.now()
            invitation.save(update_fields=["accepted_at", "updated_at"])
    return account
