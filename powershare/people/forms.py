"""Forms for the register's staff pages: a person's record, a consent decision and the areas of
lived experience. Writes go through services; these forms only collect and check what was typed."""

from django import forms
from django.db.models import Q

from powershare.lib.forms import (
    Form,
    ModelForm,
    SafeModelMultipleChoiceField,
    add_organisation_choice,
)

from .models import (
    ConsentDecision,
    ConsentGivenBy,
    ConsentMethod,
    ConsentPurpose,
    Person,
)
from .services import STAFF_EDITABLE_FIELDS

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d %m %Y", "%d %B %Y", "%d %b %Y"]


def _date_widget():
    return forms.DateInput(attrs={"type": "date", "autocomplete": "off"}, format="%Y-%m-%d")


def _private_text(**attrs):
    """Someone else's details: browsers must not offer the member of staff's own."""
    return forms.TextInput(attrs={"autocomplete": "off", **attrs})


#: The model's choice labels speak as the person ("My full name"), for the portal. Staff pages
#: speak about them.
STAFF_CHOICE_LABELS = {
    "credit_as": {
        "full_name": "Their full name",
        "first_name": "Their first name only",
        "anonymous": "Don't name them",
    },
    "contact_channel": {"support_contact": "Through their support contact"},
    "wellbeing_check_in": {
        "none": "No check-in",
        "before": "Before they take part",
        "after": "After they take part",
        "before_and_after": "Before and after",
    },
}


def staff_label(field: str, value: str, default: str) -> str:
    return STAFF_CHOICE_LABELS.get(field, {}).get(value, default)


class PersonForm(ModelForm):
    """A person's record, as staff fill it in, grouped under headings."""

    template_name = "people/_grouped_form.html"
    #: People already on the register who are probably this person (set by the view).
    duplicates = ()

    #: (heading, hint, field names) in the order they appear.
    GROUPS = (
        (
            "Who they are",
            "",
            (
                "organisation",
                "full_name",
                "preferred_name",
                "pronouns",
                "date_of_birth",
                "age_band",
            ),
        ),
        (
            "How to contact them",
            "",
            (
                "email",
                "phone",
                "postal_address",
                "contact_channel",
                "contact_times",
                "check_with_support_contact",
                "credit_as",
            ),
        ),
        (
            "Needs and support",
            "",
            (
                "access_needs",
                "support_needs",
                "support_contact_name",
                "support_contact_role",
                "support_contact_phone",
                "support_contact_email",
                "staff_contact",
            ),
        ),
        ("Lived experience", "", ("areas",)),
        (
            "Benefits",
            "Payments for taking part can affect some benefits. Knowing this lets us offer "
            "vouchers or no payment instead, if the person prefers.",
            ("receives_benefits",),
        ),
        (
            "Staying safe",
            "What helps the person take part safely.",
            ("topics_to_avoid", "rest_days_between_involvements", "wellbeing_check_in"),
        ),
        ("Status", "", ("status", "resting_until", "left_on")),
    )

    different_person = forms.BooleanField(
        required=False, label="This is a different person, add them anyway"
    )

    class Meta:
        model = Person
        field_classes = {"areas": SafeModelMultipleChoiceField}
        fields = [*STAFF_EDITABLE_FIELDS, "areas"]
        labels = {
            "full_name": "Full name",
            "preferred_name": "What they like to be called",
            "pronouns": "Pronouns",
            "date_of_birth": "Date of birth",
            "age_band": "Age",
            "credit_as": "How they want to be named in anything we publish",
            "email": "Email address",
            "phone": "Phone number",
            "postal_address": "Postal address",
            "contact_channel": "Best way to contact them",
            "contact_times": "Good times to contact them",
            "check_with_support_contact": "Check with their support contact before contacting them",
            "access_needs": "Access needs",
            "support_needs": "Support needs",
            "support_contact_name": "Support contact's name",
            "support_contact_role": "Support contact's role or organisation",
            "support_contact_phone": "Support contact's phone number",
            "support_contact_email": "Support contact's email address",
            "staff_contact": "Their contact in our organisation",
            "areas": "Areas of lived experience",
            "receives_benefits": "Receives benefits that payments might affect",
            "status": "Status",
            "resting_until": "Resting until",
            "left_on": "Date they left",
            "topics_to_avoid": "Topics to avoid",
            "rest_days_between_involvements": "Days of rest they need between activities",
            "wellbeing_check_in": "Wellbeing check-in",
        }
        help_texts = {
            "date_of_birth": "For example 2008-03-27. We use it to know when a parent or guardian "
            "must agree too (under 16) and who may have a login (13 or over).",
            "age_band": "Only if you don't know their date of birth.",
            "contact_times": "For example 'Weekday mornings' or 'Not on Fridays'.",
            "access_needs": "For example a ground-floor room, a hearing loop, large print or "
            "an interpreter.",
            "support_needs": "What helps them take part, like someone coming with them.",
            "support_contact_name": "Someone outside our organisation who supports them, "
            "like a support worker or a carer.",
            "staff_contact": "The member of staff they can contact about taking part.",
            "areas": "Choose all that apply. Only people who run the register see these.",
            "topics_to_avoid": "Things that may be hard for them to hear or talk about.",
            "rest_days_between_involvements": "Leave empty if they have no preference.",
            "resting_until": "Only if they are resting. Leave empty if they have not said when "
            "they will be back.",
            "left_on": "Only if they have left. Today if you leave it empty.",
            "status": "Resting people are not invited to take part until they are back.",
            "check_with_support_contact": "",
            "receives_benefits": "",
        }
        error_messages = {
            "full_name": {"required": "Enter their full name"},
            "email": {"invalid": "Enter an email address like name@example.org"},
            "support_contact_email": {"invalid": "Enter an email address like name@example.org"},
            "date_of_birth": {"invalid": "Enter a date of birth like 2008-03-27"},
            "resting_until": {"invalid": "Enter a date like 2026-06-30"},
            "left_on": {"invalid": "Enter a date like 2026-06-30"},
            "rest_days_between_involvements": {
                "invalid": "Enter a number of days, like 7",
                "max_value": "Enter a number of days from 0 to 365",
            },
            "staff_contact": {"invalid_choice": "Choose a member of staff from the list"},
            "areas": {"invalid_choice": "Choose areas from the list"},
        }
        widgets = {
            "full_name": _private_text(),
            "preferred_name": _private_text(),
            "pronouns": _private_text(),
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "phone": _private_text(type="tel"),
            "postal_address": forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
            "date_of_birth": _date_widget(),
            "resting_until": _date_widget(),
            "left_on": _date_widget(),
            "credit_as": forms.RadioSelect,
            "contact_channel": forms.RadioSelect,
            "contact_times": _private_text(),
            "access_needs": forms.Textarea(attrs={"rows": 3}),
            "support_needs": forms.Textarea(attrs={"rows": 3}),
            "support_contact_name": _private_text(),
            "support_contact_role": _private_text(),
            "support_contact_phone": _private_text(type="tel"),
            "support_contact_email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "areas": forms.CheckboxSelectMultiple,
            "topics_to_avoid": forms.Textarea(attrs={"rows": 3}),
            "rest_days_between_involvements": forms.NumberInput(
                attrs={"min": 0, "max": 365, "class": "ds_input--fixed-4"}
            ),
            "wellbeing_check_in": forms.RadioSelect,
            "status": forms.RadioSelect,
        }

    def __init__(self, *args, organisations, areas, staff_contacts, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("date_of_birth", "resting_until", "left_on"):
            self.fields[name].input_formats = DATE_INPUT_FORMATS
        self.fields["age_band"].choices = [("", "Not known")] + [
            c for c in self.fields["age_band"].choices if c[0]
        ]
        for name, labels in STAFF_CHOICE_LABELS.items():
            self.fields[name].choices = [
                (value, labels.get(value, label)) for value, label in self.fields[name].choices
            ]
        self.fields["staff_contact"].queryset = staff_contacts
        self.fields["staff_contact"].empty_label = "No one yet"
        self.fields["staff_contact"].label_from_instance = lambda user: (
            f"{user.full_name} ({user.email})" if user.full_name else user.email
        )
        self.fields["areas"].queryset = areas
        several = organisations is not None and len(organisations) > 1
        if several:
            self.fields["areas"].label_from_instance = lambda area: (
                f"{area.name} ({area.organisation.display_name})"
            )
            add_organisation_choice(self, organisations, label="Whose register are they joining?")
        if not areas.exists():
            self.fields["areas"].help_text = (
                "Your organisation has no areas of lived experience yet. You can add them on "
                "the 'Areas of lived experience' page."
            )

    def grouped(self):
        """The form's questions under their headings, for the template."""
        groups = []
        for heading, hint, names in self.GROUPS:
            fields = [self[name] for name in names if name in self.fields]
            if fields:
                groups.append({"heading": heading, "hint": hint, "fields": fields})
        return groups

    def person_fields(self) -> dict:
        """What to pass to person_create / person_update."""
        return {
            key: value
            for key, value in self.cleaned_data.items()
            if key not in {"organisation", "areas", "different_person"}
        }


class ConsentRecordForm(Form):
    """A decision the person (or their parent or guardian) made on a form or out loud."""

    purpose = forms.ChoiceField(
        label="What is the decision about?",
        choices=ConsentPurpose.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the decision is about"},
    )
    decision = forms.ChoiceField(
        label="What did they decide?",
        choices=[
            (ConsentDecision.GIVEN, "They agreed"),
            (ConsentDecision.WITHDRAWN, "They said no, or changed their mind"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether they agreed or said no"},
    )
    given_by = forms.ChoiceField(
        label="Who made the decision?",
        choices=[
            (ConsentGivenBy.PERSON, "The person themselves"),
            (ConsentGivenBy.GUARDIAN, "Their parent or guardian"),
        ],
        initial=ConsentGivenBy.PERSON,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who made the decision"},
    )
    guardian_name = forms.CharField(
        label="Name of the parent or guardian",
        required=False,
        max_length=200,
        help_text="Only if a parent or guardian made the decision.",
        widget=_private_text(),
    )
    method = forms.ChoiceField(
        label="How did they tell you?",
        choices=[
            (ConsentMethod.WRITTEN, "On a written form"),
            (ConsentMethod.VERBAL, "They said it out loud, and I am recording it"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how they told you"},
    )
    recorded_at = forms.DateTimeField(
        label="When did they decide?",
        required=False,
        help_text="Leave empty if they decided just now.",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "autocomplete": "off"}, format="%Y-%m-%dT%H:%M"
        ),
        error_messages={"invalid": "Enter a date and time like 2026-03-14 14:00"},
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=300,
        help_text="For example where the signed form is kept. Up to 300 characters.",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": "Keep the note to 300 characters or fewer"},
    )

    def __init__(self, *args, person, statements, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        self.statements = statements
        if person.needs_guardian_consent:
            self.fields["given_by"].help_text = (
                "They are under 16, so we need their own decision and their parent or "
                "guardian's decision. Record each one separately."
            )

    def purpose_options(self):
        """Each purpose with the statement in force now, so staff can read it out."""
        field = self["purpose"]
        options = []
        for option in field:
            statement = self.statements.get(option.data["value"])
            options.append({"option": option, "statement": statement})
        return options

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("given_by") == ConsentGivenBy.GUARDIAN
            and not (cleaned.get("guardian_name") or "").strip()
        ):
            self.add_error("guardian_name", "Enter the name of the parent or guardian")
        return cleaned


class AreaForm(Form):
    name = forms.CharField(
        label="Name",
        max_length=80,
        help_text="For example 'Care experience', 'Justice' or 'Homelessness'.",
        error_messages={
            "required": "Enter a name for the area",
            "max_length": "Keep the name to 80 characters or fewer",
        },
    )
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=200,
        help_text="A few words to help colleagues choose the right area.",
        error_messages={"max_length": "Keep the description to 200 characters or fewer"},
    )

    def __init__(self, *args, organisations=None, with_visibility=False, **kwargs):
        super().__init__(*args, **kwargs)
        add_organisation_choice(
            self, organisations, label="Which organisation's register is this for?"
        )
        if with_visibility:
            self.fields["is_active"] = forms.BooleanField(
                label="Offer this area on the register",
                required=False,
                help_text="Untick to hide it. People who already have it keep it.",
            )


def areas_for_person_form(areas, person: Person | None):
    """Active areas, plus any hidden area the person already has (so saving keeps it)."""
    if person is None or person.pk is None:
        return areas.filter(is_active=True)
    return areas.filter(Q(is_active=True) | Q(pk__in=[a.pk for a in person.areas.all()]))
