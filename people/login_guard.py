"""Sign-in budgets shared by the login page and the API token endpoint.

Three layers stand in front of a password guess:

* **one username from one address**: django-axes locks the pair after ``AXES_FAILURE_LIMIT``
  failures (settings), so a typo-prone user locks out only themself, on that machine;
* **one address, any usernames** (password spraying): after ``LOGIN_ADDRESS_FAILURE_LIMIT``
  failures within ``LOGIN_GUARD_WINDOW`` the address may not try any account until the window ends;
* **one username, any addresses** (distributed guessing): after ``LOGIN_USERNAME_FAILURE_LIMIT``
  failures within the window the account refuses every address until the window ends or its owner
  resets the password. Each address is stopped by the first layer after ``AXES_FAILURE_LIMIT``
  failures, so this limit is out of reach of any single address: one address can never lock an
  account for everyone.

The check runs in :class:`LoginGuardBackend`, the first authentication backend, so every door that
calls ``authenticate()`` is guarded the same way; failures are counted from Django's
``user_login_failed`` signal. Counters live in the cache (Redis when configured).
"""

from __future__ import annotations

import hashlib
from typing import Any

from axes.helpers import get_client_ip_address
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver

REFUSED = "login_guard_refused"  # the request attribute carrying the refusal message


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"login-guard:{kind}:{digest}"


def _window() -> int:
    return int(settings.LOGIN_GUARD_WINDOW.total_seconds())


def _minutes() -> int:
    return max(1, _window() // 60)


def _count(key: str) -> int:
    return int(cache.get(key, 0))


def _bump(key: str) -> None:
    # The window starts at the first failure and is not extended by later ones.
    if not cache.add(key, 1, timeout=_window()):
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=_window())


def refusal(request: Any, username: str) -> str | None:
    """Why a sign-in attempt may not even be checked right now, or None."""
    address = get_client_ip_address(request) or ""
    if _count(_key("address", address)) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
        return (
            "Too many failed sign-ins from your network address: "
            f"try again in {_minutes()} minutes."
        )
    if username and _count(_key("username", username)) >= settings.LOGIN_USERNAME_FAILURE_LIMIT:
        return (
            "Too many failed sign-ins for this account from several places: it is paused for "
            f"{_minutes()} minutes, or reset your password to sign in now."
        )
    return None


def clear_username(username: str) -> None:
    """Lift every lock on ``username``: after its owner proved control of the account's email."""
    cache.delete(_key("username", username))
    axes_reset(username=username)


class LoginGuardBackend:
    """Refuses the attempt before any password is checked when a budget is spent."""

    def authenticate(self, request: Any, username: str | None = None, **_: Any) -> None:
        if request is None:
            return None
        message = refusal(request, username or "")
        if message:
            setattr(request, REFUSED, message)
            raise PermissionDenied(message)
        return None

    # No get_user(): sessions never belong to this backend (force_login and the session
    # middleware pick the first backend that has one).


@receiver(user_login_failed, dispatch_uid="login_guard_count_failure")
def count_failure(sender: Any, credentials: dict[str, Any], request: Any = None, **_: Any) -> None:
    if request is None or getattr(request, REFUSED, None) or getattr(request, "axes_locked_out", 0):
        return  # a refused attempt was never checked: it does not extend any pause
    _bump(_key("address", get_client_ip_address(request) or ""))
    username = str(credentials.get("username") or "")
    if username:
        _bump(_key("username", username))
