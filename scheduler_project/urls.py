from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from scheduler_project import health

urlpatterns = [
    path("health", health.live, name="health"),
    path("health/ready", health.ready, name="health-ready"),
    path("admin/", admin.site.urls),
    path("schedule/", include("scheduling.urls")),
    path("swaps/", include("swaps.urls")),
    path("api/v1/", include("api.urls")),  # API: DRF, tokens, OpenAPI schema and docs
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("people.urls")),
    path("", include("scheduling.page_urls")),
    path("", include("django_prometheus.urls")),
]
