"""Forms for the staff pages about activities: planning an activity and an organisation's
settings. Writes go through services; these forms only collect and check what was typed."""

from django import forms

from powershare.lib.forms import (
    Form,
    ModelForm,
    SafeModelMultipleChoiceField,
    add_organisation_choice,
)

from .models import LUNDY_CHECKS, Activity, Ladder

#: The same date formats as the people form (a browser's date picker sends the first).
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d %m %Y", "%d %B %Y", "%d %b %Y"]

LUNDY_ANSWERS = [("yes", "Yes"), ("no", "No"), ("not_yet", "Not yet")]
_LUNDY_VALUE = {"yes": True, "no": False}
_LUNDY_CHOICE = {True: "yes", False: "no", None: "not_yet"}


def _date_widget():
    return forms.DateInput(attrs={"type": "date", "autocomplete": "off"}, format="%Y-%m-%d")


def _lundy_field(label: str, hint: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        help_text=hint,
        choices=LUNDY_ANSWERS,
        coerce=_LUNDY_VALUE.get,
        empty_value=None,
        initial="not_yet",
        widget=forms.RadioSelect,
        error_messages={"required": f"Choose Yes, No or Not yet for {label.lower()}"},
    )


def _lundy_note(label: str) -> forms.CharField:
    return forms.CharField(
        label=f"Note about {label.lower()}",
        required=False,
        max_length=300,
        error_messages={"max_length": "Keep the note to 300 characters or fewer"},
    )


def _days(number: int) -> str:
    return f"{number} day{'' if number == 1 else 's'}"


class ActivityForm(ModelForm):
    """An activity as staff plan it, grouped under headings. The ladder is the one the chosen
    rung belongs to; the questions are typed one a line."""

    template_name = "engagement/_activity_grouped_form.html"

    #: (heading, hint, field names) in the order they appear.
    GROUPS = (
        ("About", "", ("organisation", "title", "purpose", "kind", "partners", "questions")),
        (
            "When and where",
            "",
            ("starts_on", "ends_on", "times", "setting", "venue", "content_notes"),
        ),
        (
            "Ladder of participation",
            "How much say will people have? Be honest: the people who take part will be asked "
            "the same question afterwards, and the activity page shows both answers.",
            ("rung",),
        ),
        (
            "Lundy's checks",
            "Four checks from Lundy's model of participation. Answer Not yet if you don't "
            "know, and come back to them after the activity.",
            tuple(f"lundy_{key}" for key, _label, _hint in LUNDY_CHECKS),
        ),
        (
            "Support and payment",
            "What we offer so that people can take part safely, and what we pay.",
            ("support_before", "support_during", "support_after", "payment_offered"),
        ),
        ("Feedback promise", "", ("feedback_due_on",)),
    )

    questions = forms.CharField(
        label="The questions we will ask",
        required=False,
        help_text="One question a line, up to 20. We warn you when someone you invite was asked "
        "the same question in the last 12 months.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    lundy_space = _lundy_field(*LUNDY_CHECKS[0][1:])
    lundy_space_note = _lundy_note(LUNDY_CHECKS[0][1])
    lundy_voice = _lundy_field(*LUNDY_CHECKS[1][1:])
    lundy_voice_note = _lundy_note(LUNDY_CHECKS[1][1])
    lundy_audience = _lundy_field(*LUNDY_CHECKS[2][1:])
    lundy_audience_note = _lundy_note(LUNDY_CHECKS[2][1])
    lundy_influence = _lundy_field(*LUNDY_CHECKS[3][1:])
    lundy_influence_note = _lundy_note(LUNDY_CHECKS[3][1])

    class Meta:
        model = Activity
        field_classes = {"partners": SafeModelMultipleChoiceField}
        fields = [
            "title",
            "purpose",
            "kind",
            "partners",
            "starts_on",
            "ends_on",
            "times",
            "venue",
            "setting",
            "content_notes",
            "support_before",
            "support_during",
            "support_after",
            "payment_offered",
            "feedback_due_on",
            "rung",
            "lundy_space",
            "lundy_space_note",
            "lundy_voice",
            "lundy_voice_note",
            "lundy_audience",
            "lundy_audience_note",
            "lundy_influence",
            "lundy_influence_note",
        ]
        labels = {
            "title": "Title",
            "purpose": "What we hope to change",
            "kind": "Kind of activity",
            "partners": "Partner organisations",
            "starts_on": "Start date",
            "ends_on": "End date",
            "times": "Times",
            "venue": "Venue",
            "setting": "Setting",
            "content_notes": "Content notes",
            "support_before": "Support before",
            "support_during": "Support during",
            "support_after": "Support after",
            "payment_offered": "Payment offered",
            "feedback_due_on": "When people will hear what came of it",
            "rung": "Rung of the ladder",
        }
        help_texts = {
            "title": "",
            "purpose": "Say what could be different because people took part.",
            "partners": "Organisations working on this with you. Choose any that apply.",
            "starts_on": "For example 2026-03-14.",
            "ends_on": "Leave empty if it takes place on one day.",
            "times": "For example 10am to 1pm.",
            "venue": "The place, or how to join online.",
            "content_notes": "Topics that may be difficult. People read these before they agree "
            "to come, and we warn you when someone asked to avoid one of them.",
            "support_before": "For example a call to talk it through, or help with travel.",
            "support_during": "For example a quiet room, breaks, or someone to talk to.",
            "support_after": "For example a debrief, or a wellbeing check-in.",
            "payment_offered": "For example £25 an hour, or a £40 voucher.",
        }
        error_messages = {
            "title": {
                "required": "Enter a title",
                "max_length": "Keep the title to 200 characters or fewer",
            },
            "purpose": {"required": "Say what you hope to change"},
            "kind": {
                "required": "Choose the kind of activity",
                "invalid_choice": "Choose a kind of activity from the list",
            },
            "partners": {"invalid_choice": "Choose organisations from the list"},
            "starts_on": {
                "required": "Enter the start date",
                "invalid": "Enter a start date like 2026-03-14",
            },
            "ends_on": {"invalid": "Enter an end date like 2026-03-14"},
            "setting": {"required": "Choose the setting"},
            "feedback_due_on": {"invalid": "Enter a date like 2026-04-11"},
            "rung": {
                "required": "Choose the rung of the ladder the activity sits on",
                "invalid_choice": "Choose a rung from the list",
            },
            "times": {"max_length": "Keep the times to 100 characters or fewer"},
            "venue": {"max_length": "Keep the venue to 200 characters or fewer"},
            "payment_offered": {"max_length": "Keep this to 200 characters or fewer"},
        }
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "partners": forms.CheckboxSelectMultiple,
            "starts_on": _date_widget(),
            "ends_on": _date_widget(),
            "feedback_due_on": _date_widget(),
            "setting": forms.RadioSelect,
            "content_notes": forms.Textarea(attrs={"rows": 3}),
            "support_before": forms.Textarea(attrs={"rows": 2}),
            "support_during": forms.Textarea(attrs={"rows": 2}),
            "support_after": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(
        self,
        *args,
        organisations,
        rungs,
        partner_choices,
        feedback_days: dict[str, int],
        default_ladder_id: int | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        activity = self.instance
        for name in ("starts_on", "ends_on", "feedback_due_on"):
            self.fields[name].input_formats = DATE_INPUT_FORMATS
        self.fields["ends_on"].required = False
        self.fields["feedback_due_on"].required = False
        self.fields["feedback_due_on"].help_text = self._feedback_hint(feedback_days)
        self.fields["kind"].choices = [("", "Choose a kind")] + [
            c for c in self.fields["kind"].choices if c[0]
        ]
        self.fields["setting"].choices = [c for c in self.fields["setting"].choices if c[0]]
        self.fields["partners"].queryset = partner_choices
        self.fields["partners"].label_from_instance = lambda organisation: organisation.name
        self._set_rungs(rungs, default_ladder_id)
        if activity.pk:
            for key, _label, _hint in LUNDY_CHECKS:
                self.initial[f"lundy_{key}"] = _LUNDY_CHOICE[getattr(activity, f"lundy_{key}")]
            self.initial["questions"] = "\n".join(q.text for q in activity.questions.all())
        for name in ("rung", "feedback_due_on"):  # hints given after the form set its links
            self.fields[name].widget.attrs["aria-describedby"] = f"id_{self.add_prefix(name)}-hint"
        add_organisation_choice(self, organisations, label="Which organisation is running it?")

    @staticmethod
    def _feedback_hint(feedback_days: dict[str, int]) -> str:
        values = set(feedback_days.values())
        if len(values) == 1:
            after = f"{_days(values.pop())} after the activity ends"
        else:
            after = (
                "the number of days after the activity ends that each organisation has chosen ("
                + "; ".join(f"{name}: {_days(days)}" for name, days in feedback_days.items())
                + ")"
            )
        return (
            "The date by which everyone who took part will hear what came of what they said. "
            f"Leave it empty and we will set it to {after}."
        )

    def _set_rungs(self, rungs, default_ladder_id):
        """One list of rungs, grouped by ladder: the organisation's usual ladder first."""
        field = self.fields["rung"]
        rungs = list(rungs)
        field.queryset = field.queryset.filter(pk__in=[r.pk for r in rungs])
        groups: dict[Ladder, list] = {}
        for rung in sorted(rungs, key=lambda r: r.ladder_id != default_ladder_id):
            label = f"{rung.position}. {rung.name}"
            if rung.description:
                label = f"{label}: {rung.description}"
            groups.setdefault(rung.ladder, []).append((rung.pk, label))
        field.choices = [("", "Choose a rung")] + [
            (ladder.name, options) for ladder, options in groups.items()
        ]
        field.help_text = (
            "Rungs go from the least say (1) to the most. The ladder is the one the rung "
            "belongs to."
        )

    def grouped(self):
        """The form's questions under their headings, for the template."""
        groups = []
        for heading, hint, names in self.GROUPS:
            fields = []
            for name in names:
                if name in self.fields:
                    fields.append(self[name])
                if name.startswith("lundy_") and f"{name}_note" in self.fields:
                    # Each check's note straight after its answer.
                    fields.append(self[f"{name}_note"])
            if fields:
                groups.append({"heading": heading, "hint": hint, "fields": fields})
        return groups

    def clean_questions(self):
        return [
            line.strip() for line in self.cleaned_data["questions"].splitlines() if line.strip()
        ]

    def clean(self):
        cleaned = super().clean()
        rung = cleaned.get("rung")
        if rung is not None:
            cleaned["ladder"] = rung.ladder
        return cleaned

    def activity_fields(self) -> dict:
        """What to pass to activity_create / activity_update (besides questions and partners)."""
        data = self.cleaned_data
        fields = {name: data[name] for name in self._meta.fields if name != "partners"}
        fields["ladder"] = data["ladder"]
        fields["ends_on"] = data["ends_on"] or data["starts_on"]
        return fields


class EngagementSettingsForm(Form):
    feedback_due_days = forms.IntegerField(
        label="How many days after an activity ends people hear what came of it",
        min_value=1,
        max_value=365,
        help_text="New activities promise feedback by this many days after they end, unless "
        "you choose another date. Activities already planned keep their dates.",
        widget=forms.NumberInput(attrs={"min": 1, "max": 365, "class": "ds_input--fixed-4"}),
        error_messages={
            "required": "Enter a number of days, like 28",
            "invalid": "Enter a number of days, like 28",
            "min_value": "Enter a number of days from 1 to 365",
            "max_value": "Enter a number of days from 1 to 365",
        },
    )
    default_ladder = forms.ModelChoiceField(
        label="The ladder new activities use first",
        queryset=Ladder.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
        help_text="Its rungs come first in the list when you plan an activity. You can still "
        "choose a rung of any ladder.",
        error_messages={
            "required": "Choose a ladder",
            "invalid_choice": "Choose a ladder from the list",
        },
    )

    def __init__(self, *args, ladders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_ladder"].queryset = ladders
