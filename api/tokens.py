"""API tokens that die when they should.

- Every token carries ``auth_time`` (when the user typed their password) and ``pwd``, a
  fingerprint of the current password hash. Refreshing never moves ``auth_time``, so a session
  ends ``JWT_ABSOLUTE_LIFETIME`` after login however often it is refreshed.
- A password change (on any door: page, console, reset, command) changes the fingerprint, so
  every token issued before it, access tokens included, is refused at once.
- Logout revokes every session that logged in before it (``TokenRevocation``, compared with
  ``auth_time``), and deactivation ends every session too:
  simplejwt refuses inactive users on both access and refresh.
"""

from __future__ import annotations

import hmac
import time
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken, TokenError
from rest_framework_simplejwt.serializers import TokenRefreshSerializer
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken, Token

from api.models import TokenRevocation


def password_fingerprint(user: Any) -> str:
    return user.get_session_auth_hash()[:16]


def login_token(user: Any) -> RefreshToken:
    token = RefreshToken.for_user(user)
    token["auth_time"] = time.time()  # with its fraction: a login just after a logout is new
    token["pwd"] = password_fingerprint(user)
    return token


def check_token(token: Token, user: Any) -> None:
    """Refuse a token whose password fingerprint, login age or issue time is no longer good."""
    if not hmac.compare_digest(str(token.get("pwd", "")), password_fingerprint(user)):
        raise AuthenticationFailed("The password changed since this token was issued.")
    auth_time = float(token.get("auth_time", 0))
    if time.time() - auth_time > settings.JWT_ABSOLUTE_LIFETIME.total_seconds():
        raise AuthenticationFailed("This session is too old; log in again.")
    revoked = TokenRevocation.objects.filter(user=user).values_list("revoked_at", flat=True)
    revoked_at = revoked.first()
    if revoked_at is not None and auth_time <= revoked_at.timestamp():
        raise AuthenticationFailed("This token was revoked; log in again.")


class CheckedJWTAuthentication(JWTAuthentication):
    def get_user(self, validated_token: Token) -> Any:
        user = super().get_user(validated_token)
        check_token(validated_token, user)
        return user


class CheckedRefreshSerializer(TokenRefreshSerializer):
    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        try:
            refresh = RefreshToken(attrs["refresh"])
        except TokenError as error:
            raise InvalidToken(str(error)) from None
        user = get_user_model().objects.filter(pk=refresh.get("user_id")).first()
        if user is None or not user.is_active:
            raise AuthenticationFailed("No active account for this token.")
        check_token(refresh, user)
        return super().validate(attrs)


def user_tokens_revoke(*, user: Any) -> None:
    """Every API token of the user stops working now: refresh tokens are blacklisted, and access
    tokens issued until now are refused."""
    with transaction.atomic():
        TokenRevocation.objects.update_or_create(user=user, defaults={"revoked_at": timezone.now()})
        for token in OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True):
            BlacklistedToken.objects.get_or_create(token=token)
