"""The form that sends the plain-English summary of learning to the people who shaped it."""

from django import forms

from powershare.lib.forms import Form


class SummaryFeedbackForm(Form):
    confirm = forms.BooleanField(
        label="I have read the summary: it is in plain English and names nobody",
        help_text="It goes to everyone who took part in the activities below, as they agreed "
        "to hear from us.",
        error_messages={
            "required": "Tick the box to say you have read the summary and it names nobody"
        },
    )
