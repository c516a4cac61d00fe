"""JWT for integrators: obtain (throttled, lockout-aware), refresh (rotating), logout (blacklist)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from api.serializers import StrictMixin
from api.throttles import LoginThrottle
from api.tokens import CheckedRefreshSerializer, login_token, user_tokens_revoke
from people import login_guard


class Locked(exceptions.APIException):
    status_code = status.HTTP_403_FORBIDDEN
    default_detail = "Too many failed logins: this account is locked for a while."
    default_code = "locked"


class Paused(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = "Too many failed sign-ins: try again later."
    default_code = "throttled"


class LoginSerializer(StrictMixin, TokenObtainPairSerializer):
    @classmethod
    def get_token(cls, user: Any) -> Any:
        return login_token(user)


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class LoginView(TokenObtainPairView):
    """Username and password for a 15-minute access token and a 7-day refresh token.

    Five attempts a minute per address; five failures for one username from one address lock
    that pair (django-axes); too many failures from one address, or for one username from several
    addresses, pause sign-in with a 429 (people/login_guard.py)."""

    serializer_class = LoginSerializer
    throttle_classes = [LoginThrottle]

    @extend_schema(responses={200: TokenPairSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            return super().post(request, *args, **kwargs)
        except exceptions.AuthenticationFailed:
            # The sign-in guards flag the request they were given: for DRF the Request wrapper.
            paused = getattr(request, login_guard.REFUSED, None)
            if paused:
                raise Paused(paused) from None
            if getattr(request, "axes_locked_out", False):
                raise Locked() from None
            raise


class RefreshSerializer(serializers.Serializer):
    refresh = serializers.CharField()


class RefreshView(TokenRefreshView):
    """Swap a refresh token for a new pair; the old refresh token is blacklisted (rotation).
    A session still ends a fixed time after login, and at a password change or logout."""

    serializer_class = CheckedRefreshSerializer

    @extend_schema(request=RefreshSerializer, responses={200: TokenPairSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().post(request, *args, **kwargs)


class LogoutSerializer(StrictMixin, serializers.Serializer):
    refresh = serializers.CharField()


class LogoutView(APIView):
    """Sign out everywhere: every refresh token of the user is blacklisted and every access
    token issued so far is refused."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=LogoutSerializer,
        responses={205: OpenApiResponse(description="Signed out: the refresh token is dead.")},
    )
    def post(self, request: Request) -> Response:
        form = LogoutSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            token = RefreshToken(form.validated_data["refresh"])
        except TokenError as error:
            raise exceptions.ValidationError({"refresh": [str(error)]}) from None
        if str(token.get("user_id")) != str(request.user.pk):
            raise exceptions.ValidationError({"refresh": ["This token belongs to someone else."]})
        token.blacklist()
        user_tokens_revoke(user=request.user)
        return Response(status=status.HTTP_205_RESET_CONTENT)
