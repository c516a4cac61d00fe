"""Response headers every page, the console and the API carry, and the door to /metrics.

- Content-Security-Policy: scripts only from this site (no inline script anywhere: pages declare
  behaviours with data attributes handled by static/js/site.js), no plugins, no framing.
  Inline ``style`` attributes stay allowed: they carry colours, never code.
- Permissions-Policy: the site uses no camera, microphone, geolocation or payment.
- Cache-Control ``no-store`` on responses to a logged-in user or a token-bearing API call, so a
  shared computer's browser or a proxy keeps no copy of someone's schedule.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.utils.cache import patch_cache_control
from django_prometheus.exports import ExportToDjangoView

LOOPBACK = {"127.0.0.1", "::1"}


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if getattr(user, "is_authenticated", False) or "Authorization" in request.headers:
            patch_cache_control(response, no_store=True, private=True)
        return response


def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics for a scraper holding METRICS_TOKEN (``Authorization: Bearer …``), or,
    with no token set, for a scraper on this machine only."""
    token = settings.METRICS_TOKEN
    if token:
        sent = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        allowed = hmac.compare_digest(sent.encode(), token.encode())
    else:
        allowed = request.META.get("REMOTE_ADDR") in LOOPBACK
    if not allowed:
        return HttpResponseForbidden("Metrics need the scraper's token.\n")
    return ExportToDjangoView(request)
