"""Forms for the staff pages about learning products, versions, the co-design record,
materials and learning settings. They collect and check what was typed, in words that say what
to do; the services decide the rules, and their errors land on the same fields."""

from decimal import Decimal, InvalidOperation

from django import forms

from powershare.engagement.models import UseLevel
from powershare.lib.forms import MAX_ID, Form

from .models import MaterialKind, ProductStatus
from .services import MAX_OUTCOMES, MAX_SESSIONS

#: How many outcome boxes a form offers at least (blank ones are ignored).
OUTCOME_INPUTS = 8
MAX_TEXT = 2000

#: The ways a material may use the words it quotes (never "inside the organisation only":
#: materials are used in training).
MATERIAL_USES = [
    (UseLevel.ANONYMISED.value, "Anonymised: no one is named"),
    (UseLevel.ATTRIBUTED.value, "With each person's chosen credit"),
    (UseLevel.PUBLIC.value, "Public: it may be shared outside training, for example online"),
]

#: What each status change means, for the confirm page.
STATUS_CHANGES = {
    ProductStatus.PUBLISHED: (
        "Publish it",
        "Deliveries can be planned and booked. The newest version is published too, so its "
        "outcomes stay as they are from now on.",
    ),
    ProductStatus.RETIRED: (
        "Retire it",
        "No new deliveries can be planned. Deliveries already planned go ahead, and "
        "everything taught stays on record.",
    ),
    ProductStatus.DRAFT: (
        "Put it back to draft",
        "It stays on record but is not offered. Published versions keep their outcomes.",
    ),
}


def _line(label: str, *, required=True, max_length=200, help_text="", missing="") -> forms.Field:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        strip=True,
        error_messages={
            "required": missing or f"Enter {label[0].lower() + label[1:]}",
            "max_length": f"Keep this under {max_length} characters.",
        },
    )


def _whole_number(label: str, *, low: int, high: int, required=True, help_text="", missing=""):
    message = f"Enter a whole number from {low} to {high}, like {max(low, min(high, 2))}"
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=low,
        max_value=high,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "ds_input--fixed-4"}),
        error_messages={
            "required": missing or f"Enter {label[0].lower() + label[1:]}",
            "invalid": message,
            "min_value": message,
            "max_value": message,
        },
    )


class IdListField(forms.Field):
    """Record ids ticked in a list the page draws itself (checkboxes). Accepts any id that
    could exist; which of them may be chosen is the service's decision, and its refusal names
    them."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, *, missing: str = "", **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.error_messages["invalid"] = "Choose from the list."
        if missing:
            self.error_messages["required"] = missing

    def to_python(self, value):
        if not value:
            return []
        if not isinstance(value, list | tuple):
            value = [value]
        ids = set()
        for item in value:
            text = str(item).strip()
            if not text.isdigit() or not 0 < int(text) <= MAX_ID:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            ids.add(int(text))
        return sorted(ids)


class OutcomesMixin:
    """Numbered boxes for the intended learning outcomes, in order; blank ones are ignored."""

    outcome_count = OUTCOME_INPUTS

    def add_outcome_fields(self, count: int) -> None:
        self.outcome_count = count
        for n in range(1, count + 1):
            self.fields[f"outcome_{n}"] = forms.CharField(
                label=f"Outcome {n}",
                required=False,
                max_length=500,
                strip=True,
                error_messages={"max_length": f"Keep outcome {n} under 500 characters."},
            )

    @property
    def outcome_fields(self):
        return [self[f"outcome_{n}"] for n in range(1, self.outcome_count + 1)]

    def outcomes(self) -> list[str]:
        data = self.cleaned_data
        return [
            data.get(f"outcome_{n}", "")
            for n in range(1, self.outcome_count + 1)
            if data.get(f"outcome_{n}")
        ]

    def clean_outcomes(self) -> None:
        if not self.outcomes() and not any(
            f"outcome_{n}" in self.errors for n in range(1, self.outcome_count + 1)
        ):
            self.add_error("outcome_1", "Add at least one intended learning outcome.")


def outcome_inputs_for(existing: int) -> int:
    """Boxes to offer: at least eight, and always one spare, up to the most a version holds."""
    return max(OUTCOME_INPUTS, min(MAX_OUTCOMES, existing + 1))


class ProductForm(OutcomesMixin, Form):
    title = _line("Title", missing="Enter the product's title")
    aims = forms.CharField(
        label="Aims",
        max_length=MAX_TEXT,
        help_text="What the learning hopes to change, in a few sentences.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Say what the learning aims to do",
            "max_length": "Keep this under 2,000 characters.",
        },
    )
    audience = _line(
        "Who it is for",
        max_length=300,
        help_text="For example: social workers in adult services, and their team leaders.",
        missing="Say who the learning is for",
    )
    prerequisite_learning = _line(
        "Learning to do first",
        required=False,
        max_length=300,
        help_text="For example: trauma-informed practice, level 2.",
    )
    sessions_planned = _whole_number(
        "Number of sessions",
        low=1,
        high=MAX_SESSIONS,
        missing="Enter how many sessions there are",
    )
    session_length = forms.CharField(
        label="Length of each session",
        max_length=10,
        help_text="A number, like 3 or 2.5.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "ds_input--fixed-4"}),
        error_messages={"required": "Enter how long each session is, like 3"},
    )
    session_length_unit = forms.ChoiceField(
        label="Is that in hours or minutes?",
        choices=[("hours", "Hours"), ("minutes", "Minutes")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose hours or minutes"},
    )
    interval_min_weeks = _whole_number(
        "Shortest gap between sessions, in weeks",
        low=0,
        high=52,
        required=False,
        help_text="For example 2, for “two to four weeks apart”. Leave empty for one session.",
    )
    interval_max_weeks = _whole_number(
        "Longest gap between sessions, in weeks",
        low=0,
        high=52,
        required=False,
        help_text="For example 4. Leave empty if the gap is always the same.",
    )
    owner = forms.ModelChoiceField(
        label="Owner",
        queryset=None,
        help_text="Who looks after it. We tell them when a material needs updating.",
        error_messages={
            "required": "Choose who owns the product",
            "invalid_choice": "Choose someone from the list who runs learning",
        },
    )

    def __init__(self, *args, owners, outcomes: int | None = OUTCOME_INPUTS, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = lambda user: user.full_name or user.email
        self.fields["owner"].widget.attrs["class"] = "ds_select"
        self.with_outcomes = outcomes is not None
        if self.with_outcomes:
            self.add_outcome_fields(outcomes)

    def clean(self):
        data = super().clean()
        length, unit = data.get("session_length"), data.get("session_length_unit")
        if length is not None and "session_length" not in self.errors:
            try:
                number = Decimal(length.replace(",", ".").strip())
            except InvalidOperation:
                number = None
            if number is None or not number.is_finite() or number <= 0:
                self.add_error("session_length", "Enter the length as a number, like 3 or 2.5")
            elif unit:
                minutes = number * 60 if unit == "hours" else number
                if minutes != minutes.to_integral_value():
                    self.add_error("session_length", "Enter a length in whole minutes")
                elif not 15 <= minutes <= 600:
                    self.add_error(
                        "session_length", "Enter a session length from 15 minutes to 10 hours"
                    )
                else:
                    data["session_minutes"] = int(minutes)
        low, high = data.get("interval_min_weeks"), data.get("interval_max_weeks")
        if low is None and high is not None:
            data["interval_min_weeks"] = low = high
        if low is not None and high is not None and high < low:
            self.add_error(
                "interval_max_weeks",
                "The longest gap must be the same as or more than the shortest",
            )
        if self.with_outcomes:
            self.clean_outcomes()
        return data

    def product_fields(self) -> dict:
        data = self.cleaned_data
        several = (data.get("sessions_planned") or 1) > 1
        low = data.get("interval_min_weeks") if several else None
        high = data.get("interval_max_weeks") if several else None
        return {
            "title": data["title"],
            "aims": data["aims"],
            "audience": data["audience"],
            "prerequisite_learning": data.get("prerequisite_learning", ""),
            "sessions_planned": data["sessions_planned"],
            "session_minutes": data["session_minutes"],
            "interval_min_weeks": low,
            "interval_max_weeks": high if high != low else None,
            "owner": data["owner"],
        }


def product_initial(product) -> dict:
    minutes = product.session_minutes
    in_hours = minutes % 30 == 0 and minutes >= 60
    hours = Decimal(minutes) / 60
    return {
        "title": product.title,
        "aims": product.aims,
        "audience": product.audience,
        "prerequisite_learning": product.prerequisite_learning,
        "sessions_planned": product.sessions_planned,
        "session_length": f"{hours.normalize():f}" if in_hours else str(minutes),
        "session_length_unit": "hours" if in_hours else "minutes",
        "interval_min_weeks": product.interval_min_weeks,
        "interval_max_weeks": product.interval_max_weeks,
        "owner": product.owner_id,
    }


def outcome_initial(outcomes) -> dict:
    return {f"outcome_{n}": outcome.text for n, outcome in enumerate(outcomes, 1)}


class OutcomesForm(OutcomesMixin, Form):
    def __init__(self, *args, outcomes: int = OUTCOME_INPUTS, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_outcome_fields(outcomes)

    def clean(self):
        data = super().clean()
        self.clean_outcomes()
        return data


class ProductStatusForm(Form):
    status = forms.ChoiceField(
        label="What would you like to do?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what to do with the product",
            "invalid_choice": "Choose one of the options",
        },
    )

    def __init__(self, *args, current: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (value, f"{label}: {meaning}")
            for value, (label, meaning) in STATUS_CHANGES.items()
            if value != current
        ]


class VersionCreateForm(Form):
    changes = forms.CharField(
        label="What will change in this version?",
        max_length=MAX_TEXT,
        help_text="For example: “Outcome 3 reworded after feedback from the Stirling "
        "cohort; new video from the young people's group.” Everyone planning a delivery reads "
        "this.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Say what will change in this version",
            "max_length": "Keep this under 2,000 characters.",
        },
    )


class CoDesignForm(Form):
    activities = IdListField(label="Activities that shaped it")
    contributions = IdListField(label="Contributions that shaped it")


class MaterialForm(Form):
    title = _line("Title", missing="Give the material a title")
    kind = forms.ChoiceField(
        label="What kind of material is it?",
        choices=MaterialKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of material it is"},
    )
    file = forms.FileField(
        label="File",
        help_text="Slides (PDF, PPTX or ODP), a handout (PDF, DOCX, ODT or TXT), a picture (PNG "
        "or JPEG), a video (MP4) or audio (MP3 or M4A). Up to 200 MB.",
        error_messages={
            "required": "Choose the file to upload",
            "empty": "The file is empty. Choose another one.",
            "invalid": "Choose a file to upload",
        },
    )
    use_level = forms.TypedChoiceField(
        label="How does it use the words it quotes?",
        coerce=int,
        choices=MATERIAL_USES,
        widget=forms.RadioSelect,
        help_text="Each person quoted must have agreed to this use of their words.",
        error_messages={
            "required": "Choose how the material uses the words it quotes",
            "invalid_choice": "Choose one of the options",
        },
    )
    quotes = IdListField(label="Contributions it quotes")

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["class"] = "ds_file-upload__input"
        if editing:
            self.fields["file"].required = False
            self.fields["file"].label = "A new file"
            self.fields["file"].help_text = (
                "Only if the file has changed. " + self.fields["file"].help_text
            )
            self.fields["updated"] = forms.BooleanField(
                label="I've updated it: it no longer uses words that can't be used",
                required=False,
                help_text="This clears the “needs updating” flag.",
            )
            self.fields["updated"].widget.attrs["class"] = "ds_checkbox__input"


class LearningSettingsForm(Form):
    learner_retention_days = _whole_number(
        "Keep learners' names and email addresses for this many days after their course",
        low=30,
        high=3650,
        help_text="From 30 to 3650 days (ten years). After this, only the attendance counts "
        "are kept.",
        missing="Enter how many days to keep learners' details",
    )
    offer_hours = _whole_number(
        "Hold an offered place for this many hours",
        low=1,
        high=336,
        help_text="When a place frees up, the first person waiting is offered it. If they "
        "don't take it in time, it goes to the next person. From 1 to 336 hours (two weeks).",
        missing="Enter how many hours to hold an offered place",
    )
