"""Forms for booking a place on a delivery: staff booking someone, and a learner booking
themselves through the booking link. They collect what a learner record holds (name, email,
job role, team) and nothing more; the service decides whether there is a place."""

from django import forms

from powershare.lib.forms import Form

NAME_MAX = 200
EMAIL_MAX = 254


def _line(label: str, *, required: bool, missing: str = "", help_text: str = "", **attrs):
    return forms.CharField(
        label=label,
        required=required,
        max_length=NAME_MAX,
        strip=True,
        help_text=help_text,
        widget=forms.TextInput(attrs=attrs),
        error_messages={
            "required": missing,
            "max_length": f"Keep this under {NAME_MAX} characters.",
        },
    )


class LearnerForm(Form):
    """A learner's details. `staff=True` words the questions about someone else."""

    name = _line("Full name", required=True, autocomplete="name", spellcheck="false")
    email = forms.EmailField(
        label="Email address",
        max_length=EMAIL_MAX,
        widget=forms.EmailInput(
            attrs={"autocomplete": "email", "spellcheck": "false", "inputmode": "email"}
        ),
        error_messages={
            "required": "Enter an email address like name@example.org",
            "invalid": "Enter an email address like name@example.org",
            "max_length": f"Keep the email address under {EMAIL_MAX} characters.",
        },
    )
    job_role = _line(
        "Job role", required=False, autocomplete="organization-title", spellcheck="false"
    )
    team = _line("Team", required=False, spellcheck="false")

    def __init__(self, *args, staff: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        name, email = self.fields["name"], self.fields["email"]
        if staff:
            name.error_messages["required"] = "Enter the learner's full name"
            email.help_text = "We email the booking to this address."
            self.fields["job_role"].help_text = "For example: social worker, team leader."
        else:
            name.error_messages["required"] = "Enter your full name"
            email.help_text = "We'll email your booking to this address."
            self.fields["job_role"].help_text = "For example: social worker, team leader."
            self.fields["team"].help_text = "For example: children and families, east."
        # The mixin set aria-describedby from the help text before we changed it.
        for field_name in ("email", "job_role", "team"):
            field = self.fields[field_name]
            if field.help_text:
                hint = f"id_{self.add_prefix(field_name)}-hint"
                described = field.widget.attrs.get("aria-describedby", "")
                if hint not in described:
                    field.widget.attrs["aria-describedby"] = f"{described} {hint}".strip()

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(self.fields["name"].error_messages["required"])
        return name

    def booking_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "email": data["email"],
            "job_role": data.get("job_role", ""),
            "team": data.get("team", ""),
        }
