"""Forms for an administrator's rate cards and their organisation's payment defaults. The
services check the rules (a rate card in use is never changed; one version a day)."""

from django import forms

from powershare.lib.forms import Form

from .forms import date_field, hours_field, line_field, money_field, text_field
from .models import TravelTimePolicy
from .services import MAX_LIMIT

RATE_CARD_FIELDS = (
    "effective_from",
    "hourly_rate",
    "half_day_rate",
    "full_day_rate",
    "preparation_max_hours",
    "travel_time_policy",
    "travel_max_hours",
    "mileage_rate",
    "notes",
)


class RateCardForm(Form):
    effective_from = date_field(
        "Starts on",
        help_text="Payments for work on or after this day use these rates, until a newer "
        "version starts. For example, 6/4/2026.",
    )
    hourly_rate = money_field("Hourly rate", "the hourly rate", required=True)
    half_day_rate = money_field("Half-day rate", "the half-day rate", required=True)
    full_day_rate = money_field("Full-day rate", "the full-day rate", required=True)
    preparation_max_hours = hours_field(
        "Preparation paid, up to (hours)",
        "the preparation hours",
        help_text="Preparation is paid at the hourly rate, up to this many hours for one piece "
        "of work. Leave empty or 0 if it is not paid separately.",
    )
    travel_time_policy = forms.ChoiceField(
        label="Is travel time paid?",
        choices=TravelTimePolicy.choices,
        initial=TravelTimePolicy.NOT_PAID,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether travel time is paid",
            "invalid_choice": "Choose whether travel time is paid",
        },
    )
    travel_max_hours = hours_field(
        "Travel time paid, up to (hours)",
        "the travel hours",
        help_text="Only used when travel time is paid.",
    )
    mileage_rate = money_field(
        "Mileage rate (per mile)",
        "the mileage rate",
        help_text="The rate used for mileage on expense claims. For example, 0.45.",
    )
    notes = text_field(
        "Notes",
        help_text="Anything people should know about the rates. People with lived experience "
        "may read this.",
    )

    def card_fields(self) -> dict:
        data = self.cleaned_data
        return {name: data.get(name) for name in RATE_CARD_FIELDS}


class PaymentSettingsForm(Form):
    weekly_limit = money_field(
        "Weekly limit",
        "the weekly limit",
        maximum=MAX_LIMIT,
        help_text="The limit on fees in a week (Monday to Sunday), for people who say taking "
        "part might affect their benefits and have not chosen their own. Leave empty for none.",
    )
    monthly_limit = money_field(
        "Monthly limit",
        "the monthly limit",
        maximum=MAX_LIMIT,
        help_text="The limit on fees in a calendar month. Leave empty for none.",
    )
    yearly_limit = money_field(
        "Yearly limit",
        "the yearly limit",
        maximum=MAX_LIMIT,
        help_text="The limit on fees in a tax year (6 April to 5 April). Leave empty for none.",
    )
    default_cost_code = line_field(
        "Default cost code",
        max_length=40,
        help_text="Given to new payments and expense claims. It can be changed on each one.",
    )
    pay_within_days = forms.IntegerField(
        label="Pay people within (days)",
        min_value=1,
        max_value=90,
        help_text="Our target: how many days from the work to being paid. It is the target "
        "shown on staff home pages and in the payment reports, which list payments that took "
        "longer.",
        widget=forms.NumberInput(attrs={"class": "ds_input--fixed-4", "inputmode": "numeric"}),
        error_messages={
            "required": "Enter a number of days from 1 to 90",
            "invalid": "Enter a number of days from 1 to 90",
            "min_value": "Enter a number of days from 1 to 90",
            "max_value": "Enter a number of days from 1 to 90",
        },
    )
    advice = text_field(
        "Where to get benefits advice",
        rows=4,
        help_text="Shown with every benefits warning. For example, the name and phone number "
        "of a free, independent welfare rights service.",
    )

    def settings_fields(self) -> dict:
        return dict(self.cleaned_data)
