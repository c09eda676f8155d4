"""Forms for the trainer pool and for commissioning a lived-experience trainer: who, how many
hours, and their support before (a preparation session), on the day (a named member of staff)
and after (a debrief). The forms check what was typed; the services decide the rules and their
errors are shown on the same fields."""

import datetime
from decimal import Decimal

from django import forms
from django.utils import timezone

from powershare.lib.forms import Form
from powershare.payments.forms import NumberField, date_field

from .models import SupportStage
from .team_forms import SafeModelChoiceField, person_label, staff_label

EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2100, 1, 1)
MAX_TOPICS = 2000
MAX_PLAN = 500


def _in_range(day):
    if day is not None and not EARLIEST <= day <= LATEST:
        raise forms.ValidationError("Enter a date between 2000 and 2100")
    return day


def topics_field() -> forms.CharField:
    return forms.CharField(
        label="Topics they like to train on",
        required=False,
        max_length=MAX_TOPICS,
        strip=True,
        help_text="For example, “Being heard in child protection meetings; what helps at a "
        "first visit”.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Keep the topics under 2,000 characters"},
    )


def plan_field(label: str, help_text: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=MAX_PLAN,
        strip=True,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": "Keep this under 500 characters"},
    )


def trainer_label(trainer) -> str:
    return person_label(trainer.person)


# ---------------------------------------------------------------------------------------------
# The pool


class TrainerAddForm(Form):
    person = SafeModelChoiceField(
        label="Person from the register",
        queryset=None,
        empty_label="Choose a person",
        label_from=person_label,
        help_text="Someone on your register who has agreed to train.",
        error_messages={
            "required": "Choose the person who agreed to train",
            "invalid_choice": "Choose a person from the list",
        },
    )
    topics = topics_field()
    agreed_on = date_field(
        "Date they agreed", help_text="For example, 14/03/2026. Today, or a day in the past."
    )

    def __init__(self, *args, people, **kwargs):
        kwargs.setdefault("initial", {"agreed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people

    def clean_agreed_on(self):
        day = _in_range(self.cleaned_data["agreed_on"])
        if day and day > timezone.localdate():
            raise forms.ValidationError("The date they agreed can't be in the future")
        return day


IN_POOL_CHOICES = [("yes", "Yes, they are still in the pool"), ("no", "No, they have left it")]


class TrainerEditForm(Form):
    topics = topics_field()
    in_pool = forms.ChoiceField(
        label="Are they still in the trainer pool?",
        choices=IN_POOL_CHOICES,
        widget=forms.RadioSelect,
        help_text="Someone who leaves can't be commissioned again until they come back. "
        "Their commissions so far stay as they are.",
        error_messages={
            "required": "Say whether they are still in the pool",
            "invalid_choice": "Say whether they are still in the pool",
        },
    )

    def __init__(self, *args, trainer, **kwargs):
        kwargs.setdefault(
            "initial", {"topics": trainer.topics, "in_pool": "yes" if trainer.in_pool else "no"}
        )
        super().__init__(*args, **kwargs)


class TrainerFilterForm(Form):
    is_filter = True

    search = forms.CharField(label="Name or topic", required=False, max_length=100, strip=True)


# ---------------------------------------------------------------------------------------------
# Commissioning


class CommissionForm(Form):
    trainer = SafeModelChoiceField(
        label="Trainer",
        queryset=None,
        empty_label="Choose a trainer from the pool",
        label_from=trainer_label,
        error_messages={
            "required": "Choose the trainer to commission",
            "invalid_choice": "Choose a trainer from the pool",
        },
    )
    hours = NumberField(
        label="Hours delivering",
        what="the hours they will deliver",
        money=False,
        maximum=Decimal("100"),
        required=True,
        help_text="The time in the sessions, like 6 or 6.5. Paid at the rate card's rate.",
    )
    preparation_hours = NumberField(
        label="Preparation hours",
        what="the preparation hours",
        money=False,
        maximum=Decimal("40"),
        help_text="Time to prepare, paid too, up to the rate card's limit. Leave empty for none.",
    )
    lead = forms.BooleanField(label="They lead this delivery", required=False)
    before_plan = plan_field(
        "Before: the preparation session",
        "What you will go through together, for example the session plan and what they will share.",
    )
    before_on = date_field("Date of the preparation session", required=False)
    during_person = SafeModelChoiceField(
        label="On the day: their support person",
        queryset=None,
        empty_label="Choose a member of staff",
        label_from=staff_label,
        help_text="A named member of staff who is there for them during the sessions.",
        error_messages={
            "required": "Choose the member of staff who will support them on the day",
            "invalid_choice": "Choose a member of staff from the list",
        },
    )
    during_plan = plan_field(
        "On the day: what the support looks like",
        "For example, a quiet room, breaks when they need them, a signal to step out.",
    )
    after_plan = plan_field(
        "After: the debrief", "For example, a call to talk about how it went and what's next."
    )
    after_on = date_field("Date of the debrief", required=False)

    def __init__(self, *args, trainers, staff, first_day=None, last_day=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainer"].queryset = trainers
        self.fields["during_person"].queryset = staff
        if first_day:
            self.fields["before_on"].help_text = (
                f"Leave empty for {first_day - datetime.timedelta(days=7):%-d %B %Y}, a week "
                "before the first session."
            )
        if last_day:
            self.fields["after_on"].help_text = (
                f"Leave empty for {last_day + datetime.timedelta(days=3):%-d %B %Y}, three days "
                "after the last session."
            )

    def clean_hours(self):
        hours = self.cleaned_data["hours"]
        if hours is not None and hours < Decimal("0.25"):
            raise forms.ValidationError("Enter the hours they will deliver, from 0.25 to 100")
        return hours

    def clean_before_on(self):
        return _in_range(self.cleaned_data["before_on"])

    def clean_after_on(self):
        return _in_range(self.cleaned_data["after_on"])

    def support(self) -> dict:
        data = self.cleaned_data
        return {
            SupportStage.BEFORE: {"plan": data["before_plan"], "planned_on": data["before_on"]},
            SupportStage.DURING: {
                "plan": data["during_plan"],
                "support_person": data["during_person"],
            },
            SupportStage.AFTER: {"plan": data["after_plan"], "planned_on": data["after_on"]},
        }


class SupportForm(Form):
    plan = plan_field("The plan", "What will happen, in a sentence or two.")
    support_person = SafeModelChoiceField(
        label="Who supports them",
        queryset=None,
        required=False,
        empty_label="Nobody named yet",
        label_from=staff_label,
        error_messages={"invalid_choice": "Choose a member of staff from the list"},
    )
    planned_on = date_field("Planned date", required=False)
    done_on = date_field(
        "Date it was done",
        required=False,
        help_text="Leave empty until it has happened. It can't be in the future.",
    )

    def __init__(self, *args, support, staff, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "plan": support.plan,
                "support_person": support.support_person_id,
                "planned_on": support.planned_on,
                "done_on": support.done_on,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["support_person"].queryset = staff
        if support.stage == SupportStage.DURING:
            self.fields["support_person"].label = "Their support person on the day"
            self.fields["planned_on"].label = "The day"

    def clean_planned_on(self):
        return _in_range(self.cleaned_data["planned_on"])

    def clean_done_on(self):
        day = _in_range(self.cleaned_data["done_on"])
        if day and day > timezone.localdate():
            raise forms.ValidationError("The date it was done can't be in the future")
        return day


class CommissionCancelForm(Form):
    reason = forms.CharField(
        label="Why is the commission cancelled?",
        help_text="For example, “The delivery moved to a date they can't do”. It is kept with "
        "the commission and the cancelled payment.",
        max_length=2000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Say why the commission is cancelled",
            "max_length": "Keep the reason under 2,000 characters",
        },
    )
