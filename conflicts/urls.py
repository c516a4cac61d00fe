from __future__ import annotations

from django.urls import path

from conflicts import views

app_name = "conflicts"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("<uuid:code>/", views.detail, name="detail"),
    path("<uuid:code>/apply/", views.apply, name="apply"),
    path("<uuid:code>/dismiss/", views.dismiss, name="dismiss"),
]
