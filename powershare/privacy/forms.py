from django import forms
from django.utils import timezone

from powershare.lib.forms import Form

#: What people type for a date: 25/11/2026 first (the design system's pattern), and the other
#: ways people write it.
DATE_INPUT_FORMATS = [
    "%d/%m/%Y",
    "%d/%m/%y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d %m %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%Y-%m-%d",
]


class DatePickerInput(forms.DateInput):
    """The design system's date picker: a text box for dd/mm/yyyy, to which its script adds a
    calendar button. Without scripts it is a plain text box."""

    template_name = "privacy/widgets/date_picker.html"

    def __init__(self, attrs=None):
        super().__init__(
            attrs={"class": "ds_input--fixed-10", "inputmode": "numeric", **(attrs or {})},
            format="%d/%m/%Y",
        )


class DayField(forms.DateField):
    widget = DatePickerInput

    def __init__(self, *, invalid: str, **kwargs):
        kwargs.setdefault("input_formats", DATE_INPUT_FORMATS)
        kwargs.setdefault("error_messages", {"required": invalid, "invalid": invalid})
        super().__init__(**kwargs)

    def to_python(self, value):
        return super().to_python(value.strip() if isinstance(value, str) else value)


class ConsentStatementForm(Form):
    title = forms.CharField(
        label="Short name",
        max_length=120,
        help_text="What people see as the heading, like “Contact me”.",
        error_messages={
            "required": "Enter a short name, like “Contact me”",
            "max_length": "Keep the short name to 120 characters or fewer",
        },
    )
    text = forms.CharField(
        label="What the person agrees to",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="In plain words, speaking as the person: “You can get in touch with me…”. "
        "Say that they can change their mind.",
        min_length=20,
        error_messages={
            "required": "Enter the statement people agree to",
            "min_length": "Enter the full statement people agree to, in at least 20 characters",
        },
    )

    def __init__(self, *args, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.current = current

    def clean(self):
        cleaned = super().clean()
        current = self.current
        if (
            current is not None
            and cleaned.get("title", "").strip() == current.title
            and cleaned.get("text", "").strip() == current.text
        ):
            raise forms.ValidationError(
                "This is the same as the wording in use now. Change the words, or cancel."
            )
        return cleaned


class SubjectAccessRequestForm(Form):
    received_on = DayField(
        label="Date the request was received",
        help_text="Use dd/mm/yyyy format. For example, 25/11/2026.",
        invalid="Enter the date the request was received, like 25/11/2026",
    )
    how_received = forms.CharField(
        label="How it was received",
        required=False,
        max_length=200,
        help_text="For example, by letter, by email, or asked in person at a meeting.",
        error_messages={"max_length": "Keep this to 200 characters or fewer"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()


class SubjectAccessCompleteForm(Form):
    completed_on = DayField(
        label="Date the data was sent or handed over",
        help_text="Use dd/mm/yyyy format. For example, 25/11/2026.",
        invalid="Enter the date the data was sent or handed over, like 25/11/2026",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["completed_on"].initial = timezone.localdate()


class ErasureRequestForm(Form):
    reason = forms.CharField(
        label="Why should this record be erased?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text="For example, “They asked us by email on 3 March to delete everything”. "
        "Don't include their name or contact details: the reason is kept after the record is "
        "erased.",
        error_messages={
            "required": "Say why the record should be erased",
            "max_length": "Keep the reason to 2,000 characters or fewer",
        },
    )


class ErasureApproveForm(Form):
    note = forms.CharField(
        label="Note for the person who asked",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Don't include the person's name or contact details.",
        error_messages={"max_length": "Keep the note to 2,000 characters or fewer"},
    )


class ErasureRejectForm(Form):
    decision_note = forms.CharField(
        label="Why are you turning it down?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The person who asked will see this. Don't include the person's name or "
        "contact details.",
        error_messages={
            "required": "Say why, so the person who asked knows",
            "max_length": "Keep the reason to 2,000 characters or fewer",
        },
    )
