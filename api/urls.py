"""/api/v1/: collections, runs, validation, import/export, tokens, and the OpenAPI schema."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.routers import DefaultRouter

from api import views, views_auth, views_io, views_me, views_resilience, views_rules
from conflicts.api import ConflictViewSet
from swaps.api import SwapViewSet

app_name = "api"


@csrf_exempt  # answers 404 to any method; there is nothing to protect
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    return JsonResponse({"message": "Not found.", "details": {}}, status=404)


class Router(DefaultRouter):
    include_root_view = False


router = Router(trailing_slash=True)
router.register("programs", views.ProgramViewSet, basename="program")
router.register("people", views.PersonViewSet, basename="person")
router.register("memberships", views.MembershipViewSet, basename="membership")
router.register("absences", views.AbsenceViewSet, basename="absence")
router.register("requests", views.RequestViewSet, basename="request")
router.register("preferences", views_rules.StandingPreferenceViewSet, basename="preference")
router.register("rotations", views.RotationViewSet, basename="rotation")
router.register("shift-types", views.ShiftTypeViewSet, basename="shift-type")
router.register("coverage", views.CoverageViewSet, basename="coverage")
router.register("curriculum", views.CurriculumViewSet, basename="curriculum")
router.register("program-rules", views_rules.ProgramRuleViewSet, basename="program-rule")
router.register("academic-years", views.AcademicYearViewSet, basename="academic-year")
router.register("blocks", views.BlockViewSet, basename="block")
router.register(
    "rotation-assignments", views.RotationAssignmentViewSet, basename="rotation-assignment"
)
router.register("assignments", views.AssignmentViewSet, basename="assignment")
router.register("runs", views.RunViewSet, basename="run")
router.register("subscriptions", views.SubscriptionViewSet, basename="subscription")
router.register("swaps", SwapViewSet, basename="swap")
router.register("import-jobs", views_io.ImportJobViewSet, basename="import-job")
router.register("conflicts", ConflictViewSet, basename="conflict")

urlpatterns = [
    path("", include(router.urls)),
    path("me/", views_me.MeView.as_view(), name="me"),
    path("validation/", views.ValidationView.as_view(), name="validation"),
    path("resilience/level/", views_resilience.LevelView.as_view(), name="resilience-level"),
    path("resilience/history/", views_resilience.HistoryView.as_view(), name="resilience-history"),
    path(
        "resilience/vulnerabilities/",
        views_resilience.VulnerabilitiesView.as_view(),
        name="resilience-vulnerabilities",
    ),
    path(
        "resilience/fallbacks/",
        views_resilience.FallbacksView.as_view(),
        name="resilience-fallbacks",
    ),
    path(
        "resilience/fallbacks/activate/",
        views_resilience.ActivateView.as_view(),
        name="resilience-activate",
    ),
    path(
        "imports/<str:kind>/preview/", views_io.ImportPreviewView.as_view(), name="import-preview"
    ),
    path("imports/<str:kind>/apply/", views_io.ImportApplyView.as_view(), name="import-apply"),
    *[
        path(f"exports/{kind}/", views_io.export_view(kind), name=f"export-{kind}")
        for kind in views_io.KINDS
    ],
    path("auth/token/", views_auth.LoginView.as_view(), name="token"),
    path("auth/token/refresh/", views_auth.RefreshView.as_view(), name="token-refresh"),
    path("auth/logout/", views_auth.LogoutView.as_view(), name="logout"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file, which the CSP allows.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    # Last: any other path under /api/v1/ (a malformed code included) is a 404 in the API's own
    # error shape, not the site's HTML page. Paths without a slash are first redirected to one.
    re_path(r"^[\s\S]*/$", not_found, name="not-found"),  # [\s\S]: a newline in a code too
]
