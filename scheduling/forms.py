from __future__ import annotations

from typing import Any

from django import forms

from lib.errors import ApplicationError
from people.models import Person, Program
from rotations.models import Block, ShiftType
from scheduling.models import ScheduleRun
from scheduling.services import MAX_TIME_LIMIT, blocks_period


class GenerateForm(forms.Form):
    kind = forms.ChoiceField(choices=ScheduleRun.Kind.choices, initial=ScheduleRun.Kind.SCHEDULE)
    blocks = forms.ModelMultipleChoiceField(
        queryset=Block.objects.none(),
        required=False,
        help_text="Consecutive blocks (a gap is refused); or give dates below.",
    )
    start_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    algorithm = forms.ChoiceField(
        choices=ScheduleRun.Algorithm.choices, initial=ScheduleRun.DEFAULT_ALGORITHM
    )
    time_limit_seconds = forms.IntegerField(
        min_value=1,
        max_value=MAX_TIME_LIMIT,
        required=False,
        label="Time limit (s)",
        help_text="Blank: 30 s for four weeks, 20 s more per further four weeks (a year: 290 s).",
    )
    include_past = forms.BooleanField(
        required=False,
        label="Include past days",
        help_text="Without it a period that starts before today is refused. Locked past shifts "
        "are kept either way.",
    )
    minimal_change = forms.BooleanField(
        required=False,
        help_text="Keep locked shifts and move as few people as possible from the published schedule.",
    )
    override_reason = forms.CharField(
        required=False,
        max_length=500,
        help_text="Needed when the period starts inside the program's freeze horizon.",
    )

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.program = program
        blocks = Block.objects.filter(academic_year__program=program).select_related(
            "academic_year"
        )
        field = self.fields["blocks"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = blocks.order_by("start_date")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        blocks = list(data.get("blocks") or [])
        start, end = data.get("start_date"), data.get("end_date")
        if blocks:
            try:
                start, end = blocks_period(blocks)
            except ApplicationError as error:
                raise forms.ValidationError(error.message) from None
        elif start is None or end is None:
            raise forms.ValidationError("Choose blocks, or give a start and an end date.")
        if end < start:
            self.add_error("end_date", "The period ends before it starts.")
        data["period"] = (start, end)
        return data


class CellForm(forms.Form):
    person = forms.UUIDField(widget=forms.HiddenInput)
    date = forms.DateField(widget=forms.HiddenInput)
    shift_type = forms.ModelChoiceField(queryset=ShiftType.objects.none())
    action = forms.ChoiceField(
        choices=[("add", "Add"), ("remove", "Remove")], widget=forms.HiddenInput
    )
    override_reason = forms.CharField(
        required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.program = program
        field = self.fields["shift_type"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = ShiftType.objects.filter(program=program, active=True)

    def clean_person(self) -> Person:
        person = Person.objects.filter(
            program=self.program, code=self.cleaned_data["person"]
        ).first()
        if person is None:
            raise forms.ValidationError("Unknown person.")
        return person
