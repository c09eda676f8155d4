from django import forms

from powershare.lib.forms import Form, ModelForm, add_organisation_choice

from .models import SupportService


class SupportServiceForm(ModelForm):
    class Meta:
        model = SupportService
        fields = [
            "name",
            "how_they_help",
            "who_it_is_for",
            "phone",
            "text_number",
            "email",
            "website",
            "opening_times",
            "is_crisis_support",
            "is_active",
        ]
        labels = {
            "name": "Name of the service",
            "how_they_help": "How they help",
            "who_it_is_for": "Who it is for",
            "text_number": "Number for text messages",
            "is_crisis_support": "This service gives urgent help",
            "is_active": "Show this service in the directory",
        }
        help_texts = {
            "phone": "Give at least one way to reach the service: phone, text, email or website.",
            "how_they_help": "In plain words, for example 'Listens and talks things through, day or night'.",
            "who_it_is_for": "For example 'Young people up to 25' or 'Anyone in Scotland'.",
            "website": "The full address, like https://www.example.org",
            "opening_times": "For example 'Every day, 24 hours' or 'Monday to Friday, 9am to 5pm'.",
        }
        error_messages = {
            "name": {"required": "Enter the name of the service"},
            "how_they_help": {"required": "Say how the service helps people"},
            "email": {"invalid": "Enter an email address like name@example.org"},
            "website": {"invalid": "Enter a web address like https://www.example.org"},
        }
        widgets = {
            "how_they_help": forms.Textarea(attrs={"rows": 4}),
            # The service's details, not the person typing: browsers must not offer their own.
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "text_number": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "website": forms.URLInput(attrs={"autocomplete": "off"}),
        }

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        add_organisation_choice(
            self, organisations, label="Which organisation's directory is this for?"
        )

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(k) for k in ("phone", "text_number", "email", "website")):
            self.add_error(
                "phone", "Give at least one way to reach the service: phone, text, email or website"
            )
        return cleaned


class ShareForm(Form):
    partner = forms.ModelChoiceField(
        queryset=None,
        label="Share with",
        help_text="Everyone in that organisation will be able to see this entry. Only your organisation can change it.",
        empty_label="Choose an organisation",
        error_messages={
            "required": "Choose the organisation to share with",
            "invalid_choice": "Choose an organisation from the list",
        },
    )

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners
