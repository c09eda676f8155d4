"""Forms for expense claims: starting one, adding a cost (with a receipt photo), sending one
back and marking one paid. They collect what was typed and keep it on error; the rules (amounts,
mileage, what a receipt may be) are the services', which answer in plain words by field."""

import datetime

from django import forms
from django.utils import timezone

from powershare.engagement.forms import DATE_INPUT_FORMATS
from powershare.lib.forms import Form

from .models import ExpenseKind

#: What the receipt question offers to choose: any photo (so a phone offers its camera and its
#: gallery) or a PDF. No `capture` attribute, which would force the camera. The service checks
#: the name, size and first bytes whatever the browser says.
RECEIPT_ACCEPT = "image/*,application/pdf"
EARLIEST = datetime.date(2000, 1, 1)


def date_field(label: str, *, help_text: str = ""):
    return forms.DateField(
        label=label,
        help_text=help_text,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(
            attrs={"type": "date", "autocomplete": "off", "class": "ds_input--fixed-10"},
            format="%Y-%m-%d",
        ),
        error_messages={
            "required": f"Enter the {label.lower()}, like 14/03/2026.",
            "invalid": f"Enter the {label.lower()} as a real date, like 14/03/2026.",
        },
    )


def money_field(label: str, *, help_text: str = "", required: bool = False):
    """Pounds and pence as typed ("12.50", "£12.50"): the service reads the number, so its
    message says what to do when it is not one."""
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "autocomplete": "off", "class": "ds_input--fixed-10"}
        ),
        error_messages={"max_length": "Enter an amount like 12.50."},
    )


def receipt_field(*, required: bool):
    return forms.FileField(
        label="Photo of the receipt",
        required=required,
        max_length=200,
        help_text="A photo or a PDF, up to 10 MB. You can take a photo with your phone or choose "
        "one you already have.",
        widget=forms.FileInput(attrs={"accept": RECEIPT_ACCEPT}),
        error_messages={
            "required": "Choose a photo or a PDF of the receipt.",
            "empty": "The file is empty. Choose another photo or PDF.",
            "invalid": "Choose a photo or a PDF of the receipt.",
            "max_length": "The file's name is too long: rename it with fewer than 200 characters.",
        },
    )


def _check_date(day):
    if day is not None and day < EARLIEST:
        raise forms.ValidationError("Enter a date after 2000.")
    return day


class ClaimStartForm(Form):
    """Staff start a claim for a person: which activity it was for, if one."""

    activity = forms.ChoiceField(
        label="Which activity was it for?",
        required=False,
        error_messages={"invalid_choice": "Choose one of the activities in the list."},
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=2000,
        help_text="Anything finance should know. The person can see their claim, so write it "
        "for them too.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Keep this under 2,000 characters."},
    )

    def __init__(self, *args, activities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.activities = {str(activity.pk): activity for activity in activities}
        self.fields["activity"].choices = [("", "Not for one activity")] + [
            (key, activity_label(activity)) for key, activity in self.activities.items()
        ]

    def chosen_activity(self):
        return self.activities.get(self.cleaned_data.get("activity") or "")


def activity_label(activity) -> str:
    return f"{activity.title} ({activity.starts_on:%-d %B %Y})"


class ExpenseLineForm(Form):
    """One cost. Mileage is worked out from the miles; anything else is the amount paid."""

    kind = forms.ChoiceField(
        label="What was the cost for?",
        choices=ExpenseKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what the cost was for.",
            "invalid_choice": "Choose one of the answers in the list.",
        },
    )
    incurred_on = date_field("Date of the cost", help_text="For example, 14/03/2026.")
    amount = money_field(
        "How much did it cost?",
        help_text="In pounds, for example 12.50. Not needed for mileage.",
    )
    miles = forms.CharField(
        label="How many miles?",
        required=False,
        max_length=10,
        help_text="Only for mileage. We work out the amount.",
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "autocomplete": "off", "class": "ds_input--fixed-5"}
        ),
        error_messages={"max_length": "Enter the miles as a number, like 12.5."},
    )
    description = forms.CharField(
        label="What was it for?",
        required=False,
        max_length=300,
        help_text="For example, “Bus to the town house and back”. Needed if you chose "
        "“Something else”.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"max_length": "Keep this under 300 characters."},
    )
    receipt = receipt_field(required=False)

    def __init__(self, *args, mileage_rate=None, **kwargs):
        super().__init__(*args, **kwargs)
        # A file input is not a text box: the design system styles it as a file upload.
        self.fields["receipt"].widget.attrs["class"] = "ds_file-upload__input"
        if not self.is_bound:
            self.fields["incurred_on"].initial = timezone.localdate()
        self.mileage_rate = mileage_rate
        if mileage_rate is not None:
            self.fields[
                "miles"
            ].help_text = (
                f"Only for mileage. We pay £{mileage_rate:.2f} a mile and work out the amount."
            )

    def clean_incurred_on(self):
        return _check_date(self.cleaned_data["incurred_on"])

    def had_file(self, files) -> bool:
        """True when a file was sent with a form that came back with errors: a browser can't
        keep a chosen file, so the person is asked to choose it again."""
        return bool(files and files.get(self.add_prefix("receipt")))

    def line_values(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "incurred_on": data["incurred_on"],
            "amount": data.get("amount") or None,
            "miles": data.get("miles") or None,
            "description": data.get("description", ""),
            "receipt": data.get("receipt") or None,
        }


class ReceiptForm(Form):
    """A receipt for a cost already saved (for example after a claim was sent back asking for
    one). The service checks the name, size and first bytes."""

    receipt = receipt_field(required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A file input is not a text box: the design system styles it as a file upload.
        self.fields["receipt"].widget.attrs["class"] = "ds_file-upload__input"


class ClaimReturnForm(Form):
    reason = forms.CharField(
        label="What needs to change?",
        max_length=2000,
        help_text="The person reads this. Say kindly what to put right, for example “Please add "
        "a photo of the taxi receipt”.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Say what needs to change, so the person can put it right.",
            "max_length": "Keep this under 2,000 characters.",
        },
    )


class ClaimPaidForm(Form):
    paid_on = date_field("Date paid", help_text="For example, 14/03/2026.")
    finance_reference = forms.CharField(
        label="Finance reference",
        max_length=60,
        help_text="The finance system's reference for the payment.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "ds_input--fixed-20"}),
        error_messages={
            "required": "Enter the finance system's reference for the payment.",
            "max_length": "Keep the reference under 60 characters.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["paid_on"].initial = timezone.localdate()

    def clean_paid_on(self):
        return _check_date(self.cleaned_data["paid_on"])
