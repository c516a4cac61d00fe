"""The console's part for accounts: invitations (invite, re-send, revoke, with each one's state)
and linking an existing account to a person. Every write goes through people.accounts.
Imported by people.admin, which Django's admin discovers."""

from __future__ import annotations

from functools import partial
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from console.admin import AUDIT_FIELDS, ProgramScopedAdmin, RelatedOnly
from people import accounts
from people.access import managed_program_ids
from people.models import Invitation, Membership, Person, Program

State = Invitation.State


class InvitationStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return list(State.choices)

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[Invitation]
    ) -> QuerySet[Invitation]:
        now = timezone.now()
        open_ = queryset.filter(accepted_at__isnull=True, revoked_at__isnull=True)
        by_state: dict[str, QuerySet[Invitation]] = {
            State.ACCEPTED: queryset.filter(accepted_at__isnull=False),
            State.REVOKED: queryset.filter(accepted_at__isnull=True, revoked_at__isnull=False),
            State.EXPIRED: open_.filter(expires_at__lte=now),
            State.PENDING: open_.filter(expires_at__gt=now),
        }
        return by_state.get(self.value() or "", queryset)


ADD_FIELDS = ("program", "email", "role", "person")
SHOWN_FIELDS = (
    *ADD_FIELDS,
    "state",
    "expires_at",
    "sent_count",
    "invited_by",
    "accepted_at",
    "revoked_at",
    *AUDIT_FIELDS,
)


@admin.register(Invitation)
class InvitationAdmin(ProgramScopedAdmin):
    """Invite someone by email with a role up to your own; the invitee sets their password from
    a one-time link. Re-send mints a new link (the old one dies); revoke withdraws it."""

    list_display = (
        "email",
        "role_label",
        "person",
        "program",
        "state",
        "expires_at",
        "sent_count",
        "invited_by",
    )
    list_filter = (InvitationStateFilter, "role", ("program", RelatedOnly))
    list_select_related = ("program", "person", "invited_by")
    search_fields = ("email", "person__first_name", "person__last_name")
    autocomplete_fields = ("program", "person")
    date_hierarchy = "created_at"
    actions = ("resend", "revoke")

    @admin.display(description="Role", ordering="role")
    def role_label(self, obj: Invitation) -> str:
        return Membership.Role(obj.role).label if obj.role in Membership.Role.values else obj.role

    @admin.display(description="State")
    def state(self, obj: Invitation) -> str:
        return str(obj.state.label)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return SHOWN_FIELDS if obj else ADD_FIELDS

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        programs = managed_program_ids(request.user)
        if len(programs) == 1 and not getattr(request.user, "is_superuser", False):
            initial.setdefault("program", str(next(iter(programs))))
        return initial

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return SHOWN_FIELDS if obj else ()

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "role":
            return forms.ChoiceField(
                choices=accounts.grantable_roles(request.user),
                initial=Membership.Role.RESIDENT,
                help_text="Roles up to your own.",
            )
        if db_field.name == "email":
            kwargs["help_text"] = "The one-time link goes to this address."
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    # Invitations change only through their actions; the history stays (no delete).
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and self._manages(request, None)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        invitation = accounts.invitation_create(
            program=obj.program,
            email=obj.email,
            role=obj.role,
            person=obj.person,
            actor=request.user,
        )
        obj.pk, obj.code, obj.email = invitation.pk, invitation.code, invitation.email
        self.message_user(
            request,
            f"Invitation sent to {invitation.email}; the link works once, until "
            f"{timezone.localtime(invitation.expires_at):%d %b %Y %H:%M}.",
        )

    def _each(self, request: HttpRequest, rows: QuerySet[Invitation], service: Any) -> int:
        return sum(
            self.call_service(request, partial(service, invitation=row, actor=request.user))
            is not None
            for row in rows
        )

    @admin.action(description="Send the selected invitations again (new link, new expiry)")
    def resend(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        done = self._each(request, queryset, accounts.invitation_resend)
        if done:
            self.message_user(request, f"{done} invitation(s) sent again; earlier links stop.")

    @admin.action(description="Revoke the selected invitations")
    def revoke(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        done = self._each(request, queryset, accounts.invitation_revoke)
        if done:
            self.message_user(request, f"{done} invitation(s) revoked; their links stop working.")


# Linking an existing account to a person ----------------------------------------------------


class AccountChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_username()} ({obj.email})" if obj.email else obj.get_username()


class LinkAccountForm(forms.Form):
    account = AccountChoice(queryset=get_user_model().objects.none(), required=False)
    email = forms.EmailField(required=False, label="Or the account's email address")

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["account"]
        field.queryset = (
            get_user_model()
            .objects.filter(memberships__program=program, is_active=True)
            .order_by("username")
        )
        field.help_text = f"An account with a role in {program}."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("account") is None:
            email = data.get("email")
            field: Any = self.fields["account"]
            found = field.queryset.filter(email__iexact=email).first() if email else None
            if found is None:
                raise forms.ValidationError(
                    "Choose an account, or give the email address of an account with a role in "
                    "this program (invite anyone else)."
                )
            data["account"] = found
        return data


@admin.action(description="Link an existing user account to the selected person")
def link_account(
    model_admin: Any, request: HttpRequest, queryset: QuerySet[Person]
) -> HttpResponse | None:
    people = list(queryset.select_related("program")[:2])
    if len(people) != 1:
        model_admin.message_user(request, "Choose exactly one person.", level=messages.ERROR)
        return None
    (person,) = people
    form = LinkAccountForm(request.POST if "link" in request.POST else None, program=person.program)
    if form.is_valid():
        user = form.cleaned_data["account"]
        model_admin.call_service(
            request,
            partial(accounts.account_link_person, user=user, person=person, actor=request.user),
            success=f"{user} is now linked to {person.full_name}.",
        )
        return None
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Link an account to {person.full_name}",
        "person": person,
        "form": form,
        "opts": model_admin.model._meta,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/people/person/link_account.html", context)
