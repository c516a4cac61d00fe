from __future__ import annotations

from django.urls import path

from resilience import views

app_name = "resilience"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("act/", views.act, name="act"),
]
