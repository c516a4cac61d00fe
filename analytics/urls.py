"""Analytics pages under /analytics/."""

from __future__ import annotations

from django.urls import path

from analytics.views import exports, fairness, heatmaps

app_name = "analytics"

urlpatterns = [
    path("fairness/", fairness.fairness, name="fairness"),
    path("heatmaps/workload/", heatmaps.workload, name="workload"),
    path("heatmaps/coverage/", heatmaps.coverage, name="coverage"),
    path("heatmaps/duty/", heatmaps.duty, name="duty"),
    path("export/<str:report>/", exports.export, name="export"),
]
