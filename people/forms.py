"""Forms for the people pages. Rules live in the services; forms parse and show field errors."""

from __future__ import annotations

from typing import Any

from django import forms

from lib.errors import ApplicationError
from people.models import (
    Absence,
    BlockReason,
    CalendarSubscription,
    Program,
    Request,
    StandingPreference,
)
from people.models_preferences import CLINIC_SESSIONS_PER_YEAR, WEEKS_PER_YEAR, Weekday
from rotations.models import Rotation, ShiftType

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _DatesForm(forms.Form):
    start_date = forms.DateField(widget=DATE_WIDGET)
    end_date = forms.DateField(widget=DATE_WIDGET)
    note = forms.CharField(
        required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The end date is before the start date.")
        return data

    def add_service_error(self, error: ApplicationError) -> None:
        """Show a service's refusal beside the field it names (or on top of the form)."""
        name = error.details.get("field")
        self.add_error(name if name in self.fields else None, error.message)


class AbsenceRequestForm(_DatesForm):
    kind = forms.ChoiceField(choices=Absence.Kind.choices, label="Type")
    field_order = ["kind", "start_date", "end_date", "note"]


class PreferenceRequestForm(_DatesForm):
    # Blocked dates have their own form (with a reason) on the preferences page.
    kind = forms.ChoiceField(
        choices=[(k, label) for k, label in Request.Kind.choices if k != Request.Kind.BLOCKED],
        label="Type",
    )
    shift_type = forms.ModelChoiceField(
        queryset=ShiftType.objects.none(),
        required=False,
        empty_label="Any shift",
        help_text="Leave as “any shift” for the whole day.",
    )
    weight = forms.IntegerField(
        min_value=1, max_value=10, initial=5, help_text="1 (mild) to 10 (strong)."
    )
    field_order = ["kind", "start_date", "end_date", "shift_type", "weight", "note"]

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shift_type"].queryset = ShiftType.objects.filter(  # type: ignore[attr-defined]
            program=program, active=True
        )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("resolve", "Approve and resolve"), ("deny", "Deny")]
    )
    note = forms.CharField(required=False, max_length=500)
    # Set by the confirmation step that lists the published shifts an absence overlaps.
    confirmed = forms.BooleanField(required=False)


class SubscriptionForm(forms.Form):
    label = forms.CharField(
        required=False, max_length=100, help_text="e.g. “Phone” or “Work laptop”."
    )
    scope = forms.ChoiceField(choices=CalendarSubscription.Scope.choices, label="Calendar of")
    rotation = forms.ModelChoiceField(queryset=Rotation.objects.none(), required=False)

    def __init__(self, *args: Any, program: Program, manager: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if manager:
            self.fields["rotation"].queryset = Rotation.objects.filter(  # type: ignore[attr-defined]
                program=program, active=True
            )
        else:
            self.fields["scope"].choices = [  # type: ignore[attr-defined]
                (CalendarSubscription.Scope.PERSON.value, CalendarSubscription.Scope.PERSON.label)
            ]
            del self.fields["rotation"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("scope") == CalendarSubscription.Scope.ROTATION and not data.get("rotation"):
            self.add_error("rotation", "Choose the rotation to follow.")
        return data


def _active_shift_types(program: Program) -> Any:
    return ShiftType.objects.filter(program=program, active=True)


class BlockedDatesForm(_DatesForm):
    reason = forms.ChoiceField(choices=BlockReason.choices)
    shift_type = forms.ModelChoiceField(
        queryset=ShiftType.objects.none(),
        required=False,
        empty_label="Whole day",
        label="Only this shift",
        help_text="Leave as “whole day” to block every shift.",
    )
    field_order = ["start_date", "end_date", "reason", "shift_type", "note"]

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shift_type"].queryset = _active_shift_types(program)  # type: ignore[attr-defined]


class StandingPreferenceForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[
            (StandingPreference.Kind.PREFER.value, "Prefer"),
            (StandingPreference.Kind.AVOID.value, "Avoid"),
        ],
        label="I would",
    )
    shift_type = forms.ModelChoiceField(
        queryset=ShiftType.objects.none(), required=False, empty_label="Any shift"
    )
    weekday = forms.TypedChoiceField(
        choices=[("", "Any day"), *Weekday.choices],
        coerce=int,
        empty_value=None,
        required=False,
        label="On",
    )
    weight = forms.IntegerField(
        min_value=1, max_value=10, initial=5, help_text="1 (mild) to 10 (strong)."
    )

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shift_type"].queryset = _active_shift_types(program)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("shift_type") and data.get("weekday") is None and not self.errors:
            self.add_error("shift_type", "Name a shift type, a weekday, or both.")
        return data

    add_service_error = _DatesForm.add_service_error


class TargetForm(forms.Form):
    attending_weeks = forms.IntegerField(
        min_value=0, max_value=WEEKS_PER_YEAR, required=False, label="Attending weeks a year"
    )
    clinic_sessions = forms.IntegerField(
        min_value=0,
        max_value=CLINIC_SESSIONS_PER_YEAR,
        required=False,
        label="Clinic sessions a year",
        help_text="Half-days of clinic or precepting.",
    )
    note = forms.CharField(required=False, max_length=1000)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("attending_weeks") is None and data.get("clinic_sessions") is None:
            if not self.errors:
                self.add_error("attending_weeks", "Give attending weeks, clinic sessions, or both.")
        return data

    add_service_error = _DatesForm.add_service_error
