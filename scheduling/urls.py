from __future__ import annotations

from django.urls import path

from scheduling import views

app_name = "scheduling"

urlpatterns = [
    path("runs/", views.run_list, name="runs"),
    path("runs/<uuid:code>/", views.run_detail, name="run"),
    path("runs/<uuid:code>/cancel/", views.run_cancel, name="run-cancel"),
    path("runs/<uuid:code>/publish/", views.run_publish, name="run-publish"),
    path("runs/<uuid:code>/discard/", views.run_discard, name="run-discard"),
    path("generate/", views.generate, name="generate"),
    path("grid/", views.grid, name="grid"),
    path("validate/", views.validate, name="validate"),
    path("grid/cell/", views.grid_cell, name="grid-cell"),
    path("grid/preview/", views.grid_preview, name="grid-preview"),
    path("grid/save/", views.grid_save, name="grid-save"),
]
