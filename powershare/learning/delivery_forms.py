"""Forms for planning and changing deliveries and their sessions. They check what was typed and
say what to do in plain words; the services decide the rules (places taken, sessions in date
order, a retired product) and their refusals are shown on the same fields.

A delivery is planned with one row per session. Each session's messages name the session
("Session 2: enter the venue"), so the error summary at the top says which row to fix."""

import datetime

from django import forms

from powershare.engagement.forms import DATE_INPUT_FORMATS
from powershare.lib.forms import Form

from .models import SessionMode
from .services import MAX_CAPACITY, MAX_SESSIONS

TIME_INPUT_FORMATS = ["%H:%M", "%H.%M", "%H:%M:%S", "%H%M"]
EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2100, 12, 31)
SESSION_FIELDS = ("date", "starts_at", "ends_at", "mode", "venue", "online_link")


def capacity_field() -> forms.IntegerField:
    message = f"Enter a number of places from 1 to {MAX_CAPACITY}"
    return forms.IntegerField(
        label="Places",
        help_text="How many learners can book. When it is full, people join the waiting list.",
        min_value=1,
        max_value=MAX_CAPACITY,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "class": "ds_input--fixed-4"}
        ),
        error_messages={
            "required": "Enter the number of places, like 16",
            "invalid": "Enter the number of places as a whole number, like 16",
            "min_value": message,
            "max_value": message,
        },
    )


def cohort_field() -> forms.CharField:
    return forms.CharField(
        label="Cohort",
        help_text="Who this delivery is for, for example “spring 2026 cohort”.",
        max_length=200,
        strip=True,
        error_messages={
            "required": "Name the cohort, for example “spring 2026”",
            "max_length": "Keep the cohort's name under 200 characters",
        },
    )


class DeliveryForm(Form):
    """Where, for whom and how many places. The sessions are SessionForms beside it."""

    site = forms.ModelChoiceField(
        queryset=None,
        label="Site",
        help_text=(
            "The organisation whose staff come to this delivery. Its staff can see the "
            "delivery, and its facilitators can take the register."
        ),
        empty_label=None,
        error_messages={
            "required": "Choose the site",
            "invalid_choice": "Choose a site from the list",
        },
    )
    cohort = cohort_field()
    capacity = capacity_field()

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites


class DeliveryEditForm(Form):
    cohort = cohort_field()
    capacity = capacity_field()
    booking_open = forms.TypedChoiceField(
        label="Booking through the link",
        choices=[
            ("yes", "Open: learners can book themselves through the booking link"),
            ("no", "Closed: only your team can book people on"),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether booking through the link is open or closed",
            "invalid_choice": "Choose open or closed",
        },
    )


class SessionForm(Form):
    """One session: its date, times and place. Every message names the session."""

    date = forms.DateField(
        label="Date",
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(
            attrs={"type": "date", "autocomplete": "off", "class": "ds_input--fixed-10"},
            format="%Y-%m-%d",
        ),
    )
    starts_at = forms.TimeField(
        label="Start time",
        input_formats=TIME_INPUT_FORMATS,
        widget=forms.TimeInput(
            attrs={"type": "time", "autocomplete": "off", "class": "ds_input--fixed-5"},
            format="%H:%M",
        ),
    )
    ends_at = forms.TimeField(
        label="End time",
        input_formats=TIME_INPUT_FORMATS,
        widget=forms.TimeInput(
            attrs={"type": "time", "autocomplete": "off", "class": "ds_input--fixed-5"},
            format="%H:%M",
        ),
    )
    mode = forms.ChoiceField(
        label="In person or online",
        choices=SessionMode.choices,
        widget=forms.RadioSelect,
    )
    venue = forms.CharField(
        label="Venue",
        help_text="Where it happens, for a session in person: the building and room.",
        required=False,
        max_length=300,
        strip=True,
    )
    online_link = forms.URLField(
        label="Link to join",
        help_text="For an online session: the full web address, starting https://",
        required=False,
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, number: int, **kwargs):
        kwargs.setdefault("prefix", f"session-{number}")
        super().__init__(*args, **kwargs)
        self.number = number
        said = f"Session {number}:"
        messages = {
            "date": {
                "required": f"{said} enter the date, like 14/03/2026",
                "invalid": f"{said} enter the date as a real date, like 14/03/2026",
            },
            "starts_at": {
                "required": f"{said} enter the start time, like 09:30",
                "invalid": f"{said} enter the start time as hours and minutes, like 09:30",
            },
            "ends_at": {
                "required": f"{said} enter the end time, like 12:30",
                "invalid": f"{said} enter the end time as hours and minutes, like 12:30",
            },
            "mode": {
                "required": f"{said} choose in person or online",
                "invalid_choice": f"{said} choose in person or online",
            },
            "venue": {"max_length": f"{said} keep the venue under 300 characters"},
            "online_link": {
                "invalid": f"{said} enter the link as a full web address, like "
                "https://meet.example.org/learning",
                "max_length": f"{said} keep the link under 500 characters",
            },
        }
        for name, errors in messages.items():
            self.fields[name].error_messages.update(errors)

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day and not EARLIEST <= day <= LATEST:
            raise forms.ValidationError(
                f"Session {self.number}: enter a date between 2000 and 2100"
            )
        return day

    def clean(self):
        data = super().clean()
        said = f"Session {self.number}:"
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", f"{said} the end time must be after the start time")
        mode = data.get("mode")
        if mode == SessionMode.IN_PERSON and not data.get("venue"):
            self.add_error("venue", f"{said} enter the venue")
        if (
            mode == SessionMode.ONLINE
            and not data.get("online_link")
            and "online_link" not in self.errors
        ):
            self.add_error("online_link", f"{said} enter the link to join online")
        return data

    def values(self) -> dict:
        """What the services take for a session."""
        return {name: self.cleaned_data.get(name) for name in SESSION_FIELDS}

    def typed(self) -> dict:
        """What was typed, to show again in a fresh form (without its errors)."""
        return {name: self[name].value() for name in SESSION_FIELDS}


def session_count(value, default: int) -> int:
    """How many session rows a form shows: what was posted, from 1 to MAX_SESSIONS."""
    try:
        count = int(str(value or default)[:3])
    except ValueError:
        count = default
    return max(1, min(MAX_SESSIONS, count))


WHEN_CHOICES = [
    ("", "Any time"),
    ("upcoming", "Coming up or running now"),
    ("past", "Finished"),
    ("cancelled", "Cancelled"),
]


class DeliveryFilterForm(Form):
    """The deliveries list's filters: which product, and when."""

    is_filter = True

    search = forms.CharField(
        label="Cohort, site or product", required=False, max_length=100, strip=True
    )
    product = forms.TypedChoiceField(
        label="Learning product", required=False, coerce=int, empty_value=None
    )
    when = forms.ChoiceField(label="When", required=False, choices=WHEN_CHOICES)

    def __init__(self, *args, products, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = [("", "Every product"), *products]
        self.fields["product"].error_messages["invalid_choice"] = "Choose a product from the list"
        self.fields["when"].error_messages["invalid_choice"] = "Choose a time from the list"
        self.fields["search"].error_messages["max_length"] = "Search for at most 100 characters"

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {"search": "", "product": None, "when": ""}
        return {
            "search": self.cleaned_data["search"].replace("\x00", ""),
            "product": self.cleaned_data["product"],
            "when": self.cleaned_data["when"],
        }
