"""Import jobs (preview, then apply all-or-nothing, in a worker) and export of people,
absences, the rotation plan and the schedule."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from api import exports, import_jobs
from api.models import ImportJob, ImportRecord
from api.permissions import MatrixPermission
from api.serializers import CodeField, Strict
from api.tables import CONTENT_TYPES, CSV, XLSX
from api.viewsets import UUID_REGEX, ApiView
from people.access import READ, WRITE, can, scope_queryset
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
    column = serializers.CharField(allow_blank=True)
    reason = serializers.CharField()


class ImportResultSerializer(serializers.Serializer):
    kind = serializers.CharField()
    counts = serializers.DictField(child=serializers.IntegerField())
    creates = serializers.ListField(child=serializers.DictField())
    updates = serializers.ListField(child=serializers.DictField())
    deletes = serializers.ListField(child=serializers.DictField())
    errors = RowErrorSerializer(many=True)


class ImportJobSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:import-job-detail", lookup_field="code", read_only=True
    )
    program = serializers.SlugRelatedField(slug_field="code", read_only=True)
    academic_year = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    counts = serializers.DictField(child=serializers.IntegerField(), read_only=True)
    errors = RowErrorSerializer(many=True, read_only=True)
    result = serializers.SerializerMethodField(
        help_text="What the file creates, changes and deletes, once read; null before."
    )

    class Meta:
        model = ImportJob
        fields = [
            "code",
            "url",
            "program",
            "academic_year",
            "kind",
            "mode",
            "status",
            "filename",
            "size",
            "rows_read",
            "progress",
            "counts",
            "errors",
            "result",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    @extend_schema_field(ImportResultSerializer(allow_null=True))
    def get_result(self, job: ImportJob) -> dict[str, Any] | None:
        return job.result or None


def _form(request: Request, kind: str, action: str) -> dict[str, Any]:
    if kind not in KINDS:
        raise exceptions.NotFound(f"Unknown import {kind!r}; one of {', '.join(KINDS)}.")
    form = ImportSerializer(data=request.data, context={"request": request})
    form.is_valid(raise_exception=True)
    data = form.validated_data
    if not can(request.user, "import", action, data["program"]):
        raise exceptions.PermissionDenied()
    return data


def _accepted(request: Request, job: ImportJob) -> Response:
    """202 with the job and its URL (also in ``Location``) to poll."""
    data = ImportJobSerializer(job, context={"request": request}).data
    location = reverse("api:import-job-detail", kwargs={"code": job.code}, request=request)
    return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": str(location)})


def _start(request: Request, kind: str, mode: str) -> Response:
    data = _form(request, kind, READ if mode == ImportJob.Mode.PREVIEW else WRITE)
    upload = data["file"]
    job = import_jobs.import_job_create(
        kind=kind,
        program=data["program"],
        year=data.get("academic_year"),
        name=upload.name,
        content=upload.read(),
        actor=request.user,
        mode=mode,
        override_reason=data["override_reason"],
    )
    return _accepted(request, job)


_LOCATION = OpenApiParameter(
    "Location",
    {"type": "string", "format": "uri"},
    OpenApiParameter.HEADER,
    response=[202],
    description="The import job's URL: poll it until it is previewed, applied or failed.",
)
_IMPORT_DOC = {
    "request": {"multipart/form-data": ImportSerializer},
    "responses": {202: ImportJobSerializer},
    "parameters": [OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=KINDS), _LOCATION],
}


class ImportPreviewView(ApiView):
    """Queue a preview: a worker reads the file and lists what it would create, change and
    delete, and every row error; nothing is saved. 202 with the job to poll."""

    resource = "import"
    parser_classes = [MultiPartParser]

    @extend_schema(**_IMPORT_DOC)  # type: ignore[arg-type]
    def post(self, request: Request, kind: str) -> Response:
        return _start(request, kind, ImportJob.Mode.PREVIEW)


class ImportApplyView(ApiView):
    """Queue an apply: a worker reads the file and applies it in one transaction; any row error
    refuses all of it (the job fails, listing every error). 202 with the job to poll."""

    resource = "import"
    parser_classes = [MultiPartParser]

    @extend_schema(**_IMPORT_DOC)  # type: ignore[arg-type]
    def post(self, request: Request, kind: str) -> Response:
        return _start(request, kind, ImportJob.Mode.APPLY)


@extend_schema_view(
    list=extend_schema(description="Import jobs of the programs you manage, newest first."),
    retrieve=extend_schema(
        description="One import job: poll it until its status is previewed, applied or failed."
    ),
)
class ImportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Import jobs of the programs one manages: status, progress, counts, errors, the preview."""

    resource = "import_job"
    permission_classes = [MatrixPermission]
    serializer_class = ImportJobSerializer
    lookup_field = "code"
    lookup_value_regex = UUID_REGEX

    def get_queryset(self) -> QuerySet[ImportJob]:
        jobs = ImportJob.objects.defer("content").select_related("program", "academic_year")
        return scope_queryset(self.request.user, jobs, resource=self.resource)

    @extend_schema(request=None, responses={202: ImportJobSerializer}, parameters=[_LOCATION])
    @action(detail=True, methods=["post"])
    def apply(self, request: Request, code: str | None = None) -> Response:
        """Queue the apply of a job previewed without errors (400 for any other job)."""
        job = import_jobs.import_job_apply(job=self.get_object(), actor=request.user)
        return _accepted(request, job)


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
