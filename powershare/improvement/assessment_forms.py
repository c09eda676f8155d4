"""Forms for self-assessments: its details, every driver's rating on one page, who took part,
and sharing it with a partner organisation."""

from django import forms

from powershare.lib.forms import Form

from .framework_forms import style_fields
from .models import ParticipantKind, Rating

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y"]


class AssessmentForm(Form):
    period = forms.CharField(
        label="Period it covers",
        max_length=60,
        help_text="As people say it: 2026/27, or Autumn 2026.",
        error_messages={
            "required": "Say which period it covers, like 2026/27 or Autumn 2026.",
            "max_length": "Keep the period to 60 characters or fewer.",
        },
    )
    assessed_on = forms.DateField(
        label="Date of the assessment",
        help_text="The day you met to agree the ratings, like 14/03/2026.",
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(
            attrs={"type": "date", "autocomplete": "off", "class": "ds_input--fixed-10"},
            format="%Y-%m-%d",
        ),
        error_messages={
            "required": "Enter the date of the assessment, like 14/03/2026.",
            "invalid": "Enter the date of the assessment as a real date, like 14/03/2026.",
        },
    )
    summary = forms.CharField(
        label="Summary",
        required=False,
        max_length=5000,
        help_text="What the assessment found, in a few sentences.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "Keep the summary to 5000 characters or fewer."},
    )
    others_taking_part = forms.CharField(
        label="Others who took part",
        required=False,
        max_length=300,
        help_text="People not listed by name, like “8 frontline staff from two teams”.",
        error_messages={"max_length": "Keep this to 300 characters or fewer."},
    )


RATING_CHOICES = [(str(value), label) for value, label in Rating.choices]


class RatingsForm(Form):
    """Every driver's rating, evidence and priority at once; fields are named
    "r<rating id>-<field>", as ratings_record names its errors."""

    def __init__(self, data=None, *, ratings, **kwargs):
        super().__init__(data, **kwargs)
        self.ratings = ratings
        for row in ratings:
            name = row.driver.name
            p = f"r{row.pk}"
            self.fields[f"{p}-rating"] = forms.ChoiceField(
                label=f"How far along is “{name}”?",
                required=False,
                choices=RATING_CHOICES,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": f"{name}: choose a rating from the list."},
            )
            self.fields[f"{p}-evidence"] = forms.CharField(
                label=f"Evidence for “{name}”",
                required=False,
                max_length=5000,
                help_text="What shows it: examples, figures, what people said.",
                widget=forms.Textarea(attrs={"rows": 3}),
                error_messages={"max_length": f"{name}: keep the evidence to 5000 characters."},
            )
            self.fields[f"{p}-is_priority"] = forms.BooleanField(
                label=f"Make “{name}” a priority", required=False
            )
            self.fields[f"{p}-priority_note"] = forms.CharField(
                label=f"Why “{name}” is a priority",
                required=False,
                max_length=3000,
                help_text="Needed for a priority: why it matters, and what good would look like.",
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={"max_length": f"{name}: keep the reason to 3000 characters."},
            )
            self.initial.update(
                {
                    f"{p}-rating": "" if row.rating is None else str(row.rating),
                    f"{p}-evidence": row.evidence,
                    f"{p}-is_priority": row.is_priority,
                    f"{p}-priority_note": row.priority_note,
                }
            )
        style_fields(self)

    def rows(self):
        """[(rating, [bound fields])] in the order given."""
        return [
            (
                row,
                [self[f"r{row.pk}-{field}"] for field in RATING_ROW_FIELDS],
            )
            for row in self.ratings
        ]

    def values(self) -> dict[int, dict]:
        data = self.cleaned_data
        return {
            row.pk: {field: data.get(f"r{row.pk}-{field}") for field in RATING_ROW_FIELDS}
            for row in self.ratings
        }


RATING_ROW_FIELDS = ("rating", "evidence", "is_priority", "priority_note")


class ParticipantForm(Form):
    kind = forms.ChoiceField(
        label="How did they take part?",
        choices=ParticipantKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how they took part.",
            "invalid_choice": "Choose how they took part from the list.",
        },
    )
    user = forms.ModelChoiceField(
        queryset=None,
        label="A member of staff",
        required=False,
        empty_label="Not a member of staff",
        error_messages={"invalid_choice": "Choose a member of staff from the list."},
    )
    person = forms.ModelChoiceField(
        queryset=None,
        label="Someone on your people register",
        required=False,
        empty_label="Not on the register",
        help_text="Experts by experience are named only to staff who may see the register.",
        error_messages={"invalid_choice": "Choose someone on the register from the list."},
    )
    name = forms.CharField(
        label="Or their name and role",
        required=False,
        max_length=200,
        help_text="For someone who is neither: “Team manager, Justice service”.",
        error_messages={"max_length": "Keep the name to 200 characters or fewer."},
    )

    def __init__(self, data=None, *, members, people, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["user"].queryset = members
        self.fields["user"].label_from_instance = lambda user: user.full_name or user.email
        if people is None:
            del self.fields["person"]
        else:
            self.fields["person"].queryset = people
            self.fields["person"].label_from_instance = lambda person: (
                f"{person.name} ({person.reference})"
            )


class AssessmentShareForm(Form):
    partner = forms.ModelChoiceField(
        queryset=None,
        label="Share with",
        help_text="Staff there who may see improvement work will see this self-assessment. "
        "Only your organisation can change it.",
        empty_label="Choose an organisation",
        error_messages={
            "required": "Choose the organisation to share with.",
            "invalid_choice": "Choose an organisation from the list.",
        },
    )

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners
