"""The sign-in, password-reset and invitation pages, with the sign-in budgets of
people.login_guard."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from lib.errors import ApplicationError
from people import accounts, login_guard
from people.access import PUBLIC, SESSION_PROGRAM, page
from people.models import Membership

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


class LoginForm(AuthenticationForm):
    def get_invalid_login_error(self) -> ValidationError:
        message = getattr(self.request, login_guard.REFUSED, None)
        if message:
            return ValidationError(message, code="throttled")
        return super().get_invalid_login_error()


class LoginView(auth_views.LoginView):
    authentication_form = LoginForm


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """A successful reset proves the owner holds the account's email: lift the sign-in pause."""

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        login_guard.clear_username(form.user.get_username())
        return response


@page(PUBLIC, methods=("GET", "POST"))
@never_cache
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The invitee's one-time page: choose a password (or, for an address that has an account
    already, join with it after signing in), then arrive signed in at the dashboard."""
    template = "registration/invitation_accept.html"
    invitation = accounts.invitation_for_token(token)
    try:
        accounts.invitation_check(invitation)
    except ApplicationError as error:
        status = 404 if invitation is None else 410
        return render(request, template, {"problem": error.message}, status=status)
    assert invitation is not None
    user: Any = request.user
    existing = accounts.existing_account(invitation.email)
    joins = existing is not None and user.is_authenticated and user.pk == existing.pk
    form = None
    if existing is None:
        draft = accounts.invitation_account_draft(invitation)
        form = SetPasswordForm(draft, request.POST or None)
        form.fields["new_password1"].label = "Choose a password"
        form.fields["new_password2"].label = "The same password again"
    problem = ""
    if request.method == "POST" and (joins or (form is not None and form.is_valid())):
        password = form.cleaned_data["new_password1"] if form is not None else None
        try:
            account = accounts.invitation_accept(
                token=token, password=password, user=user if joins else None
            )
        except ApplicationError as error:
            problem = error.message
        else:
            if not joins:
                login(request, account, backend=MODEL_BACKEND)
            request.session[SESSION_PROGRAM] = str(invitation.program.code)
            messages.success(request, f"Welcome to {invitation.program}.")
            return redirect(settings.LOGIN_REDIRECT_URL)
    context = {
        "invitation": invitation,
        "role": Membership.Role(invitation.role).label,
        "form": form,
        "existing": existing,
        "joins": joins,
        "problem": problem,
    }
    return render(request, template, context)
