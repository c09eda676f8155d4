"""The form for an organisation's public "you said, we did" page. Writes go through
services.public_page_update; this only collects and checks what was typed."""

from django import forms

from powershare.lib.forms import Form

#: As services.public_page_update allows.
INTRODUCTION_MAX = 3000


class PublicPageForm(Form):
    is_published = forms.BooleanField(
        label="Publish the page",
        required=False,
        help_text="Anyone can read it, without signing in. You can stop publishing it at any time.",
    )
    introduction = forms.CharField(
        label="Introduction",
        required=False,
        max_length=INTRODUCTION_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="A few sentences at the top of the page: who you are and why you share this. "
        "Write for the public, in plain English.",
        error_messages={"max_length": "Keep the introduction under 3,000 characters"},
    )
