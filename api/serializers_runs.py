"""Serializers for schedule runs: the request that starts one and the status that reports it."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers import BoundedDateField, CodeField, Strict, ViolationSerializer
from people.models import Program
from scheduling.models import ScheduleRun
from scheduling.selectors.runs import run_percent
from scheduling.services import MAX_TIME_LIMIT


class RunCreateSerializer(Strict):
    program = CodeField("program", Program)
    kind = serializers.ChoiceField(
        choices=ScheduleRun.Kind.choices, default=ScheduleRun.Kind.SCHEDULE
    )
    algorithm = serializers.ChoiceField(
        choices=ScheduleRun.Algorithm.choices, default=ScheduleRun.DEFAULT_ALGORITHM
    )
    start_date = BoundedDateField()
    end_date = BoundedDateField()
    time_limit_seconds = serializers.IntegerField(min_value=1, max_value=MAX_TIME_LIMIT, default=30)
    seed = serializers.IntegerField(min_value=0, max_value=2**31 - 1, required=False)
    minimal_change = serializers.BooleanField(required=False)
    include_past = serializers.BooleanField(
        default=False,
        help_text="A schedule run that starts before the program's today is refused without it; "
        "locked past shifts are kept.",
    )

    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        help_text="Needed when a schedule run starts inside the program's freeze horizon.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["end_date"] < attrs["start_date"]:
            raise serializers.ValidationError({"end_date": ["The period ends before it starts."]})
        if (attrs["end_date"] - attrs["start_date"]).days > 400:
            raise serializers.ValidationError({"end_date": ["A run covers at most 400 days."]})
        return attrs

    def parameters(self) -> dict[str, Any]:
        data = self.validated_data
        names = ("seed", "minimal_change", "include_past")
        return {name: data[name] for name in names if name in data}


class RunProgressSampleSerializer(serializers.Serializer):
    elapsed_seconds = serializers.FloatField()
    objective = serializers.FloatField(allow_null=True)
    bound = serializers.FloatField(allow_null=True)
    phase = serializers.CharField()


class RunMetricsSerializer(serializers.Serializer):
    """What the solver reports; which keys are present depends on how the run ended."""

    status = serializers.CharField(required=False, help_text="The solver's own status.")
    algorithm = serializers.CharField(required=False)
    wall_time = serializers.FloatField(required=False, help_text="Seconds.")
    time_to_first_feasible = serializers.FloatField(required=False, allow_null=True)
    penalties = serializers.DictField(child=serializers.FloatField(), required=False)
    assignments = serializers.IntegerField(required=False, help_text="Rows the run drafted.")
    published = serializers.DictField(
        child=serializers.IntegerField(), required=False, help_text="Counts, once published."
    )
    details = serializers.DictField(
        child=serializers.JSONField(), required=False, help_text="Why a failed run failed."
    )


class RunSerializer(serializers.ModelSerializer):
    program = serializers.SerializerMethodField()
    url = serializers.HyperlinkedIdentityField(
        view_name="api:run-detail", lookup_field="code", read_only=True
    )
    percent = serializers.SerializerMethodField()
    is_draft = serializers.BooleanField(read_only=True)

    class Meta:
        model = ScheduleRun
        fields = [
            "code",
            "url",
            "program",
            "kind",
            "algorithm",
            "start_date",
            "end_date",
            "status",
            "phase",
            "percent",
            "objective",
            "bound",
            "elapsed_seconds",
            "time_limit_seconds",
            "cancel_requested",
            "is_draft",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "published_at",
            "discarded_at",
        ]
        read_only_fields = fields

    def get_program(self, obj: ScheduleRun) -> str:
        return str(obj.program.code)

    def get_percent(self, obj: ScheduleRun) -> int:
        return run_percent(obj)


class RunDetailSerializer(RunSerializer):
    progress = serializers.SerializerMethodField()
    violations = serializers.SerializerMethodField()
    metrics = serializers.SerializerMethodField()

    class Meta(RunSerializer.Meta):
        fields = [*RunSerializer.Meta.fields, "progress", "violations", "metrics"]
        read_only_fields = fields

    @extend_schema_field(RunProgressSampleSerializer(many=True))
    def get_progress(self, obj: ScheduleRun) -> list[dict[str, Any]]:
        """The latest 100 samples, oldest first: enough to draw objective and bound over time."""
        samples = list(obj.progress.order_by("-elapsed_seconds")[:100])
        return RunProgressSampleSerializer(reversed(samples), many=True).data

    @extend_schema_field(ViolationSerializer(many=True))
    def get_violations(self, obj: ScheduleRun) -> list[dict[str, Any]]:
        """The rule violations of the draft, as the validator reports them."""
        return list(obj.violations)

    @extend_schema_field(RunMetricsSerializer)
    def get_metrics(self, obj: ScheduleRun) -> dict[str, Any]:
        return dict(obj.metrics)
