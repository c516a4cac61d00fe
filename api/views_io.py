"""Import (preview, then apply all-or-nothing) and export of people, absences, plan, schedule."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from api import exports, imports
from api.models import ImportRecord
from api.serializers import CodeField, Strict
from api.tables import CONTENT_TYPES, CSV, XLSX
from api.viewsets import ApiView
from people.access import READ, WRITE, can
from people.models import AcademicYear, Program

KINDS = [choice.value for choice in ImportRecord.Kind]


class ImportSerializer(Strict):
    program = CodeField("program", Program)
    academic_year = CodeField("academic_year", AcademicYear, required=False, allow_null=True)
    file = serializers.FileField()
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=500,
        help_text="Schedule imports: needed when the file's shifts break hard rules (kept on "
        "the rows and in their audit entries).",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        year = attrs.get("academic_year")
        if year is not None and year.program_id != attrs["program"].pk:
            raise serializers.ValidationError(
                {"academic_year": ["This belongs to another program."]}
            )
        return attrs


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    column = serializers.CharField()
    reason = serializers.CharField()


class ImportResultSerializer(serializers.Serializer):
    kind = serializers.CharField()
    counts = serializers.DictField(child=serializers.IntegerField())
    creates = serializers.ListField(child=serializers.DictField())
    updates = serializers.ListField(child=serializers.DictField())
    deletes = serializers.ListField(child=serializers.DictField())
    errors = RowErrorSerializer(many=True)


def _form(request: Request, kind: str, action: str) -> tuple[dict[str, Any], bytes]:
    if kind not in KINDS:
        raise exceptions.NotFound(f"Unknown import {kind!r}; one of {', '.join(KINDS)}.")
    form = ImportSerializer(data=request.data, context={"request": request})
    form.is_valid(raise_exception=True)
    data = form.validated_data
    if not can(request.user, "import", action, data["program"]):
        raise exceptions.PermissionDenied()
    return data, data["file"].read()


_IMPORT_DOC = {
    "request": {"multipart/form-data": ImportSerializer},
    "responses": {200: ImportResultSerializer},
    "parameters": [OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=KINDS)],
}


class ImportPreviewView(ApiView):
    """What the file would create, change and delete, and every row error; nothing is saved."""

    resource = "import"
    parser_classes = [MultiPartParser]

    @extend_schema(**_IMPORT_DOC)  # type: ignore[arg-type]
    def post(self, request: Request, kind: str) -> Response:
        data, content = _form(request, kind, READ)
        plan = imports.import_plan(
            kind=kind,
            program=data["program"],
            name=data["file"].name,
            content=content,
            year=data.get("academic_year"),
        )
        return Response(plan.summary())


class ImportApplyView(ApiView):
    """Apply the file in one transaction; any row error refuses all of it (400, every error)."""

    resource = "import"
    parser_classes = [MultiPartParser]

    @extend_schema(**_IMPORT_DOC)  # type: ignore[arg-type]
    def post(self, request: Request, kind: str) -> Response:
        data, content = _form(request, kind, WRITE)
        plan = imports.import_apply(
            kind=kind,
            program=data["program"],
            name=data["file"].name,
            content=content,
            year=data.get("academic_year"),
            actor=request.user,
            override_reason=data["override_reason"],
        )
        return Response(plan.summary())


class ExportQuerySerializer(Strict):
    program = CodeField("program", Program)
    file_format = serializers.ChoiceField(choices=[XLSX, CSV], default=XLSX)


class YearExportQuerySerializer(ExportQuerySerializer):
    academic_year = CodeField("academic_year", AcademicYear, required=False, allow_null=True)


class RequiredYearExportQuerySerializer(ExportQuerySerializer):
    academic_year = CodeField("academic_year", AcademicYear)


# kind -> the query it takes: people take no year, absences an optional one (a filter), the plan
# and the schedule a required one.
EXPORT_QUERIES: dict[str, type[ExportQuerySerializer]] = {
    ImportRecord.Kind.PEOPLE: ExportQuerySerializer,
    ImportRecord.Kind.ABSENCES: YearExportQuerySerializer,
    ImportRecord.Kind.ROTATION_PLAN: RequiredYearExportQuerySerializer,
    ImportRecord.Kind.SCHEDULE: RequiredYearExportQuerySerializer,
}
# Binary for both: a CSV is downloaded as a file (UTF-8), so a client keeps its bytes as they are.
FILE = {"type": "string", "format": "binary"}


class ExportView(ApiView):
    """Download people, absences, the rotation plan or the schedule (grid workbook or CSV)."""

    resource = "export"
    kind = ""

    def get(self, request: Request) -> HttpResponse:
        query = EXPORT_QUERIES[self.kind](
            data=request.query_params.dict(), context={"request": request}
        )
        query.is_valid(raise_exception=True)
        program = query.validated_data["program"]
        year = query.validated_data.get("academic_year")
        fmt = query.validated_data["file_format"]
        if not can(request.user, "export", READ, program):
            raise exceptions.PermissionDenied()
        if year is not None and year.program_id != program.pk:
            raise exceptions.ValidationError(
                {"academic_year": ["This belongs to another program."]}
            )
        content = _export(self.kind, program, year, fmt)
        response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
        name = f"{program.short_name or program.name}-{self.kind}".replace(" ", "-").lower()
        response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
        return response


def export_view(kind: str) -> Any:
    """The export of one kind, with its own query in the schema (and its own operation)."""
    described = extend_schema(
        operation_id=f"exports_{kind.replace('-', '_')}_retrieve",
        summary=f"Export {ImportRecord.Kind(kind).label.lower()}",
        parameters=[EXPORT_QUERIES[kind]],
        responses={(200, CONTENT_TYPES[XLSX]): FILE, (200, "text/csv"): FILE},
    )
    name = f"{kind.title().replace('-', '')}ExportView"
    view: type[ExportView] = type(name, (ExportView,), {"kind": kind})
    return extend_schema_view(get=described)(view).as_view()


def _export(kind: str, program: Program, year: AcademicYear | None, fmt: str) -> bytes:
    if kind == ImportRecord.Kind.PEOPLE:
        return exports.export_people(program=program, fmt=fmt)
    if kind == ImportRecord.Kind.ABSENCES:
        return exports.export_absences(program=program, fmt=fmt, year=year)
    assert year is not None
    if kind == ImportRecord.Kind.ROTATION_PLAN:
        return exports.export_rotation_plan(program=program, fmt=fmt, year=year)
    if fmt == CSV:
        return exports.export_schedule_csv(program=program, year=year)
    return exports.export_schedule_xlsx(program=program, year=year)
