"""The portal's forms about money: how you'd like to be paid, and claiming a cost back. Plain
words; the rules are payments.services'. Every question can be skipped except the ones we need
to pay you (how, and for a cost, what and when)."""

from django import forms

from powershare.lib.forms import Form
from powershare.payments.claim_forms import ExpenseLineForm, activity_label, money_field
from powershare.payments.models import PaymentMethod

BENEFITS_ANSWERS = [("yes", "Yes, it might"), ("no", "No")]


class PaymentChoiceForm(Form):
    method = forms.ChoiceField(
        label="How would you like to be paid?",
        choices=PaymentMethod.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how you would like to be paid.",
            "invalid_choice": "Choose one of the answers in the list.",
        },
    )
    charity = forms.CharField(
        label="Which charity?",
        required=False,
        max_length=200,
        help_text="Only if you chose to give it to a charity.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"max_length": "Keep the charity's name under 200 characters."},
    )
    receives_benefits = forms.ChoiceField(
        label="Might being paid affect your benefits?",
        required=False,
        choices=BENEFITS_ANSWERS,
        widget=forms.RadioSelect,
        help_text="If it might, we show you your totals for each week, month and tax year, and "
        "we check them before we approve a payment to you.",
        error_messages={"invalid_choice": "Choose yes or no."},
    )
    weekly_limit = money_field("Weekly limit")
    monthly_limit = money_field("Monthly limit")
    yearly_limit = money_field("Tax year limit")

    def __init__(self, *args, defaults=None, **kwargs):
        super().__init__(*args, **kwargs)
        names = {"weekly_limit": "week", "monthly_limit": "month", "yearly_limit": "tax year"}
        for name, period in names.items():
            usual = getattr(defaults, name, None) if defaults is not None else None
            self.fields[name].help_text = (
                f"Leave this empty to use our usual limit for a {period}: £{usual:,.2f}."
                if usual is not None
                else f"Leave this empty if you don't want a limit for a {period}."
            )
            self.fields[name].widget.attrs["aria-describedby"] = f"id_{self.add_prefix(name)}-hint"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("method") == PaymentMethod.DONATE and not cleaned.get("charity"):
            self.add_error("charity", "Say which charity should get the money.")
        return cleaned

    def choice_values(self) -> dict:
        data = self.cleaned_data
        answer = data.get("receives_benefits")
        return {
            "method": data["method"],
            "charity": data.get("charity", ""),
            "weekly_limit": data.get("weekly_limit") or None,
            "monthly_limit": data.get("monthly_limit") or None,
            "yearly_limit": data.get("yearly_limit") or None,
            "receives_benefits": {"yes": True, "no": False}.get(answer),
        }


class ExpenseForm(ExpenseLineForm):
    """A new claim in one go: which activity (if one), then the first cost."""

    activity = forms.ChoiceField(
        label="Which activity was it for?",
        required=False,
        error_messages={"invalid_choice": "Choose one of the activities in the list."},
    )

    def __init__(self, *args, activities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.activities = {str(activity.pk): activity for activity in activities}
        self.fields["activity"].choices = [("", "Not for one activity")] + [
            (key, activity_label(activity)) for key, activity in self.activities.items()
        ]
        self.order_fields(["activity"])

    def chosen_activity(self):
        return self.activities.get(self.cleaned_data.get("activity") or "")
