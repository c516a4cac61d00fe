from __future__ import annotations

from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from people import auth_views
from scheduler_project import health, security

urlpatterns = [
    path("health", health.live, name="health"),
    path("health/ready", health.ready, name="health-ready"),
    # Academic years moved from rotations to people: old console links still arrive.
    path(
        "admin/",
        include(
            [
                re_path(
                    r"^rotations/academicyear/(?P<rest>.*)$",
                    RedirectView.as_view(
                        url="/admin/people/academicyear/%(rest)s", query_string=True
                    ),
                )
            ]
        ),
    ),
    path("admin/", admin.site.urls),
    path("schedule/", include("scheduling.urls")),
    path("swaps/", include("swaps.urls")),
    path("analytics/", include("analytics.urls")),
    path("resilience/", include("resilience.urls")),
    path("conflicts/", include("conflicts.urls")),
    path("api/v1/", include("api.urls")),  # API: DRF, tokens, OpenAPI schema and docs
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("people.urls")),
    path("", include("scheduling.page_urls")),
    path("metrics", security.metrics, name="prometheus-django-metrics"),
]
