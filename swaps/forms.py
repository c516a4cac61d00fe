from __future__ import annotations

from typing import Any

from django import forms

from lib.errors import ApplicationError


class ServiceErrors:
    def add_service_error(self: Any, error: ApplicationError) -> None:
        self.add_error(None, error.message)


class OfferForm(ServiceErrors, forms.Form):
    assignment: Any = forms.ModelChoiceField(queryset=None, to_field_name="code", label="Shift")
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    wants = forms.CharField(required=False, max_length=200, label="What I want back (optional)")

    def __init__(self, *args: Any, shifts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["assignment"]
        field.queryset = shifts
        field.label_from_instance = lambda row: (
            f"{row.date:%a %d %b %Y} · {row.shift_type.name} ({row.shift_type.abbreviation})"
        )


class RespondForm(ServiceErrors, forms.Form):
    assignment: Any = forms.ModelChoiceField(
        queryset=None, to_field_name="code", required=False, label="Give back"
    )

    def __init__(self, *args: Any, shifts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["assignment"]
        field.queryset = shifts


class DecisionForm(ServiceErrors, forms.Form):
    ACTIONS = ("approve", "reject", "execute", "undo")
    action = forms.ChoiceField(choices=[(a, a.capitalize()) for a in ACTIONS])
    reason = forms.CharField(required=False, max_length=500)
