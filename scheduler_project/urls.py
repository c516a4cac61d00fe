from __future__ import annotations

from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

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
    path("conflicts/", include("conflicts.urls")),
    path("api/v1/", include("api.urls")),  # API: DRF, tokens, OpenAPI schema and docs
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("people.urls")),
    path("", include("scheduling.page_urls")),
    path("metrics", security.metrics, name="prometheus-django-metrics"),
]
