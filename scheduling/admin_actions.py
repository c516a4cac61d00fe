"""Coordinator console actions that start runs and check schedules, through the services.

Publish, discard and cancel live on the run admin itself (scheduling/admin.py)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from lib.errors import ApplicationError
from scheduling import services
from scheduling.models import ScheduleRun

PLAN_TIME_LIMIT = 60
SCHEDULE_TIME_LIMIT = 30


def _start(request: HttpRequest, modeladmin: Any, **kwargs: Any) -> HttpResponse | None:
    try:
        run = services.schedule_run_create(
            actor=request.user, algorithm=ScheduleRun.DEFAULT_ALGORITHM, **kwargs
        )
    except ApplicationError as error:
        modeladmin.message_user(request, error.message, level=messages.ERROR)
        return None
    return HttpResponseRedirect(reverse("scheduling:run", args=[run.code]))


@admin.action(description="Generate rotation plan for the selected year")
def generate_rotation_plan(
    modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]
) -> HttpResponse | None:
    if queryset.count() != 1:
        modeladmin.message_user(request, "Choose one academic year.", level=messages.ERROR)
        return None
    year = queryset.select_related("program").get()
    return _start(
        request,
        modeladmin,
        program=year.program,
        kind=ScheduleRun.Kind.ROTATION_PLAN,
        start_date=year.start_date,
        end_date=year.end_date,
        time_limit_seconds=PLAN_TIME_LIMIT,
    )


def _period(
    modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]
) -> tuple[Any, Any, Any] | None:
    blocks = list(queryset.select_related("academic_year__program").order_by("start_date"))
    programs = {block.academic_year.program for block in blocks}
    if len(programs) != 1:
        modeladmin.message_user(request, "Choose blocks of one program.", level=messages.ERROR)
        return None
    try:
        start, end = services.blocks_period(blocks)
    except ApplicationError as error:
        modeladmin.message_user(request, error.message, level=messages.ERROR)
        return None
    return programs.pop(), start, end


def _generate(
    modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any], *, include_past: bool
) -> HttpResponse | None:
    period = _period(modeladmin, request, queryset)
    if period is None:
        return None
    program, start, end = period
    return _start(
        request,
        modeladmin,
        program=program,
        kind=ScheduleRun.Kind.SCHEDULE,
        start_date=start,
        end_date=end,
        time_limit_seconds=SCHEDULE_TIME_LIMIT,
        include_past=include_past,
        parameters={"include_past": include_past},
    )


@admin.action(description="Generate schedule for the selected blocks")
def generate_schedule(
    modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]
) -> HttpResponse | None:
    return _generate(modeladmin, request, queryset, include_past=False)


@admin.action(description="Generate schedule for the selected blocks, including past days")
def generate_schedule_including_past(
    modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]
) -> HttpResponse | None:
    return _generate(modeladmin, request, queryset, include_past=True)


@admin.action(description="Validate the published schedule of the selected blocks")
def validate_schedule(
    modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]
) -> HttpResponse | None:
    period = _period(modeladmin, request, queryset)
    if period is None:
        return None
    program, start, end = period
    query = urlencode({"program": program.code, "start": start.isoformat(), "end": end.isoformat()})
    return HttpResponseRedirect(f"{reverse('scheduling:validate')}?{query}")
