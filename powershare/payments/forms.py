"""Forms for the staff payment pages. They collect and check what was typed, in words that say
what to do; the services decide the rules (rates, limits, who may approve) and their errors are
shown on the same fields. Money and hours are typed as text ("12.50", "£12.50", "1,200") so that
nothing typed is lost and every message is in plain words."""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django import forms

from powershare.engagement.forms import DATE_INPUT_FORMATS
from powershare.lib.forms import Form

from .models import PaymentKind, PaymentMethod, PaymentStatus, TimeUnit
from .services import MAX_AMOUNT, MAX_HOURS, MAX_LIMIT

MAX_TEXT = 2000
EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2100, 1, 1)


# ---------------------------------------------------------------------------------------------
# Fields


def date_field(label: str, *, help_text: str = "", required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(
            attrs={"type": "date", "autocomplete": "off", "class": "ds_input--fixed-10"},
            format="%Y-%m-%d",
        ),
        error_messages={
            "required": f"Enter the {label.lower()}, like 14/03/2026",
            "invalid": f"Enter the {label.lower()} as a real date, like 14/03/2026",
        },
    )


def text_field(
    label: str, *, help_text: str = "", required: bool = False, rows: int = 3, missing: str = ""
):
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        max_length=MAX_TEXT,
        strip=True,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "required": missing or f"Enter {label[0].lower() + label[1:]}",
            "max_length": "Keep this under 2,000 characters.",
        },
    )


def line_field(
    label: str,
    *,
    help_text: str = "",
    required: bool = False,
    max_length=200,
    missing: str = "",
):
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        max_length=max_length,
        strip=True,
        error_messages={
            "required": missing or f"Enter {label[0].lower() + label[1:]}",
            "max_length": f"Keep this under {max_length} characters.",
        },
    )


#: Digits with at most one decimal point: no exponents ("1e30"), no "NaN" or "Infinity".
PLAIN_NUMBER = re.compile(r"(\d+\.?\d*|\.\d+)")


class NumberField(forms.CharField):
    """A number typed as text: "12.50", "£12.50", "1,200" or, where allowed, "-10.00". Cleans
    to a Decimal (None when left empty and not required). Only plain digits are taken: "1e30",
    "NaN" or "Infinity" get the same kind message as "two". A number above `maximum` is refused
    before it is rounded, so nothing typed can break the page."""

    def __init__(
        self,
        *,
        label: str,
        what: str,
        places: int = 2,
        negative: bool = False,
        money: bool = True,
        maximum: Decimal | None = None,
        **kwargs,
    ):
        self.what = what
        self.places = places
        self.negative = negative
        self.money = money
        self.maximum = maximum
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "error_messages", {"required": f"Enter {what}", "max_length": f"Enter {what}"}
        )
        super().__init__(label=label, strip=True, **kwargs)
        self.widget.attrs.update(
            {"inputmode": "decimal", "autocomplete": "off", "class": "ds_input--fixed-10"}
        )

    def _too_big(self) -> str:
        limit = f"£{self.maximum:,.2f}" if self.money else f"{self.maximum.normalize():,f}"
        what = self.what[0].upper() + self.what[1:]
        return f"{what} can't be more than {limit}. Check it is typed right."

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        example = "12.50" if self.money else "2 or 1.5"
        not_a_number = forms.ValidationError(f"Enter {self.what} as a number, like {example}")
        if len(text) > 20:
            raise not_a_number
        cleaned = text.replace(",", "").replace(" ", "").replace("−", "-")
        sign = ""
        if cleaned.startswith("-"):
            sign, cleaned = "-", cleaned[1:]
        if self.money:
            cleaned = cleaned.lstrip("£")
        if not PLAIN_NUMBER.fullmatch(cleaned):
            raise not_a_number
        try:
            number = Decimal(sign + cleaned)
        except (InvalidOperation, ValueError):
            raise not_a_number from None
        if not number.is_finite():
            raise not_a_number
        if number < 0 and not self.negative:
            raise forms.ValidationError(f"Enter {self.what} as a number of 0 or more")
        if self.maximum is not None and abs(number) > self.maximum:
            raise forms.ValidationError(self._too_big())
        try:
            exact = number == number.quantize(Decimal(1).scaleb(-self.places))
        except InvalidOperation:
            raise not_a_number from None
        if not exact:
            raise forms.ValidationError(
                f"Enter {self.what} with no more than {self.places} decimal places"
            )
        return number


def money_field(label: str, what: str, **kwargs) -> NumberField:
    """An amount of money, up to the largest the services take (a typo, not a fee)."""
    kwargs.setdefault("maximum", MAX_AMOUNT)
    return NumberField(label=label, what=what, **kwargs)


def hours_field(label: str, what: str, **kwargs) -> NumberField:
    """A number of hours (or days), up to the most the services take."""
    kwargs.setdefault("maximum", MAX_HOURS)
    return NumberField(label=label, what=what, money=False, **kwargs)


def _in_range(day):
    if day is not None and not EARLIEST <= day <= LATEST:
        raise forms.ValidationError("Enter a date between 2000 and 2100")
    return day


KIND_CHOICES = [(value, label) for value, label in PaymentKind.choices if value != "adjustment"]

METHOD_HELP = (
    "Changing it here changes this payment only. To change how the person wants to be paid "
    "from now on, change their payment choices."
)


# ---------------------------------------------------------------------------------------------
# The list's filters


class PaymentFilterForm(Form):
    """The payments list's filters (the status is chosen with the tabs above them)."""

    is_filter = True

    search = forms.CharField(label="Name", required=False, max_length=100)
    method = forms.ChoiceField(
        label="How it is paid",
        required=False,
        choices=[("", "Any way")] + PaymentMethod.choices,
    )
    worked_from = date_field("Worked from", required=False)
    worked_to = date_field("Worked to", required=False)

    def clean_worked_from(self):
        return _in_range(self.cleaned_data["worked_from"])

    def clean_worked_to(self):
        return _in_range(self.cleaned_data["worked_to"])

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("worked_from"), cleaned.get("worked_to")
        if start and end and end < start:
            self.add_error("worked_to", "The “worked to” date must be on or after “worked from”")
        return cleaned

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {"search": "", "method": "", "worked_from": None, "worked_to": None}
        data = self.cleaned_data
        return {
            "search": data.get("search") or "",
            "method": data.get("method") or "",
            "worked_from": data.get("worked_from"),
            "worked_to": data.get("worked_to"),
        }


def status_filter(value: str) -> str:
    return value if value in PaymentStatus.values else ""


# ---------------------------------------------------------------------------------------------
# Recording and changing a payment


class TimeFieldsMixin(forms.Form):
    time_unit = forms.ChoiceField(
        label="Paid by",
        choices=TimeUnit.choices,
        initial=TimeUnit.HOURS,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose hours, half days or full days",
            "invalid_choice": "Choose hours, half days or full days",
        },
    )
    quantity = hours_field(
        "How much time",
        "how much time to pay for",
        required=True,
        help_text="A number of hours, half days or full days, like 2 or 1.5.",
    )
    preparation_hours = hours_field(
        "Preparation hours",
        "the preparation hours",
        help_text="Paid at the hourly rate, up to the rate card's limit.",
    )
    travel_hours = hours_field(
        "Travel hours",
        "the travel hours",
        help_text="Paid at the hourly rate if the rate card pays travel time, up to its limit.",
    )

    def clean_quantity(self):
        """As the services say: some time must be paid for."""
        quantity = self.cleaned_data["quantity"]
        if quantity is not None and quantity == 0:
            raise forms.ValidationError("Enter more than 0")
        return quantity

    def time_values(self) -> dict:
        data = self.cleaned_data
        return {
            "time_unit": data["time_unit"],
            "quantity": data["quantity"],
            "preparation_hours": data.get("preparation_hours") or Decimal("0"),
            "travel_hours": data.get("travel_hours") or Decimal("0"),
        }


class PaymentForm(Form):
    """A payment owed to one person (the organisation's register, active people only)."""

    person = forms.ModelChoiceField(
        label="Who is being paid",
        queryset=None,
        empty_label="Choose a person",
        error_messages={
            "required": "Choose the person being paid",
            "invalid_choice": "Choose a person from the list",
        },
    )
    kind = forms.ChoiceField(
        label="What is it for",
        choices=KIND_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what the payment is for",
            "invalid_choice": "Choose what the payment is for",
        },
    )
    activity = forms.ModelChoiceField(
        label="Activity",
        queryset=None,
        required=False,
        empty_label="No activity",
        help_text="Needed when the payment is for taking part in an activity.",
        error_messages={"invalid_choice": "Choose an activity from the list"},
    )
    description = line_field(
        "Description",
        max_length=300,
        help_text="What the person did. Needed for a task, for example “Prepared the training "
        "slides”.",
    )
    worked_on = date_field(
        "Date of the work",
        help_text="It chooses the rate card, and the week, month and tax year the payment "
        "counts in. For example, 14/03/2026.",
    )
    time_unit = TimeFieldsMixin.base_fields["time_unit"]
    quantity = TimeFieldsMixin.base_fields["quantity"]
    preparation_hours = TimeFieldsMixin.base_fields["preparation_hours"]
    travel_hours = TimeFieldsMixin.base_fields["travel_hours"]
    cost_code = line_field("Cost code", max_length=40)
    note = text_field("Note", help_text="Only staff see this.")

    time_values = TimeFieldsMixin.time_values
    clean_quantity = TimeFieldsMixin.clean_quantity

    def __init__(self, *args, people, activities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = lambda p: (
            f"{p.full_name} ({p.reference})"
            if not p.preferred_name or p.preferred_name == p.full_name
            else f"{p.full_name}, known as {p.preferred_name} ({p.reference})"
        )
        self.fields["activity"].queryset = activities
        self.fields["activity"].label_from_instance = lambda a: f"{a.title} ({a.ends_on:%-d %B %Y})"

    def clean_worked_on(self):
        return _in_range(self.cleaned_data["worked_on"])

    def clean(self):
        """The services' rules that need no rate card, checked here too so that "Work out the
        amount" refuses what saving would refuse, in the same words."""
        cleaned = super().clean()
        kind, person, activity = (cleaned.get(name) for name in ("kind", "person", "activity"))
        if kind == PaymentKind.TASK and not cleaned.get("description"):
            self.add_error("description", "Say what the task was.")
        if kind == PaymentKind.INVOLVEMENT and activity is None and "activity" not in self.errors:
            self.add_error("activity", "Choose the activity the person took part in.")
        if (
            person is not None
            and activity is not None
            and activity.organisation_id != person.organisation_id
        ):
            self.add_error("activity", "Choose one of your organisation's activities.")
        return cleaned

    def payment_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "person": data["person"],
            "kind": data["kind"],
            "activity": data.get("activity"),
            "description": data.get("description", ""),
            "worked_on": data["worked_on"],
            # Left empty: the person's organisation's default cost code (the service's rule).
            "cost_code": data.get("cost_code") or None,
            "note": data.get("note", ""),
            **self.time_values(),
        }


class PaymentEditForm(Form):
    """Change a payment still owed: its amount is worked out again."""

    description = PaymentForm.base_fields["description"]
    worked_on = PaymentForm.base_fields["worked_on"]
    time_unit = TimeFieldsMixin.base_fields["time_unit"]
    quantity = TimeFieldsMixin.base_fields["quantity"]
    preparation_hours = TimeFieldsMixin.base_fields["preparation_hours"]
    travel_hours = TimeFieldsMixin.base_fields["travel_hours"]
    cost_code = PaymentForm.base_fields["cost_code"]
    note = PaymentForm.base_fields["note"]

    time_values = TimeFieldsMixin.time_values
    clean_quantity = TimeFieldsMixin.clean_quantity

    def clean_worked_on(self):
        return _in_range(self.cleaned_data["worked_on"])

    def payment_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "description": data.get("description", ""),
            "worked_on": data["worked_on"],
            "cost_code": data.get("cost_code", ""),
            "note": data.get("note", ""),
            **self.time_values(),
        }


class AttendeesForm(Form):
    """Payments owed to people who attended an activity, with the same time for each."""

    invitations = forms.MultipleChoiceField(
        label="Who to record a payment for",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Choose people from the list. Someone may have been paid since "
            "the page was loaded."
        },
    )
    time_unit = TimeFieldsMixin.base_fields["time_unit"]
    quantity = TimeFieldsMixin.base_fields["quantity"]
    preparation_hours = TimeFieldsMixin.base_fields["preparation_hours"]
    travel_hours = TimeFieldsMixin.base_fields["travel_hours"]

    time_values = TimeFieldsMixin.time_values
    clean_quantity = TimeFieldsMixin.clean_quantity

    def __init__(self, *args, attendees, **kwargs):
        super().__init__(*args, **kwargs)
        self.attendees = {str(invitation.pk): invitation for invitation in attendees}
        self.fields["invitations"].choices = [
            (key, invitation.person.full_name) for key, invitation in self.attendees.items()
        ]
        if not self.is_bound:
            self.initial.setdefault("invitations", list(self.attendees))

    def clean(self):
        cleaned = super().clean()
        if "invitations" not in self.errors and not cleaned.get("invitations"):
            self.add_error("invitations", "Choose at least one person who attended")
        return cleaned

    @property
    def chosen(self) -> list[str]:
        value = self["invitations"].value() or []
        return [str(v) for v in value]

    def invitation_ids(self) -> list[int]:
        return [int(key) for key in self.cleaned_data.get("invitations", [])]


# ---------------------------------------------------------------------------------------------
# Approving, the method, cancelling, paid and corrections


class ApproveForm(Form):
    """Approval. When the payment takes the person over a limit, the approver must say they
    have seen the totals (the service refuses otherwise)."""

    def __init__(self, *args, crossing: bool, name: str = "the person", **kwargs):
        super().__init__(*args, **kwargs)
        if crossing:
            # Added after the design system's classes were given out: it brings its own.
            self.fields["acknowledged"] = forms.BooleanField(
                label=f"I have seen these totals and talked the options through with {name}",
                required=False,
                widget=forms.CheckboxInput(attrs={"class": "ds_checkbox__input"}),
            )

    def acknowledged(self) -> bool:
        return bool(self.cleaned_data.get("acknowledged"))


class MethodForm(Form):
    method = forms.ChoiceField(
        label="How should this payment be made?",
        choices=PaymentMethod.choices,
        widget=forms.RadioSelect,
        help_text=METHOD_HELP,
        error_messages={
            "required": "Choose how the person wants to be paid",
            "invalid_choice": "Choose how the person wants to be paid",
        },
    )
    charity = line_field(
        "Which charity",
        help_text="Needed if the person wants the money given to a charity.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("method") == PaymentMethod.DONATE and not cleaned.get("charity"):
            self.add_error("charity", "Say which charity should get the money")
        return cleaned


class CancelForm(Form):
    reason = text_field(
        "Why is it being cancelled?",
        required=True,
        help_text="For example, “Recorded twice” or “The session did not go ahead”. It is "
        "kept with the payment.",
        missing="Say why the payment is cancelled",
    )


class PaidForm(Form):
    paid_on = date_field("Date paid", help_text="For example, 14/03/2026.")
    finance_reference = line_field(
        "Finance reference",
        required=True,
        max_length=60,
        help_text="The finance system's reference for the payment.",
        missing="Enter the finance system's reference for the payment",
    )

    def clean_paid_on(self):
        return _in_range(self.cleaned_data["paid_on"])


class AdjustForm(Form):
    amount = money_field(
        "Amount of the correction",
        "the amount of the correction",
        negative=True,
        required=True,
        help_text="More to pay, like 10.00, or less, with a minus sign, like -10.00.",
    )
    reason = text_field(
        "Why is the correction needed?",
        required=True,
        help_text="For example, “Paid for 2 hours, not 3”.",
        missing="Say why the correction is needed",
    )

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is not None and amount == 0:
            raise forms.ValidationError("Enter an amount other than 0")
        return amount


# ---------------------------------------------------------------------------------------------
# A person's payment choices


class PersonChoiceForm(Form):
    method = forms.ChoiceField(
        label="How do they want to be paid?",
        choices=PaymentMethod.choices,
        widget=forms.RadioSelect,
        help_text="This also changes payments still owed to them.",
        error_messages={
            "required": "Choose how the person wants to be paid",
            "invalid_choice": "Choose how the person wants to be paid",
        },
    )
    charity = MethodForm.base_fields["charity"]
    receives_benefits = forms.BooleanField(
        label="Says taking part might affect their benefits",
        required=False,
        help_text="We then keep a running total of their fees against their limits, and warn "
        "before approving a payment that would go over one.",
    )
    weekly_limit = money_field("Weekly limit", "the weekly limit", maximum=MAX_LIMIT)
    monthly_limit = money_field("Monthly limit", "the monthly limit", maximum=MAX_LIMIT)
    yearly_limit = money_field("Yearly limit (tax year)", "the yearly limit", maximum=MAX_LIMIT)

    def __init__(self, *args, defaults=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, period in (
            ("weekly_limit", "weekly"),
            ("monthly_limit", "monthly"),
            ("yearly_limit", "yearly"),
        ):
            value = getattr(defaults, name, None) if defaults is not None else None
            default = "no limit" if value is None else f"£{value:,.2f}"
            self.fields[
                name
            ].help_text = f"Leave empty to use the organisation's {period} limit ({default})."

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("method") == PaymentMethod.DONATE and not cleaned.get("charity"):
            self.add_error("charity", "Say which charity should get the money")
        return cleaned

    def choice_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "method": data["method"],
            "charity": data.get("charity", ""),
            "weekly_limit": data.get("weekly_limit"),
            "monthly_limit": data.get("monthly_limit"),
            "yearly_limit": data.get("yearly_limit"),
            "receives_benefits": bool(data.get("receives_benefits")),
        }
