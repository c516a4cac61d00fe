"""Analytics pages under /analytics/."""

from __future__ import annotations

from django.urls import path

from analytics.views import exports, fairness, heatmaps, pareto

app_name = "analytics"

urlpatterns = [
    path("fairness/", fairness.fairness, name="fairness"),
    path("heatmaps/workload/", heatmaps.workload, name="workload"),
    path("heatmaps/coverage/", heatmaps.coverage, name="coverage"),
    path("heatmaps/duty/", heatmaps.duty, name="duty"),
    path("export/<str:report>/", exports.export, name="export"),
    path("pareto/", pareto.pareto, name="pareto"),
    path("pareto/<uuid:code>/", pareto.study, name="pareto-study"),
    path("pareto/<uuid:code>/cancel/", pareto.cancel, name="pareto-cancel"),
    path("pareto/<uuid:code>/points/<uuid:run>/", pareto.point, name="pareto-point"),
    path("pareto/<uuid:code>/points/<uuid:run>/publish/", pareto.apply, name="pareto-apply"),
]
