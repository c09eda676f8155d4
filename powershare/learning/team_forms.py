"""Forms for a delivery's facilitator team: adding a member of staff or a person from the
register with the experience they bring, changing it, and recording why a team has nobody with
lived experience. The forms check what was typed; services.facilitator_add and friends decide
the rules, and their errors land on the same fields."""

from django import forms

from powershare.lib.forms import MAX_ID, Form

from .models import Experience

EXPERIENCE_MISSING = "Choose the experience they bring: lived, professional or leadership"
#: services.team_without_lived_experience_acknowledge asks for at least this many characters.
REASON_MIN = 10


class SafeModelChoiceField(forms.ModelChoiceField):
    """A choice of one record that answers "choose from the list" for anything that cannot be
    an id (text, or a number too big for the database), instead of letting the database fail."""

    def __init__(self, *args, label_from=None, **kwargs):
        self._label_from = label_from
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return self._label_from(obj) if self._label_from else super().label_from_instance(obj)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if not text.isdigit() or not 0 < int(text) <= MAX_ID:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(text)


def staff_label(user) -> str:
    return user.full_name or user.email


def person_label(person) -> str:
    """A person on the register by the name they chose, with their reference (two people may
    share a name)."""
    return f"{person.name} ({person.reference})"


def experience_field(help_text: str = "") -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label="The experience they bring",
        choices=Experience.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=help_text or "Choose all that apply.",
        error_messages={
            "required": EXPERIENCE_MISSING,
            "invalid_choice": EXPERIENCE_MISSING,
        },
    )


class ExperienceMixin:
    def experience_values(self) -> dict:
        chosen = set(self.cleaned_data.get("experience") or ())
        return {value: value in chosen for value in Experience.values}


class StaffMemberForm(ExperienceMixin, Form):
    """Add a member of staff of the organisation or of the site."""

    user = SafeModelChoiceField(
        label="Member of staff",
        queryset=None,
        empty_label="Choose a member of staff",
        label_from=staff_label,
        help_text="Staff of the organisation that runs the course, or of the site.",
        error_messages={
            "required": "Choose the member of staff to add",
            "invalid_choice": "Choose a member of staff from the list",
        },
    )
    experience = experience_field()
    is_lead = forms.BooleanField(label="They lead this delivery", required=False)

    def __init__(self, *args, staff, **kwargs):
        kwargs.setdefault("prefix", "staff")
        kwargs.setdefault("initial", {"experience": [Experience.PROFESSIONAL]})
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = staff


class RegisterPersonForm(ExperienceMixin, Form):
    """Add a person from the register (an expert by experience)."""

    person = SafeModelChoiceField(
        label="Person from the register",
        queryset=None,
        empty_label="Choose a person",
        label_from=person_label,
        help_text="To pay someone for co-delivering, commission them from the trainer pool "
        "instead: that also invites them and plans their support.",
        error_messages={
            "required": "Choose the person to add",
            "invalid_choice": "Choose a person from the list",
        },
    )
    experience = experience_field()
    is_lead = forms.BooleanField(label="They lead this delivery", required=False)

    def __init__(self, *args, people, **kwargs):
        kwargs.setdefault("prefix", "person")
        kwargs.setdefault("initial", {"experience": [Experience.LIVED]})
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people


class FacilitatorEditForm(ExperienceMixin, Form):
    experience = experience_field()
    is_lead = forms.BooleanField(label="They lead this delivery", required=False)

    def __init__(self, *args, facilitator, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "experience": [v for v in Experience.values if getattr(facilitator, v)],
                "is_lead": facilitator.is_lead,
            },
        )
        super().__init__(*args, **kwargs)


class AcknowledgeForm(Form):
    reason = forms.CharField(
        label="Why is there nobody with lived experience on this team?",
        help_text="For example, what you tried and why it was not possible this time. It is "
        "kept with the delivery, with your name and the date.",
        max_length=2000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Say why there is nobody with lived experience on this team",
            "max_length": "Keep the reason under 2,000 characters",
        },
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"]
        if len(reason) < REASON_MIN:
            raise forms.ValidationError(
                "Say why there is nobody with lived experience on this team, in a sentence or more"
            )
        return reason
