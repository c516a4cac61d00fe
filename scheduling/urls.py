"""Coordinator pages under /schedule/: runs and the schedule grid."""

from __future__ import annotations

from django.urls import path

from scheduling.views import grid, runs

app_name = "scheduling"

urlpatterns = [
    path("runs/", runs.run_list, name="runs"),
    path("runs/<uuid:code>/", runs.run_detail, name="run"),
    path("runs/<uuid:code>/cancel/", runs.run_cancel, name="run-cancel"),
    path("runs/<uuid:code>/publish/", runs.run_publish, name="run-publish"),
    path("runs/<uuid:code>/discard/", runs.run_discard, name="run-discard"),
    path("generate/", runs.generate, name="generate"),
    path("grid/", grid.grid, name="grid"),
    path("validate/", grid.validate, name="validate"),
    path("grid/cell/", grid.grid_cell, name="grid-cell"),
    path("grid/preview/", grid.grid_preview, name="grid-preview"),
    path("grid/save/", grid.grid_save, name="grid-save"),
]
