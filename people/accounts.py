"""Account lifecycle for coordinators: deactivating an account closes every door at once.

A coordinator reaches only the accounts of their own programs, never one that also belongs to a
program they do not manage, a superuser, or a role above their own."""

from __future__ import annotations

from typing import Any

from auditlog.context import set_actor
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from api.tokens import user_tokens_revoke
from conflicts.triggers import schedule_detection_ahead
from lib.errors import ApplicationError
from people.access import is_admin, managed_program_ids
from people.models import CalendarSubscription, Membership

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


def check_reach(actor: Any, user: Any) -> None:
    """Refuse unless ``actor`` manages every program ``user`` belongs to, at a rank at or above
    the user's role there."""
    if user.pk == actor.pk:
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
