"""The portal's forms for "Things you've said": removing some words, and choosing who can see
something. Plain words; the rules are the services' (engagement.services)."""

from django import forms

from powershare.engagement.models import USE_PLAIN_WORDS, UseLevel
from powershare.lib.forms import Form


class RemoveWordsForm(Form):
    words = forms.CharField(
        label="Which words should we remove?",
        help_text="Copy them exactly as they appear above. We'll replace them everywhere with "
        "“[removed at the contributor's request]”. We won't keep a copy.",
        max_length=10_000,
        error_messages={"required": "Type the words you want us to remove."},
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
    )
    reason = forms.CharField(
        label="Tell us why, only if you want to",
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off"}),
        error_messages={"max_length": "Keep this under 300 characters."},
    )


class UseForm(Form):
    """Who can see it: only the uses the person has agreed to, widest last."""

    use_level = forms.TypedChoiceField(
        label="Who can see it?",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose who can see it.",
            "invalid_choice": "Choose one of the options.",
        },
    )

    def __init__(self, *args, levels: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["use_level"].choices = [
            (level, USE_PLAIN_WORDS[UseLevel(level)]) for level in levels
        ]
