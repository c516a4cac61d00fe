"""Coordinator console: the conflict alert queue, the program's resolution policy and its backup
(on-call jeopardy) pool."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin

from conflicts.models import BackupDuty, ConflictAlert, ConflictPolicy
from console.admin import AUDIT_FIELDS, DateRangeFilter, ProgramScopedAdmin, RelatedOnly
from rotations.models import ShiftType


@admin.register(ConflictAlert)
class ConflictAlertAdmin(ProgramScopedAdmin):
    list_display = (
        "start_date",
        "end_date",
        "severity",
        "kind",
        "status",
        "person",
        "summary",
        "program",
    )
    list_filter = (
        "status",
        "severity",
        "kind",
        ("start_date", DateRangeFilter),
        ("program", RelatedOnly),
    )
    list_select_related = ("program", "person")
    date_hierarchy = "start_date"
    search_fields = ("message", "person__first_name", "person__last_name")
    autocomplete_fields = ("program", "person", "assignment", "absence")
    # Resolution is recorded by the resolution services, not typed in.
    readonly_fields = ("resolution", "resolved_by", "resolved_at", *AUDIT_FIELDS)

    @admin.display(description="Message")
    def summary(self, obj: ConflictAlert) -> str:
        return obj.message if len(obj.message) <= 80 else f"{obj.message[:79]}…"


class ConflictPolicyForm(forms.ModelForm):
    class Meta:
        model = ConflictPolicy
        fields = ("program", "auto_apply_low_risk", "reassign_order", "splits")
        help_texts = {
            "splits": "Shift types that may be split, each into two of the program's shift types: "
            '{"CALL": ["WD", "NT"]} splits a CALL into a WD and an NT.',
        }

    def clean(self) -> dict[str, Any]:
        """The split strategy reads ``splits`` as it is: refuse what it could not use."""
        cleaned = super().clean() or {}
        splits, program = cleaned.get("splits"), cleaned.get("program")
        if splits in (None, ""):
            cleaned["splits"] = {}  # an empty box: nothing splits (the column is not nullable)
            return cleaned
        if program is None:
            return cleaned
        if not isinstance(splits, dict):
            self.add_error("splits", 'Write an object such as {"CALL": ["WD", "NT"]}.')
            return cleaned
        known = set(
            ShiftType.objects.filter(program=program).values_list("abbreviation", flat=True)
        )
        for shift, parts in splits.items():
            if shift not in known:
                self.add_error("splits", f"{shift} is not a shift type of {program}.")
            elif not (
                isinstance(parts, list)
                and len(parts) == 2
                and all(isinstance(part, str) for part in parts)
                and parts[0] != parts[1]
            ):
                self.add_error("splits", f"{shift} must split into two different shift types.")
            elif set(parts) - known:
                missing = ", ".join(sorted(set(parts) - known))
                self.add_error("splits", f"{missing} is not a shift type of {program}.")
        return cleaned


@admin.register(ConflictPolicy)
class ConflictPolicyAdmin(ProgramScopedAdmin):
    form = ConflictPolicyForm
    list_display = ("program", "auto_apply_low_risk", "reassign_order", "split_summary")
    list_filter = ("auto_apply_low_risk", "reassign_order", ("program", RelatedOnly))
    list_select_related = ("program",)
    search_fields = ("program__name",)
    autocomplete_fields = ("program",)

    @admin.display(description="Splits")
    def split_summary(self, obj: ConflictPolicy) -> str:
        parts = [f"{shift} → {' + '.join(two)}" for shift, two in sorted(obj.splits.items())]
        return "; ".join(parts) or "—"


@admin.register(BackupDuty)
class BackupDutyAdmin(ProgramScopedAdmin):
    list_display = ("date", "person", "note", "program_name")
    list_filter = (("date", DateRangeFilter), ("person__program", RelatedOnly))
    list_select_related = ("person__program",)
    date_hierarchy = "date"
    search_fields = ("person__first_name", "person__last_name", "note")
    autocomplete_fields = ("person",)
    readonly_fields = AUDIT_FIELDS

    @admin.display(description="Program", ordering="person__program__name")
    def program_name(self, obj: BackupDuty) -> str:
        return str(obj.person.program)
