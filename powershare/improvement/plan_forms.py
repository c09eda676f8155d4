"""Forms for action plans and actions. The services check every rule again."""

import datetime

from django import forms

from powershare.lib.forms import Form

from .models import ActionSource, ActionStatus

EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2100, 1, 1)
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y"]


def date_field(label: str, *, help_text: str = "", required: bool = False) -> forms.DateField:
    return forms.DateField(
        label=label if required else f"{label} (optional)",
        required=required,
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


def text_field(label, *, max_length, help_text="", required=True, rows=0):
    return forms.CharField(
        label=label if required else f"{label} (optional)",
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput(),
        error_messages={
            "required": f"Enter {label.lower()}",
            "max_length": f"{label} must be {max_length:,} characters or fewer",
        },
    )


def _in_range(form, name):
    value = form.cleaned_data.get(name)
    if value and not EARLIEST <= value < LATEST:
        form.add_error(name, "Enter a date between 2000 and 2099")


class _Choice(forms.ModelChoiceField):
    def __init__(self, *args, label_from=None, **kwargs):
        self._label_from = label_from
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return self._label_from(obj) if self._label_from else str(obj)


class PlanForm(Form):
    title = text_field(
        "Title",
        max_length=200,
        help_text="What the plan is for, and the period: “Trauma-informed practice 2026/27”.",
    )
    assessment = _Choice(
        queryset=None,
        required=False,
        label="Self-assessment it comes from (optional)",
        help_text="Its priorities become the plan's headings. Leave empty for a plan of its own.",
        empty_label="None: a plan of its own",
        label_from=lambda a: (
            f"{a.period} (assessed {a.assessed_on:%-d %B %Y}, {a.get_status_display().lower()})"
        ),
        error_messages={"invalid_choice": "Choose one of your self-assessments from the list"},
    )
    starts_on = date_field("Start date", help_text="For example, 1/4/2026.")
    ends_on = date_field("End date", help_text="For example, 31/3/2027.")
    summary = text_field(
        "Summary",
        max_length=5000,
        required=False,
        rows=4,
        help_text="What the plan should achieve, and who agreed it.",
    )

    def __init__(self, *args, assessments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessment"].queryset = assessments

    def clean(self):
        data = super().clean()
        for name in ("starts_on", "ends_on"):
            _in_range(self, name)
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "The end date must be on or after the start date")
        return data


class ActionForm(Form):
    """One form for a new action or a change to one. Fields about where the action came from
    are dropped by the view when its source is fixed (or when changing an action)."""

    title = text_field(
        "What will be done",
        max_length=300,
        help_text="Start with a verb: “Pay people on the day they take part”.",
    )
    description = text_field(
        "More detail",
        max_length=5000,
        required=False,
        rows=4,
        help_text="How, and what good looks like.",
    )
    plan = _Choice(
        queryset=None,
        required=False,
        label="Action plan (optional)",
        empty_label="Not in a plan",
        error_messages={"invalid_choice": "Choose a plan from the list"},
    )
    priority = _Choice(
        queryset=None,
        required=False,
        label="Priority it serves (optional)",
        help_text="A driver chosen as a priority in a self-assessment.",
        empty_label="None",
        label_from=lambda r: f"{r.driver.name} ({r.assessment.period})",
        error_messages={"invalid_choice": "Choose a priority from the list"},
    )
    source_note = text_field(
        "What the source said",
        max_length=2000,
        required=False,
        rows=3,
        help_text="In a line: the finding, the intention or the decision that led to this.",
    )
    owner = forms.ChoiceField(
        label="Who owns it (optional)",
        required=False,
        help_text="A member of staff gets reminders when it is nearly due and when overdue.",
        error_messages={"invalid_choice": "Choose a member of staff from the list"},
    )
    owner_name = text_field(
        "Or the owner's name",
        max_length=200,
        required=False,
        help_text="For someone who does not use PowerShare: “Head of learning, Partner trust”.",
    )
    owner_organisation = _Choice(
        queryset=None,
        required=False,
        label="Or the organisation that owns it (optional)",
        empty_label="None",
        label_from=lambda o: o.display_name,
        error_messages={"invalid_choice": "Choose an organisation from the list"},
    )
    due_on = date_field("Due date", help_text="For example, 14/03/2026.")

    def __init__(self, *args, members, plans=None, priorities=None, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {str(m.user_id): m.user for m in members}
        self.fields["owner"].choices = [("", "No one in PowerShare")] + [
            (str(m.user_id), m.user.full_name or m.user.email) for m in members
        ]
        for name, queryset in (
            ("plan", plans),
            ("priority", priorities),
            ("owner_organisation", organisations),
        ):
            if queryset is None:
                del self.fields[name]
            else:
                self.fields[name].queryset = queryset

    def clean_owner(self):
        value = self.cleaned_data.get("owner")
        return self.members.get(value) if value else None

    def clean(self):
        data = super().clean()
        _in_range(self, "due_on")
        if (
            "owner" in data
            and not data.get("owner")
            and not data.get("owner_name")
            and not data.get("owner_organisation")
            and "owner" not in self.errors
        ):
            self.add_error(
                "owner", "Say who will do it: a member of staff, a name or an organisation"
            )
        return data


class ProgressForm(Form):
    note = text_field(
        "What has happened",
        max_length=5000,
        required=False,
        rows=4,
        help_text="Leave empty if you only change the status.",
    )
    evidence = text_field(
        "Evidence",
        max_length=2000,
        required=False,
        rows=2,
        help_text="What shows it: a link, the name of a document, a figure.",
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose a status from the list"},
    )
    written_on = date_field("Date of the update", help_text="Leave empty for today.")

    def __init__(self, *args, current: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            ("", f"Keep it as it is ({ActionStatus(current).label.lower()})")
        ] + [
            # The current status stays a choice, so a form sent twice is still valid (and
            # saved once); choosing it changes nothing.
            (value, f"{label} (as now)" if value == current else label)
            for value, label in ActionStatus.choices
        ]

    def clean(self):
        data = super().clean()
        _in_range(self, "written_on")
        if not data.get("note", "").strip() and not data.get("status") and not self.errors:
            self.add_error("note", "Say what has happened, or change the status")
        return data


class ActionFilterForm(Form):
    """The action list's filters (GET): any unknown value is ignored, never an error page."""

    status = forms.ChoiceField(
        required=False,
        label="Status",
        choices=[("", "Any status"), ("open", "Open (not started or in progress)")]
        + list(ActionStatus.choices),
    )
    owner = forms.ChoiceField(required=False, label="Owner")
    source = forms.ChoiceField(
        required=False,
        label="Where it came from",
        choices=[("", "Anywhere")] + list(ActionSource.choices),
    )
    overdue = forms.BooleanField(required=False, label="Only overdue actions")

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "Anyone"), ("me", "Me")] + [
            (str(m.user_id), m.user.full_name or m.user.email) for m in owners
        ]

    def filters(self) -> dict:
        if not self.is_bound:
            return {}
        if self.is_valid():
            return {k: v for k, v in self.cleaned_data.items() if v}
        return {
            k: v
            for k, v in ((name, self.cleaned_data.get(name)) for name in self.fields)
            if v and k not in self.errors
        }
