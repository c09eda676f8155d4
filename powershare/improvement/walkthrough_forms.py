"""Forms for walkthroughs: the walkthrough itself, a site, a team member and an observation.
The forms check what was typed; services.walkthrough_create and friends decide the rules, and
their errors land on the same fields."""

from django import forms

from powershare.engagement.forms import DATE_INPUT_FORMATS
from powershare.lib.forms import MAX_ID, Form

from .models import ObservationKind, TeamRole


class ChoiceOfOne(forms.ModelChoiceField):
    """A choice of one record that answers "choose from the list" for anything that cannot be
    an id, instead of letting the database fail."""

    def __init__(self, *args, label_from=None, **kwargs):
        self._label_from = label_from
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return self._label_from(obj) if self._label_from else super().label_from_instance(obj)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        words = str(value).strip()
        if not words.isdigit() or not 0 < int(words) <= MAX_ID:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(words)


def staff_label(user) -> str:
    return user.full_name or user.email


def person_label(person) -> str:
    """A person on the register by the name they chose, with their reference (two people may
    share a name)."""
    return f"{person.name} ({person.reference})"


def activity_label(activity) -> str:
    return f"{activity.title} ({activity.starts_on:%-d %B %Y})"


class WalkthroughForm(Form):
    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="For example, “Duty team walkthrough, spring”.",
        error_messages={
            "required": "Give the walkthrough a title",
            "max_length": "Keep the title under 200 characters",
        },
    )
    service = forms.CharField(
        label="Service walked through",
        max_length=200,
        error_messages={
            "required": "Say which service was walked through",
            "max_length": "Keep the service's name under 200 characters",
        },
    )
    walked_on = forms.DateField(
        label="Date of the walkthrough",
        help_text="It can be in the future if you are planning it. For example, 14/03/2026.",
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(
            attrs={"type": "date", "autocomplete": "off", "class": "ds_input--fixed-10"},
            format="%Y-%m-%d",
        ),
        error_messages={
            "required": "Enter the date of the walkthrough, like 14/03/2026",
            "invalid": "Enter the date of the walkthrough as a real date, like 14/03/2026",
        },
    )
    purpose = forms.CharField(
        label="What it is for",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What you hope to learn about the service.",
        error_messages={"max_length": "Keep this under 5,000 characters"},
    )
    summary = forms.CharField(
        label="Summary of what was found",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"max_length": "Keep the summary under 10,000 characters"},
    )
    activity = ChoiceOfOne(
        label="Engagement activity",
        queryset=None,
        required=False,
        empty_label="None",
        label_from=activity_label,
        help_text="The activity of kind “walkthrough” that invites, supports and pays the "
        "experts by experience.",
        error_messages={"invalid_choice": "Choose an activity from the list"},
    )

    def __init__(self, *args, activities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = activities

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields if name != "organisation"}


class SiteForm(Form):
    name = forms.CharField(
        label="Site",
        max_length=200,
        help_text="For example, “Reception at Riverside office”.",
        error_messages={
            "required": "Say which site was visited",
            "max_length": "Keep the site's name under 200 characters",
        },
    )
    address = forms.CharField(
        label="Address",
        required=False,
        max_length=300,
        error_messages={"max_length": "Keep the address under 300 characters"},
    )


class TeamMemberForm(Form):
    role = forms.ChoiceField(
        label="Their role on the walkthrough",
        choices=TeamRole.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose their role",
            "invalid_choice": "Choose their role from the list",
        },
    )
    user = ChoiceOfOne(
        label="Member of staff",
        queryset=None,
        required=False,
        empty_label="Choose a member of staff",
        label_from=staff_label,
        help_text="For staff and managers who work in the organisation.",
        error_messages={"invalid_choice": "Choose a member of staff from the list"},
    )
    name = forms.CharField(
        label="Or their name",
        required=False,
        max_length=200,
        help_text="For staff or managers who do not use PowerShare.",
        error_messages={"max_length": "Keep the name under 200 characters"},
    )
    person = ChoiceOfOne(
        label="Expert by experience",
        queryset=None,
        required=False,
        empty_label="Choose a person",
        label_from=person_label,
        help_text="Someone on your organisation's register.",
        error_messages={"invalid_choice": "Choose a person from the list"},
    )

    def __init__(self, *args, staff, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = staff
        if people is None:
            # Without VIEW_PEOPLE the register's names are not shown: experts by experience
            # are added by someone who may see it.
            del self.fields["person"]
            self.fields["role"].choices = [
                c for c in TeamRole.choices if c[0] != TeamRole.EXPERT_BY_EXPERIENCE
            ]
        else:
            self.fields["person"].queryset = people

    def clean(self):
        data = super().clean()
        role = data.get("role")
        if role == TeamRole.EXPERT_BY_EXPERIENCE:
            data["user"], data["name"] = None, ""
        elif role:
            data["person"] = None
            if data.get("user") and data.get("name"):
                self.add_error("name", "Choose a member of staff or type a name, not both")
        return data


class ObservationForm(Form):
    principle = ChoiceOfOne(
        label="Principle",
        queryset=None,
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the principle it is about",
            "invalid_choice": "Choose a principle from the list",
        },
    )
    kind = forms.ChoiceField(
        label="Is it a strength or something to improve?",
        choices=ObservationKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Say whether it is a strength or something to improve",
            "invalid_choice": "Say whether it is a strength or something to improve",
        },
    )
    site = ChoiceOfOne(
        label="Site",
        queryset=None,
        required=False,
        empty_label="Across the sites",
        error_messages={"invalid_choice": "Choose a site from the list"},
    )
    text = forms.CharField(
        label="What was seen or heard",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Say what was seen or heard",
            "max_length": "Keep the observation under 5,000 characters",
        },
    )

    def __init__(self, *args, principles, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["principle"].queryset = principles
        self.fields["site"].queryset = sites
        if not sites.exists():
            del self.fields["site"]

    def values(self) -> dict:
        return {
            "principle": self.cleaned_data["principle"],
            "kind": self.cleaned_data["kind"],
            "text": self.cleaned_data["text"],
            "site": self.cleaned_data.get("site"),
        }
