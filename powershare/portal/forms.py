"""The portal's forms: one short form per part of a person's details, a password for the
invitation link, and the one-button forms behind "Agree" and "Withdraw".

Every question can be skipped except the person's full name. The forms are plain forms (not
model forms), so nothing touches the record until people.services.person_update_by_self.
"""

from dataclasses import dataclass

from django import forms
from django.contrib.auth import forms as auth_forms

from powershare.lib.forms import DesignSystemFormMixin, Form
from powershare.people.models import (
    ConsentDecision,
    ContactChannel,
    CreditPreference,
    Person,
    PersonStatus,
    WellbeingCheckIn,
)

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d %m %Y", "%d %B %Y", "%d %b %Y"]


class WelcomePasswordForm(DesignSystemFormMixin, auth_forms.SetPasswordForm):
    """Choose a password from the invitation link (Django's set-password form)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "Choose a password"
        self.fields[
            "new_password1"
        ].help_text = "At least 12 characters. Do not use a password you use anywhere else."
        self.fields["new_password1"].widget.attrs["aria-describedby"] = "id_new_password1-hint"
        self.fields["new_password2"].label = "Type the same password again"
        self.fields["new_password1"].error_messages["required"] = "Choose a password"
        self.fields["new_password2"].error_messages["required"] = "Type your password again"


class ChoiceChangeForm(Form):
    decision = forms.ChoiceField(choices=ConsentDecision.choices)


class DetailsForm(Form):
    """A part of the person's details. `changes()` gives what to pass to the service: a choice
    left empty keeps what we had (those details can't be empty)."""

    keep_when_empty: tuple[str, ...] = ()

    def __init__(self, *args, person: Person, **kwargs):
        self.person = person
        kwargs.setdefault("initial", self.initial_for(person))
        super().__init__(*args, **kwargs)

    def initial_for(self, person: Person) -> dict:
        return {name: getattr(person, name) for name in self.base_fields}

    def changes(self) -> dict:
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if not (name in self.keep_when_empty and value in ("", None))
        }


def _text(label, *, max_length, help_text="", required=False, autocomplete="", **attrs):
    if autocomplete:
        attrs["autocomplete"] = autocomplete
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        widget=forms.TextInput(attrs=attrs),
    )


def _long_text(label, *, help_text=""):
    return forms.CharField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class NameForm(DetailsForm):
    full_name = forms.CharField(
        label="Your full name",
        max_length=200,
        error_messages={"required": "Enter your full name"},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    preferred_name = _text(
        "What would you like us to call you?",
        max_length=100,
        help_text="For example, a short name or a nickname.",
        autocomplete="nickname",
    )
    pronouns = _text(
        "Your pronouns",
        max_length=40,
        help_text="For example, she/her, he/him or they/them.",
        autocomplete="off",
    )


class CreditForm(DetailsForm):
    keep_when_empty = ("credit_as",)
    credit_as = forms.ChoiceField(
        label="When we share something you said or made, how should we name you?",
        choices=CreditPreference.choices,
        required=False,
        widget=forms.RadioSelect,
    )


class ContactForm(DetailsForm):
    email = forms.EmailField(
        label="Email address",
        required=False,
        max_length=254,
        help_text="We send messages here. It does not change the email address you sign in with.",
        error_messages={"invalid": "Enter an email address like name@example.org"},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = _text("Phone number", max_length=40, autocomplete="tel", type="tel")
    postal_address = forms.CharField(
        label="Postal address",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "street-address"}),
    )


class TimesForm(DetailsForm):
    keep_when_empty = ("contact_channel",)
    contact_channel = forms.ChoiceField(
        label="How would you like us to contact you?",
        choices=ContactChannel.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    contact_times = _text(
        "When is a good time to contact you?",
        max_length=200,
        help_text="For example, weekday mornings, or not after 6pm.",
        autocomplete="off",
    )
    check_with_support_contact = forms.BooleanField(
        label="Check with my support contact before you contact me",
        required=False,
    )


class AccessForm(DetailsForm):
    access_needs = _long_text(
        "What helps you take part?",
        help_text="For example, step-free access, a hearing loop, large print or extra breaks.",
    )
    support_needs = _long_text(
        "What support would you like?",
        help_text="For example, someone to come with you, or help with travel.",
    )


class SupportContactForm(DetailsForm):
    support_contact_name = _text("Their name", max_length=200, autocomplete="off")
    support_contact_role = _text(
        "Who they are to you",
        max_length=200,
        help_text="For example, support worker, friend or family member.",
        autocomplete="off",
    )
    support_contact_phone = _text(
        "Their phone number", max_length=40, autocomplete="off", type="tel"
    )
    support_contact_email = forms.EmailField(
        label="Their email address",
        required=False,
        max_length=254,
        error_messages={"invalid": "Enter an email address like name@example.org"},
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )


class SafetyForm(DetailsForm):
    keep_when_empty = ("wellbeing_check_in",)
    topics_to_avoid = _long_text(
        "Are there topics you would rather not talk about?",
        help_text="We will not ask you about these. You do not have to say why.",
    )
    rest_days_between_involvements = forms.IntegerField(
        label="How many days of rest would you like between activities?",
        required=False,
        min_value=0,
        max_value=365,
        help_text="A number of days, like 7.",
        error_messages={
            "invalid": "Enter a number of days, like 7",
            "min_value": "Enter a number of days from 0 to 365",
            "max_value": "Enter a number of days from 0 to 365",
        },
        widget=forms.NumberInput(attrs={"class": "ds_input--fixed-4", "inputmode": "numeric"}),
    )
    wellbeing_check_in = forms.ChoiceField(
        label="Would you like us to check in with you?",
        choices=WellbeingCheckIn.choices,
        required=False,
        widget=forms.RadioSelect,
    )


class BenefitsForm(DetailsForm):
    keep_when_empty = ("receives_benefits",)
    receives_benefits = forms.TypedChoiceField(
        label="Do you get benefits that a payment from us might affect?",
        help_text="We never ask which benefits. Knowing helps us talk with you before we pay you.",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )

    def initial_for(self, person: Person) -> dict:
        return {"receives_benefits": "yes" if person.receives_benefits else "no"}


class BreakForm(DetailsForm):
    keep_when_empty = ("status",)
    status = forms.ChoiceField(
        label="Are you available to take part?",
        choices=[
            (PersonStatus.ACTIVE, "I'm available"),
            (PersonStatus.RESTING, "I'm taking a break"),
        ],
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "To leave the register, tell your contact."},
    )
    resting_until = forms.DateField(
        label="When would you like to come back?",
        required=False,
        input_formats=DATE_FORMATS,
        help_text="Only if you are taking a break. Leave it empty if you are not sure.",
        error_messages={"invalid": "Enter a date, like 14 March 2026"},
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )

    def initial_for(self, person: Person) -> dict:
        status = person.status if person.status != PersonStatus.LEFT else ""
        return {"status": status, "resting_until": person.resting_until}

    def changes(self) -> dict:
        changes = super().changes()
        if changes.get("status", self.person.status) != PersonStatus.RESTING:
            changes.pop("resting_until", None)
        return changes


@dataclass(frozen=True)
class Section:
    """One part of the details page, changed with its own short form."""

    title: str
    form: type[DetailsForm]
    intro: str = ""


SECTIONS: dict[str, Section] = {
    "name": Section("Your name", NameForm),
    "credit": Section(
        "How you want to be named",
        CreditForm,
        "We only name you in the way you choose here.",
    ),
    "contact": Section(
        "Your contact details",
        ContactForm,
        "We use these to reach you in the way you prefer.",
    ),
    "times": Section(
        "How and when we contact you",
        TimesForm,
        "We will contact you in this way and at these times.",
    ),
    "access": Section(
        "What helps you take part",
        AccessForm,
        "We use this to plan activities that work for you.",
    ),
    "support-contact": Section(
        "Your support contact",
        SupportContactForm,
        "Someone who supports you, like a support worker, friend or family member.",
    ),
    "safety": Section(
        "Staying safe",
        SafetyForm,
        "This helps us look after you when you take part.",
    ),
    "benefits": Section(
        "Benefits",
        BenefitsForm,
        "Some payments can affect benefits. We ask so we can check with you first.",
    ),
    "break": Section(
        "Taking a break",
        BreakForm,
        "You can take a break at any time. We will not ask you to take part while you rest.",
    ),
}
