"""Forms for the people pages. Rules live in the services; forms parse and show field errors."""

from __future__ import annotations

from typing import Any

from django import forms

from lib.errors import ApplicationError
from people.models import Absence, CalendarSubscription, Program, Request
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
    kind = forms.ChoiceField(choices=Request.Kind.choices, label="Type")
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
