"""Forms of the analytics pages: asking for Pareto alternatives."""

from __future__ import annotations

from typing import Any

from django import forms

from analytics.services import DEFAULT_TIME_LIMIT, MAX_TIME_LIMIT, MIN_TIME_LIMIT
from people.models import Program
from rotations.models import Block


class ParetoForm(forms.Form):
    block = forms.ModelChoiceField(
        queryset=Block.objects.none(),
        required=False,
        help_text="The block to find alternatives for; or give dates below.",
    )
    start_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    time_limit_seconds = forms.IntegerField(
        min_value=MIN_TIME_LIMIT,
        max_value=MAX_TIME_LIMIT,
        initial=DEFAULT_TIME_LIMIT,
        label="Time limit (s)",
        help_text="For the whole study, shared by its solves (a four-week block: a minute).",
    )
    include_past = forms.BooleanField(
        required=False,
        label="Include past days",
        help_text="Without it a period that starts before today is refused: publishing an "
        "alternative replaces the published shifts of the whole period.",
    )

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.program = program
        field = self.fields["block"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Block.objects.filter(academic_year__program=program).order_by("start_date")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        block = data.get("block")
        start, end = data.get("start_date"), data.get("end_date")
        if block is not None:
            start, end = block.start_date, block.end_date
        elif start is None or end is None:
            raise forms.ValidationError("Choose a block, or give a start and an end date.")
        if end < start:
            self.add_error("end_date", "The period ends before it starts.")
        data["period"] = (start, end)
        return data
