"""The sign-in and password-reset pages, with the sign-in budgets of people.login_guard."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpResponse

from people import login_guard


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
