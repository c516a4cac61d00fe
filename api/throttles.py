"""Throttles: a per-user budget on the whole API and a per-address one on logging in."""

from __future__ import annotations

from typing import Any

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

# rest_framework.views imports this module (DEFAULT_THROTTLE_CLASSES): importing it back here
# would be circular, hence the loose types.


class ApiUserThrottle(UserRateThrottle):
    scope = "api_user"


class LoginThrottle(AnonRateThrottle):
    """Counts every login attempt by client address, signed in or not."""

    scope = "login"

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
