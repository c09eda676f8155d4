"""Forms for the national coordinator's pages: a round, its councils, its narrative, its
questions, reopening a return. They check what was typed; the services decide the rules, and
their refusals land on these fields."""

from django import forms

from powershare.evaluation.forms import CHOICE_TYPES, clean_code
from powershare.evaluation.models import QuestionType
from powershare.evaluation.services import MAX_CHOICES
from powershare.lib.forms import MAX_ID, Form

from .models import ReturnStatus
from .services import EARLIEST_YEAR, LATEST_YEAR

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y"]
EARLIEST_DAY_YEAR, LATEST_DAY_YEAR = 2000, 2100


def _date(label: str, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        help_text=help_text,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(
            attrs={"type": "date", "autocomplete": "off", "class": "ds_input--fixed-10"},
            format="%Y-%m-%d",
        ),
        error_messages={
            "required": f"Enter the {label.lower()}, like 14/03/2026",
            "invalid": f"Enter the {label.lower()} as a real date, like 14/03/2026",
        },
    )


def _line(label, *, max_length, required=True, help_text="", missing=""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        strip=True,
        error_messages={
            "required": missing or f"Enter {label[0].lower() + label[1:]}",
            "max_length": f"Keep this under {max_length:,} characters.",
        },
    )


def _words(label, *, max_length, help_text="", rows=6):
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        help_text=help_text,
        strip=True,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"max_length": f"Keep this under {max_length:,} characters."},
    )


class CouncilsField(forms.TypedMultipleChoiceField):
    """Tick boxes of councils by id: anything that is not one of them reads "choose from the
    list" (never a database error)."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(
            coerce=int,
            error_messages={
                "required": "Choose at least one council to take part.",
                "invalid_choice": "Choose councils from the list.",
            },
            **kwargs,
        )

    def valid_value(self, value):
        text = str(value).strip()
        return text.isdigit() and 0 < int(text) <= MAX_ID and super().valid_value(value)


def council_options(councils, statuses: dict[int, str] | None = None) -> list[tuple[int, str]]:
    """(id, label) for each council; one that started its return says so."""
    labels = dict(ReturnStatus.choices)
    options = []
    for council in councils:
        status = (statuses or {}).get(council.pk)
        label = council.name
        if status and status != ReturnStatus.NOT_STARTED:
            label = f"{label} (return: {labels[status].lower()})"
        options.append((council.pk, label))
    return options


class _Dates(Form):
    opens_on = _date("Opening date", "The first day councils can send their return.")
    closes_on = _date("Due date", "The day returns are due.")

    def clean(self):
        data = super().clean()
        for name in ("opens_on", "closes_on"):
            value = data.get(name)
            if value and not EARLIEST_DAY_YEAR <= value.year < LATEST_DAY_YEAR:
                self.add_error(name, "Enter a date between 2000 and 2099")
        opens, closes = data.get("opens_on"), data.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", "Returns can't be due before the round opens")
        return data


class RoundForm(_Dates):
    year = forms.IntegerField(
        label="Year of the report",
        min_value=EARLIEST_YEAR,
        max_value=LATEST_YEAR,
        help_text="The year the national report is published: round 2025 covers 2024/25.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "ds_input--fixed-4"}),
        error_messages={
            "required": "Enter the year the report is published, like 2026",
            "invalid": "Enter the year as four digits, like 2026",
            "min_value": f"Enter a year from {EARLIEST_YEAR} to {LATEST_YEAR}",
            "max_value": f"Enter a year from {EARLIEST_YEAR} to {LATEST_YEAR}",
        },
    )
    title = _line(
        "Title",
        max_length=200,
        required=False,
        help_text="Leave empty for “National learning survey” and the year.",
    )
    field_order = ["year", "title", "opens_on", "closes_on"]


class RoundCreateForm(RoundForm):
    councils = CouncilsField(
        label="Councils taking part",
        help_text="Every council is ticked to start with. Untick any that are not taking part.",
    )
    field_order = ["year", "title", "opens_on", "closes_on", "councils"]

    def __init__(self, *args, councils, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["councils"].choices = council_options(councils)


class RoundEditForm(_Dates):
    title = _line("Title", max_length=200, missing="Give the round a title")
    field_order = ["title", "opens_on", "closes_on"]


class NarrativeForm(Form):
    key_messages = _words(
        "Key messages",
        max_length=20000,
        help_text="What the report's readers most need to know. Leave a blank line between "
        "paragraphs.",
    )
    recommendations = _words(
        "Recommendations",
        max_length=20000,
        help_text="What should happen next, and who should do it. Leave a blank line between "
        "paragraphs.",
    )


class RoundCouncilsForm(Form):
    councils = CouncilsField(
        label="Councils taking part",
        help_text="A council that has started its return stays in the round.",
    )

    def __init__(self, *args, councils, statuses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["councils"].choices = council_options(councils, statuses)


class ReopenForm(Form):
    reason = _line(
        "Why is it being reopened?",
        max_length=300,
        help_text="The council sees this, for example “Please add the examples you mentioned "
        "on the phone”.",
        missing="Say why the return is being reopened: the council will see it",
    )


#: The kinds of answer a national survey question can have.
NATIONAL_TYPES = [
    (QuestionType.YES_NO, "Yes or no"),
    (QuestionType.MULTIPLE, "Choose any of several options"),
    (QuestionType.SINGLE, "Choose one option"),
    (QuestionType.TEXT, "The council's own words"),
]
#: What stays as it is once a council has answered (see evaluation's question_update).
FIXED_WHEN_ANSWERED = ("code", "text", "type")


class QuestionForm(Form):
    code = forms.CharField(
        label="Code",
        max_length=60,
        strip=True,
        help_text="A short name imports, exports and results use, for example steering-group. "
        "Small letters, numbers and hyphens.",
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false"}),
        error_messages={
            "required": "Give the question a short code, for example steering-group",
            "max_length": "Keep the code under 60 characters.",
        },
    )
    text = _line("Question", max_length=500, missing="Write the question councils will see")
    help_text = _line(
        "Hint", max_length=300, required=False, help_text="A line of help under the question."
    )
    type = forms.ChoiceField(
        label="Kind of answer",
        choices=NATIONAL_TYPES,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the kind of answer",
            "invalid_choice": "Choose one of the kinds of answer listed",
        },
    )
    choices = forms.CharField(
        label="Options",
        required=False,
        max_length=MAX_CHOICES * 201,
        help_text=f"For questions with options: one option on each line, in the order councils "
        f"see them (at most {MAX_CHOICES}).",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"max_length": f"Give at most {MAX_CHOICES} options."},
    )
    required = forms.BooleanField(label="Councils must answer it", required=False)
    section = forms.ModelChoiceField(
        queryset=None,
        label="Section",
        required=False,
        empty_label="Not in a section",
        error_messages={"invalid_choice": "Choose a section from the list."},
    )

    def __init__(self, *args, sections, answered=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = sections
        self.answered = answered
        if answered:
            for name in FIXED_WHEN_ANSWERED:
                self.fields[name].disabled = True
            self.fields["choices"].help_text = (
                "Councils have answered, so the options already there stay as they are and in "
                "the same order. You can add new ones at the end, one on each line."
            )

    def clean_code(self):
        if self.fields["code"].disabled:
            return self.cleaned_data["code"]
        return clean_code(self.cleaned_data["code"])

    def option_lines(self) -> list[str] | None:
        if self.cleaned_data.get("type") not in CHOICE_TYPES:
            return None
        lines = self.cleaned_data.get("choices", "").splitlines()
        return [line.strip() for line in lines if line.strip()]

    def service_values(self) -> dict:
        data = self.cleaned_data
        values = {
            "help_text": data["help_text"],
            "section": data["section"],
            "required": data["required"],
        }
        if not self.answered:
            values |= {name: data[name] for name in FIXED_WHEN_ANSWERED}
        return values
